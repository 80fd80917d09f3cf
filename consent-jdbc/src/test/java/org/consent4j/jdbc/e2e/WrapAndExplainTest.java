package org.consent4j.jdbc.e2e;

import static org.consent4j.jdbc.e2e.GuardedDataSourceEndToEndTest.row;
import static org.consent4j.jdbc.e2e.GuardedDataSourceEndToEndTest.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.consent4j.AccessContext;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.ProcessingScope;
import org.consent4j.jdbc.ConsentSQLException;
import org.consent4j.jdbc.ConsentSQLException.ReasonCode;
import org.consent4j.jdbc.JdbcConsentStore;
import org.consent4j.jdbc.LazyConsentStore;
import org.consent4j.jdbc.TestDatabases;
import org.consent4j.jdbc.TestDatabases.Database;
import org.consent4j.jdbc.e2e.GuardedDataSourceEndToEndTest.Crm;
import org.consent4j.jdbc.wrapper.ConsentDataSource;
import org.consent4j.jdbc.wrapper.RewrittenSql;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ConsentDataSource#wrap(javax.sql.DataSource, ConsentEngine, org.consent4j.jdbc.SchemaMapping)}
 * takes the consent store from the engine, and {@link ConsentDataSource#explain} shows what a
 * guarded connection would run, refusing what it would refuse. The CRM of {@link
 * GuardedDataSourceEndToEndTest}: under marketing, contacts 1, 2 and 3 are visible (1 with both
 * columns, 2 with its e-mail, 3 with its phone), 4 withdrew and 5 never granted.
 */
@SuppressWarnings("try") // scopes are opened for their effect on the thread
final class WrapAndExplainTest {
  private static final String QUERY = "SELECT id, email, phone FROM $contact WHERE id <= ? ORDER BY id";
  private static final List<List<Object>> VISIBLE = List.of(row(1, "c1@example.org", "+31 1"),
      row(2, "c2@example.org", null), row(3, null, "+31 3"));

  static java.util.stream.Stream<Database> databases() {
    return TestDatabases.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void wrapTakesTheStoreFromTheEngine(Database db) throws Exception {
    try (Crm crm = new Crm(db)) {
      ConsentDataSource guarded = ConsentDataSource.wrap(db.dataSource(), crm.engine, crm.mapping);
      try (ProcessingScope scope = crm.engine.process(Crm.MARKETING); Connection c = guarded.getConnection()) {
        assertEquals(VISIBLE, crm.preparedQuery(c, QUERY, 5));
      }
      // a store built lazily is taken by its table prefix
      try (ConsentEngine lazy = ConsentEngine.builder().catalog(Crm.CATALOG)
          .store(LazyConsentStore.of(JdbcConsentStore.builder(db.dataSource()).tablePrefix(db.tablePrefix())))
          .build()) {
        ConsentDataSource overLazy = ConsentDataSource.wrap(db.dataSource(), lazy, crm.mapping);
        try (ProcessingScope scope = lazy.process(Crm.MARKETING); Connection c = overLazy.getConnection()) {
          assertEquals(VISIBLE, crm.preparedQuery(c, QUERY, 5));
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void wrapRefusesAnEngineWhoseStoreIsNotOnTheWrappedDatabase(Database db) throws Exception {
    try (Crm crm = new Crm(db);
        ConsentEngine inMemory = ConsentEngine.builder().catalog(Crm.CATALOG).build();
        Database other = TestDatabases.h2()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> ConsentDataSource.wrap(db.dataSource(), inMemory, crm.mapping));
      assertTrue(e.getMessage().contains("JdbcConsentStore"), e.getMessage());
      // a JDBC store on another database: its tables are not where the rewritten SQL reads them
      // no index: its background load would still hold a connection of `other` when that closes
      try (ConsentEngine elsewhere = ConsentEngine.builder().catalog(Crm.CATALOG).store(other.newStore())
          .consentIndex(false).build()) {
        e = assertThrows(IllegalArgumentException.class,
            () -> ConsentDataSource.wrap(db.dataSource(), elsewhere, crm.mapping));
        assertTrue(e.getMessage().contains(other.tablePrefix() + "consent_state"), e.getMessage());
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void explainGivesTheSqlAGuardedConnectionRunsWithWhatTheWrapperBinds(Database db) throws Exception {
    try (Crm crm = new Crm(db)) {
      // the pushdown form, whatever consent4j.jdbc.readForm the suite runs with (PostFilterTest explains the other)
      org.consent4j.jdbc.wrapper.ConsentDataSource guarded = org.consent4j.jdbc.wrapper.ConsentDataSource.wrap(
          db.dataSource(), crm.engine, crm.mapping, org.consent4j.jdbc.AuditLevel.STATEMENT,
          org.consent4j.jdbc.ReadForm.PUSHDOWN);
      int audited = crm.auditRecords().size();
      RewrittenSql r = guarded.explain(crm.sql(QUERY), Crm.MARKETING);
      assertEquals(audited, crm.auditRecords().size(), "explain reads nothing and audits nothing");
      assertTrue(r.protectedData());
      assertEquals(List.of(crm.p + "contact"), List.copyOf(r.tables()));
      assertFalse(r.boundParameters().isEmpty(), "the consent check compares with the clock, bound by the wrapper");
      try (Connection raw = db.dataSource().getConnection()) {
        // the Statement form runs as it is (its one placeholder is the application's)
        try (PreparedStatement ps = raw.prepareStatement(r.sql())) {
          ps.setInt(1, 5);
          assertEquals(VISIBLE, rows(ps.executeQuery()));
        }
        // the prepared form: the wrapper's values at their positions, the application's at the others
        try (PreparedStatement ps = raw.prepareStatement(r.preparedSql())) {
          int position = 1;
          for (Map.Entry<Integer, Long> bound : r.boundParameters().entrySet()) {
            ps.setLong(bound.getKey(), bound.getValue());
          }
          while (r.boundParameters().containsKey(position)) {
            position++;
          }
          ps.setInt(position, 5);
          assertEquals(VISIBLE, rows(ps.executeQuery()));
        }
        // EXPLAIN of it runs on an unguarded connection (a guarded one refuses EXPLAIN)
        try (Statement s = raw.createStatement()) {
          s.executeQuery("EXPLAIN " + r.sql().replace("?", "5")).close();
        }
      }
      RewrittenSql plain = crm.guarded.explain(crm.sql("SELECT id FROM $export_list"), Crm.MARKETING);
      assertEquals(new RewrittenSql(crm.sql("SELECT id FROM $export_list"), crm.sql("SELECT id FROM $export_list"),
          new java.util.TreeMap<>(), false, new java.util.TreeSet<>(), 0), plain);
    }
  }

  @org.junit.jupiter.api.Test
  void explainAndItsValueRejectNulls() throws Exception {
    new com.google.common.testing.NullPointerTester().testAllPublicConstructors(RewrittenSql.class);
    try (Database db = TestDatabases.h2(); Crm crm = new Crm(db)) {
      assertThrows(NullPointerException.class, () -> crm.guarded.explain(null, Crm.MARKETING));
      assertThrows(NullPointerException.class, () -> crm.guarded.explain("SELECT 1", null));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void explainRefusesWhatExecutionRefusesWithTheSameError(Database db) throws Exception {
    try (Crm crm = new Crm(db)) {
      for (String sql : List.of("CREATE TABLE $copy AS SELECT * FROM $contact",
          "SELECT * FROM $contact WHERE", "SELECT * FROM " + db.tablePrefix() + "consent_state")) {
        ConsentSQLException explained = assertThrows(ConsentSQLException.class,
            () -> crm.guarded.explain(crm.sql(sql), Crm.MARKETING));
        ConsentSQLException executed;
        try (ProcessingScope scope = crm.engine.process(Crm.MARKETING); Connection c = crm.guarded.getConnection();
            Statement s = c.createStatement()) {
          executed = assertThrows(ConsentSQLException.class, () -> s.execute(crm.sql(sql)));
        }
        assertEquals(executed.reasonCode(), explained.reasonCode(), sql);
        assertEquals(executed.getMessage(), explained.getMessage(), sql);
      }
      ConsentSQLException unknown = assertThrows(ConsentSQLException.class,
          () -> crm.guarded.explain(crm.sql(QUERY), AccessContext.of("crm", "no.such.purpose")));
      assertEquals(ReasonCode.UNKNOWN_PURPOSE, unknown.reasonCode());
    }
  }
}
