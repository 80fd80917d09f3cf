package org.consent4j.jdbc;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The databases the JDBC tests run on: H2 in memory always; PostgreSQL when
 * {@value #POSTGRES_URL} is set (e.g. {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres});
 * MariaDB when {@value #MARIADB_URL} is set (e.g.
 * {@code jdbc:mariadb://127.0.0.1:3306/test?user=root&password=}). A database whose URL is not set
 * is skipped, unless {@value #REQUIRE} is {@code true}, when the test fails instead.
 *
 * <p>Use it as the source of a parameterized test; JUnit closes each {@link Database} after its
 * invocation, which drops every table created under its prefixes and checks that no connection
 * leaked or came back in a transaction:
 *
 * <pre>{@code
 * @ParameterizedTest(name = "{0}")
 * @MethodSource("org.consent4j.jdbc.TestDatabases#all")
 * void something(TestDatabases.Database db) {
 *   JdbcConsentStore store = db.newStore();   // tables named with db.tablePrefix()
 *   try (Connection c = db.dataSource().getConnection()) { ... }
 * }
 * }</pre>
 */
public final class TestDatabases {
  /** The environment variable with PostgreSQL's JDBC URL. */
  public static final String POSTGRES_URL = "CONSENT4J_POSTGRES_URL";
  /** The environment variable with MariaDB's JDBC URL. */
  public static final String MARIADB_URL = "CONSENT4J_MARIADB_URL";
  /** Set to {@code true} to fail, not skip, when a database's URL is missing. */
  public static final String REQUIRE = "CONSENT4J_REQUIRE_DATABASES";

  private TestDatabases() {}

  /** One fresh {@link Database} of each kind, for {@code @MethodSource}. */
  public static Stream<Database> all() {
    return Stream.of(h2(), postgres(), mariadb());
  }

  /** PostgreSQL alone, for a {@code @MethodSource} of a test of one of its features. */
  public static Stream<Database> postgresOnly() {
    return Stream.of(postgres());
  }

  /** MariaDB alone, for a {@code @MethodSource} of a test of one of its features. */
  public static Stream<Database> mariadbOnly() {
    return Stream.of(mariadb());
  }

  /** PostgreSQL and MariaDB, for a test of a feature H2 lacks. */
  public static Stream<Database> withoutH2() {
    return Stream.of(postgres(), mariadb());
  }

  /** H2 and MariaDB, for a test of what PostgreSQL refuses before it runs. */
  public static Stream<Database> withoutPostgres() {
    return Stream.of(h2(), mariadb());
  }

  /** A new, private H2 in-memory database. */
  public static Database h2() {
    return new Database("H2", "jdbc:h2:mem:c4j_" + UUID.randomUUID().toString().replace("-", "")
        + ";DB_CLOSE_DELAY=-1", null);
  }

  /** PostgreSQL at {@value #POSTGRES_URL}, under a new table prefix. */
  public static Database postgres() {
    return new Database("PostgreSQL", System.getenv(POSTGRES_URL), POSTGRES_URL);
  }

  /** MariaDB at {@value #MARIADB_URL}, under a new table prefix. */
  public static Database mariadb() {
    return new Database("MariaDB", System.getenv(MARIADB_URL), MARIADB_URL);
  }

  /**
   * One database for one test: a small connection pool on it, and unique table prefixes whose
   * tables are dropped on {@link #close()}.
   */
  public static final class Database implements AutoCloseable {
    private final String name;
    private final String url;
    private final String variable;
    private final List<String> prefixes = Collections.synchronizedList(new ArrayList<>());
    private Pool pool;
    private final List<Pool> otherPools = new ArrayList<>();

    private Database(String name, String url, String variable) {
      this.name = name;
      this.url = url == null || url.isBlank() ? null : url;
      this.variable = variable;
      prefixes.add(uniquePrefix());
    }

    /** The database's name, e.g. {@code PostgreSQL}. */
    public String name() {
      return name;
    }

    /**
     * A pooling DataSource on the database. Skips the test (or fails it, under {@value #REQUIRE})
     * when the database is not configured.
     */
    public synchronized DataSource dataSource() {
      if (url == null) {
        String why = name + " is not configured: set " + variable + " to its JDBC URL";
        if ("true".equalsIgnoreCase(System.getenv(REQUIRE))) {
          Assertions.fail(why + " (" + REQUIRE + "=true requires every database)");
        }
        Assumptions.abort(why);
      }
      if (pool == null) {
        pool = new Pool(url, new Properties());
      }
      return pool;
    }

    /**
     * A pooling DataSource on the same database as another user (any credentials in the URL are
     * replaced). Closed with this database.
     */
    public synchronized DataSource dataSourceAs(String user, String password) {
      dataSource();
      Properties credentials = new Properties();
      credentials.setProperty("user", user);
      credentials.setProperty("password", password);
      String withoutCredentials = url.startsWith("jdbc:h2:")
          ? url.substring(0, url.indexOf(';')) // only an admin may pass settings; the database is open
          : url.replaceAll("(?<=[?&;])(user|password)=[^&;]*[&;]?", "").replaceAll("[?&;]$", "");
      Pool other = new Pool(withoutCredentials, credentials);
      otherPools.add(other);
      return other;
    }

    /** The table prefix of this test, unique to it, e.g. {@code t3fa9c21b_}. */
    public String tablePrefix() {
      return prefixes.get(0);
    }

    /** Another unique table prefix, whose tables are dropped on close as well. */
    public String newTablePrefix() {
      String p = uniquePrefix();
      prefixes.add(p);
      return p;
    }

    /** A store on this database under {@link #tablePrefix()}, tables created. */
    public JdbcConsentStore newStore() {
      return JdbcConsentStore.builder(dataSource()).tablePrefix(tablePrefix()).build();
    }

    /**
     * Drops every table whose name starts with one of this test's prefixes and closes the pool.
     *
     * @throws AssertionError if a connection was not closed, or came back with auto-commit off
     */
    @Override
    public synchronized void close() throws SQLException {
      if (pool == null) {
        return;
      }
      try {
        for (Pool other : otherPools) {
          other.shutDown();
        }
        dropTables();
      } finally {
        pool.shutDown();
      }
      Assertions.assertEquals(List.of(), pool.problems, "connections misused by the code under test");
      Assertions.assertEquals(0, pool.borrowed.get(), () -> "connections not closed by the code under test;"
          + " borrowed at:\n" + pool.outstanding());
    }

    private void dropTables() throws SQLException {
      try (Connection c = pool.physical()) {
        if (name.equals("H2")) {
          try (Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
          }
          return;
        }
        List<String> tables = new ArrayList<>();
        try (ResultSet r = c.getMetaData().getTables(c.getCatalog(), c.getSchema(), "%", new String[] {"TABLE"})) {
          while (r.next()) {
            String table = r.getString("TABLE_NAME");
            String lower = table.toLowerCase(Locale.ROOT);
            if (prefixes.stream().anyMatch(lower::startsWith)) {
              tables.add(table);
            }
          }
        }
        // Quoted as stored, so tables created with quoted mixed-case names go too.
        String q = c.getMetaData().getIdentifierQuoteString().trim();
        try (Statement s = c.createStatement()) {
          if (name.equals("MariaDB")) {
            s.execute("SET FOREIGN_KEY_CHECKS = 0");
          }
          for (String t : tables) {
            s.execute("DROP TABLE IF EXISTS " + q + t + q + (name.equals("PostgreSQL") ? " CASCADE" : ""));
          }
          if (name.equals("PostgreSQL")) {
            // The change-notification trigger function of the store's migrations.
            for (String p : prefixes) {
              s.execute("DROP FUNCTION IF EXISTS " + p + "notify_change() CASCADE");
            }
          }
        }
      }
    }

    @Override
    public String toString() {
      return name;
    }

    private static String uniquePrefix() {
      return "t" + UUID.randomUUID().toString().substring(0, 8) + "_";
    }
  }

  /**
   * A minimal connection pool: idle connections are reused; a connection returned with
   * auto-commit off is recorded as a problem and discarded, as is one that is broken.
   */
  private static final class Pool implements DataSource {
    private final String url;
    private final Properties properties;
    private final Deque<Connection> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger borrowed = new AtomicInteger();
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    /** Where each connection not yet given back was borrowed, to name the leak. */
    private final java.util.Map<Integer, Throwable> borrowers = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();

    Pool(String url, Properties properties) {
      this.url = url;
      this.properties = properties;
    }

    Connection physical() throws SQLException {
      return DriverManager.getConnection(url, properties);
    }

    @Override
    public Connection getConnection() throws SQLException {
      Connection c = idle.pollFirst();
      if (c == null) {
        c = physical();
      }
      borrowed.incrementAndGet();
      int id = ids.incrementAndGet();
      borrowers.put(id, new Throwable("connection " + id + " borrowed here"));
      Connection physical = c;
      InvocationHandler h = new InvocationHandler() {
        private boolean closed;

        @Override
        public Object invoke(Object proxy, Method m, Object[] args) throws Throwable {
          if (m.getName().equals("close") && m.getParameterCount() == 0) {
            if (!closed) {
              closed = true;
              borrowers.remove(id);
              giveBack(physical);
            }
            return null;
          }
          if (m.getName().equals("isClosed") && m.getParameterCount() == 0) {
            return closed || physical.isClosed();
          }
          if (closed) {
            throw new SQLException("connection used after close");
          }
          try {
            return m.invoke(physical, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        }
      };
      return (Connection) Proxy.newProxyInstance(
          TestDatabases.class.getClassLoader(), new Class<?>[] {Connection.class}, h);
    }

    private void giveBack(Connection c) throws SQLException {
      borrowed.decrementAndGet();
      if (c.isClosed()) {
        return;
      }
      if (!c.getAutoCommit()) {
        problems.add("a connection was closed with auto-commit off");
        c.rollback();
        c.close();
        return;
      }
      idle.addFirst(c);
    }

    String outstanding() {
      java.io.StringWriter out = new java.io.StringWriter();
      borrowers.values().forEach(t -> t.printStackTrace(new PrintWriter(out)));
      return out.toString();
    }

    void shutDown() throws SQLException {
      for (Connection c; (c = idle.pollFirst()) != null; ) {
        c.close();
      }
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
      throw new SQLFeatureNotSupportedException("the test pool takes credentials from its URL");
    }

    @Override
    public PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
      return false;
    }
  }
}
