package org.consent4j.jdbc.revocation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.consent4j.AccessContext;
import org.consent4j.DataCategory;
import org.consent4j.Grant;
import org.consent4j.PurposeDefinition;
import org.consent4j.Reason;
import org.consent4j.SubjectId;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.ConsentIndex;
import org.consent4j.jdbc.DefaultIndexRule;
import org.consent4j.jdbc.TestDatabases;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A node's consent index kept current by a real {@link ConsentChangeFeed} (LISTEN/NOTIFY on
 * PostgreSQL, polling elsewhere): another node's grant and withdrawal reach the index; once the
 * feed stops, the index is not used and decisions read the store, which is current.
 */
final class ConsentIndexFeedTest {
  static final AccessContext CAMPAIGN = TwoNodeRevocationRaceTest.CAMPAIGN;
  static final Set<DataCategory> EMAIL = Set.of(TwoNodeRevocationRaceTest.EMAIL);

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void theFeedKeepsTheIndexCurrentAndAStaleIndexIsNotUsed(TestDatabases.Database db) throws Exception {
    ConsentChangeFeed feed = ConsentChangeFeed.builder(db.dataSource()).tablePrefix(db.tablePrefix())
        .mode(ConsentChangeFeed.Mode.AUTO).pollInterval(Duration.ofMillis(100)).heartbeatInterval(Duration.ofMillis(100))
        .stalenessBound(Duration.ofSeconds(1)).build();
    try (ConsentEngine a = DefaultIndexRule.build(
            ConsentEngine.builder().catalog(TwoNodeRevocationRaceTest.CATALOG).store(db.newStore()));
        ConsentEngine b = DefaultIndexRule.build(ConsentEngine.builder().catalog(TwoNodeRevocationRaceTest.CATALOG)
            .store(db.newStore()).cacheTrustedWhile(feed::isFresh))) {
      assertFalse(a.consentIndex().isPresent(), "a store without a feed is not indexed by default");
      ConsentIndex index = b.consentIndex().orElseThrow(() -> new AssertionError("on by default with a feed"));
      feed.start(b);
      await(feed::isFresh, "feed fresh");
      await(() -> {
        b.check(SubjectId.of("warm-up"), CAMPAIGN, EMAIL); // the first trusted check starts the reload
        return index.isUsable();
      }, "index usable");

      SubjectId alice = SubjectId.of("c-1");
      a.grant(Grant.builder(alice).purpose(TwoNodeRevocationRaceTest.MARKETING).category("contact.email"));
      await(() -> fromIndex(index, alice) == Reason.GRANTED, "the other node's grant reaches the index");
      assertTrue(b.check(alice, CAMPAIGN, EMAIL).subjectPermitted());
      a.withdraw(alice, TwoNodeRevocationRaceTest.MARKETING);
      await(() -> fromIndex(index, alice) == Reason.GRANT_WITHDRAWN, "the other node's withdrawal reaches the index");
      assertFalse(b.check(alice, CAMPAIGN, EMAIL).subjectPermitted());

      feed.close();
      await(() -> !feed.isFresh(), "a closed feed goes stale");
      assertFalse(index.isUsable(), "a stale index is not used");
      SubjectId bob = SubjectId.of("c-2");
      a.grant(Grant.builder(bob).purpose(TwoNodeRevocationRaceTest.MARKETING).category("contact.email"));
      // the index never heard of bob's grant; the store has it, and the store is what answers now
      assertTrue(b.check(bob, CAMPAIGN, EMAIL).subjectPermitted(), "decided from the store");
      assertEquals(null, fromIndex(index, bob), "the index answers nothing while stale");
    } finally {
      feed.close();
    }
  }

  private static Reason fromIndex(ConsentIndex index, SubjectId s) {
    PurposeDefinition def = TwoNodeRevocationRaceTest.CATALOG.purpose(TwoNodeRevocationRaceTest.MARKETING);
    return index.decide(s, def, CAMPAIGN, new TreeSet<>(EMAIL), Instant.now()).map(d -> d.subjectReason())
        .orElse(null);
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting: " + what);
      Thread.sleep(10);
    }
  }
}
