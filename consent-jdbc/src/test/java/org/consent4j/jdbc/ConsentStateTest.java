package org.consent4j.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.consent4j.ConsentRecord;
import org.consent4j.DataCategory;
import org.consent4j.Evidence;
import org.consent4j.Grant;
import org.consent4j.GrantId;
import org.consent4j.GrantWithdrawal;
import org.consent4j.LedgerEntry;
import org.consent4j.Purpose;
import org.consent4j.Recipient;
import org.consent4j.SubjectId;
import org.consent4j.Withdrawal;
import org.consent4j.jdbc.TestDatabases.Database;
import org.consent4j.jdbc.internal.ConsentState;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The current consent state table: after every append it holds exactly the rows
 * {@link ConsentState#rows} derives from the subject's ledger; a withdrawal removes the rows it
 * voids, a withdrawal of one grant by its id removes that grant's rows; an imported old grant does not come back; the migration fills it from an existing ledger;
 * concurrent appends for one subject leave it consistent.
 */
final class ConsentStateTest {
  static final Instant T0 = Instant.parse("2026-03-01T09:00:00Z");
  static final SubjectId ALICE = SubjectId.of("42");
  static final SubjectId BOB = SubjectId.of("c-7");

  /** The state table's rows of these subjects, as comparable text. */
  static TreeSet<String> stateRows(Database db, DataSource source) throws SQLException {
    TreeSet<String> out = new TreeSet<>();
    try (Connection c = source.getConnection(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT grant_seq, subject_id, subject_num, purpose, recipient, category,"
            + " granted_at_sec, granted_at_nano, expires_at_sec, expires_at_nano, notice_id, notice_version,"
            + " voided_purposes FROM "
            + db.tablePrefix() + "consent_state")) {
      while (r.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= 13; i++) {
          row.append(r.getString(i)).append('|');
        }
        out.add(row.toString());
      }
    }
    return out;
  }

  /** What the state table must hold for these ledgers. */
  static TreeSet<String> expected(List<List<LedgerEntry>> histories) {
    TreeSet<String> out = new TreeSet<>();
    for (List<LedgerEntry> h : histories) {
      for (ConsentState.Row row : ConsentState.rows(h)) {
        out.add(row.grantSeq() + "|" + row.subject().value() + "|"
            + ConsentState.subjectNumber(row.subject().value()).map(String::valueOf).orElse("null") + "|"
            + row.purpose().name() + "|" + row.recipient().id() + "|" + row.category().name() + "|"
            + row.grantedAt().getEpochSecond() + "|" + row.grantedAt().getNano() + "|"
            + row.expiresAt().map(e -> String.valueOf(e.getEpochSecond())).orElse("null") + "|"
            + row.expiresAt().map(e -> String.valueOf(e.getNano())).orElse("null") + "|"
            + row.notice().map(n -> n.id()).orElse("null") + "|"
            + row.notice().map(n -> String.valueOf(n.version())).orElse("null") + "|"
            + row.voidedColumn() + "|");
      }
    }
    return out;
  }

  private static Grant grant(SubjectId s, String purpose, String recipient, Instant at) {
    return Grant.builder(s).purpose(purpose).category("contact").category("contact.email")
        .recipient(Recipient.FIRST_PARTY).recipient(recipient).grantedAt(at).build();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void aWithdrawalRemovesTheRowsItVoidsAndKeepsTheOthers(Database db) throws Exception {
    JdbcConsentStore store = db.newStore();
    store.append(grant(ALICE, "marketing", "quizlab", T0), T0);
    store.append(grant(BOB, "marketing", "quizlab", T0), T0);
    assertEquals(8, stateRows(db, db.dataSource()).size(), "2 subjects x 2 recipients x 2 categories");

    // withdrawing from quizlab only leaves Alice's first-party rows
    store.append(new Withdrawal(ALICE, Purpose.of("marketing"), Optional.of(Recipient.of("quizlab")),
        T0.plusSeconds(10), Evidence.api()), T0.plusSeconds(10));
    // a narrower withdrawal voids only part of what the row serves: the rows stay, and the SQL
    // check tests the withdrawal itself
    store.append(Withdrawal.of(BOB, Purpose.of("marketing.email"), T0.plusSeconds(10)), T0.plusSeconds(10));

    TreeSet<String> rows = stateRows(db, db.dataSource());
    assertEquals(expected(List.of(store.history(ALICE), store.history(BOB))), rows);
    assertEquals(6, rows.size());
    assertTrue(rows.stream().noneMatch(r -> r.contains("|42|42|marketing|quizlab|")), rows.toString());

    store.append(Withdrawal.of(ALICE, Purpose.of("marketing"), T0.plusSeconds(20)), T0.plusSeconds(20));
    rows = stateRows(db, db.dataSource());
    assertTrue(rows.stream().noneMatch(r -> r.contains("|42|42|")), "no row of Alice survives: " + rows);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void aWithdrawalOfOneGrantByIdRemovesExactlyThatGrantsRows(Database db) throws Exception {
    JdbcConsentStore store = db.newStore();
    Grant first = grant(ALICE, "marketing", "quizlab", T0);
    Grant second = grant(ALICE, "marketing", "quizlab", T0); // the same consent again, another id
    store.append(first, T0);
    store.append(second, T0);
    store.append(grant(BOB, "marketing", "quizlab", T0), T0);
    assertEquals(12, stateRows(db, db.dataSource()).size(), "3 grants x 2 recipients x 2 categories");

    LedgerEntry w = store.append(GrantWithdrawal.of(ALICE, first.id(), T0.plusSeconds(5)), T0.plusSeconds(5));
    assertEquals(GrantWithdrawal.of(ALICE, first.id(), T0.plusSeconds(5)), store.history(ALICE).get(2).record());
    TreeSet<String> rows = stateRows(db, db.dataSource());
    assertEquals(expected(List.of(store.history(ALICE), store.history(BOB))), rows);
    long firstSeq = store.history(ALICE).get(0).sequence();
    assertEquals(8, rows.size(), "only the withdrawn grant's 4 rows are gone: " + rows);
    assertTrue(rows.stream().noneMatch(r -> r.startsWith(firstSeq + "|")), rows.toString());
    assertTrue(w.sequence() > firstSeq);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void anOldGrantImportedAfterAWithdrawalAddsNoRowButANewOneDoes(Database db) throws Exception {
    JdbcConsentStore store = db.newStore();
    store.append(Withdrawal.of(ALICE, Purpose.of("marketing"), T0), T0);
    store.append(grant(ALICE, "marketing.email", "quizlab", T0.minus(Duration.ofDays(3))), T0.plusSeconds(1));
    assertEquals(new TreeSet<>(), stateRows(db, db.dataSource()), "the import is voided by the earlier withdrawal");

    LedgerEntry fresh = store.append(grant(ALICE, "marketing.email", "quizlab", T0), T0.plusSeconds(2));
    TreeSet<String> rows = stateRows(db, db.dataSource());
    assertEquals(4, rows.size());
    assertTrue(rows.stream().allMatch(r -> r.startsWith(fresh.sequence() + "|42|42|marketing.email|")), rows.toString());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void theMigrationFillsTheStateFromAnExistingLedger(Database db) throws Exception {
    JdbcConsentStore store = db.newStore();
    store.append(grant(ALICE, "marketing", "quizlab", T0), T0);
    store.append(grant(BOB, "analytics", "quizlab", T0), T0);
    store.append(Withdrawal.of(ALICE, Purpose.of("marketing"), T0.plusSeconds(5)), T0.plusSeconds(5));
    store.append(grant(ALICE, "marketing", "quizlab", T0.minusSeconds(5)), T0.plusSeconds(6));
    store.append(grant(ALICE, "marketing.email", "quizlab", T0.plusSeconds(7)), T0.plusSeconds(7));
    TreeSet<String> incremental = stateRows(db, db.dataSource());
    // back to schema version 3: the state tables were never there
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("DROP TABLE " + db.tablePrefix() + "consent_state");
      s.execute("DROP TABLE " + db.tablePrefix() + "state_subject");
      s.execute("DELETE FROM " + db.tablePrefix() + "schema_version WHERE version = 4");
    }

    JdbcConsentStore migrated = db.newStore();

    assertEquals(incremental, stateRows(db, db.dataSource()));
    assertEquals(expected(List.of(store.history(ALICE), store.history(BOB))), incremental);
    assertFalse(incremental.isEmpty());
    migrated.append(Withdrawal.of(BOB, Purpose.of("analytics"), T0.plusSeconds(9)), T0.plusSeconds(9));
    assertEquals(expected(List.of(store.history(ALICE), store.history(BOB))), stateRows(db, db.dataSource()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void concurrentGrantsAndWithdrawalsOfOneSubjectLeaveTheStateOfTheWholeLedger(Database db) throws Exception {
    JdbcConsentStore store = db.newStore();
    int threads = 4;
    int perThread = 30;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      futures.add(pool.submit(() -> {
        start.await();
        java.util.Map<SubjectId, Grant> lastGrant = new java.util.HashMap<>();
        for (int i = 0; i < perThread; i++) {
          Instant at = T0.plusSeconds(thread * 1000L + i);
          SubjectId s = i % 2 == 0 ? ALICE : BOB;
          ConsentRecord r;
          if (i % 5 == 4 && lastGrant.containsKey(s)) {
            // a withdrawal of one grant by id, racing the other threads' appends for the subject
            r = GrantWithdrawal.of(s, lastGrant.remove(s).id(), at);
          } else if ((i + thread) % 3 == 0) {
            r = Withdrawal.of(s, Purpose.of("marketing"), at);
          } else {
            Grant g = grant(s, (i + thread) % 3 == 1 ? "marketing" : "marketing.email", "quizlab", at);
            lastGrant.put(s, g);
            r = g;
          }
          store.append(r, at);
        }
        return null;
      }));
    }
    start.countDown();
    for (Future<?> f : futures) {
      f.get(120, TimeUnit.SECONDS);
    }
    pool.shutdown();

    assertEquals(expected(List.of(store.history(ALICE), store.history(BOB))), stateRows(db, db.dataSource()));
  }

  @Property(tries = 40)
  void afterAnyLedgerTheStateEqualsTheRowsOfTheLedgerAndARebuildAgrees(@ForAll("ledgers") List<ConsentRecord> ledger)
      throws Exception {
    try (Database db = TestDatabases.h2()) {
      JdbcConsentStore store = db.newStore();
      for (int i = 0; i < ledger.size(); i++) {
        store.append(ledger.get(i), T0.plusSeconds(i));
      }
      TreeSet<String> incremental = stateRows(db, db.dataSource());
      assertEquals(expected(List.of(store.history(ALICE), store.history(BOB))), incremental);
      try (Connection c = db.dataSource().getConnection()) {
        new ConsentState(org.consent4j.jdbc.internal.Dialect.H2,
            new org.consent4j.jdbc.internal.Schema(db.tablePrefix())).rebuild(c);
      }
      assertEquals(incremental, stateRows(db, db.dataSource()));
    }
  }

  @Provide
  Arbitrary<List<ConsentRecord>> ledgers() {
    Arbitrary<SubjectId> subject = Arbitraries.of(ALICE, BOB);
    Arbitrary<String> purpose = Arbitraries.of("marketing", "marketing.email", "marketing.sms", "analytics");
    Arbitrary<Optional<Recipient>> recipient =
        Arbitraries.of(Optional.empty(), Optional.of(Recipient.FIRST_PARTY), Optional.of(Recipient.of("quizlab")));
    Arbitrary<Instant> at = Arbitraries.integers().between(-3, 30).map(T0::plusSeconds);
    // a few ids, so that withdrawals by id hit grants before and after them, of either subject
    Arbitrary<GrantId> id = Arbitraries.of("g0", "g1", "g2", "g3").map(GrantId::of);
    Arbitrary<ConsentRecord> grant = Combinators.combine(subject, purpose, recipient, at, id)
        .as((s, p, r, t, g) -> {
          Grant.Builder b = Grant.builder(s).id(g).purpose(p)
              .category(t.getEpochSecond() % 2 == 0 ? "contact" : "contact.email").grantedAt(t);
          r.ifPresent(b::recipient);
          if (t.getEpochSecond() % 3 == 0) {
            b.expiresAt(t.plusSeconds(60)).notice("privacy", 2);
          }
          return b.build();
        });
    Arbitrary<ConsentRecord> withdrawal = Combinators.combine(subject, purpose, recipient, at)
        .as((s, p, r, t) -> new Withdrawal(s, Purpose.of(p), r, t, Evidence.api()));
    Arbitrary<ConsentRecord> byId = Combinators.combine(subject, id, at)
        .as((s, g, t) -> new GrantWithdrawal(s, g, t, Evidence.api()));
    return Arbitraries.oneOf(grant, grant, withdrawal, byId).list().ofMaxSize(12);
  }

  @Property
  void everyLongIsItsOwnNumericKeyAndNoOtherSpellingIs(@ForAll long v) {
    assertEquals(Optional.of(v), ConsentState.subjectNumber(Long.toString(v)));
    if (v > 0) {
      assertEquals(Optional.empty(), ConsentState.subjectNumber("0" + v));
    }
    assertEquals(Optional.empty(), ConsentState.subjectNumber("+" + Math.abs(v)));
    assertEquals(Optional.empty(), ConsentState.subjectNumber(v + " "));
  }

  @Test
  void textSubjectsAndNonCanonicalNumbersHaveNoNumericKey() {
    assertEquals(Optional.empty(), ConsentState.subjectNumber("007"));
    assertEquals(Optional.empty(), ConsentState.subjectNumber("-0"));
    assertEquals(Optional.empty(), ConsentState.subjectNumber("9223372036854775808"));
    assertEquals(Optional.of(Long.MIN_VALUE), ConsentState.subjectNumber("-9223372036854775808"));
    assertEquals(Optional.empty(), ConsentState.subjectNumber("c-7"));
    assertEquals(Optional.empty(), ConsentState.subjectNumber("-"));
  }
}
