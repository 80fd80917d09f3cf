package org.consent4j.jdbc.e2e;

import static org.consent4j.jdbc.e2e.GuardedDataSourceEndToEndTest.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Stream;
import org.consent4j.core.ProcessingScope;
import org.consent4j.jdbc.ConsentSQLException;
import org.consent4j.jdbc.ConsentSQLException.ReasonCode;
import org.consent4j.jdbc.SchemaMapping;
import org.consent4j.jdbc.TestDatabases;
import org.consent4j.jdbc.TestDatabases.Database;
import org.consent4j.jdbc.e2e.GuardedDataSourceEndToEndTest.Crm;
import org.consent4j.jdbc.wrapper.ConsentDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Table references resolve to the object the database will use, by qualified name. The CRM is
 * {@link GuardedDataSourceEndToEndTest}'s (under marketing, contacts 1, 2 and 3 are visible and
 * only 1 and 2 show their email), mapped here with its schema ({@code public.contact} on
 * PostgreSQL, {@code PUBLIC.CONTACT} on H2, {@code <database>.contact} on MariaDB, where the
 * schema is the database), as MAPPING.md recommends. Two more schemas (on MariaDB: databases)
 * hold objects named like it: {@code other} a view over the mapped table, {@code plain} an
 * unrelated table of the same name.
 */
@SuppressWarnings("try")
final class SchemaQualifiedNamesTest {
  private static final List<List<Object>> FILTERED = List.of(row(1, "c1@example.org"), row(2, "c2@example.org"),
      row(3, null));

  static Stream<Database> databases() {
    return TestDatabases.all();
  }

  /** The CRM with two more schemas; the schemas are dropped on close. */
  private static final class Schemas implements AutoCloseable {
    final Crm crm;
    final String home;
    final String other;
    final String plain;
    final List<String> created;

    Schemas(Crm crm) throws SQLException {
      this.crm = crm;
      try (Connection c = crm.db.dataSource().getConnection(); Statement s = c.createStatement()) {
        home = switch (crm.db.name()) {
          case "MariaDB" -> single(c, "SELECT DATABASE()");
          default -> c.getSchema();
        };
      }
      other = crm.p + "other";
      plain = crm.p + "plain";
      created = List.of(other, plain);
      execute(crm.db.name().equals("MariaDB") ? "CREATE DATABASE " + other : "CREATE SCHEMA " + other,
          crm.db.name().equals("MariaDB") ? "CREATE DATABASE " + plain : "CREATE SCHEMA " + plain,
          "CREATE VIEW " + other + ".$contact AS SELECT * FROM " + home + ".$contact",
          "CREATE TABLE " + plain + ".$contact (id INT, email VARCHAR(100))",
          "INSERT INTO " + plain + ".$contact VALUES (5, 'unrelated@example.org')");
    }

    /** The CRM's tables mapped with their schema, trusting {@code trusted}. */
    ConsentDataSource guarded(String... trusted) throws SQLException {
      StringBuilder t = new StringBuilder();
      for (String name : trusted) {
        t.append(t.length() == 0 ? "" : ", ").append('"').append(name).append('"');
      }
      SchemaMapping mapping = SchemaMapping.fromJson(crm.sql("""
          { "tables": [
            { "schema": "%s", "table": "$contact", "subject": "id",
              "columns": { "email": "contact.email", "phone": "contact.phone" } },
            { "schema": "%s", "table": "$friend", "subject": ["user_id", "friend_id"] } ],
            "trusted": [%s] }
          """.formatted(home, home, t)));
      return ConsentDataSource.wrap(crm.db.dataSource(), crm.engine, mapping, crm.store);
    }

    void execute(String... sql) throws SQLException {
      try (Connection c = crm.db.dataSource().getConnection(); Statement s = c.createStatement()) {
        for (String x : sql) {
          s.execute(crm.sql(x));
        }
      }
    }

    @Override
    public void close() throws SQLException {
      for (String schema : created) {
        execute(crm.db.name().equals("MariaDB") ? "DROP DATABASE IF EXISTS " + schema
            : "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aViewInAnotherSchemaNamedLikeAMappedTableIsRefusedWithOrWithoutContext(Database db) throws Exception {
    try (Crm crm = new Crm(db); Schemas s = new Schemas(crm)) {
      // around consent4j the view shows every row
      assertEquals(5, crm.rawQuery("SELECT id FROM " + s.other + ".$contact").size());
      ConsentDataSource guarded = s.guarded();
      try (Connection c = guarded.getConnection()) {
        assertEquals(ReasonCode.BYPASS_REFUSED,
            refusal(() -> crm.statementQuery(c, "SELECT id, email FROM " + s.other + ".$contact")));
        try (ProcessingScope scope = crm.engine.process(Crm.MARKETING)) {
          assertEquals(ReasonCode.BYPASS_REFUSED,
              refusal(() -> crm.statementQuery(c, "SELECT id, email FROM " + s.other + ".$contact ORDER BY id")));
          assertEquals(ReasonCode.BYPASS_REFUSED, refusal(() -> crm.preparedQuery(c, "SELECT email FROM "
              + s.other + ".$contact WHERE id = ?", 5)));
          // nor can it be written through
          assertEquals(ReasonCode.BYPASS_REFUSED, refusal(() -> execute(c, crm.sql("UPDATE " + s.other
              + ".$contact SET email = 'x@example.org' WHERE id = 5"))));
          assertEquals(ReasonCode.BYPASS_REFUSED, refusal(() -> execute(c, crm.sql("DELETE FROM " + s.other
              + ".$contact WHERE id = 5"))));
          // the mapped table itself, qualified or resolved through the session's schema, is filtered
          assertEquals(FILTERED, crm.statementQuery(c, "SELECT id, email FROM " + s.home + ".$contact ORDER BY id"));
          assertEquals(FILTERED, crm.statementQuery(c, "SELECT id, email FROM $contact ORDER BY id"));
        }
      }
      // a mapping without schema applies to base tables of that name anywhere, not to a view of
      // another schema: the view is not filtered with the table's rules but refused
      crm.guarded.refreshSchema();
      try (Connection c = crm.guarded.getConnection(); ProcessingScope scope = crm.engine.process(Crm.MARKETING)) {
        assertEquals(ReasonCode.BYPASS_REFUSED,
            refusal(() -> crm.statementQuery(c, "SELECT id, email FROM " + s.other + ".$contact")));
        assertEquals(FILTERED, crm.statementQuery(c, "SELECT id, email FROM $contact ORDER BY id"));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void anUnqualifiedNameResolvesAlongTheSessionsCurrentSchema(Database db) throws Exception {
    try (Crm crm = new Crm(db); Schemas s = new Schemas(crm)) {
      ConsentDataSource guarded = s.guarded();
      try (Connection c = guarded.getConnection(); ProcessingScope scope = crm.engine.process(Crm.MARKETING)) {
        assertEquals(FILTERED, crm.statementQuery(c, "SELECT id, email FROM $contact ORDER BY id"));
        try {
          // the session now looks up contact in "other", where it is the view: refused
          switchTo(c, s.other);
          assertEquals(ReasonCode.BYPASS_REFUSED, refusal(() -> crm.statementQuery(c, "SELECT id, email FROM $contact")));
          // in "plain" it is an unrelated table, not mapped: it reads as it is, unfiltered
          switchTo(c, s.plain);
          assertEquals(List.of(row(5, "unrelated@example.org")), crm.statementQuery(c, "SELECT id, email FROM $contact"));
        } finally {
          switchTo(c, s.home);
        }
        // the same SQL text again, back in the mapped table's schema: filtered (not a cached answer)
        assertEquals(FILTERED, crm.statementQuery(c, "SELECT id, email FROM $contact ORDER BY id"));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void viewsInOtherSchemasThatReadAMappedTableAreRefusedUnlessTrustedByQualifiedName(Database db) throws Exception {
    try (Crm crm = new Crm(db); Schemas s = new Schemas(crm)) {
      s.execute("CREATE VIEW " + s.other + ".$emails AS SELECT id, email FROM " + s.home + ".$contact",
          "CREATE VIEW " + s.other + ".$stats AS SELECT count(*) AS n FROM " + s.home + ".$contact",
          "CREATE VIEW " + s.plain + ".$stats AS SELECT count(*) AS n FROM " + s.home + ".$contact");
      ConsentDataSource guarded = s.guarded(crm.sql(s.other + ".$stats"));
      try (Connection c = guarded.getConnection(); ProcessingScope scope = crm.engine.process(Crm.MARKETING)) {
        assertEquals(ReasonCode.BYPASS_REFUSED,
            refusal(() -> crm.statementQuery(c, "SELECT id, email FROM " + s.other + ".$emails")));
        // trusted by its qualified name: runs as the database defines it (every row counted)
        assertEquals(List.of(row(5)), crm.statementQuery(c, "SELECT n FROM " + s.other + ".$stats"));
        // the same name in another schema is not trusted
        assertEquals(ReasonCode.BYPASS_REFUSED,
            refusal(() -> crm.statementQuery(c, "SELECT n FROM " + s.plain + ".$stats")));
      }
    }
  }

  /**
   * PostgreSQL's own doors: a materialized view and a child table (inheritance) in another
   * schema, and a temporary view, made around consent4j on the same session, named like the
   * mapped table (PostgreSQL looks in the session's temporary schema first).
   */
  @Test
  void postgresMaterializedViewsChildTablesAndTemporaryViewsCannotStandInForAMappedTable() throws Exception {
    try (Database db = TestDatabases.postgres(); Crm crm = new Crm(db); Schemas s = new Schemas(crm)) {
      s.execute("CREATE MATERIALIZED VIEW " + s.plain + ".$contact_mv AS SELECT * FROM " + s.home + ".$contact",
          "CREATE TABLE " + s.other + ".$contact_child () INHERITS (" + s.home + ".$contact)",
          "INSERT INTO " + s.other + ".$contact_child VALUES (6, 'NL', 'c6@example.org', '+31 6')");
      ConsentDataSource guarded = s.guarded();
      int pid;
      try (Connection raw = db.dataSource().getConnection(); Statement st = raw.createStatement()) {
        // the temporary view gives subject 5's row (no consent) the id of subject 1 (consented)
        st.execute(crm.sql("CREATE TEMP VIEW $contact AS SELECT CASE WHEN id = 5 THEN 1 ELSE id END AS id, country,"
            + " email, phone FROM " + s.home + ".$contact WHERE id <> 1"));
        pid = ((Number) GuardedDataSourceEndToEndTest.rows(st.executeQuery("SELECT pg_backend_pid()")).get(0).get(0))
            .intValue();
      }
      try (Connection c = guarded.getConnection(); ProcessingScope scope = crm.engine.process(Crm.MARKETING)) {
        // the pool hands back the session that holds the temporary view
        assertEquals(List.of(row(pid)), crm.statementQuery(c, "SELECT pg_backend_pid()"));
        assertEquals(ReasonCode.BYPASS_REFUSED,
            refusal(() -> crm.statementQuery(c, "SELECT id, email FROM " + s.plain + ".$contact_mv")));
        assertEquals(ReasonCode.BYPASS_REFUSED,
            refusal(() -> crm.statementQuery(c, "SELECT id, email FROM " + s.other + ".$contact_child")));
        assertEquals(ReasonCode.BYPASS_REFUSED,
            refusal(() -> crm.statementQuery(c, "SELECT id, email FROM pg_temp.$contact")));
        // the mapped table is read by its qualified name, not through the temporary view (the
        // child's row 6, read through the parent, is filtered: subject 6 has no grant)
        assertEquals(FILTERED, crm.statementQuery(c, "SELECT id, email FROM $contact ORDER BY id"));
      }
      try (Connection raw = db.dataSource().getConnection(); Statement st = raw.createStatement()) {
        st.execute(crm.sql("DROP VIEW IF EXISTS pg_temp.$contact"));
      }
    }
  }

  /**
   * PostgreSQL's search path changes in ways a JDBC wrapper does not see (a function call, the end
   * of a transaction): the path is read again for each statement whose meaning depends on it.
   */
  @Test
  void postgresSearchPathChangesTheWrapperCannotSeeAreFollowed() throws Exception {
    try (Database db = TestDatabases.postgres(); Crm crm = new Crm(db); Schemas s = new Schemas(crm)) {
      ConsentDataSource guarded = s.guarded();
      try (Connection c = guarded.getConnection(); ProcessingScope scope = crm.engine.process(Crm.MARKETING)) {
        String before = crm.statementQuery(c, "SHOW search_path").get(0).get(0).toString();
        crm.statementQuery(c, "SELECT set_config('search_path', '" + s.other + "', false)");
        assertEquals(ReasonCode.BYPASS_REFUSED, refusal(() -> crm.statementQuery(c, "SELECT id, email FROM $contact")));
        execute(c, "SELECT set_config('search_path', '" + before.replace("'", "''") + "', false)"); // "$user" as is
        assertEquals(FILTERED, crm.statementQuery(c, "SELECT id, email FROM $contact ORDER BY id"));
        c.setAutoCommit(false);
        try {
          execute(c, "SET LOCAL search_path TO " + s.other);
          assertEquals(ReasonCode.BYPASS_REFUSED,
              refusal(() -> crm.preparedQuery(c, "SELECT id, email FROM $contact WHERE id = ?", 5)));
          c.commit(); // SET LOCAL ends here
          assertEquals(List.of(row(1, "c1@example.org")),
              crm.preparedQuery(c, "SELECT id, email FROM $contact WHERE id = ?", 1));
          c.commit();
        } finally {
          c.rollback();
          c.setAutoCommit(true);
        }
        // and a guarded connection cannot make a temporary view over the mapped table
        assertEquals(ReasonCode.BYPASS_REFUSED,
            refusal(() -> execute(c, crm.sql("CREATE TEMP VIEW $mine AS SELECT * FROM $contact"))));
      }
    }
  }

  /**
   * A prepared statement is checked when it is prepared, but PostgreSQL resolves its names again
   * when the search path changes: prepared under a path where {@code $contact} is an unrelated
   * table, it would read the unsafe view of another schema once the path leads there. Such a
   * statement is refused at execution when the path it was prepared under has changed.
   */
  @Test
  void postgresAPreparedStatementIsRefusedWhenTheSearchPathChangedSinceItWasPrepared() throws Exception {
    try (Database db = TestDatabases.postgres(); Crm crm = new Crm(db); Schemas s = new Schemas(crm)) {
      ConsentDataSource guarded = s.guarded();
      try (Connection c = guarded.getConnection(); ProcessingScope scope = crm.engine.process(Crm.MARKETING)) {
        execute(c, "SELECT set_config('search_path', '" + s.plain + "', false)");
        try (java.sql.PreparedStatement ps = c.prepareStatement(crm.sql("SELECT id, email FROM $contact ORDER BY id"))) {
          try (java.sql.ResultSet rs = ps.executeQuery()) {
            assertTrue(rs.next());
            assertEquals("unrelated@example.org", rs.getString(2)); // plain's own table, as prepared
          }
          execute(c, "SELECT set_config('search_path', '" + s.other + "', false)");
          assertEquals(ReasonCode.BYPASS_REFUSED, refusal(() -> ps.executeQuery()));
          execute(c, "SELECT set_config('search_path', '" + s.plain + "', false)");
          try (java.sql.ResultSet rs = ps.executeQuery()) { // the path it was prepared under again
            assertTrue(rs.next());
            assertEquals("unrelated@example.org", rs.getString(2));
          }
        }
      }
    }
  }

  private static boolean execute(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      return st.execute(sql);
    }
  }

  /**
   * A mapping without schema applies to the table of that name in every schema; the filtered view
   * reads the one the session's search path finds, by its qualified name (PostgreSQL; this held
   * before qualified names were resolved too, the database resolving the name as written).
   */
  @Test
  void postgresAMappingWithoutSchemaFiltersTheTableTheSearchPathFinds() throws Exception {
    try (Database db = TestDatabases.postgres(); Crm crm = new Crm(db); Schemas s = new Schemas(crm)) {
      String third = crm.p + "third";
      s.execute("CREATE SCHEMA " + third, "CREATE TABLE " + third + ".$contact (id INT PRIMARY KEY, country"
          + " VARCHAR(2), email VARCHAR(100), phone VARCHAR(30))", "INSERT INTO " + third + ".$contact VALUES"
          + " (1, 'NL', 'third1@example.org', NULL), (5, 'NL', 'third5@example.org', NULL)");
      try {
        crm.guarded.refreshSchema();
        try (Connection c = crm.guarded.getConnection(); ProcessingScope scope = crm.engine.process(Crm.MARKETING)) {
          String before = crm.statementQuery(c, "SHOW search_path").get(0).get(0).toString();
          try {
            execute(c, "SET search_path TO " + third + ", public");
            assertEquals(List.of(row(1, "third1@example.org")),
                crm.statementQuery(c, "SELECT id, email FROM $contact ORDER BY id"));
          } finally {
            execute(c, "SET search_path TO " + before);
          }
          assertEquals(FILTERED, crm.statementQuery(c, "SELECT id, email FROM $contact ORDER BY id"));
        }
      } finally {
        s.execute("DROP SCHEMA " + third + " CASCADE");
      }
    }
  }

  /** A foreign table's rows come from wherever its server points: PostgreSQL's postgres_fdw. */
  @Test
  void postgresForeignTablesAreRefused() throws Exception {
    try (Database db = TestDatabases.postgres(); Crm crm = new Crm(db); Schemas s = new Schemas(crm)) {
      s.execute("CREATE EXTENSION IF NOT EXISTS postgres_fdw SCHEMA " + s.plain,
          "CREATE SERVER $loop FOREIGN DATA WRAPPER postgres_fdw OPTIONS (dbname 'postgres')",
          "CREATE FOREIGN TABLE " + s.other + ".$remote (id INT, email VARCHAR(100)) SERVER $loop"
              + " OPTIONS (table_name '$contact')");
      try {
        ConsentDataSource guarded = s.guarded();
        try (Connection c = guarded.getConnection(); ProcessingScope scope = crm.engine.process(Crm.MARKETING)) {
          assertEquals(ReasonCode.BYPASS_REFUSED,
              refusal(() -> crm.statementQuery(c, "SELECT id, email FROM " + s.other + ".$remote")));
        }
      } finally {
        s.execute("DROP SERVER IF EXISTS $loop CASCADE", "DROP EXTENSION IF EXISTS postgres_fdw CASCADE");
      }
    }
  }

  /**
   * H2's synonyms, in another schema, named like the mapped table, and its linked tables (which
   * H2 reports as base tables).
   */
  @Test
  void h2SynonymsAndLinkedTablesInAnotherSchemaAreRefused() throws Exception {
    try (Database db = TestDatabases.h2(); Crm crm = new Crm(db); Schemas s = new Schemas(crm)) {
      String url;
      try (Connection c = db.dataSource().getConnection()) {
        url = c.getMetaData().getURL();
      }
      String target = s.home + "." + crm.sql("$contact").toUpperCase(java.util.Locale.ROOT);
      s.execute("CREATE SCHEMA " + crm.p + "third",
          "CREATE SYNONYM " + crm.p + "third.$contact FOR " + s.home + ".$contact",
          "CREATE LINKED TABLE " + s.other + ".$linked('org.h2.Driver', '"
              + (url.contains(";") ? url.substring(0, url.indexOf(';')) : url) + "', '', '', '" + target + "')");
      assertEquals(5, crm.rawQuery("SELECT id FROM " + s.other + ".$linked").size());
      ConsentDataSource guarded = s.guarded();
      try (Connection c = guarded.getConnection(); ProcessingScope scope = crm.engine.process(Crm.MARKETING)) {
        assertEquals(ReasonCode.BYPASS_REFUSED,
            refusal(() -> crm.statementQuery(c, "SELECT id, email FROM " + crm.p + "third.$contact")));
        assertEquals(ReasonCode.BYPASS_REFUSED,
            refusal(() -> crm.statementQuery(c, "SELECT id, email FROM " + s.other + ".$linked")));
        assertEquals(FILTERED, crm.statementQuery(c, "SELECT id, email FROM $contact ORDER BY id"));
      }
    }
  }

  /** MariaDB: a function of another database that reads the mapped table. */
  @Test
  void mariadbFunctionsOfAnotherDatabaseThatReadAMappedTableAreRefused() throws Exception {
    try (Database db = TestDatabases.mariadb(); Crm crm = new Crm(db); Schemas s = new Schemas(crm)) {
      s.execute("CREATE FUNCTION " + s.other + ".$email_of(i INT) RETURNS VARCHAR(100) READS SQL DATA"
          + " RETURN (SELECT email FROM " + s.home + ".$contact WHERE id = i)");
      ConsentDataSource guarded = s.guarded();
      try (Connection c = guarded.getConnection(); ProcessingScope scope = crm.engine.process(Crm.MARKETING)) {
        assertEquals(ReasonCode.BYPASS_REFUSED,
            refusal(() -> crm.statementQuery(c, "SELECT " + s.other + ".$email_of(5)")));
      }
    }
  }

  /** A view of another schema that calls a function that reads the mapped table. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aViewOverAFunctionThatReadsAMappedTableIsRefused(Database db) throws Exception {
    try (Crm crm = new Crm(db); Schemas s = new Schemas(crm)) {
      String f = s.other + "." + crm.sql("$email_of");
      switch (db.name()) {
        case "PostgreSQL" -> s.execute("CREATE FUNCTION " + f + "(i INT) RETURNS VARCHAR AS 'SELECT email FROM "
            + s.home + ".$contact WHERE id = i' LANGUAGE sql");
        case "MariaDB" -> s.execute("CREATE FUNCTION " + f + "(i INT) RETURNS VARCHAR(100) READS SQL DATA"
            + " RETURN (SELECT email FROM " + s.home + ".$contact WHERE id = i)");
        default -> s.execute("CREATE ALIAS " + f + " FOR 'java.lang.String.valueOf(int)'"); // cannot be scanned
      }
      s.execute("CREATE VIEW " + s.plain + ".$via AS SELECT " + f + "(5) AS e");
      ConsentDataSource guarded = s.guarded();
      try (Connection c = guarded.getConnection(); ProcessingScope scope = crm.engine.process(Crm.MARKETING)) {
        assertEquals(ReasonCode.BYPASS_REFUSED, refusal(() -> crm.statementQuery(c, "SELECT e FROM " + s.plain
            + ".$via")));
      }
    }
  }

  /** Changes where the session looks up unqualified names, through the guarded connection. */
  private static void switchTo(Connection c, String schema) throws SQLException {
    String product = c.getMetaData().getDatabaseProductName();
    if (product.contains("MariaDB") || product.contains("MySQL")) {
      c.setCatalog(schema); // USE is refused on a guarded connection; setCatalog is JDBC's way
    } else if (product.contains("PostgreSQL")) {
      try (Statement st = c.createStatement()) {
        st.execute("SET search_path TO " + schema);
      }
    } else {
      c.setSchema(schema.toUpperCase(java.util.Locale.ROOT));
    }
  }

  private static String single(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); java.sql.ResultSet r = s.executeQuery(sql)) {
      assertTrue(r.next());
      return r.getString(1);
    }
  }

  interface Query {
    Object run() throws SQLException;
  }

  private static ReasonCode refusal(Query q) {
    return assertThrows(ConsentSQLException.class, q::run).reasonCode();
  }
}
