package org.consent4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.consent4j.AccessContext;
import org.consent4j.Catalog;
import org.consent4j.ConsentRecord;
import org.consent4j.ConsentStoreUnavailableException;
import org.consent4j.DataCategory;
import org.consent4j.Decision;
import org.consent4j.Grant;
import org.consent4j.LedgerEntry;
import org.consent4j.LegalBasis;
import org.consent4j.Purpose;
import org.consent4j.Reason;
import org.consent4j.SubjectId;
import org.consent4j.spi.ConsentStore;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** The engine with its consent index: served from memory, current after its own writes, and never used when it may be stale. */
final class ConsentIndexEngineTest {
  private static final Catalog CATALOG = Catalog.builder()
      .purpose("marketing", LegalBasis.CONSENT).category("contact.email").build();
  private static final Purpose MARKETING = Purpose.of("marketing");
  private static final Set<DataCategory> EMAIL = Set.of(DataCategory.of("contact.email"));
  private static final AccessContext CTX = AccessContext.of("reader", MARKETING);

  /** Counts reads, and fails them on demand: proves when decisions read the store. */
  static final class CountingStore implements ConsentStore, LedgerSource {
    final InMemoryConsentStore delegate;
    final AtomicLong reads = new AtomicLong();
    volatile boolean down;

    CountingStore(InMemoryConsentStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public LedgerEntry append(ConsentRecord record, Instant recordedAt) {
      return delegate.append(record, recordedAt);
    }

    @Override
    public List<LedgerEntry> history(SubjectId subject) {
      return histories(List.of(subject)).get(subject);
    }

    @Override
    public Map<SubjectId, List<LedgerEntry>> histories(Collection<SubjectId> subjects) {
      reads.incrementAndGet();
      if (down) {
        throw new ConsentStoreUnavailableException("test store is down", null);
      }
      return delegate.histories(subjects);
    }

    @Override
    public void forEachLedger(java.util.function.Consumer<List<LedgerEntry>> sink) {
      reads.incrementAndGet();
      if (down) {
        throw new ConsentStoreUnavailableException("test store is down", null);
      }
      delegate.forEachLedger(sink);
    }
  }

  /** Runs {@code body} with the system property {@link ConsentEngine#CONSENT_INDEX_PROPERTY} set (null: unset), then restores it. */
  static void withIndexProperty(String value, Runnable body) {
    String before = System.getProperty(ConsentEngine.CONSENT_INDEX_PROPERTY);
    try {
      if (value == null) {
        System.clearProperty(ConsentEngine.CONSENT_INDEX_PROPERTY);
      } else {
        System.setProperty(ConsentEngine.CONSENT_INDEX_PROPERTY, value);
      }
      body.run();
    } finally {
      if (before == null) {
        System.clearProperty(ConsentEngine.CONSENT_INDEX_PROPERTY);
      } else {
        System.setProperty(ConsentEngine.CONSENT_INDEX_PROPERTY, before);
      }
    }
  }

  @Test
  void theEnginesOwnStoreIsIndexedAndAStoreGivenWithoutAFeedIsNot() {
    // The default itself, whatever the suite runs with (-Dconsent4j.consentIndex=on or off).
    withIndexProperty(null, this::defaults);
    withIndexProperty(" Auto ", this::defaults);
  }

  private void defaults() {
    assertTrue(ConsentEngine.builder().catalog(CATALOG).build().consentIndex().isPresent());
    assertFalse(ConsentEngine.builder().catalog(CATALOG).store(new InMemoryConsentStore()).build()
        .consentIndex().isPresent(), "another engine may share the store: not safe without a change feed");
    assertTrue(ConsentEngine.builder().catalog(CATALOG).store(new InMemoryConsentStore()).cacheTrustedWhile(() -> true)
        .build().consentIndex().isPresent());
    assertFalse(ConsentEngine.builder().catalog(CATALOG).consentIndex(false).build().consentIndex().isPresent());
  }

  @Test
  void theSystemPropertyTurnsTheIndexOnOrOffWhereNoBuilderCallSaysOtherwise() {
    withIndexProperty("on", () -> {
      assertTrue(ConsentEngine.builder().catalog(CATALOG).store(new InMemoryConsentStore()).build()
          .consentIndex().isPresent(), "on: every store that lists its ledgers");
      assertFalse(ConsentEngine.builder().catalog(CATALOG).store(new ConsentEngineConcurrencyTest.SlowReads())
          .build().consentIndex().isPresent(), "on: a store that cannot list its ledgers keeps the engine unindexed");
      assertFalse(ConsentEngine.builder().catalog(CATALOG).consentIndex(false).build().consentIndex().isPresent(),
          "the builder's own choice wins");
    });
    withIndexProperty("OFF", () -> {
      assertFalse(ConsentEngine.builder().catalog(CATALOG).build().consentIndex().isPresent());
      assertFalse(ConsentEngine.builder().catalog(CATALOG).store(new InMemoryConsentStore())
          .cacheTrustedWhile(() -> true).build().consentIndex().isPresent());
      assertTrue(ConsentEngine.builder().catalog(CATALOG).consentIndex(true).build().consentIndex().isPresent(),
          "the builder's own choice wins");
    });
    withIndexProperty("sometimes", () -> {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> ConsentEngine.builder().catalog(CATALOG).build());
      assertEquals("system property consent4j.consentIndex is 'sometimes'; it must be auto, on or off", e.getMessage());
    });
  }

  /**
   * More consent classes than a decider keeps in a direct array ({@link ConsentIndex#DIRECT_CLASSES}):
   * each subject grants its own subset of ten categories, so 600 subjects make 600 classes; a
   * decider answers each, asked in a shuffled order and again from what it kept, as decideAll does,
   * and after a withdrawal moved subjects to another class.
   */
  @Test
  void aDeciderOverMoreClassesThanItsDirectArrayAnswersAsDecideAll() {
    Catalog.Builder b = Catalog.builder().purpose("marketing", LegalBasis.CONSENT);
    List<DataCategory> categories = new ArrayList<>();
    for (int c = 0; c < 10; c++) {
      b.category("contact.c" + c);
      categories.add(DataCategory.of("contact.c" + c));
    }
    Catalog catalog = b.build();
    ConsentEngine engine = ConsentEngine.builder().catalog(catalog).consentIndex(true).build();
    List<SubjectId> subjects = new ArrayList<>();
    for (int i = 1; i <= 600; i++) {
      SubjectId s = SubjectId.of(i);
      subjects.add(s);
      Grant.Builder g = Grant.builder(s).purpose(MARKETING);
      for (int c = 0; c < 10; c++) {
        if ((i >> c & 1) != 0) {
          g.category(categories.get(c).name());
        }
      }
      engine.grant(g);
    }
    SubjectId withdrawn = SubjectId.of(77);
    engine.withdraw(withdrawn, MARKETING);
    Set<DataCategory> asked = Set.copyOf(categories);
    Instant at = engine.clock().instant();
    Map<SubjectId, Decision> expected = engine.decideAll(subjects, CTX, asked, at);
    ConsentIndex.Decider d = engine.decider(CTX, asked, at).orElseThrow();
    java.util.Collections.shuffle(subjects, new java.util.Random(5));
    for (int round = 0; round < 2; round++) {
      for (SubjectId s : subjects) {
        long bits = d.permissions(Long.parseLong(s.value()));
        Decision e = expected.get(s);
        assertEquals(e.subjectPermitted(), (bits & ConsentIndex.Decider.SUBJECT) != 0, s + " round " + round);
        for (DataCategory c : categories) {
          assertEquals(e.permits(c), (bits & d.category(c)) != 0, s + " " + c + " round " + round);
        }
      }
    }
    assertTrue(engine.consentIndex().orElseThrow().stats().classes() > ConsentIndex.DIRECT_CLASSES,
        "more classes than the direct array: " + engine.consentIndex().orElseThrow().stats().classes());
    assertEquals(0, d.permissions(77), "the withdrawn subject");
  }

  @Test
  void anIndexNeedsAStoreThatListsItsLedgers() {
    ConsentStore plain = new ConsentEngineConcurrencyTest.SlowReads();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ConsentEngine.builder().catalog(CATALOG).store(plain).consentIndex(true).build());
    assertTrue(e.getMessage().contains("LedgerSource"), e.getMessage());
  }

  @Test
  void checksAreServedFromTheIndexWithoutReadingTheStore() {
    InMemoryConsentStore data = new InMemoryConsentStore();
    for (int i = 0; i < 50; i++) {
      data.append(Grant.builder(SubjectId.of(i)).purpose(MARKETING).category("contact.email")
          .grantedAt(Instant.parse("2026-01-01T00:00:00Z")).build(Instant.parse("2026-01-01T00:00:00Z")),
          Instant.parse("2026-01-01T00:00:00Z"));
    }
    CountingStore store = new CountingStore(data);
    ConsentEngine engine = ConsentEngine.builder().catalog(CATALOG).store(store).consentIndex(true)
        .cacheMaximumSize(0).build();
    awaitUsable(engine);
    long before = store.reads.get();
    List<SubjectId> asked = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      asked.add(SubjectId.of(i));
      assertEquals(i < 50, engine.check(SubjectId.of(i), CTX, EMAIL).subjectPermitted());
    }
    assertEquals(50, engine.decideAll(asked, CTX, EMAIL, Instant.now()).values().stream()
        .filter(d -> d.subjectPermitted()).count());
    assertEquals(before, store.reads.get(), "no store read for 60 checks and a batch of 60 subjects");
    // a write through the engine reads the subject once, to index it before returning
    engine.withdraw(SubjectId.of(7), MARKETING);
    assertEquals(before + 1, store.reads.get());
    assertEquals(Reason.GRANT_WITHDRAWN, engine.check(SubjectId.of(7), CTX, EMAIL).subjectReason());
    assertEquals(before + 1, store.reads.get());
  }

  @Test
  void aDeciderReadsNoStoreForIndexedSubjectsAndFailsClosedForAStaleOne() {
    InMemoryConsentStore data = new InMemoryConsentStore();
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    for (int i = 0; i < 50; i++) {
      data.append(Grant.builder(SubjectId.of(i)).purpose(MARKETING).category("contact.email")
          .grantedAt(t0).build(t0), t0);
    }
    CountingStore store = new CountingStore(data);
    ConsentEngine engine = ConsentEngine.builder().catalog(CATALOG).store(store).consentIndex(true)
        .cacheMaximumSize(0).build();
    awaitUsable(engine);
    long before = store.reads.get();
    ConsentIndex.Decider d = engine.decider(CTX, EMAIL, Instant.now()).orElseThrow();
    long both = ConsentIndex.Decider.SUBJECT | d.category(DataCategory.of("contact.email"));
    for (int i = 0; i < 60; i++) {
      assertEquals(i < 50 ? both : 0, d.permissions(i), "subject " + i);
      assertEquals(i < 50 ? both : 0, d.permissions(SubjectId.of(i)), "subject " + i + " by id");
    }
    assertEquals(0, d.permissions(SubjectId.of("no-such-text-id")));
    assertEquals(before, store.reads.get(), "no store read for the indexed subjects");
    // subject 7's refresh fails (the store is down when another node's withdrawal is reported)
    store.delegate.append(org.consent4j.Withdrawal.of(SubjectId.of(7), MARKETING, Instant.now()), Instant.now());
    store.down = true;
    engine.invalidateCache(SubjectId.of(7));
    assertThrows(ConsentStoreUnavailableException.class, () -> d.permissions(7),
        "a stale subject is decided by the store, which fails: closed, as decideAll");
    assertEquals(both, d.permissions(8), "the other subjects are still answered from the index");
    store.down = false;
    assertEquals(0, d.permissions(7), "the store says withdrawn");
    assertThrows(IllegalArgumentException.class, () -> d.category(DataCategory.of("contact.phone")));
  }

  @Test
  void noDeciderWithoutAUsableIndexOrForAPurposeThatReadsNoLedger() {
    Catalog catalog = Catalog.builder().purpose("marketing", LegalBasis.CONSENT)
        .purpose("billing", LegalBasis.CONTRACT, "contact.email").category("contact.email").build();
    ConsentEngine off = ConsentEngine.builder().catalog(catalog).consentIndex(false).build();
    assertTrue(off.decider(CTX, EMAIL, Instant.now()).isEmpty(), "no index");
    ConsentEngine on = ConsentEngine.builder().catalog(catalog).consentIndex(true).build();
    assertTrue(on.decider(CTX, EMAIL, Instant.now()).isPresent());
    assertTrue(on.decider(AccessContext.of("reader", "billing"), EMAIL, Instant.now()).isEmpty(),
        "a contract purpose's decisions read no ledger");
    on.consentIndex().orElseThrow().close();
    assertTrue(on.decider(CTX, EMAIL, Instant.now()).isEmpty(), "a closed index is not usable");
    assertThrows(org.consent4j.UndeclaredException.class,
        () -> on.decider(CTX, Set.of(DataCategory.of("contact.phone")), Instant.now()));
  }

  @Test
  void aSubjectWhoseRefreshFailedIsDecidedFromTheStore() {
    CountingStore store = new CountingStore(new InMemoryConsentStore());
    ConsentEngine engine = ConsentEngine.builder().catalog(CATALOG).store(store).consentIndex(true)
        .cacheMaximumSize(0).build();
    awaitUsable(engine);
    SubjectId s = SubjectId.of("x-1");
    engine.grant(Grant.builder(s).purpose(MARKETING).category("contact.email"));
    assertTrue(engine.check(s, CTX, EMAIL).subjectPermitted());
    // another node withdrew; the feed's notice reaches this node while the store is down
    store.delegate.append(org.consent4j.Withdrawal.of(s, MARKETING, Instant.now()), Instant.now());
    store.down = true;
    engine.invalidateCache(s);
    assertEquals(1, engine.consentIndex().orElseThrow().stats().staleSubjects());
    assertThrows(ConsentStoreUnavailableException.class, () -> engine.check(s, CTX, EMAIL),
        "a stale subject is not answered from memory: the store is asked, and fails closed");
    store.down = false;
    assertEquals(Reason.GRANT_WITHDRAWN, engine.check(s, CTX, EMAIL).subjectReason());
  }

  /**
   * Two engines on one store, as two nodes: the second learns of the first's writes through
   * {@code invalidateCache(subject)} (what a change feed calls). While its feed is not fresh,
   * decisions read the store; when fresh again, the index reloads before it answers again.
   */
  @Test
  void anIndexThatMayBeStaleIsNotUsedUntilItHasReloaded() throws Exception {
    InMemoryConsentStore shared = new InMemoryConsentStore();
    CountingStore counting = new CountingStore(shared);
    ConsentEngine nodeA = ConsentEngine.builder().catalog(CATALOG).store(shared).build();
    AtomicBoolean fresh = new AtomicBoolean(true);
    ConsentEngine nodeB = ConsentEngine.builder().catalog(CATALOG).store(counting).cacheTrustedWhile(fresh::get)
        .cacheMaximumSize(0).consentIndex(true).build();
    awaitUsable(nodeB);
    ConsentIndex index = nodeB.consentIndex().orElseThrow();
    SubjectId s = SubjectId.of(5);
    nodeA.grant(Grant.builder(s).purpose(MARKETING).category("contact.email"));
    assertFalse(nodeB.check(s, CTX, EMAIL).subjectPermitted(), "not yet heard of: the index answers from memory");
    nodeB.invalidateCache(s); // the feed's changed(subject)
    assertTrue(nodeB.check(s, CTX, EMAIL).subjectPermitted());

    fresh.set(false); // beyond the staleness bound, or a gap
    nodeA.withdraw(s, MARKETING);
    long reads = counting.reads.get();
    assertFalse(nodeB.check(s, CTX, EMAIL).subjectPermitted(), "a stale index is not used: the store is read");
    assertTrue(counting.reads.get() > reads);
    assertFalse(index.isUsable());

    counting.down = true; // the reload cannot finish yet
    fresh.set(true);
    assertFalse(index.isUsable(), "fresh again, but the index may have missed changes: it reloads first");
    assertThrows(ConsentStoreUnavailableException.class, () -> nodeB.check(s, CTX, EMAIL));
    counting.down = false;
    awaitUsable(nodeB);
    long after = counting.reads.get();
    assertEquals(Reason.GRANT_WITHDRAWN, nodeB.check(s, CTX, EMAIL).subjectReason(), "the reload saw the withdrawal");
    assertEquals(after, counting.reads.get(), "and answers from memory again");
    nodeB.close();
  }

  static void awaitUsable(ConsentEngine engine) {
    ConsentIndex index = engine.consentIndex().orElseThrow();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!index.isUsable()) {
      assertTrue(System.nanoTime() < deadline, "the index did not become usable");
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  /**
   * Readers check (one by one and in batches) while one thread withdraws and another grants to
   * other subjects (moving subjects between consent classes): no check that started after
   * {@code withdraw} returned may permit, and the index answered throughout.
   */
  @RepeatedTest(10)
  void noDecisionFromTheIndexPermitsAfterWithdrawReturns() throws Exception {
    ConsentEngine engine = ConsentEngine.builder().catalog(CATALOG).cacheMaximumSize(0).consentIndex(true).build();
    int n = 64;
    List<SubjectId> subjects = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      SubjectId s = i % 2 == 0 ? SubjectId.of(i) : SubjectId.of("t-" + i);
      subjects.add(s);
      engine.grant(Grant.builder(s).purpose(MARKETING).category("contact.email"));
    }
    ConsentIndex index = engine.consentIndex().orElseThrow();
    assertTrue(index.isUsable());
    int readers = 3;
    ExecutorService pool = Executors.newFixedThreadPool(readers + 1);
    AtomicBoolean[] withdrawn = new AtomicBoolean[n];
    for (int i = 0; i < n; i++) {
      withdrawn[i] = new AtomicBoolean();
    }
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong violations = new AtomicLong();
    AtomicLong checksAfter = new AtomicLong();
    AtomicInteger granted = new AtomicInteger();
    CountDownLatch started = new CountDownLatch(readers + 1);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int r = 0; r < readers; r++) {
        boolean batch = r % 2 == 0;
        futures.add(pool.submit(() -> {
          started.countDown();
          while (!stop.get()) {
            for (int i = 0; i < n; i++) {
              boolean after = withdrawn[i].get();
              SubjectId s = subjects.get(i);
              boolean permitted = batch
                  ? engine.decideAll(subjects.subList(i, Math.min(n, i + 8)), CTX, EMAIL, engine.clock().instant())
                      .get(s).subjectPermitted()
                  : engine.check(s, CTX, EMAIL).subjectPermitted();
              if (after) {
                checksAfter.incrementAndGet();
                if (permitted) {
                  violations.incrementAndGet();
                }
              }
            }
          }
          return null;
        }));
      }
      futures.add(pool.submit(() -> {
        started.countDown();
        for (int i = 0; !stop.get(); i++) {
          engine.grant(Grant.builder(SubjectId.of("other-" + (i % 200))).purpose(MARKETING).category("contact.email"));
          granted.incrementAndGet();
        }
        return null;
      }));
      started.await();
      for (int i = 0; i < n; i++) {
        Thread.sleep(1);
        engine.withdraw(subjects.get(i), MARKETING);
        withdrawn[i].set(true);
      }
      Thread.sleep(20);
      stop.set(true);
      for (Future<?> f : futures) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertTrue(checksAfter.get() > 0, "the readers must have checked after the withdrawals");
    assertTrue(granted.get() > 0, "grants raced with the checks");
    assertTrue(index.isUsable(), "the index stayed in use");
    assertEquals(0, violations.get(), "decisions that started after withdraw returned and still permitted");
    assertEquals(n + Math.min(200, granted.get()), index.stats().subjects());
  }
}
