package org.consent4j.jdbc.revocation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Stream;
import org.consent4j.AccessContext;
import org.consent4j.Catalog;
import org.consent4j.DataCategory;
import org.consent4j.Decision;
import org.consent4j.Grant;
import org.consent4j.LegalBasis;
import org.consent4j.Purpose;
import org.consent4j.SubjectId;
import org.consent4j.core.ConsentEngine;
import org.consent4j.jdbc.TestDatabases;
import org.consent4j.jdbc.TestDatabases.Database;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two engines (two application nodes) on one database, each with its own cache and change feed.
 * While threads read through both, grants are withdrawn through either; after the withdrawal's
 * commit plus the staleness bound no read on either node may return the subject's data.
 */
final class TwoNodeRevocationRaceTest {
  static final Catalog CATALOG = Catalog.builder()
      .purpose("marketing.email", LegalBasis.CONSENT)
      .categories("contact.email")
      .build();
  static final DataCategory EMAIL = DataCategory.of("contact.email");
  static final Purpose MARKETING = Purpose.of("marketing.email");
  static final AccessContext CAMPAIGN = AccessContext.of("campaign", "marketing.email");
  static final Duration STALENESS = Duration.ofSeconds(1);
  static final int SUBJECTS = 60;
  static final int MINIMUM_OPERATIONS = 10_000;

  static Stream<Arguments> setUps() {
    return Stream.of(
        Arguments.of(TestDatabases.postgres(), ConsentChangeFeed.Mode.AUTO),
        Arguments.of(TestDatabases.postgres(), ConsentChangeFeed.Mode.POLLING),
        Arguments.of(TestDatabases.mariadb(), ConsentChangeFeed.Mode.AUTO),
        Arguments.of(TestDatabases.h2(), ConsentChangeFeed.Mode.AUTO));
  }

  record Node(ConsentEngine engine, ConsentChangeFeed feed) implements AutoCloseable {
    @Override
    public void close() {
      feed.close();
      engine.close();
    }
  }

  static Node node(Database db, ConsentChangeFeed.Mode mode) {
    ConsentChangeFeed feed = ConsentChangeFeed.builder(db.dataSource()).tablePrefix(db.tablePrefix()).mode(mode)
        .pollInterval(Duration.ofMillis(100)).heartbeatInterval(Duration.ofMillis(100)).stalenessBound(STALENESS)
        .build();
    ConsentEngine engine = ConsentEngine.builder().catalog(CATALOG).store(db.newStore())
        .cacheTrustedWhile(feed::isFresh).build();
    feed.start(engine);
    return new Node(engine, feed);
  }

  static void awaitFresh(ConsentChangeFeed feed) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!feed.isFresh()) {
      assertTrue(System.nanoTime() < deadline, "the feed never became fresh: " + feed);
      Thread.sleep(10);
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("setUps")
  void noNodeServesAWithdrawnSubjectAfterCommitPlusStalenessBound(Database db, ConsentChangeFeed.Mode mode)
      throws Exception {
    db.dataSource(); // skips when the database is not configured
    try (Node a = node(db, mode); Node b = node(db, mode)) {
      awaitFresh(a.feed());
      awaitFresh(b.feed());
      List<SubjectId> subjects = new ArrayList<>();
      for (int i = 0; i < SUBJECTS; i++) {
        SubjectId s = SubjectId.of("race-" + i);
        subjects.add(s);
        a.engine().grant(Grant.builder(s).purpose(MARKETING).category(EMAIL));
      }
      // nanoTime after each withdrawal returned (its commit is before); MAX_VALUE while granted.
      AtomicLongArray withdrawnAt = new AtomicLongArray(SUBJECTS);
      for (int i = 0; i < SUBJECTS; i++) {
        withdrawnAt.set(i, Long.MAX_VALUE);
      }
      AtomicBoolean stop = new AtomicBoolean();
      ExecutorService pool = Executors.newFixedThreadPool(5);
      List<Future<long[]>> readers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        ConsentEngine engine = (t % 2 == 0 ? a : b).engine();
        readers.add(pool.submit(() -> read(engine, subjects, withdrawnAt, stop)));
      }
      Future<?> withdrawer = pool.submit(() -> {
        for (int i = 0; i < SUBJECTS; i++) {
          Thread.sleep(ThreadLocalRandom.current().nextInt(5, 40));
          (i % 2 == 0 ? a : b).engine().withdraw(subjects.get(i), MARKETING);
          withdrawnAt.set(i, System.nanoTime());
        }
        return null;
      });
      withdrawer.get();
      // Keep reading past the staleness bound of the last withdrawal, and to the minimum count.
      long until = System.nanoTime() + STALENESS.toNanos() + TimeUnit.MILLISECONDS.toNanos(300);
      long[] totals = new long[4];
      while (true) {
        Thread.sleep(50);
        if (System.nanoTime() > until) {
          break;
        }
      }
      stop.set(true);
      for (Future<long[]> r : readers) {
        long[] counts = r.get();
        for (int i = 0; i < totals.length; i++) {
          totals[i] += counts[i];
        }
      }
      pool.shutdown();
      long operations = totals[0];
      long violations = totals[1];
      long permitsBeforeWithdrawal = totals[2];
      long deniesAfterBound = totals[3];
      System.out.printf("%s %s: %d reads, %d permits before withdrawal, %d denies after commit+bound,"
          + " %d violations, %d changes seen by B%n", db, mode, operations, permitsBeforeWithdrawal, deniesAfterBound,
          violations, b.feed().changesSeen());
      assertTrue(operations >= MINIMUM_OPERATIONS, "only " + operations + " reads");
      assertTrue(permitsBeforeWithdrawal > 0 && deniesAfterBound > 0, "the race never exercised both outcomes");
      assertEquals(0, violations, "reads that returned a withdrawn subject's data after commit + staleness bound");
    }
  }

  /** Reads until stopped and at least its share of operations; returns {reads, violations, permits, late denies}. */
  private static long[] read(ConsentEngine engine, List<SubjectId> subjects, AtomicLongArray withdrawnAt,
      AtomicBoolean stop) {
    long reads = 0;
    long violations = 0;
    long permits = 0;
    long lateDenies = 0;
    long bound = STALENESS.toNanos();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    while (!stop.get() || reads < MINIMUM_OPERATIONS / 4) {
      int i = random.nextInt(subjects.size());
      long withdrawn = withdrawnAt.get(i);
      long start = System.nanoTime();
      Decision d = engine.check(subjects.get(i), CAMPAIGN, Set.of(EMAIL));
      reads++;
      boolean served = d.permits(EMAIL);
      boolean mustDeny = withdrawn != Long.MAX_VALUE && start - withdrawn > bound;
      if (served && mustDeny) {
        violations++;
      }
      if (served && withdrawn == Long.MAX_VALUE) {
        permits++;
      }
      if (!served && mustDeny) {
        lateDenies++;
      }
    }
    return new long[] {reads, violations, permits, lateDenies};
  }
}
