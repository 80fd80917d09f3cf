package org.consent4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.consent4j.AccessContext;
import org.consent4j.Catalog;
import org.consent4j.DataCategory;
import org.consent4j.Grant;
import org.consent4j.LegalBasis;
import org.consent4j.Purpose;
import org.consent4j.SubjectId;
import org.junit.jupiter.api.RepeatedTest;

/**
 * Deciders race with withdrawals, re-grants, refreshes and full reloads of the consent index (which
 * swap its state and renumber its classes): a decider created after {@code withdraw} returned never
 * permits the subject, and a long-lived decider keeps answering every untouched subject as before,
 * across the swaps.
 */
final class ConsentIndexDeciderConcurrencyTest {
  private static final Catalog CATALOG = Catalog.builder()
      .purpose("marketing", LegalBasis.CONSENT).category("contact.email").category("contact.phone").build();
  private static final Purpose MARKETING = Purpose.of("marketing");
  private static final DataCategory EMAIL = DataCategory.of("contact.email");
  private static final Set<DataCategory> ASKED = Set.of(EMAIL, DataCategory.of("contact.phone"));
  private static final AccessContext CTX = AccessContext.of("reader", MARKETING);
  /** 0..99 are withdrawn and granted again; 100..599 keep an email grant; 600..999 never granted. */
  private static final int RACED = 100;
  private static final int GRANTED = 600;
  private static final int ALL = 1000;

  @RepeatedTest(5)
  void noDeciderPermitsAfterWithdrawReturns() throws Exception {
    ConsentEngine engine = ConsentEngine.builder().catalog(CATALOG).consentIndex(true).build();
    for (int i = 0; i < GRANTED; i++) {
      engine.grant(Grant.builder(SubjectId.of(i)).purpose(MARKETING).category("contact.email"));
    }
    assertTrue(engine.decider(CTX, ASKED, engine.clock().instant()).isPresent(), "the index is usable");
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong violations = new AtomicLong();
    AtomicLong checkedAfterWithdraw = new AtomicLong();
    AtomicLong longLivedChecks = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> futures = new java.util.ArrayList<>();
      for (int w = 0; w < 2; w++) {
        int first = w * (RACED / 2);
        futures.add(pool.submit(() -> {
          ThreadLocalRandom random = ThreadLocalRandom.current();
          while (!stop.get()) {
            SubjectId s = SubjectId.of(first + random.nextInt(RACED / 2));
            engine.withdraw(s, MARKETING);
            Optional<ConsentIndex.Decider> d = engine.decider(CTX, ASKED, engine.clock().instant());
            if (d.isPresent()) { // absent while a reload runs
              boolean permitted = (d.get().permissions(Long.parseLong(s.value())) & ConsentIndex.Decider.SUBJECT) != 0;
              boolean byId = (d.get().permissions(s) & ConsentIndex.Decider.SUBJECT) != 0;
              if (permitted || byId) {
                violations.incrementAndGet();
              }
              checkedAfterWithdraw.incrementAndGet();
            }
            engine.grant(Grant.builder(s).purpose(MARKETING).category("contact.email"));
          }
          return null;
        }));
      }
      // refreshes and full reloads (a reload builds a new state with other class numbers)
      futures.add(pool.submit(() -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int n = 0;
        while (!stop.get()) {
          engine.invalidateCache(SubjectId.of(random.nextInt(ALL)));
          if (++n % 200 == 0) {
            engine.invalidateCache();
          }
          Thread.yield();
        }
        return null;
      }));
      // a decider created once, asked about the subjects nobody changes
      futures.add(pool.submit(() -> {
        ConsentIndex.Decider d = null;
        while (d == null && !stop.get()) {
          d = engine.decider(CTX, ASKED, engine.clock().instant()).orElse(null);
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long emailAndSubject = ConsentIndex.Decider.SUBJECT | (d == null ? 0 : d.category(EMAIL));
        while (!stop.get()) {
          int i = RACED + random.nextInt(ALL - RACED);
          long p = d.permissions(i);
          if (p != (i < GRANTED ? emailAndSubject : 0)) {
            violations.incrementAndGet();
          }
          longLivedChecks.incrementAndGet();
        }
        return null;
      }));
      Thread.sleep(1500);
      stop.set(true);
      for (Future<?> f : futures) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      stop.set(true);
      pool.shutdownNow();
      engine.close();
    }
    assertEquals(0, violations.get(), "a decider permitted a withdrawn subject or changed an untouched one");
    assertTrue(checkedAfterWithdraw.get() > 0, "deciders were created after withdrawals");
    assertTrue(longLivedChecks.get() > 0, "the long-lived decider answered");
  }
}
