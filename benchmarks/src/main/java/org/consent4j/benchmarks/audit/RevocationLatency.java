package org.consent4j.benchmarks.audit;

import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.consent4j.AccessContext;
import org.consent4j.Catalog;
import org.consent4j.DataCategory;
import org.consent4j.Grant;
import org.consent4j.LegalBasis;
import org.consent4j.Purpose;
import org.consent4j.SubjectId;
import org.consent4j.core.ConsentEngine;
import org.consent4j.jdbc.JdbcConsentStore;
import org.consent4j.jdbc.revocation.ConsentChangeFeed;

/**
 * Two engines (two nodes) in one JVM on one database, each with its own connection pool, store
 * and change feed. Per trial: engine B has a subject's grant cached; engine A withdraws it; the
 * time from A's {@code withdraw} returning (the withdrawal is committed) until B first denies.
 *
 * <p>Arguments: [JDBC URL] [trials] (defaults: $CONSENT4J_POSTGRES_URL, 300).
 */
public final class RevocationLatency {
  static final Catalog CATALOG = Catalog.builder().purpose("marketing.email", LegalBasis.CONSENT)
      .categories("contact.email").build();
  static final DataCategory EMAIL = DataCategory.of("contact.email");
  static final Purpose MARKETING = Purpose.of("marketing.email");
  static final AccessContext CAMPAIGN = AccessContext.of("campaign", "marketing.email");

  private RevocationLatency() {}

  public static void main(String[] args) throws Exception {
    int trials = args.length > 1 ? Integer.parseInt(args[1]) : 300;
    try (BenchDatabase db = new BenchDatabase(args)) {
      System.out.println("database: " + BenchDatabase.product(db.url) + ", trials per setting: " + trials);
      if (db.url.startsWith("jdbc:postgresql:")) {
        measure(db, ConsentChangeFeed.Mode.AUTO, Duration.ofMillis(500), trials, "LISTEN/NOTIFY");
      }
      measure(db, ConsentChangeFeed.Mode.POLLING, Duration.ofMillis(100), trials, "polling every 100 ms");
      measure(db, ConsentChangeFeed.Mode.POLLING, Duration.ofMillis(500), Math.max(50, trials / 3),
          "polling every 500 ms");
    }
  }

  static void measure(BenchDatabase db, ConsentChangeFeed.Mode mode, Duration pollInterval, int trials, String label)
      throws Exception {
    DataSource dsA = db.pool(4);
    DataSource dsB = db.pool(4);
    ConsentEngine a = ConsentEngine.builder().catalog(CATALOG)
        .store(JdbcConsentStore.builder(dsA).tablePrefix(db.prefix).build()).build();
    ConsentChangeFeed feed = ConsentChangeFeed.builder(dsB).tablePrefix(db.prefix).mode(mode)
        .pollInterval(pollInterval).stalenessBound(pollInterval.multipliedBy(4).plusSeconds(1)).build();
    ConsentEngine b = ConsentEngine.builder().catalog(CATALOG)
        .store(JdbcConsentStore.builder(dsB).tablePrefix(db.prefix).build())
        .cacheTrustedWhile(feed::isFresh).build();
    feed.start(b);
    while (!feed.isFresh()) {
      Thread.sleep(10);
    }
    // B's consent index (on by default with a change feed): measure once it serves B's checks
    while (b.consentIndex().isPresent() && !b.consentIndex().get().isUsable()) {
      Thread.sleep(10);
    }
    long[] nanos = new long[trials];
    for (int t = 0; t < trials; t++) {
      SubjectId s = SubjectId.of(label.replace(' ', '_') + "-" + t);
      a.grant(Grant.builder(s).purpose(MARKETING).category(EMAIL));
      // B must have the grant cached: the withdrawal then has to reach B's cache.
      while (!b.check(s, CAMPAIGN, Set.of(EMAIL)).permits(EMAIL)) {
        LockSupport.parkNanos(100_000);
      }
      b.check(s, CAMPAIGN, Set.of(EMAIL));
      // Start at a random point of the polling cycle.
      Thread.sleep(ThreadLocalRandomHolder.next((int) pollInterval.toMillis()));
      a.withdraw(s, MARKETING);
      long committed = System.nanoTime();
      while (b.check(s, CAMPAIGN, Set.of(EMAIL)).permits(EMAIL)) {
        LockSupport.parkNanos(50_000);
      }
      nanos[t] = System.nanoTime() - committed;
    }
    boolean listening = feed.isListening();
    String served = b.consentIndex().isEmpty() ? "cache"
        : b.consentIndex().get().isUsable() ? "consent index" : "store (index not usable at the end)";
    feed.close();
    a.close();
    b.close();
    Arrays.sort(nanos);
    System.out.printf("%-22s n=%d  median %7.1f ms  p99 %7.1f ms  max %7.1f ms  (mode %s, feed listening: %s,"
        + " B served from: %s)%n", label, trials, ms(nanos[trials / 2]), ms(nanos[(int) Math.ceil(trials * 0.99) - 1]),
        ms(nanos[trials - 1]), mode, listening, served);
  }

  private static double ms(long nanos) {
    return nanos / (double) TimeUnit.MILLISECONDS.toNanos(1);
  }

  private static final class ThreadLocalRandomHolder {
    static long next(int bound) {
      return java.util.concurrent.ThreadLocalRandom.current().nextInt(Math.max(1, bound));
    }
  }
}
