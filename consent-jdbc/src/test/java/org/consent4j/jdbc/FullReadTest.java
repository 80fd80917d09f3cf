package org.consent4j.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.consent4j.AccessContext;
import org.consent4j.ConsentRecord;
import org.consent4j.ConsentStoreUnavailableException;
import org.consent4j.DataCategory;
import org.consent4j.Evidence;
import org.consent4j.Grant;
import org.consent4j.GrantWithdrawal;
import org.consent4j.LedgerEntry;
import org.consent4j.Objection;
import org.consent4j.Purpose;
import org.consent4j.PurposeDefinition;
import org.consent4j.Recipient;
import org.consent4j.SubjectId;
import org.consent4j.Withdrawal;
import org.consent4j.core.ConsentIndex;
import org.consent4j.core.LedgerSource;
import org.consent4j.core.internal.ConsentRules;
import org.consent4j.spi.ConsentStore;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The full read a consent index loads from ({@link JdbcConsentStore#forEachLedger}): on
 * PostgreSQL in parallel ranges of subject ids on several connections with one snapshot, every
 * subject passed exactly once and whole, as {@code history} reads it, for ids whose byte order
 * differs from a collation's (case, accents, digits); a ledger row without its detail row, or a
 * detail row out of its ledger row's order, fails the load; and a write while the load runs is in
 * the loaded index.
 */
final class FullReadTest {
  static final Instant T0 = ConsentIndexLoadTest.T0;
  /** Byte order and a linguistic collation disagree on these: case, accents, digits, blanks. */
  static final List<String> IDS = List.of("a", "B", "b", "Ä", "ä", "é", "e", "E", "z", "Z", "9", "10", "100", "007",
      "2147483648", "x y", "x", "c-1", "C-1", "ß", "ss", "日本", "~", "!");

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void everySubjectIsPassedOnceAndWholeWhateverTheParallelism(TestDatabases.Database db) {
    JdbcConsentStore store = db.newStore();
    Random random = new Random(29);
    List<Grant> grants = new ArrayList<>();
    List<SubjectId> subjects = new ArrayList<>();
    for (String id : IDS) {
      subjects.add(SubjectId.of(id));
    }
    for (int i = 0; i < 150; i++) {
      subjects.add(SubjectId.of(i % 2 == 0 ? Integer.toString(i * 7919) : "s-" + i));
    }
    for (int i = 0; i < 500; i++) {
      store.append(record(random, subjects.get(random.nextInt(subjects.size())), grants), T0);
    }
    Map<SubjectId, List<LedgerEntry>> stored = new HashMap<>();
    store.histories(subjects).forEach((s, h) -> {
      if (!h.isEmpty()) {
        stored.put(s, h);
      }
    });
    assertTrue(stored.size() > 100, "subjects with a ledger: " + stored.size());
    for (int parallelism : new int[] {1, 2, 3, 5}) {
      Map<SubjectId, List<LedgerEntry>> streamed = new ConcurrentHashMap<>();
      Set<String> threads = ConcurrentHashMap.newKeySet();
      AtomicBoolean twice = new AtomicBoolean();
      store.forEachLedger(ledger -> {
        threads.add(Thread.currentThread().getName());
        if (streamed.putIfAbsent(ledger.get(0).record().subject(), ledger) != null) {
          twice.set(true);
        }
      }, parallelism);
      assertFalse(twice.get(), db + ": a subject passed twice with parallelism " + parallelism);
      assertEquals(stored, streamed, db + ": every ledger, record for record, with parallelism " + parallelism);
      if (db.name().equals("PostgreSQL") && parallelism > 1) {
        assertEquals(parallelism, threads.size(), "one reading thread per range: " + threads);
      } else {
        assertEquals(1, threads.size(), threads.toString());
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void aLedgerRowWithoutItsDetailRowFailsTheLoad(TestDatabases.Database db) throws SQLException {
    JdbcConsentStore store = db.newStore();
    for (String id : IDS) {
      store.append(Grant.builder(SubjectId.of(id)).grantedAt(T0).purpose("marketing").category("contact")
          .build(T0), T0);
    }
    LedgerEntry broken = store.append(Grant.builder(SubjectId.of("c-secret-42")).grantedAt(T0).purpose("research")
        .category("profile").build(T0), T0);
    String p = db.tablePrefix();
    try (Connection c = db.dataSource().getConnection()) {
      for (String t : List.of("grant_purpose", "grant_category", "grant_recipient", "grant_explicit", "grant")) {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM " + p + t + " WHERE seq = ?")) {
          s.setLong(1, broken.sequence());
          s.executeUpdate();
        }
      }
    }
    for (int parallelism : new int[] {1, 3}) {
      ConsentStoreUnavailableException e = assertThrows(ConsentStoreUnavailableException.class,
          () -> store.forEachLedger(ledger -> {}, parallelism));
      assertFalse(e.getMessage().contains("c-secret-42"), "no subject id in the message: " + e.getMessage());
      ConsentIndex index = new ConsentIndex(ConsentIndexLoadTest.CATALOG, store, Clock.fixed(T0, ZoneOffset.UTC),
          () -> true);
      assertThrows(ConsentStoreUnavailableException.class, index::load);
      assertFalse(index.isUsable(), "an index whose load failed is not used");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#postgresOnly")
  void aDetailRowOutOfItsLedgerRowsOrderFailsTheLoad(TestDatabases.Database db) throws SQLException {
    JdbcConsentStore store = db.newStore();
    LedgerEntry first = store.append(Grant.builder(SubjectId.of("a")).grantedAt(T0).purpose("marketing")
        .category("contact").build(T0), T0);
    for (String id : IDS) {
      store.append(new Withdrawal(SubjectId.of(id), Purpose.of("research"), Optional.empty(), T0, Evidence.api()), T0);
      store.append(Grant.builder(SubjectId.of(id)).grantedAt(T0).purpose("marketing").category("contact")
          .build(T0), T0);
    }
    store.forEachLedger(ledger -> {}, 3); // intact: reads
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement s = c.prepareStatement("UPDATE " + db.tablePrefix() + "grant SET subject_id = 'zzz' WHERE"
            + " seq = ?")) {
      s.setLong(1, first.sequence());
      assertEquals(1, s.executeUpdate());
    }
    for (int parallelism : new int[] {1, 3}) {
      assertThrows(ConsentStoreUnavailableException.class, () -> store.forEachLedger(ledger -> {}, parallelism),
          "parallelism " + parallelism);
    }
  }

  /**
   * A withdrawal appended (and refreshed into the index, as the engine does after its own writes
   * and as the change feed does for another node's) while the load streams, after the load's
   * snapshot was taken: the loaded index has it.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void aWriteDuringTheLoadIsInTheLoadedIndex(TestDatabases.Database db) {
    JdbcConsentStore store = db.newStore();
    List<SubjectId> subjects = new ArrayList<>();
    for (String id : IDS) {
      SubjectId s = SubjectId.of(id);
      subjects.add(s);
      store.append(Grant.builder(s).grantedAt(T0).purpose("marketing").category("contact").build(T0), T0);
    }
    SubjectId late = SubjectId.of("z");
    ConsentIndex[] index = new ConsentIndex[1];
    AtomicBoolean written = new AtomicBoolean();
    ConsentStore racing = new Racing(store, ledger -> {
      if (written.compareAndSet(false, true)) {
        store.append(new Withdrawal(late, Purpose.of("marketing"), Optional.empty(), T0.plusSeconds(1),
            Evidence.api()), T0.plusSeconds(1));
        index[0].refresh(late);
      }
    });
    index[0] = new ConsentIndex(ConsentIndexLoadTest.CATALOG, racing, Clock.fixed(T0.plusSeconds(2),
        ZoneOffset.UTC), () -> true);
    index[0].load();
    assertTrue(written.get());
    assertTrue(index[0].isUsable());
    PurposeDefinition marketing = ConsentIndexLoadTest.CATALOG.purpose(Purpose.of("marketing"));
    AccessContext ctx = AccessContext.of("load-test", "marketing");
    TreeSet<DataCategory> asked = new TreeSet<>(Set.of(DataCategory.of("contact")));
    Instant at = T0.plusSeconds(2);
    for (SubjectId s : subjects) {
      assertEquals(ConsentRules.decide(s, ConsentIndexLoadTest.CATALOG, marketing, ctx, store.history(s), asked, at),
          index[0].decide(s, marketing, ctx, asked, at).orElseThrow(), db + " subject " + s);
    }
    assertFalse(index[0].decide(late, marketing, ctx, asked, at).orElseThrow().subjectPermitted(),
        "the withdrawal written during the load is in the index");
  }

  /**
   * PostgreSQL: a lock request on a ledger table that arrives while a parallel load's first
   * connection holds its locks, and before the range connections have theirs (here an {@code
   * ACCESS EXCLUSIVE} lock, as any {@code ALTER TABLE} or {@code DROP TABLE} takes), queues the
   * range connections behind it, while the first connection waits for them in Java: the database
   * sees no deadlock. The load must not wait for ever; it reads on its first connection, and the
   * lock is granted when it is done.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#postgresOnly")
  void aLockQueuedBehindAParallelLoadDoesNotHangIt(TestDatabases.Database db) throws Exception {
    JdbcConsentStore setUp = db.newStore();
    Random random = new Random(31);
    List<Grant> grants = new ArrayList<>();
    List<SubjectId> subjects = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      subjects.add(SubjectId.of(Integer.toString(i * 7919)));
    }
    for (int i = 0; i < 500; i++) {
      setUp.append(record(random, subjects.get(random.nextInt(subjects.size())), grants), T0);
    }
    Map<SubjectId, List<LedgerEntry>> stored = new HashMap<>();
    setUp.histories(subjects).forEach((s, h) -> {
      if (!h.isEmpty()) {
        stored.put(s, h);
      }
    });
    String ledger = db.tablePrefix() + "ledger";
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    java.util.concurrent.atomic.AtomicInteger borrowed = new java.util.concurrent.atomic.AtomicInteger();
    AtomicBoolean loading = new AtomicBoolean();
    java.util.concurrent.CompletableFuture<Void> locker = new java.util.concurrent.CompletableFuture<>();
    javax.sql.DataSource raw = db.dataSource();
    javax.sql.DataSource queuing = (javax.sql.DataSource) java.lang.reflect.Proxy.newProxyInstance(
        getClass().getClassLoader(), new Class<?>[] {javax.sql.DataSource.class}, (p, m, args) -> {
          Object result = m.invoke(raw, args);
          if (m.getName().equals("getConnection") && loading.get() && borrowed.incrementAndGet() == 2) {
            // the first range connection: another session asks for an exclusive lock first
            pool.submit(() -> {
              try (Connection c = raw.getConnection()) {
                c.setAutoCommit(false);
                try (java.sql.Statement st = c.createStatement()) {
                  st.execute("LOCK TABLE " + ledger + " IN ACCESS EXCLUSIVE MODE");
                }
                c.commit();
                c.setAutoCommit(true);
                locker.complete(null);
              } catch (Throwable e) {
                locker.completeExceptionally(e);
              }
            });
            awaitLockWait(raw);
          }
          return result;
        });
    JdbcConsentStore store = JdbcConsentStore.builder(queuing).tablePrefix(db.tablePrefix()).build();
    Map<SubjectId, List<LedgerEntry>> streamed = new ConcurrentHashMap<>();
    Set<String> threads = ConcurrentHashMap.newKeySet();
    loading.set(true); // the load's first connection is its first; the second is its first range's
    java.util.concurrent.Future<?> load = pool.submit(() -> store.forEachLedger(l -> {
      threads.add(Thread.currentThread().getName());
      streamed.put(l.get(0).record().subject(), l);
    }, 3));
    try {
      load.get(60, java.util.concurrent.TimeUnit.SECONDS);
      locker.get(30, java.util.concurrent.TimeUnit.SECONDS);
    } finally {
      // on a hang, end the waiting sessions so that the tables can be dropped
      if (!load.isDone() || !locker.isDone()) {
        try (Connection c = raw.getConnection(); java.sql.Statement st = c.createStatement()) {
          st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
              + " AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'");
        }
      }
      pool.shutdownNow();
    }
    assertTrue(borrowed.get() >= 2, "the load asked for range connections: " + borrowed.get());
    assertEquals(stored, streamed, "every ledger, read on the first connection");
    assertEquals(1, threads.size(), "read on one connection: " + threads);
  }

  /** Waits until a session of this database waits for a lock. */
  private static void awaitLockWait(javax.sql.DataSource raw) throws Exception {
    try (Connection c = raw.getConnection(); PreparedStatement s = c.prepareStatement("SELECT count(*) FROM"
        + " pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")) {
      for (int i = 0; i < 400; i++) {
        try (java.sql.ResultSet r = s.executeQuery()) {
          r.next();
          if (r.getInt(1) > 0) {
            return;
          }
        }
        Thread.sleep(25);
      }
    }
    throw new AssertionError("the exclusive lock request did not start waiting");
  }

  private static ConsentRecord record(Random random, SubjectId subject, List<Grant> grants) {
    int kind = random.nextInt(10);
    if (kind < 6) {
      Grant.Builder b = Grant.builder(subject).grantedAt(T0.minusSeconds(random.nextInt(100)))
          .purpose(pick(random, ConsentIndexLoadTest.PURPOSES)).category(pick(random, ConsentIndexLoadTest.CATEGORIES));
      if (random.nextBoolean()) {
        b.purpose(pick(random, ConsentIndexLoadTest.PURPOSES)).category(pick(random, ConsentIndexLoadTest.CATEGORIES));
      }
      if (random.nextInt(3) == 0) {
        b.recipient(pick(random, ConsentIndexLoadTest.RECIPIENTS));
      }
      if (random.nextInt(4) == 0) {
        b.explicit();
      }
      if (random.nextInt(4) == 0) {
        b.explicitTransfer();
      }
      if (random.nextInt(5) == 0) {
        b.expiresAt(T0.plusSeconds(1 + random.nextInt(100)));
      }
      Grant g = b.build(T0);
      grants.add(g);
      return g;
    }
    if (kind < 8) {
      return new Withdrawal(subject, Purpose.of(pick(random, ConsentIndexLoadTest.PURPOSES)),
          random.nextBoolean() ? Optional.empty() : Optional.of(Recipient.of("quizlab")), T0.minusSeconds(1),
          Evidence.api());
    }
    if (kind == 8 && !grants.isEmpty()) {
      Grant g = grants.get(random.nextInt(grants.size()));
      return new GrantWithdrawal(g.subject(), g.id(), T0, Evidence.api());
    }
    return new Objection(subject, Purpose.of("fraud"), T0.minusSeconds(5), Evidence.api());
  }

  private static String pick(Random random, List<String> values) {
    return values.get(random.nextInt(values.size()));
  }

  /** The store, whose full read calls {@code during} before passing each ledger. */
  private static final class Racing implements ConsentStore, LedgerSource {
    private final JdbcConsentStore store;
    private final Consumer<List<LedgerEntry>> during;

    Racing(JdbcConsentStore store, Consumer<List<LedgerEntry>> during) {
      this.store = store;
      this.during = during;
    }

    @Override
    public void forEachLedger(Consumer<List<LedgerEntry>> sink) {
      forEachLedger(sink, 1);
    }

    @Override
    public void forEachLedger(Consumer<List<LedgerEntry>> sink, int parallelism) {
      store.forEachLedger(ledger -> {
        during.accept(ledger);
        sink.accept(ledger);
      }, parallelism);
    }

    @Override
    public LedgerEntry append(ConsentRecord record, Instant recordedAt) {
      return store.append(record, recordedAt);
    }

    @Override
    public List<LedgerEntry> history(SubjectId subject) {
      return store.history(subject);
    }

    @Override
    public Map<SubjectId, List<LedgerEntry>> histories(Collection<SubjectId> subjects) {
      return store.histories(subjects);
    }
  }
}
