package org.consent4j.jdbc.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.consent4j.AccessContext;
import org.consent4j.AuditEvent;
import org.consent4j.AuditRecord;
import org.consent4j.Catalog;
import org.consent4j.DataCategory;
import org.consent4j.Grant;
import org.consent4j.LegalBasis;
import org.consent4j.Outcome;
import org.consent4j.SubjectId;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.ProcessingScope;
import org.consent4j.core.audit.InMemoryAuditSink;
import org.consent4j.jdbc.AuditLevel;
import org.consent4j.jdbc.JdbcConsentStore;
import org.consent4j.jdbc.ReadForm;
import org.consent4j.jdbc.SchemaMapping;
import org.consent4j.jdbc.TestDatabases.Database;
import org.consent4j.jdbc.spi.StatementObserver;
import org.consent4j.jdbc.wrapper.ConsentDataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The audit events of a statement on mapped tables, field by field, on the first execution (a
 * rewrite cache miss) and on later ones (hits, whose details were made once for the cache entry):
 * EXECUTING and ROWS_AFFECTED carry the fingerprint, the tables and the GDPR rules for the
 * context's recipient; ROWS_RETURNED the fingerprint, the tables and the row count. The same SQL
 * under two recipients keeps each recipient's rules. Both read forms; H2 always, PostgreSQL and
 * MariaDB when their URLs are set.
 */
@SuppressWarnings("try") // scopes are opened for their effect on the thread
final class StatementAuditEventsTest {
  static final Catalog CATALOG = Catalog.builder()
      .purpose("quiz", LegalBasis.CONSENT)
      .categories("contact.email").specialCategory("profile.psychographic")
      .recipient("quizlab-us", "US").recipient("quizlab-eu", "IE")
      .build();
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-06-01T12:00:00Z"), ZoneOffset.UTC);

  static java.util.stream.Stream<Database> databases() {
    return org.consent4j.jdbc.TestDatabases.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void pushdownEventsAreTheSameOnEveryExecutionAndKeepEachRecipientsRules(Database db) throws Exception {
    eventsAreTheSameOnEveryExecution(db, ReadForm.PUSHDOWN);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void postFilteredEventsAreTheSameOnEveryExecutionAndKeepEachRecipientsRules(Database db) throws Exception {
    eventsAreTheSameOnEveryExecution(db, ReadForm.POST_FILTER);
  }

  private static void eventsAreTheSameOnEveryExecution(Database db, ReadForm form) throws Exception {
    String p = db.newTablePrefix();
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE " + p + "person (id INT PRIMARY KEY, email VARCHAR(100), psych VARCHAR(100))");
      for (int i = 1; i <= 3; i++) {
        s.execute("INSERT INTO " + p + "person VALUES (" + i + ", 'p" + i + "@example.org', 'trait " + i + "')");
      }
    }
    JdbcConsentStore store = db.newStore();
    try (ConsentEngine engine = ConsentEngine.builder().catalog(CATALOG).store(store).clock(CLOCK).build()) {
      for (int i = 1; i <= 3; i++) {
        engine.grant(Grant.builder(SubjectId.of(i)).purpose("quiz").category("contact").category("profile")
            .recipient("quizlab-us").recipient("quizlab-eu").explicit().explicitTransfer());
      }
      SchemaMapping mapping = SchemaMapping.fromJson("""
          { "tables": [ { "table": "$person", "subject": "id",
              "columns": { "email": "contact.email", "psych": "profile.psychographic" } } ] }
          """.replace("$", p));
      ConsentDataSource guarded = ConsentDataSource.wrap(db.dataSource(), engine, mapping, AuditLevel.STATEMENT, form);
      AtomicInteger hits = new AtomicInteger();
      AtomicInteger misses = new AtomicInteger();
      guarded.observe(new StatementObserver() {
        @Override
        public void onRewriteCacheLookup(boolean hit) {
          (hit ? hits : misses).incrementAndGet();
        }
      });
      String select = "SELECT id, email, psych FROM " + p + "person WHERE id <= ?";
      String update = "UPDATE " + p + "person SET email = ? WHERE id = ?";
      AccessContext us = AccessContext.of("quiz-app", "quiz", "quizlab-us");
      AccessContext eu = AccessContext.of("quiz-app", "quiz", "quizlab-eu");
      for (AccessContext ctx : List.of(us, eu, us, us)) {
        try (ProcessingScope scope = engine.process(ctx); Connection c = guarded.getConnection()) {
          try (PreparedStatement ps = c.prepareStatement(select)) {
            ps.setInt(1, 2);
            try (ResultSet r = ps.executeQuery()) {
              int n = 0;
              while (r.next()) {
                n++;
              }
              assertEquals(2, n);
            }
          }
          try (PreparedStatement ps = c.prepareStatement(update)) {
            ps.setString(1, "new@example.org");
            ps.setInt(2, 3);
            assertEquals(1, ps.executeUpdate());
          }
        }
      }
      // one lookup per prepare; at least one miss per statement and recipient (more when the catalog
      // changed meanwhile: MariaDB's fingerprint covers every schema of the server, others' DDL too)
      assertEquals(8, hits.get() + misses.get(), "lookups");
      assertTrue(misses.get() >= 4, "misses " + misses.get());

      engine.audit().flush();
      List<AuditEvent> sql = new ArrayList<>();
      for (AuditRecord r : ((InMemoryAuditSink) engine.audit().sink()).records()) {
        if (r.event().operation().startsWith("sql")) {
          sql.add(r.event());
        }
      }
      // per context: select EXECUTING, ROWS_RETURNED; update EXECUTING, ROWS_AFFECTED
      assertEquals(16, sql.size(), sql.toString());
      String selectPrint = null;
      String updatePrint = null;
      for (int round = 0; round < 4; round++) {
        boolean abroad = round != 1;
        String recipient = abroad ? "quizlab-us" : "quizlab-eu";
        AuditEvent executing = sql.get(4 * round);
        AuditEvent returned = sql.get(4 * round + 1);
        AuditEvent updating = sql.get(4 * round + 2);
        AuditEvent affected = sql.get(4 * round + 3);
        for (AuditEvent e : List.of(executing, returned, updating, affected)) {
          assertEquals(recipient, e.recipient().id());
          assertEquals("sql prepare", e.operation());
          assertEquals(Outcome.PERMIT, e.outcome());
          assertEquals("quiz-app", e.actor());
          assertEquals(0, e.stateVersion());
        }
        assertEquals(List.of("EXECUTING", "ROWS_RETURNED", "EXECUTING", "ROWS_AFFECTED"),
            List.of(executing.reason(), returned.reason(), updating.reason(), affected.reason()));
        assertEquals(java.util.Set.of(DataCategory.of("contact.email"), DataCategory.of("profile.psychographic")),
            executing.categories());
        assertEquals(executing.categories(), returned.categories());
        String table = executing.details().get("tables");
        assertTrue(table.endsWith(p + "person"), table);
        if (selectPrint == null) {
          selectPrint = executing.details().get("fingerprint");
          updatePrint = updating.details().get("fingerprint");
          assertFalse(selectPrint.equals(updatePrint));
        }
        Map<String, String> rules = new TreeMap<>();
        rules.put("fingerprint", selectPrint);
        rules.put("tables", table);
        if (abroad) {
          rules.put("transfer", "explicit-consent-required");
        }
        rules.put("special-categories", "profile.psychographic");
        assertEquals(rules, executing.details(), "select EXECUTING, round " + round);

        Map<String, String> rows = new TreeMap<>();
        rows.put("fingerprint", selectPrint);
        rows.put("tables", table);
        rows.put("rows", "2");
        assertEquals(rows, returned.details(), "ROWS_RETURNED, round " + round);

        Map<String, String> update1 = new TreeMap<>(rules);
        update1.put("fingerprint", updatePrint);
        update1.put("tables", updating.details().get("tables"));
        assertEquals(update1, updating.details(), "update EXECUTING, round " + round);
        Map<String, String> affected1 = new TreeMap<>(update1);
        affected1.put("rows", "1");
        assertEquals(affected1, affected.details(), "ROWS_AFFECTED, round " + round);
      }
    }
  }

  /**
   * Threads under two recipients race on the same SQL, each first execution a cache miss for its
   * key: every event still carries its own recipient's rules, whichever thread made the entry.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void threadsUnderTwoRecipientsRacingOnOneStatementEachGetTheirRecipientsRules(Database db) throws Exception {
    String p = db.newTablePrefix();
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE " + p + "person (id INT PRIMARY KEY, email VARCHAR(100), psych VARCHAR(100))");
      s.execute("INSERT INTO " + p + "person VALUES (1, 'p1@example.org', 'trait 1')");
    }
    JdbcConsentStore store = db.newStore();
    try (ConsentEngine engine = ConsentEngine.builder().catalog(CATALOG).store(store).clock(CLOCK).build()) {
      engine.grant(Grant.builder(SubjectId.of(1)).purpose("quiz").category("contact").category("profile")
          .recipient("quizlab-us").recipient("quizlab-eu").explicit().explicitTransfer());
      SchemaMapping mapping = SchemaMapping.fromJson("""
          { "tables": [ { "table": "$person", "subject": "id",
              "columns": { "email": "contact.email", "psych": "profile.psychographic" } } ] }
          """.replace("$", p));
      ConsentDataSource guarded = ConsentDataSource.wrap(db.dataSource(), engine, mapping, AuditLevel.STATEMENT,
          ReadForm.POST_FILTER);
      String select = "SELECT id, email, psych FROM " + p + "person WHERE id = ?";
      int threads = 4;
      int rounds = 25;
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
      try {
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          AccessContext ctx = AccessContext.of("quiz-app", "quiz", t % 2 == 0 ? "quizlab-us" : "quizlab-eu");
          done.add(pool.submit(() -> {
            go.await();
            try (ProcessingScope scope = engine.process(ctx); Connection c = guarded.getConnection()) {
              for (int i = 0; i < rounds; i++) {
                try (PreparedStatement ps = c.prepareStatement(select)) {
                  ps.setInt(1, 1);
                  try (ResultSet r = ps.executeQuery()) {
                    assertTrue(r.next());
                  }
                }
              }
            }
            return null;
          }));
        }
        go.countDown();
        for (java.util.concurrent.Future<?> f : done) {
          f.get(120, java.util.concurrent.TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      engine.audit().flush();
      int executing = 0;
      for (AuditRecord r : ((InMemoryAuditSink) engine.audit().sink()).records()) {
        AuditEvent e = r.event();
        if (!e.operation().startsWith("sql")) {
          continue;
        }
        boolean abroad = e.recipient().id().equals("quizlab-us");
        if (e.reason().equals("EXECUTING")) {
          executing++;
          assertEquals(abroad ? "explicit-consent-required" : null, e.details().get("transfer"), e.toString());
          assertEquals("profile.psychographic", e.details().get("special-categories"), e.toString());
        } else {
          assertEquals("ROWS_RETURNED", e.reason());
          assertEquals("1", e.details().get("rows"));
          assertFalse(e.details().containsKey("transfer"));
        }
      }
      assertEquals(threads * rounds, executing);
    }
  }
}
