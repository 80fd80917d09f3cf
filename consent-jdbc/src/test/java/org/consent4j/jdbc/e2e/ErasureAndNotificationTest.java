package org.consent4j.jdbc.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.consent4j.AccessContext;
import org.consent4j.AuditEvent;
import org.consent4j.AuditRecord;
import org.consent4j.Catalog;
import org.consent4j.DataCategory;
import org.consent4j.Grant;
import org.consent4j.LegalBasis;
import org.consent4j.Outcome;
import org.consent4j.Purpose;
import org.consent4j.Recipient;
import org.consent4j.SubjectId;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.audit.InMemoryAuditSink;
import org.consent4j.jdbc.Erasure;
import org.consent4j.jdbc.JdbcConsentStore;
import org.consent4j.jdbc.MappingException;
import org.consent4j.jdbc.RecipientNotification;
import org.consent4j.jdbc.RecipientNotifier;
import org.consent4j.jdbc.SchemaMapping;
import org.consent4j.jdbc.TestDatabases.Database;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Erasure (Art. 17) by the mapping's per-table policy, in one transaction, audited, the ledger
 * kept; and the notification of recipients (Art. 19) through the outbox, at least once. H2 always;
 * PostgreSQL and MariaDB when their URLs are set.
 */
final class ErasureAndNotificationTest {
  static final Catalog CATALOG = Catalog.builder()
      .purpose("marketing", LegalBasis.CONSENT)
      .purpose("privacy-requests", LegalBasis.LEGAL_OBLIGATION, "contact")
      .categories("contact.email", "contact.phone", "social.friendship", "commerce.note")
      .recipient("quizlab").recipient("adnet")
      .build();
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-06-01T12:00:00Z"), ZoneOffset.UTC);
  static final AccessContext DPO = AccessContext.of("dpo-desk", "privacy-requests");

  static java.util.stream.Stream<Database> databases() {
    return org.consent4j.jdbc.TestDatabases.all();
  }

  static final class World implements AutoCloseable {
    final Database db;
    final String p;
    final JdbcConsentStore store;
    final ConsentEngine engine;

    World(Database db) throws SQLException {
      this.db = db;
      this.p = db.newTablePrefix();
      store = db.newStore();
      engine = ConsentEngine.builder().catalog(CATALOG).store(store).clock(CLOCK).build();
      exec("CREATE TABLE $friend (user_id INT NOT NULL, friend_id INT NOT NULL)",
          "CREATE TABLE $contact (id INT PRIMARY KEY, country VARCHAR(2), email VARCHAR(100), phone VARCHAR(30))",
          "CREATE TABLE $orders (id INT PRIMARY KEY, contact_ref VARCHAR(20) NOT NULL, amount INT, note VARCHAR(50))",
          "INSERT INTO $contact VALUES (1, 'NL', 'one@example.org', '+31 1')",
          "INSERT INTO $contact VALUES (2, 'DE', 'two@example.org', '+49 2')",
          "INSERT INTO $friend VALUES (1, 2)", "INSERT INTO $friend VALUES (2, 1)", "INSERT INTO $friend VALUES (2, 3)",
          "INSERT INTO $orders VALUES (10, '1', 50, 'gift for one')", "INSERT INTO $orders VALUES (11, '2', 70, 'two')");
    }

    SchemaMapping mapping(String contactPolicy) {
      return SchemaMapping.fromJson("""
          { "tables": [
            { "table": "$friend", "subject": ["user_id", "friend_id"], "rowCategory": "social.friendship",
              "erasure": "delete" },
            { "table": "$contact", "subject": "id", "columns": { "email": "contact.email", "phone": "contact.phone" }
              %s },
            { "table": "$orders", "subject": "contact_ref", "columns": { "note": "commerce.note" },
              "erasure": "delete" } ] }
          """.formatted(contactPolicy == null ? "" : ", \"erasure\": \"" + contactPolicy + "\"").replace("$", p));
    }

    void exec(String... sql) throws SQLException {
      try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
        for (String x : sql) {
          s.execute(x.replace("$", p));
        }
      }
    }

    List<List<Object>> rows(String sql) throws SQLException {
      try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
          ResultSet r = s.executeQuery(sql.replace("$", p))) {
        List<List<Object>> out = new ArrayList<>();
        int n = r.getMetaData().getColumnCount();
        while (r.next()) {
          List<Object> row = new ArrayList<>();
          for (int i = 1; i <= n; i++) {
            row.add(r.getString(i));
          }
          out.add(row);
        }
        return out;
      }
    }

    List<AuditEvent> events(String operation) {
      engine.audit().flush();
      return ((InMemoryAuditSink) engine.audit().sink()).records().stream().map(AuditRecord::event)
          .filter(e -> e.operation().equals(operation)).toList();
    }

    @Override
    public void close() {
      engine.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void erasureLeavesNoPersonalValueOfTheSubjectInAnyMappedTableAndKeepsTheLedger(Database db) throws Exception {
    try (World w = new World(db)) {
      Grant g = w.engine.grant(Grant.builder(SubjectId.of(1)).purpose("marketing").category("contact"));
      Erasure erasure = Erasure.create(db.dataSource(), w.engine, w.mapping("nullify"), w.store);

      Erasure.Report report = erasure.erase(SubjectId.of(1), DPO);

      assertEquals(Map.of(w.p + "friend", 2L, w.p + "contact", 1L, w.p + "orders", 1L), report.rows());
      // contact: the row stays (nullify), its personal columns are NULL; the other subject is untouched
      assertEquals(List.of(List.of("1", "NL", "null", "null"), List.of("2", "DE", "two@example.org", "+49 2")),
          stringify(w.rows("SELECT id, country, email, phone FROM $contact ORDER BY id")));
      assertEquals(List.of(List.of("2", "3")), w.rows("SELECT user_id, friend_id FROM $friend"));
      assertEquals(List.of(List.of("11", "2", "70", "two")), w.rows("SELECT id, contact_ref, amount, note FROM $orders"));
      // no personal value of subject 1 anywhere
      assertEquals(List.of(List.of("0")), w.rows("SELECT count(*) FROM $contact WHERE id = 1 AND (email IS NOT NULL"
          + " OR phone IS NOT NULL)"));
      assertEquals(List.of(List.of("0")), w.rows("SELECT count(*) FROM $friend WHERE user_id = 1 OR friend_id = 1"));
      assertEquals(List.of(List.of("0")), w.rows("SELECT count(*) FROM $orders WHERE contact_ref = '1'"));
      // the ledger keeps the proof of consent
      assertEquals(g, w.store.history(SubjectId.of(1)).get(0).record());
      AuditEvent event = w.events("erase").get(0);
      assertEquals(Outcome.PERMIT, event.outcome());
      assertEquals("ERASED", event.reason());
      assertEquals(List.of(SubjectId.of(1)), event.subjects());
      assertEquals(w.p + "contact:nullify:1," + w.p + "friend:delete:2," + w.p + "orders:delete:1",
          event.details().get("tables"));
    }
  }

  private static List<List<Object>> stringify(List<List<Object>> rows) {
    List<List<Object>> out = new ArrayList<>();
    rows.forEach(r -> out.add(r.stream().map(String::valueOf).map(x -> (Object) x).toList()));
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aTableWithoutAnErasurePolicyRefusesTheWholeErasureBeforeChangingAnything(Database db) throws Exception {
    try (World w = new World(db)) {
      Erasure erasure = Erasure.create(db.dataSource(), w.engine, w.mapping(null), w.store);
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> erasure.erase(SubjectId.of(1), DPO));
      assertTrue(e.getMessage().contains(w.p + "contact") && e.getMessage().contains("\"erasure\""), e.getMessage());
      assertEquals(List.of(List.of("3")), w.rows("SELECT count(*) FROM $friend"));
      assertEquals(List.of(), w.events("erase"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aFailingErasureRollsEveryTableBackAndIsAuditedAsFailed(Database db) throws Exception {
    try (World w = new World(db)) {
      // the outbox is gone: every table statement succeeds, then queueing the notification fails
      w.exec("DROP TABLE " + db.tablePrefix() + "notification_delivery", "DROP TABLE " + db.tablePrefix()
          + "notification");
      Erasure erasure = Erasure.create(db.dataSource(), w.engine, w.mapping("nullify"), w.store);
      assertThrows(SQLException.class, () -> erasure.erase(SubjectId.of(1), DPO));
      assertEquals(List.of(List.of("3")), w.rows("SELECT count(*) FROM $friend"));
      assertEquals(List.of(List.of("one@example.org")), w.rows("SELECT email FROM $contact WHERE id = 1"));
      assertEquals(List.of(List.of("2")), w.rows("SELECT count(*) FROM $orders"));
      assertEquals("ERASURE_FAILED", w.events("erase").get(0).reason());
      assertEquals(Outcome.DENY, w.events("erase").get(0).outcome());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void nullifyIsRefusedWhereItWouldLeavePersonalData(Database db) throws Exception {
    try (World w = new World(db)) {
      MappingException e = assertThrows(MappingException.class, () -> SchemaMapping.fromJson("""
          { "tables": [ { "table": "friend", "subject": ["user_id", "friend_id"], "rowCategory": "social.friendship",
              "erasure": "nullify" } ] }"""));
      assertTrue(e.getMessage().contains("use \"erasure\": \"delete\""), e.getMessage());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void recipientsAreNotifiedExactlyOnceAfterAWithdrawalEvenWhenTheListenerFailsOnce(Database db) throws Exception {
    try (World w = new World(db)) {
      SubjectId s = SubjectId.of(1);
      w.engine.grant(Grant.builder(s).purpose("marketing").category("contact").recipient("quizlab")
          .recipient("adnet"));
      // quizlab received the data (a subject-level audit event); adnet never did
      w.engine.checkAll(List.of(s), AccessContext.of("quiz", "marketing", "quizlab"),
          Set.of(DataCategory.of("contact.email")), "export to quizlab");
      w.engine.withdraw(s, Purpose.of("marketing"));

      AtomicInteger calls = new AtomicInteger();
      List<RecipientNotification> received = Collections.synchronizedList(new ArrayList<>());
      RecipientNotifier notifier = RecipientNotifier.create(db.dataSource(), w.store, w.engine, n -> {
        if (calls.incrementAndGet() == 1) {
          throw new java.io.IOException("quizlab is down");
        }
        received.add(n);
      });

      assertEquals(0, notifier.deliverPending());
      assertEquals(1, notifier.pendingCount());
      assertEquals(1, notifier.deliverPending());
      assertEquals(0, notifier.deliverPending());
      assertEquals(0, notifier.pendingCount());

      assertEquals(1, received.size());
      RecipientNotification n = received.get(0);
      assertEquals(Recipient.of("quizlab"), n.recipient());
      assertEquals(s, n.subject());
      assertEquals(RecipientNotification.Kind.WITHDRAWAL, n.kind());
      assertEquals(Optional.of(Purpose.of("marketing")), n.purpose());
      assertEquals(List.of(List.of("1", "java.io.IOException")),
          w.rows("SELECT attempts, last_failure FROM " + db.tablePrefix() + "notification"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void racingDeliveryRunsOfOneNotifierTellEachRecipientOnce(Database db) throws Exception {
    try (World w = new World(db)) {
      for (int s = 1; s <= 20; s++) {
        SubjectId subject = SubjectId.of(s);
        w.engine.grant(Grant.builder(subject).purpose("marketing").category("contact").recipient("quizlab"));
        w.engine.check(subject, AccessContext.of("quiz", "marketing", "quizlab"), Set.of());
        w.engine.withdraw(subject, Purpose.of("marketing"));
      }
      List<Long> told = Collections.synchronizedList(new ArrayList<>());
      RecipientNotifier notifier = RecipientNotifier.create(db.dataSource(), w.store, w.engine,
          n -> told.add(Long.valueOf(n.subject().value())));
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
      java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
      List<java.util.concurrent.Future<Integer>> runs = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        runs.add(pool.submit(() -> {
          start.await();
          return notifier.deliverPending();
        }));
      }
      start.countDown();
      int delivered = 0;
      for (java.util.concurrent.Future<Integer> f : runs) {
        delivered += f.get(60, java.util.concurrent.TimeUnit.SECONDS);
      }
      pool.shutdown();
      assertEquals(20, delivered);
      assertEquals(20, told.size());
      assertEquals(20, new java.util.HashSet<>(told).size());
      assertEquals(0, notifier.pendingCount());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void anErasureNotifiesEveryRecipientThatReceivedTheSubjectsData(Database db) throws Exception {
    try (World w = new World(db)) {
      SubjectId s = SubjectId.of(1);
      w.engine.grant(Grant.builder(s).purpose("marketing").category("contact").recipient("quizlab").recipient("adnet"));
      for (String r : List.of("quizlab", "adnet")) {
        w.engine.check(s, AccessContext.of("svc", "marketing", r), Set.of());
      }
      Erasure.create(db.dataSource(), w.engine, w.mapping("nullify"), w.store).erase(s, DPO);
      List<String> told = Collections.synchronizedList(new ArrayList<>());
      RecipientNotifier notifier = RecipientNotifier.create(db.dataSource(), w.store, w.engine,
          n -> told.add(n.kind() + " " + n.recipient()));
      assertEquals(2, notifier.deliverPending());
      assertEquals(List.of("ERASURE adnet", "ERASURE quizlab"), told);
    }
  }
}
