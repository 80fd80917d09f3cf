package org.consent4j.jdbc.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.consent4j.AccessContext;
import org.consent4j.Catalog;
import org.consent4j.DataCategory;
import org.consent4j.Grant;
import org.consent4j.LegalBasis;
import org.consent4j.Purpose;
import org.consent4j.Reason;
import org.consent4j.SubjectId;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.ProcessingScope;
import org.consent4j.core.audit.AuditTrail;
import org.consent4j.jdbc.ConsentSQLException;
import org.consent4j.jdbc.ConsentSQLException.ReasonCode;
import org.consent4j.jdbc.JdbcConsentStore;
import org.consent4j.jdbc.RecipientNotifier;
import org.consent4j.jdbc.SchemaMapping;
import org.consent4j.jdbc.TestDatabases.Database;
import org.consent4j.jdbc.audit.JdbcAuditSink;
import org.consent4j.jdbc.revocation.ConsentChangeFeed;
import org.consent4j.jdbc.wrapper.ConsentDataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The consent store in a named schema ({@code c4j_<unique>}; on MariaDB a database) that the
 * guarded connections' search path (PostgreSQL), current schema (H2) or current database
 * (MariaDB) does not include: every statement consent4j writes names the store's tables
 * qualified, so reads are filtered, the JDBC audit sink and the change feed work on the same
 * schema, and statements on the store's tables — qualified, quoted or not — are refused. Before
 * {@code JdbcConsentStore.Builder.schema} existed, a store whose tables were outside the search
 * path failed every guarded read of a mapped table (the consent check named {@code
 * <prefix>consent_state} unqualified: relation does not exist). The schema is dropped afterwards.
 */
@SuppressWarnings("try") // processing scopes are opened for their effect on the thread
final class StoreInNamedSchemaTest {
  static final Catalog CATALOG = Catalog.builder()
      .purpose("marketing", LegalBasis.CONSENT)
      .categories("contact.email")
      .recipient("quizlab")
      .build();
  static final AccessContext MARKETING = AccessContext.of("campaign", "marketing");

  /** A store in a fresh schema, a mapped table in the connection's own schema, and the guarded source. */
  static final class World implements AutoCloseable {
    final Database db;
    final String schema = "c4j_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    final String p;
    final JdbcConsentStore store;
    final JdbcAuditSink sink;
    final ConsentEngine engine;
    final ConsentDataSource guarded;

    World(Database db) throws SQLException {
      this.db = db;
      this.p = db.tablePrefix();
      store = JdbcConsentStore.builder(db.dataSource()).tablePrefix(p).schema(schema).build();
      sink = JdbcAuditSink.builder(db.dataSource()).tablePrefix(p).schema(schema).build();
      try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE " + p + "contact (id INT PRIMARY KEY, email VARCHAR(100))");
        for (int i = 1; i <= 4; i++) {
          s.execute("INSERT INTO " + p + "contact VALUES (" + i + ", 'c" + i + "@example.org')");
        }
      }
      engine = ConsentEngine.builder().catalog(CATALOG).store(store).auditTrail(AuditTrail.builder(sink).build())
          .build();
      engine.grant(Grant.builder(SubjectId.of(1)).purpose("marketing").category("contact.email"));
      engine.grant(Grant.builder(SubjectId.of(2)).purpose("marketing").category("contact"));
      Grant third = engine.grant(Grant.builder(SubjectId.of(3)).purpose("marketing").category("contact.email"));
      engine.withdraw(SubjectId.of(3), third.id()); // item 13 through the qualified tables as well
      guarded = ConsentDataSource.wrap(db.dataSource(), engine,
          SchemaMapping.fromJson("{ \"tables\": [ { \"table\": \"" + p + "contact\", \"subject\": \"id\","
              + " \"columns\": { \"email\": \"contact.email\" } } ] }")); // the store comes from the engine
    }

    /** The schema name as the database stores it. */
    String stored() {
      return db.name().equals("H2") ? schema.toUpperCase(Locale.ROOT) : schema;
    }

    String quote(String name) {
      return db.name().equals("MariaDB") ? "`" + name + "`" : "\"" + name + "\"";
    }

    List<String> query(Connection c, String sql) throws SQLException {
      List<String> out = new ArrayList<>();
      try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
        while (r.next()) {
          out.add(r.getString(1) + "|" + r.getString(2));
        }
      }
      return out;
    }

    long count(String qualifiedTable) throws SQLException {
      try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
          ResultSet r = s.executeQuery("SELECT COUNT(*) FROM " + qualifiedTable)) {
        r.next();
        return r.getLong(1);
      }
    }

    @Override
    public void close() throws Exception {
      engine.close();
      try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
        switch (db.name()) {
          case "MariaDB" -> s.execute("DROP DATABASE " + quote(schema));
          default -> s.execute("DROP SCHEMA " + quote(stored()) + " CASCADE");
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void aStoreInASchemaOffTheSearchPathFiltersGuardedReadsAndRefusesItsTablesQualifiedOrNot(Database db)
      throws Exception {
    try (World w = new World(db); Connection c = w.guarded.getConnection()) {
      // the guarded connection does not see the store's schema
      try (Connection raw = db.dataSource().getConnection()) {
        String path = switch (db.name()) {
          case "PostgreSQL" -> w.query(raw, "SELECT current_schemas(true)::text, 1").get(0);
          case "MariaDB" -> w.query(raw, "SELECT DATABASE(), 1").get(0);
          default -> raw.getSchema();
        };
        assertFalse(path.toLowerCase(Locale.ROOT).contains(w.schema), path);
        assertThrows(SQLException.class, () -> w.query(raw, "SELECT seq, kind FROM " + w.p + "ledger"),
            "the ledger is not in the connection's own schema");
      }
      assertEquals(4, w.count(w.quote(w.stored()) + "." + w.p + "ledger"), "3 grants and a withdrawal, in the named schema");

      try (ProcessingScope scope = w.engine.process(MARKETING)) {
        // 1: e-mail granted; 2: contact granted (covers contact.email); 3: withdrawn by grant id; 4: none
        assertEquals(List.of("1|c1@example.org", "2|c2@example.org"),
            w.query(c, "SELECT id, email FROM " + w.p + "contact ORDER BY id"));
        List<String> refused = List.of(
            "SELECT * FROM " + w.schema + "." + w.p + "consent_state",
            "SELECT * FROM " + w.quote(w.stored()) + "." + w.p + "ledger",
            "SELECT * FROM " + w.quote(w.stored()) + "." + w.quote(db.name().equals("H2")
                ? (w.p + "grant").toUpperCase(Locale.ROOT) : w.p + "grant"),
            "SELECT * FROM " + w.p + "consent_state",
            "SELECT c.id FROM " + w.p + "contact c JOIN " + w.schema + "." + w.p + "grant_withdrawal g ON 1 = 1",
            "DELETE FROM " + w.schema + "." + w.p + "withdrawal",
            "INSERT INTO " + w.schema + "." + w.p + "audit_head (id, seq, hash) VALUES (2, 0, 'x')");
        for (String sql : refused) {
          ConsentSQLException e = assertThrows(ConsentSQLException.class, () -> w.query(c, sql), sql);
          assertEquals(ReasonCode.BYPASS_REFUSED, e.reasonCode(), sql);
        }
      }
      assertEquals(Reason.GRANT_WITHDRAWN,
          w.engine.check(SubjectId.of(3), MARKETING, Set.of(DataCategory.of("contact.email"))).subjectReason());
      // the audit trail went to the named schema too, and verifies
      w.engine.audit().flush();
      assertTrue(w.count(w.quote(w.stored()) + "." + w.p + "audit") > 0);
      assertTrue(w.engine.audit().verify().valid());
      // the outbox of recipient notifications is read there as well (the withdrawal of grant 3 queued one)
      assertEquals(1, RecipientNotifier.create(db.dataSource(), w.store, w.engine, n -> { }).pendingCount());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void anotherNodesChangeFeedOnTheNamedSchemaSeesAWithdrawalOfOneGrant(Database db) throws Exception {
    try (World w = new World(db)) {
      for (ConsentChangeFeed.Mode mode : ConsentChangeFeed.Mode.values()) {
        try (ConsentChangeFeed feed = ConsentChangeFeed.builder(db.dataSource()).tablePrefix(w.p).schema(w.schema)
            .mode(mode).stalenessBound(Duration.ofSeconds(30)).build();
            ConsentEngine nodeB = ConsentEngine.builder().catalog(CATALOG).store(w.store)
                .cacheTimeToLive(Duration.ofHours(1)).cacheTrustedWhile(feed::isFresh).build()) {
          feed.start(nodeB);
          await(feed::isFresh, "the feed is fresh");
          // Node B's index (on with a feed) loads in the background, and decisions read the store
          // until it is done: wait for it, so that what node B answers below it learnt by the feed.
          await(() -> {
            nodeB.check(SubjectId.of("warm-up"), MARKETING, Set.of()); // the first trusted check starts the load
            return nodeB.consentIndex().map(org.consent4j.core.ConsentIndex::isUsable).orElse(true);
          }, "node B's index, if it has one, is in use");
          SubjectId s = SubjectId.of(mode == ConsentChangeFeed.Mode.AUTO ? 10 : 11);
          long before = feed.changesSeen();
          Grant g = w.engine.grant(Grant.builder(s).purpose("marketing").category("contact.email"));
          await(() -> feed.changesSeen() > before, "node B's feed hears of the grant");
          // from here node B answers from its cache (trusted while the feed is fresh, for an hour)
          await(() -> nodeB.check(s, MARKETING, Set.of()).subjectReason() == Reason.GRANTED, "node B sees the grant");
          long seen = feed.changesSeen();
          w.engine.withdraw(s, g.id());
          await(() -> nodeB.check(s, MARKETING, Set.of()).subjectReason() == Reason.GRANT_WITHDRAWN,
              "node B sees the withdrawal (" + mode + ")");
          assertTrue(feed.changesSeen() > seen, "through its feed");
          assertTrue(feed.isFresh(), "with its cache trusted throughout");
          assertTrue(feed.toString().contains("in schema " + w.schema), feed.toString());
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void theDdlForADbaCreatesEverythingInTheNamedSchemaAndTheStoreThenRunsWithoutMigrating(Database db)
      throws Exception {
    String schema = "c4j_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    String p = db.tablePrefix();
    String quoted = db.name().equals("MariaDB") ? "`" + schema + "`"
        : "\"" + (db.name().equals("H2") ? schema.toUpperCase(Locale.ROOT) : schema) + "\"";
    try {
      try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
        org.consent4j.jdbc.internal.Dialect dialect =
            org.consent4j.jdbc.internal.Dialect.fromProductName(c.getMetaData().getDatabaseProductName());
        List<String> ddl = org.consent4j.jdbc.internal.Migrations.ddl(dialect,
            org.consent4j.jdbc.internal.Schema.of(p, java.util.Optional.of(schema), dialect, c.getMetaData()));
        for (String sql : ddl) {
          s.execute(sql);
        }
        for (int v = 1; v <= org.consent4j.jdbc.internal.Migrations.latestVersion(); v++) {
          s.execute("INSERT INTO " + quoted + "." + p + "schema_version (version, description) VALUES (" + v
              + ", 'by hand')");
        }
        // nothing of the store landed in the connection's own schema
        assertThrows(SQLException.class, () -> s.executeQuery("SELECT COUNT(*) FROM " + p + "schema_version"));
      }
      JdbcConsentStore store = JdbcConsentStore.builder(db.dataSource()).tablePrefix(p).schema(schema).build();
      Grant g = Grant.of(SubjectId.of("s-1"), Purpose.of("marketing"), DataCategory.of("contact"),
          java.time.Instant.parse("2026-01-01T00:00:00Z"));
      store.append(g, java.time.Instant.parse("2026-01-01T00:00:01Z"));
      assertEquals(List.of(g), store.history(SubjectId.of("s-1")).stream().map(e -> e.record()).toList());
      assertEquals(java.util.Optional.of(schema), store.schema());
    } finally {
      try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
        s.execute(db.name().equals("MariaDB") ? "DROP DATABASE " + quoted : "DROP SCHEMA " + quoted + " CASCADE");
      }
    }
  }

  @org.junit.jupiter.api.Test
  void aSchemaNameThatIsNotAPlainLowerCaseIdentifierIsRejectedAtOnceNamingIt() {
    javax.sql.DataSource none = new org.h2.jdbcx.JdbcDataSource();
    for (String bad : List.of("", "Consent", "1consent", "con-sent", "con\"sent", "a".repeat(64))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> JdbcConsentStore.builder(none).schema(bad), bad);
      assertTrue(e.getMessage().contains("schema name '" + bad + "' is not valid"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> JdbcAuditSink.builder(none).schema(bad), bad);
      assertThrows(IllegalArgumentException.class, () -> ConsentChangeFeed.builder(none).schema(bad), bad);
    }
    JdbcConsentStore.builder(none).schema("a".repeat(63)); // the longest name PostgreSQL keeps
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(20);
    }
  }
}
