package org.consent4j.auditor;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A database for one test, reached by URL as the command line reaches it: H2 in memory always,
 * PostgreSQL at {@code CONSENT4J_POSTGRES_URL} and MariaDB at {@code CONSENT4J_MARIADB_URL} when
 * set (skipped otherwise, failed under {@code CONSENT4J_REQUIRE_DATABASES=true}), under a unique
 * table prefix whose tables {@link #close()} drops. The same variables as consent-jdbc's
 * {@code TestDatabases}, which does not expose its URLs.
 */
final class TestDb implements AutoCloseable {
  private final String name;
  private final String url;
  private final String variable;
  private final String prefix = "c4ja" + UUID.randomUUID().toString().replace("-", "").substring(0, 10) + "_";
  private final List<String> otherPrefixes = new ArrayList<>();
  private final List<String> schemas = new ArrayList<>();

  private TestDb(String name, String url, String variable) {
    this.name = name;
    this.url = url == null || url.isBlank() ? null : url;
    this.variable = variable;
  }

  static Stream<TestDb> all() {
    return Stream.of(h2(), postgres(), mariadb());
  }

  static TestDb h2() {
    return new TestDb("H2", "jdbc:h2:mem:c4ja_" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1",
        null);
  }

  static TestDb postgres() {
    return new TestDb("PostgreSQL", System.getenv("CONSENT4J_POSTGRES_URL"), "CONSENT4J_POSTGRES_URL");
  }

  static TestDb mariadb() {
    return new TestDb("MariaDB", System.getenv("CONSENT4J_MARIADB_URL"), "CONSENT4J_MARIADB_URL");
  }

  /** The JDBC URL, skipping (or failing) the test when the database is not configured. */
  String url() {
    if (url == null) {
      String why = name + " is not configured: set " + variable + " to its JDBC URL";
      if ("true".equalsIgnoreCase(System.getenv("CONSENT4J_REQUIRE_DATABASES"))) {
        Assertions.fail(why + " (CONSENT4J_REQUIRE_DATABASES=true requires every database)");
      }
      Assumptions.abort(why);
    }
    return url;
  }

  String prefix() {
    return prefix;
  }

  /** Another prefix to drop on close, for a test that must prove no table was created under it. */
  String otherPrefix(String p) {
    otherPrefixes.add(p);
    return p;
  }

  /** A new schema name (on MariaDB, a database) that {@link #close()} drops with its tables. */
  String newSchema() {
    String name = "c4ja_s" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    schemas.add(name);
    return name;
  }

  DataSource dataSource() {
    return new DriverDataSource(url(), null, null);
  }

  void sql(String... statements) throws SQLException {
    try (Connection c = DriverManager.getConnection(url()); Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }

  /** The names of the tables starting with {@code p}, lower-cased. */
  List<String> tablesStartingWith(String p) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url());
        ResultSet r = c.getMetaData().getTables(c.getCatalog(), c.getSchema(), "%", new String[] {"TABLE"})) {
      while (r.next()) {
        String t = r.getString("TABLE_NAME").toLowerCase(Locale.ROOT);
        if (t.startsWith(p)) {
          out.add(t);
        }
      }
    }
    return out;
  }

  @Override
  public void close() throws SQLException {
    if (url == null) {
      return;
    }
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      if (name.equals("H2")) {
        s.execute("SHUTDOWN");
        return;
      }
      List<String> tables = new ArrayList<>(tablesStartingWith(prefix));
      for (String p : otherPrefixes) {
        tables.addAll(tablesStartingWith(p));
      }
      if (name.equals("MariaDB")) {
        s.execute("SET FOREIGN_KEY_CHECKS = 0");
      }
      for (String t : tables) {
        s.execute("DROP TABLE IF EXISTS " + t + (name.equals("PostgreSQL") ? " CASCADE" : ""));
      }
      if (name.equals("PostgreSQL")) {
        s.execute("DROP FUNCTION IF EXISTS " + prefix + "notify_change() CASCADE");
      }
      for (String schema : schemas) {
        s.execute(name.equals("PostgreSQL") ? "DROP SCHEMA IF EXISTS " + schema + " CASCADE"
            : "DROP DATABASE IF EXISTS " + schema);
      }
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
