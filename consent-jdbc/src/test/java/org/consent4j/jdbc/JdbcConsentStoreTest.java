package org.consent4j.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.consent4j.CollectionMethod;
import org.consent4j.ConsentRecord;
import org.consent4j.ConsentStoreUnavailableException;
import org.consent4j.Evidence;
import org.consent4j.Grant;
import org.consent4j.GrantId;
import org.consent4j.LedgerEntry;
import org.consent4j.Notice;
import org.consent4j.Objection;
import org.consent4j.Purpose;
import org.consent4j.Recipient;
import org.consent4j.SubjectId;
import org.consent4j.Withdrawal;
import org.consent4j.jdbc.TestDatabases.Database;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

final class JdbcConsentStoreTest {
  static final SubjectId ALICE = SubjectId.of("c-1042");
  static final SubjectId BOB = SubjectId.of("c-2077");
  static final Instant T0 = Instant.parse("2026-03-01T09:00:00.123456789Z");

  static Grant fullGrant(SubjectId subject) {
    return Grant.builder(subject)
        .id(GrantId.of("g-" + subject.value()))
        .purpose("marketing.email").purpose("marketing.sms").purpose("analytics")
        .category("contact.email").category("contact.phone").category("profile")
        .recipient(Recipient.FIRST_PARTY).recipient("quizlab").recipient("mailer")
        .notice("privacy", 3)
        .grantedAt(T0)
        .expiresAt(T0.plusSeconds(86_400 * 365).plusNanos(1))
        .evidence(CollectionMethod.WEB_FORM, "form v7 — ünïcödé ✓ 𝄞 with trailing blank ")
        .build();
  }

  static Grant minimalGrant(SubjectId subject) {
    return Grant.of(subject, Purpose.of("marketing"), org.consent4j.DataCategory.of("contact"), T0.plusNanos(7));
  }

  private static LedgerEntry roundTrip(JdbcConsentStore store, ConsentRecord record, Instant recordedAt) {
    LedgerEntry appended = store.append(record, recordedAt);
    List<LedgerEntry> history = store.history(record.subject());
    assertEquals(List.of(appended), history);
    assertEquals(record, history.get(0).record());
    assertEquals(recordedAt, history.get(0).recordedAt());
    return appended;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void grantWithEveryOptionalFieldReadsBackEqual(Database db) {
    roundTrip(db.newStore(), fullGrant(ALICE), T0.plusNanos(999_999_999 - 123_456_789));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void grantWithoutOptionalFieldsReadsBackEqual(Database db) {
    Grant g = minimalGrant(ALICE);
    assertEquals(Optional.empty(), g.notice());
    assertEquals(Optional.empty(), g.expiresAt());
    roundTrip(db.newStore(), g, T0.plusNanos(8));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void instantsAtTheEdgesOfTheirRangeReadBackExactly(Database db) {
    JdbcConsentStore store = db.newStore();
    Grant ancient = Grant.builder(ALICE).purpose("marketing").category("contact")
        .grantedAt(Instant.MIN).expiresAt(Instant.MAX).build();
    Grant beforeEpoch = Grant.builder(BOB).purpose("marketing").category("contact")
        .grantedAt(Instant.parse("1969-12-31T23:59:59.000000001Z"))
        .expiresAt(Instant.parse("9999-12-31T23:59:59.999999999Z")).build();
    roundTrip(store, ancient, Instant.EPOCH);
    roundTrip(store, beforeEpoch, Instant.parse("2262-04-11T23:47:16.854775808Z"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void withdrawalsWithAndWithoutRecipientReadBackEqual(Database db) {
    JdbcConsentStore store = db.newStore();
    Withdrawal all = Withdrawal.of(ALICE, Purpose.of("marketing.email"), T0);
    Withdrawal one = new Withdrawal(ALICE, Purpose.of("marketing"), Optional.of(Recipient.of("quizlab")),
        T0.plusNanos(1), Evidence.of(CollectionMethod.PHONE, "call 2026-03-01/17"));
    LedgerEntry first = store.append(all, T0);
    LedgerEntry second = store.append(one, T0.plusNanos(2));
    assertEquals(List.of(first, second), store.history(ALICE));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void withdrawalsOfOneGrantReadBackEqualBetweenWithdrawalsOfPurposes(Database db) {
    JdbcConsentStore store = db.newStore();
    Grant g = fullGrant(ALICE);
    LedgerEntry granted = store.append(g, T0);
    LedgerEntry byPurpose = store.append(Withdrawal.of(ALICE, Purpose.of("marketing.sms"), T0), T0);
    LedgerEntry byId = store.append(new org.consent4j.GrantWithdrawal(ALICE, g.id(), T0.plusNanos(7),
        Evidence.of(CollectionMethod.WEB_FORM, "prefs")), T0.plusNanos(9));
    assertEquals(List.of(granted, byPurpose, byId), store.history(ALICE));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void aWithdrawalRowWithBothAPurposeAndAGrantIsNotBelieved(Database db) throws Exception {
    JdbcConsentStore store = db.newStore();
    Grant g = fullGrant(ALICE);
    store.append(g, T0);
    LedgerEntry w = store.append(Withdrawal.of(ALICE, Purpose.of("marketing"), T0), T0);
    try (java.sql.Connection c = db.dataSource().getConnection(); java.sql.Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO " + db.tablePrefix() + "grant_withdrawal (seq, subject_id, grant_id,"
          + " withdrawn_at_sec, withdrawn_at_nano, evidence_method, evidence_ref) VALUES (" + w.sequence() + ", '"
          + ALICE.value() + "', '" + g.id() + "', 0, 0, 'API', '')");
    }
    org.consent4j.ConsentStoreUnavailableException e =
        assertThrows(org.consent4j.ConsentStoreUnavailableException.class, () -> store.history(ALICE));
    assertTrue(e.getMessage().contains("ledger row " + w.sequence() + " is not a valid record"), e.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void objectionReadsBackEqual(Database db) {
    roundTrip(db.newStore(), new Objection(BOB, Purpose.of("fraud.scoring"), T0,
        Evidence.of(CollectionMethod.PAPER_FORM, "")), T0);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void sequenceGrowsStrictlyAcrossSubjectsAndKinds(Database db) {
    JdbcConsentStore store = db.newStore();
    List<ConsentRecord> records = List.of(fullGrant(ALICE), minimalGrant(BOB),
        Withdrawal.of(ALICE, Purpose.of("marketing"), T0), Objection.of(BOB, Purpose.of("fraud"), T0),
        minimalGrant(ALICE), Withdrawal.of(BOB, Purpose.of("marketing"), T0));
    long last = 0;
    List<LedgerEntry> aliceExpected = new ArrayList<>();
    for (ConsentRecord r : records) {
      LedgerEntry e = store.append(r, T0);
      assertTrue(e.sequence() > last, "sequence " + e.sequence() + " after " + last);
      last = e.sequence();
      if (r.subject().equals(ALICE)) {
        aliceExpected.add(e);
      }
    }
    assertEquals(aliceExpected, store.history(ALICE));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void subjectIdsMatchExactlyNotByCaseOrTrailingBlanks(Database db) {
    JdbcConsentStore store = db.newStore();
    SubjectId lower = SubjectId.of("abc");
    SubjectId upper = SubjectId.of("ABC");
    SubjectId padded = SubjectId.of("abc ");
    SubjectId accented = SubjectId.of("abç");
    for (SubjectId s : List.of(lower, upper, padded, accented)) {
      store.append(minimalGrant(s), T0);
    }
    for (SubjectId s : List.of(lower, upper, padded, accented)) {
      List<LedgerEntry> h = store.history(s);
      assertEquals(1, h.size(), "history of '" + s + "'");
      assertEquals(s, h.get(0).record().subject());
    }
    Map<SubjectId, List<LedgerEntry>> all = store.histories(List.of(lower, upper, padded, accented));
    all.forEach((s, h) -> assertEquals(List.of(s), h.stream().map(e -> e.record().subject()).toList()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void historiesOfTwoThousandSubjectsTakeFewQueriesAndListUnknownSubjectsAsEmpty(Database db) throws Exception {
    CountingDataSource counting = new CountingDataSource(db.dataSource());
    JdbcConsentStore store = JdbcConsentStore.builder(counting.dataSource()).tablePrefix(db.tablePrefix()).build();
    List<SubjectId> known = new ArrayList<>();
    Map<SubjectId, List<ConsentRecord>> expected = new java.util.HashMap<>();
    for (int i = 0; i < 300; i++) {
      SubjectId s = SubjectId.of("known-" + i);
      known.add(s);
      List<ConsentRecord> records = i % 3 == 0
          ? List.of(minimalGrant(s), Withdrawal.of(s, Purpose.of("marketing"), T0))
          : i % 3 == 1 ? List.of(fullGrant(s)) : List.of(Objection.of(s, Purpose.of("fraud"), T0));
      records.forEach(r -> store.append(r, T0));
      expected.put(s, records);
    }
    List<SubjectId> asked = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      asked.add(i % 2 == 0 && i / 2 < known.size() ? known.get(i / 2) : SubjectId.of("unknown-" + i));
    }
    asked.add(known.get(0)); // a duplicate is answered once

    counting.reset();
    Map<SubjectId, List<LedgerEntry>> histories = store.histories(asked);

    assertEquals(1, counting.connections.get(), "connections borrowed");
    int chunks = (2_000 + 499) / 500;
    assertTrue(counting.statements.get() <= 2 * chunks,
        "expected at most " + 2 * chunks + " queries for 2,000 subjects, took " + counting.statements.get());
    assertEquals(new HashSet<>(asked), histories.keySet());
    assertEquals(asked.subList(0, 2_000), new ArrayList<>(histories.keySet()), "in the order asked");
    for (SubjectId s : asked) {
      List<ConsentRecord> want = expected.getOrDefault(s, List.of());
      assertEquals(want, histories.get(s).stream().map(LedgerEntry::record).toList(), "history of " + s);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void emptyRequestNeedsNoConnection(Database db) {
    CountingDataSource counting = new CountingDataSource(db.dataSource());
    JdbcConsentStore store = JdbcConsentStore.builder(counting.dataSource()).tablePrefix(db.tablePrefix()).build();
    counting.reset();
    assertEquals(Map.of(), store.histories(List.of()));
    assertEquals(List.of(), store.history(ALICE));
    assertEquals(1, counting.connections.get());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void failedAppendLeavesNoRowBehindAndSaysWhatFailed(Database db) throws Exception {
    CountingDataSource counting = new CountingDataSource(db.dataSource());
    JdbcConsentStore store = JdbcConsentStore.builder(counting.dataSource()).tablePrefix(db.tablePrefix()).build();
    counting.failStatementsContaining("grant_recipient");

    ConsentStoreUnavailableException e = assertThrows(ConsentStoreUnavailableException.class,
        () -> store.append(fullGrant(ALICE), T0));

    assertTrue(e.getMessage().contains("append a grant for subject c-1042"), e.getMessage());
    assertTrue(e.getMessage().contains("nothing was recorded"), e.getMessage());
    assertTrue(e.getMessage().contains("53100"), e.getMessage());
    assertTrue(!e.getMessage().contains("form v7"), "no record content in the message");
    assertEquals(List.of(), store.history(ALICE));
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      for (String table : List.of("ledger", "grant", "grant_purpose", "grant_category")) {
        try (ResultSet r = s.executeQuery("SELECT COUNT(*) FROM " + db.tablePrefix() + table)) {
          r.next();
          assertEquals(0, r.getInt(1), "rows left in " + table);
        }
      }
    }
    counting.failStatementsContaining(null);
    LedgerEntry after = store.append(fullGrant(ALICE), T0);
    assertEquals(List.of(after), store.history(ALICE));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void unreachableDatabaseThrowsStoreUnavailableForEveryOperation(Database db) {
    CountingDataSource counting = new CountingDataSource(db.dataSource());
    JdbcConsentStore store = JdbcConsentStore.builder(counting.dataSource()).tablePrefix(db.tablePrefix()).build();
    counting.failConnections(true);
    ConsentStoreUnavailableException append = assertThrows(ConsentStoreUnavailableException.class,
        () -> store.append(minimalGrant(ALICE), T0));
    assertTrue(append.getMessage().startsWith("cannot reach the consent store"), append.getMessage());
    assertTrue(append.getMessage().contains("access is denied until the store answers"), append.getMessage());
    assertThrows(ConsentStoreUnavailableException.class, () -> store.history(ALICE));
    assertThrows(ConsentStoreUnavailableException.class, () -> store.histories(List.of(ALICE, BOB)));
    ConsentStoreUnavailableException create = assertThrows(ConsentStoreUnavailableException.class,
        () -> JdbcConsentStore.create(counting.dataSource()));
    assertTrue(create.getMessage().contains("cannot reach the database"), create.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void concurrentAppendsGetUniqueIncreasingSequencesAndAllReadBack(Database db) throws Exception {
    JdbcConsentStore store = db.newStore();
    int threads = 8;
    int perThread = 200;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<List<LedgerEntry>>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      futures.add(pool.submit(() -> {
        start.await();
        List<LedgerEntry> mine = new ArrayList<>();
        for (int i = 0; i < perThread; i++) {
          SubjectId s = SubjectId.of("s-" + (i % 25));
          ConsentRecord r = switch (i % 3) {
            case 0 -> Grant.builder(s).id(GrantId.of("g-" + thread + "-" + i)).purpose("marketing")
                .category("contact").grantedAt(T0).build();
            case 1 -> Withdrawal.of(s, Purpose.of("marketing"), T0.plusNanos(i));
            default -> Objection.of(s, Purpose.of("fraud"), T0.plusNanos(thread));
          };
          LedgerEntry e = store.append(r, T0.plusNanos(thread * 1000L + i));
          if (!mine.isEmpty()) {
            assertTrue(e.sequence() > mine.get(mine.size() - 1).sequence(), "one thread's appends increase");
          }
          mine.add(e);
        }
        return mine;
      }));
    }
    start.countDown();
    List<LedgerEntry> appended = new ArrayList<>();
    for (Future<List<LedgerEntry>> f : futures) {
      appended.addAll(f.get(120, TimeUnit.SECONDS));
    }
    pool.shutdown();

    Set<Long> seqs = new HashSet<>();
    appended.forEach(e -> seqs.add(e.sequence()));
    assertEquals(threads * perThread, seqs.size(), "unique sequence numbers");
    long min = seqs.stream().mapToLong(Long::longValue).min().orElseThrow();
    long max = seqs.stream().mapToLong(Long::longValue).max().orElseThrow();
    assertTrue(max - min < 2L * threads * perThread, "sequence numbers nearly contiguous: " + min + ".." + max);

    List<SubjectId> subjects = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      subjects.add(SubjectId.of("s-" + i));
    }
    Set<LedgerEntry> readBack = new HashSet<>();
    for (List<LedgerEntry> h : store.histories(subjects).values()) {
      for (int i = 1; i < h.size(); i++) {
        assertTrue(h.get(i).sequence() > h.get(i - 1).sequence(), "history in sequence order");
      }
      readBack.addAll(h);
    }
    assertEquals(new HashSet<>(appended), readBack);
  }
}
