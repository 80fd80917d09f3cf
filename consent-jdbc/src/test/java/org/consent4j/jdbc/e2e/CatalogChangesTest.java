package org.consent4j.jdbc.e2e;

import static org.consent4j.jdbc.e2e.GuardedDataSourceEndToEndTest.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.consent4j.core.ProcessingScope;
import org.consent4j.jdbc.ConsentSQLException;
import org.consent4j.jdbc.ConsentSQLException.ReasonCode;
import org.consent4j.jdbc.TestDatabases;
import org.consent4j.jdbc.TestDatabases.Database;
import org.consent4j.jdbc.e2e.GuardedDataSourceEndToEndTest.Crm;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Objects created, replaced or dropped after {@code wrap}, around consent4j (a migration, another
 * application, a DBA), are known before a statement naming them runs: a guarded connection checks
 * the catalog's fingerprint before every statement it has not rewritten before, and at most every
 * {@code catalogCheckInterval} before one it has, and reads the catalog again when it changed.
 * Without that, each statement below read raw rows of the mapped table (before this change, the
 * views and functions were not known until {@code refreshSchema()}).
 */
@SuppressWarnings("try")
final class CatalogChangesTest {
  static Stream<Database> databases() {
    return TestDatabases.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aViewOverAMappedTableCreatedAfterWrapIsRefusedAtOnce(Database db) throws Exception {
    try (Crm crm = new Crm(db)) {
      try (Connection c = crm.guarded.getConnection(); ProcessingScope scope = crm.engine.process(Crm.MARKETING)) {
        assertEquals(3, crm.statementQuery(c, "SELECT id FROM $contact").size()); // the wrapper is warm
        raw(crm, "CREATE VIEW $v_new AS SELECT * FROM $contact");
        assertEquals(5, crm.rawQuery("SELECT id FROM $v_new").size());
        assertEquals(ReasonCode.BYPASS_REFUSED, refusal(() -> crm.statementQuery(c, "SELECT id, email FROM $v_new")));
        assertEquals(ReasonCode.BYPASS_REFUSED,
            refusal(() -> crm.preparedQuery(c, "SELECT email FROM $v_new WHERE id = ?", 5)));
      }
      // with no context too: a view over a mapped table is never read around the filter
      try (Connection c = crm.guarded.getConnection()) {
        assertEquals(ReasonCode.BYPASS_REFUSED, refusal(() -> crm.statementQuery(c, "SELECT * FROM $v_new")));
      }
    }
  }

  /**
   * A pool whose every connection is held by a guarded connection: the catalog read again after a
   * change must not wait for another connection of the pool (it would wait until the pool's
   * timeout, and every statement behind it with it). In auto-commit mode it is read on the
   * statement's own session.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aCatalogChangeIsReadOnTheSessionWhenThePoolHasNoOtherConnection(Database db) throws Exception {
    try (Crm crm = new Crm(db)) {
      com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
      config.setDataSource(crm.db.dataSource());
      config.setMaximumPoolSize(1);
      config.setConnectionTimeout(250);
      config.setPoolName("consent4j-catalog-one");
      try (com.zaxxer.hikari.HikariDataSource pool = new com.zaxxer.hikari.HikariDataSource(config)) {
        org.consent4j.jdbc.wrapper.ConsentDataSource guarded =
            org.consent4j.jdbc.wrapper.ConsentDataSource.wrap(pool, crm.engine, crm.mapping, crm.store);
        guarded.catalogCheckInterval(Duration.ZERO);
        try (Connection c = guarded.getConnection(); ProcessingScope scope = crm.engine.process(Crm.MARKETING)) {
          assertEquals(3, crm.statementQuery(c, "SELECT id FROM $contact").size());
          raw(crm, "CREATE VIEW $v_pool AS SELECT * FROM $contact"); // around the pool
          assertEquals(ReasonCode.BYPASS_REFUSED, refusal(() -> crm.statementQuery(c, "SELECT id, email FROM $v_pool")));
          assertEquals(3, crm.statementQuery(c, "SELECT id FROM $contact").size());
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aTableReplacedByAViewOverAMappedTableIsNotReadThroughTheCachedRewrite(Database db) throws Exception {
    try (Crm crm = new Crm(db)) {
      raw(crm, "CREATE TABLE $notes (id INT, email VARCHAR(100))", "INSERT INTO $notes VALUES (9, 'n@example.org')");
      crm.guarded.refreshSchema();
      crm.guarded.catalogCheckInterval(Duration.ZERO);
      try (Connection c = crm.guarded.getConnection(); ProcessingScope scope = crm.engine.process(Crm.MARKETING)) {
        assertEquals(List.of(row(9, "n@example.org")), crm.statementQuery(c, "SELECT id, email FROM $notes"));
        raw(crm, "DROP TABLE $notes", "CREATE VIEW $notes AS SELECT id, email FROM $contact");
        assertEquals(ReasonCode.BYPASS_REFUSED, refusal(() -> crm.statementQuery(c, "SELECT id, email FROM $notes")));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aViewRedefinedInPlaceToReadAMappedTableIsRefused(Database db) throws Exception {
    try (Crm crm = new Crm(db)) {
      raw(crm, "CREATE VIEW $v_safe AS SELECT id, email FROM $export_list");
      crm.guarded.refreshSchema();
      crm.guarded.catalogCheckInterval(Duration.ZERO);
      try (Connection c = crm.guarded.getConnection(); ProcessingScope scope = crm.engine.process(Crm.MARKETING)) {
        assertEquals(List.of(), crm.statementQuery(c, "SELECT * FROM $v_safe"));
        // same object, same name (on PostgreSQL the same oid): only its definition changes
        raw(crm, "CREATE OR REPLACE VIEW $v_safe AS SELECT id, email FROM $contact");
        assertEquals(ReasonCode.BYPASS_REFUSED, refusal(() -> crm.statementQuery(c, "SELECT * FROM $v_safe")));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void theFingerprintChangesWithTheCatalogNotWithTheData(Database db) throws Exception {
    try (Crm crm = new Crm(db); Connection c = crm.db.dataSource().getConnection()) {
      org.consent4j.jdbc.internal.Dialect dialect = org.consent4j.jdbc.internal.Dialect.fromProductName(
          c.getMetaData().getDatabaseProductName());
      // On MariaDB the fingerprint covers every database of the server, where other test runs may
      // change things meanwhile: each claim must hold in one of a few tries, not in all.
      int unchangedByData = 0;
      int changedByView = 0;
      int restoredByDrop = 0;
      for (int i = 0; i < 5; i++) {
        String before = org.consent4j.jdbc.internal.rewrite.CatalogVersion.read(c, dialect);
        raw(crm, "INSERT INTO $export_list VALUES (1, 'e@example.org')", "TRUNCATE TABLE $export_list",
            "CREATE INDEX $export_idx" + i + " ON $export_list (id)");
        if (before.equals(org.consent4j.jdbc.internal.rewrite.CatalogVersion.read(c, dialect))) {
          unchangedByData++;
        }
        String beforeView = org.consent4j.jdbc.internal.rewrite.CatalogVersion.read(c, dialect);
        raw(crm, "CREATE VIEW $v_any AS SELECT 1 AS x");
        if (!beforeView.equals(org.consent4j.jdbc.internal.rewrite.CatalogVersion.read(c, dialect))) {
          changedByView++;
        }
        raw(crm, "DROP VIEW $v_any");
        if (beforeView.equals(org.consent4j.jdbc.internal.rewrite.CatalogVersion.read(c, dialect))) {
          restoredByDrop++;
        }
      }
      assertEquals(5, changedByView, "creating a view changes the fingerprint every time");
      assertTrue(unchangedByData > 0, "rows, TRUNCATE and indexes changed the fingerprint in every try");
      assertTrue(restoredByDrop > 0, "dropping the view did not restore the fingerprint in any try");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aStatementNotSeenBeforeChecksTheCatalogWhateverTheInterval(Database db) throws Exception {
    try (Crm crm = new Crm(db)) {
      raw(crm, "CREATE TABLE $notes (id INT, email VARCHAR(100))", "INSERT INTO $notes VALUES (9, 'n@example.org')");
      crm.guarded.catalogCheckInterval(Duration.ofDays(1));
      try (Connection c = crm.guarded.getConnection(); ProcessingScope scope = crm.engine.process(Crm.MARKETING)) {
        assertEquals(List.of(row(9, "n@example.org")), crm.statementQuery(c, "SELECT id, email FROM $notes"));
        raw(crm, "DROP TABLE $notes", "CREATE VIEW $notes AS SELECT id, email FROM $contact");
        assertEquals(ReasonCode.BYPASS_REFUSED,
            refusal(() -> crm.statementQuery(c, "SELECT n.id, n.email FROM $notes n")));
        // the knowledge is shared: the statement seen before is refused now too
        assertEquals(ReasonCode.BYPASS_REFUSED, refusal(() -> crm.statementQuery(c, "SELECT id, email FROM $notes")));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aPreparedStatementRunsOnAfterAnUnrelatedChangeAndIsRefusedWhenItsNameNowMeansAView(Database db)
      throws Exception {
    try (Crm crm = new Crm(db)) {
      raw(crm, "CREATE TABLE $notes (id INT, email VARCHAR(100))", "INSERT INTO $notes VALUES (9, 'n@example.org')");
      crm.guarded.refreshSchema();
      crm.guarded.catalogCheckInterval(Duration.ZERO);
      try (Connection c = crm.guarded.getConnection(); ProcessingScope scope = crm.engine.process(Crm.MARKETING);
           PreparedStatement contacts = c.prepareStatement(crm.sql("SELECT id, email FROM $contact WHERE id = ?"));
           PreparedStatement notes = c.prepareStatement(crm.sql("SELECT id, email FROM $notes WHERE id = ?"))) {
        raw(crm, "CREATE TABLE $unrelated (id INT)");
        contacts.setInt(1, 1);
        assertEquals(List.of(row(1, "c1@example.org")), rows(contacts));
        notes.setInt(1, 9);
        assertEquals(List.of(row(9, "n@example.org")), rows(notes));
        raw(crm, "DROP TABLE $notes", "CREATE VIEW $notes AS SELECT id, email FROM $contact");
        notes.setInt(1, 5);
        assertThrows(ConsentSQLException.class, notes::executeQuery);
        // the statement on the mapped table still runs as rewritten
        contacts.setInt(1, 2);
        assertEquals(List.of(row(2, "c2@example.org")), rows(contacts));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("functionDatabases")
  void aFunctionReadingAMappedTableCreatedAfterWrapIsRefused(Database db) throws Exception {
    try (Crm crm = new Crm(db)) {
      String call = switch (db.name()) {
        case "PostgreSQL" -> {
          raw(crm, "CREATE FUNCTION $f_new(i INT) RETURNS VARCHAR LANGUAGE sql AS"
              + " 'SELECT email FROM $contact WHERE id = i'");
          yield "SELECT $f_new(5)";
        }
        default -> {
          raw(crm, "CREATE FUNCTION $f_new(i INT) RETURNS VARCHAR(100) READS SQL DATA"
              + " RETURN (SELECT email FROM $contact WHERE id = i)");
          yield "SELECT $f_new(5)";
        }
      };
      assertEquals(List.of(row("c5@example.org")), crm.rawQuery(call));
      try (Connection c = crm.guarded.getConnection(); ProcessingScope scope = crm.engine.process(Crm.MARKETING)) {
        assertEquals(ReasonCode.BYPASS_REFUSED, refusal(() -> crm.statementQuery(c, call)));
      }
    }
  }

  /** H2's functions are Java aliases: see {@link #anH2AliasCreatedAfterWrapIsRefused}. */
  static Stream<Database> functionDatabases() {
    return TestDatabases.withoutH2();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("h2")
  void anH2AliasCreatedAfterWrapIsRefused(Database db) throws Exception {
    try (Crm crm = new Crm(db)) {
      raw(crm, "CREATE ALIAS $f_new FOR 'java.lang.Math.abs(int)'");
      try (Connection c = crm.guarded.getConnection(); ProcessingScope scope = crm.engine.process(Crm.MARKETING)) {
        // a Java function's body cannot be read, so it counts as one that may read mapped tables
        assertEquals(ReasonCode.BYPASS_REFUSED, refusal(() -> crm.statementQuery(c, "SELECT $f_new(-5)")));
      }
    }
  }

  static Stream<Database> h2() {
    return Stream.of(TestDatabases.h2());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("postgres")
  void insideARepeatableReadTransactionAViewCreatedSinceItBeganIsRefused(Database db) throws Exception {
    try (Crm crm = new Crm(db)) {
      try (Connection c = crm.guarded.getConnection(); ProcessingScope scope = crm.engine.process(Crm.MARKETING)) {
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        c.setAutoCommit(false);
        assertEquals(3, crm.statementQuery(c, "SELECT id FROM $contact").size()); // the snapshot is taken
        raw(crm, "CREATE VIEW $v_new AS SELECT * FROM $contact");
        // the transaction's snapshot does not show the view in the catalog, but the name resolves to it
        assertEquals(ReasonCode.BYPASS_REFUSED, refusal(() -> crm.statementQuery(c, "SELECT id, email FROM $v_new")));
        c.rollback();
        c.setAutoCommit(true);
      }
    }
  }

  static Stream<Database> postgres() {
    return TestDatabases.postgresOnly();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aSessionsOwnUncommittedTableDdlDoesNotReadTheCatalogAgainForEveryStatement(Database db) throws Exception {
    try (Crm crm = new Crm(db)) {
      java.util.concurrent.atomic.AtomicInteger borrowed = new java.util.concurrent.atomic.AtomicInteger();
      javax.sql.DataSource counting = (javax.sql.DataSource) java.lang.reflect.Proxy.newProxyInstance(
          getClass().getClassLoader(), new Class<?>[] {javax.sql.DataSource.class}, (proxy, method, args) -> {
            if (method.getName().equals("getConnection")) {
              borrowed.incrementAndGet();
            }
            try {
              return method.invoke(crm.db.dataSource(), args);
            } catch (java.lang.reflect.InvocationTargetException e) {
              throw e.getCause();
            }
          });
      org.consent4j.jdbc.wrapper.ConsentDataSource guarded =
          org.consent4j.jdbc.wrapper.ConsentDataSource.wrap(counting, crm.engine, crm.mapping)
              .catalogCheckInterval(Duration.ZERO);
      try (Connection c = guarded.getConnection(); ProcessingScope scope = crm.engine.process(Crm.MARKETING)) {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
          s.execute(crm.sql("CREATE TABLE $scratch (id INT)"));
        }
        int before = borrowed.get();
        for (int i = 0; i < 5; i++) {
          assertEquals(3, crm.statementQuery(c, "SELECT id FROM $contact WHERE id < " + (10 + i)).size());
        }
        // every statement checked the catalog on its session; at most one read it again
        assertTrue(borrowed.get() - before <= 1, "the catalog was read " + (borrowed.get() - before) + " times");
        c.rollback();
        c.setAutoCommit(true);
      }
    }
  }

  /**
   * A guarded connection may create tables, but none whose rows come from elsewhere: such a table
   * created under a name a cached statement already reads would be read through it until the next
   * catalog check.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aGuardedConnectionCreatesNoTableOfAnEngineThatReadsOtherTables(Database db) throws Exception {
    try (Crm crm = new Crm(db); Connection c = crm.guarded.getConnection(); Statement s = c.createStatement()) {
      for (String sql : List.of(
          "CREATE TABLE $fed (id INT, email VARCHAR(100)) ENGINE=FEDERATED"
              + " CONNECTION='mysql://root@127.0.0.1:3306/test/con' 'tact'",
          "CREATE TABLE $fed (id INT) ENGINE = `CONNECT` TABLE_TYPE=MYSQL",
          "CREATE TABLE $fed (id INT) ENGINE SPIDER",
          "CREATE TABLE $fed (id INT) ENGINE=MRG_MyISAM UNION=($notes)",
          "ALTER TABLE $export_list ENGINE=FEDERATED",
          "CREATE TABLE $fed (id INT) ENGINE \"org.example.RemoteTableEngine\"")) {
        assertEquals(ReasonCode.BYPASS_REFUSED, refusal(() -> s.execute(crm.sql(sql))), sql);
      }
      // a column may be called engine, and local engines are fine
      s.execute(crm.sql("CREATE TABLE $cars (id INT, engine VARCHAR(10))"));
      if (db.name().equals("MariaDB")) {
        s.execute(crm.sql("CREATE TABLE $cars2 (id INT) ENGINE=InnoDB"));
      }
    }
  }

  private static List<List<Object>> rows(PreparedStatement s) throws SQLException {
    try (ResultSet r = s.executeQuery()) {
      return GuardedDataSourceEndToEndTest.rows(r);
    }
  }

  private static void raw(Crm crm, String... sql) throws SQLException {
    try (Connection c = crm.db.dataSource().getConnection(); Statement s = c.createStatement()) {
      for (String x : sql) {
        s.execute(crm.sql(x));
      }
    }
  }

  @FunctionalInterface
  interface Query {
    void run() throws Exception;
  }

  private static ReasonCode refusal(Query q) {
    return assertThrows(ConsentSQLException.class, q::run).reasonCode();
  }
}
