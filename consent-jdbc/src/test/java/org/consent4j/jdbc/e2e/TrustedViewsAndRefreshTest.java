package org.consent4j.jdbc.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Views that read mapped tables: refused unless mapped or trusted by name in the mapping, and a
 * view created after {@code wrap} is known once {@link ConsentDataSource#refreshSchema()} ran.
 * The CRM is {@link GuardedDataSourceEndToEndTest}'s: five contacts, four in NL and one in DE,
 * two of them (1, 2) showing their email under marketing.
 */
@SuppressWarnings("try")
final class TrustedViewsAndRefreshTest {

  static Stream<Database> databases() {
    return TestDatabases.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aTrustedAggregateViewRunsAndAnUntrustedViewIsRefused(Database db) throws Exception {
    try (Crm crm = new Crm(db)) {
      List<String> views = List.of("$stats", "$emails");
      execute(crm, "CREATE VIEW $stats AS SELECT country, count(*) AS n FROM $contact GROUP BY country",
          "CREATE VIEW $emails AS SELECT id, email FROM $contact");
      try {
        SchemaMapping trusting = SchemaMapping.fromJson(crm.sql("""
            { "tables": [
                { "table": "$contact", "subject": "id",
                  "columns": { "email": "contact.email", "phone": "contact.phone" } },
                { "table": "$friend", "subject": ["user_id", "friend_id"] } ],
              "trusted": ["$stats"] }
            """));
        ConsentDataSource guarded = ConsentDataSource.wrap(db.dataSource(), crm.engine, trusting, crm.store);
        try (Connection c = guarded.getConnection(); ProcessingScope scope = crm.engine.process(Crm.MARKETING)) {
          // the trusted view runs as the database defines it: an aggregate over every row
          assertEquals(List.of(GuardedDataSourceEndToEndTest.row("DE", 1), GuardedDataSourceEndToEndTest.row("NL", 4)),
              crm.statementQuery(c, "SELECT country, n FROM $stats ORDER BY country"));
          assertEquals(ReasonCode.BYPASS_REFUSED, refusal(() -> crm.statementQuery(c, "SELECT * FROM $emails")));
        }
        // without the trust, the aggregate is refused like any view over a mapped table (the CRM's
        // data source was wrapped before the views existed: refresh it)
        crm.guarded.refreshSchema();
        try (Connection c = crm.guarded.getConnection(); ProcessingScope scope = crm.engine.process(Crm.MARKETING)) {
          assertEquals(ReasonCode.BYPASS_REFUSED,
              refusal(() -> crm.statementQuery(c, "SELECT country, n FROM $stats ORDER BY country")));
        }
      } finally {
        dropViews(crm, views);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aViewCreatedAfterWrapIsRefusedOnceTheSchemaIsRefreshed(Database db) throws Exception {
    try (Crm crm = new Crm(db)) {
      execute(crm, "CREATE VIEW $later AS SELECT id, email FROM $contact");
      try {
        crm.guarded.refreshSchema();
        try (Connection c = crm.guarded.getConnection(); ProcessingScope scope = crm.engine.process(Crm.MARKETING)) {
          assertEquals(ReasonCode.BYPASS_REFUSED, refusal(() -> crm.statementQuery(c, "SELECT * FROM $later")));
          // the mapped tables still read as before
          assertEquals(List.of(GuardedDataSourceEndToEndTest.row(3)),
              crm.statementQuery(c, "SELECT count(*) FROM $contact"));
        }
      } finally {
        dropViews(crm, List.of("$later"));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aRewriteCachedBeforeARefreshIsNotReusedAfterIt(Database db) throws Exception {
    try (Crm crm = new Crm(db)) {
      execute(crm, "CREATE TABLE $later (id INT, email VARCHAR(100))", "INSERT INTO $later VALUES (1, 'x@example.org')");
      try (Connection c = crm.guarded.getConnection(); ProcessingScope scope = crm.engine.process(Crm.MARKETING)) {
        // a plain table: passes, and its rewriting (none) is cached
        assertEquals(List.of(GuardedDataSourceEndToEndTest.row(1)), crm.statementQuery(c, "SELECT id FROM $later"));
      }
      // the migration replaces the table by a view over a mapped table
      execute(crm, "DROP TABLE $later", "CREATE VIEW $later AS SELECT id, email FROM $contact");
      try {
        crm.guarded.refreshSchema();
        try (Connection c = crm.guarded.getConnection(); ProcessingScope scope = crm.engine.process(Crm.MARKETING)) {
          assertEquals(ReasonCode.BYPASS_REFUSED, refusal(() -> crm.statementQuery(c, "SELECT id FROM $later")));
        }
      } finally {
        dropViews(crm, List.of("$later"));
      }
    }
  }

  /** Synonyms are H2's own (PostgreSQL and MariaDB have none). */
  @org.junit.jupiter.api.Test
  void anH2SynonymOfAMappedTableIsRefusedLikeAView() throws Exception {
    try (Database db = TestDatabases.h2(); Crm crm = new Crm(db)) {
      execute(crm, "CREATE SYNONYM $alias FOR $contact", "CREATE VIEW $alias2 AS SELECT * FROM $alias",
          "CREATE TABLE $plain (id INT)", "CREATE SYNONYM $alias3 FOR $plain");
      crm.guarded.refreshSchema();
      try (Connection c = crm.guarded.getConnection(); ProcessingScope scope = crm.engine.process(Crm.MARKETING)) {
        assertEquals(ReasonCode.BYPASS_REFUSED, refusal(() -> crm.statementQuery(c, "SELECT email FROM $alias")));
        assertEquals(ReasonCode.BYPASS_REFUSED, refusal(() -> crm.statementQuery(c, "SELECT email FROM $alias2")));
        assertEquals(List.of(), crm.statementQuery(c, "SELECT id FROM $alias3"));
      }
    }
  }

  private static void execute(Crm crm, String... sql) throws SQLException {
    try (Connection c = crm.db.dataSource().getConnection(); Statement s = c.createStatement()) {
      for (String x : sql) {
        s.execute(crm.sql(x));
      }
    }
  }

  /** Views are not dropped with the test's tables on every database. */
  private static void dropViews(Crm crm, List<String> views) throws SQLException {
    List<String> sql = new ArrayList<>();
    views.forEach(v -> sql.add("DROP VIEW IF EXISTS " + v));
    execute(crm, sql.toArray(String[]::new));
  }

  interface Query {
    Object run() throws SQLException;
  }

  private static ReasonCode refusal(Query q) {
    return assertThrows(ConsentSQLException.class, q::run).reasonCode();
  }
}
