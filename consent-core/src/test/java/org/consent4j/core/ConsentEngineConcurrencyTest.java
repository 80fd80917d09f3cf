package org.consent4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
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
import java.util.concurrent.atomic.AtomicLong;
import org.consent4j.AccessContext;
import org.consent4j.Catalog;
import org.consent4j.ConsentRecord;
import org.consent4j.DataCategory;
import org.consent4j.Grant;
import org.consent4j.LedgerEntry;
import org.consent4j.LegalBasis;
import org.consent4j.Purpose;
import org.consent4j.SubjectId;
import org.consent4j.spi.ConsentStore;
import org.junit.jupiter.api.RepeatedTest;

/** Threads check while another withdraws: once {@code withdraw} has returned, no check may permit. */
final class ConsentEngineConcurrencyTest {
  private static final Catalog CATALOG = Catalog.builder()
      .purpose("marketing", LegalBasis.CONSENT).category("contact.email").build();
  private static final Purpose MARKETING = Purpose.of("marketing");
  private static final Set<DataCategory> EMAIL = Set.of(DataCategory.of("contact.email"));

  /** Reads yield in the middle, so that loads overlap the withdrawal as often as possible. */
  static final class SlowReads implements ConsentStore {
    final InMemoryConsentStore delegate = new InMemoryConsentStore();

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
      Map<SubjectId, List<LedgerEntry>> read = delegate.histories(subjects);
      Thread.yield();
      return read;
    }
  }

  @RepeatedTest(20)
  void noCheckPermitsAfterWithdrawReturns() throws Exception {
    ConsentEngine engine = ConsentEngine.builder().catalog(CATALOG).store(new SlowReads()).build();
    List<SubjectId> subjects = List.of(SubjectId.of("a"), SubjectId.of("b"), SubjectId.of("c"), SubjectId.of("d"));
    for (SubjectId s : subjects) {
      engine.grant(Grant.builder(s).purpose(MARKETING).category("contact.email"));
    }
    AccessContext ctx = AccessContext.of("reader", MARKETING);
    int readers = 3;
    ExecutorService pool = Executors.newFixedThreadPool(readers);
    AtomicBoolean[] withdrawn = new AtomicBoolean[subjects.size()];
    for (int i = 0; i < withdrawn.length; i++) {
      withdrawn[i] = new AtomicBoolean();
    }
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong violations = new AtomicLong();
    AtomicLong checksAfter = new AtomicLong();
    CountDownLatch started = new CountDownLatch(readers);
    try {
      Future<?>[] futures = new Future<?>[readers];
      for (int r = 0; r < readers; r++) {
        boolean batch = r % 2 == 0;
        futures[r] = pool.submit(() -> {
          started.countDown();
          while (!stop.get()) {
            for (int i = 0; i < subjects.size(); i++) {
              boolean after = withdrawn[i].get();
              SubjectId s = subjects.get(i);
              boolean permitted = batch
                  ? engine.checkAll(subjects, ctx, EMAIL).get(s).subjectPermitted()
                  : engine.check(s, ctx, EMAIL).subjectPermitted();
              if (after) {
                checksAfter.incrementAndGet();
                if (permitted) {
                  violations.incrementAndGet();
                }
              }
            }
          }
          return null;
        });
      }
      started.await();
      for (int i = 0; i < subjects.size(); i++) {
        Thread.sleep(2);
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
    assertEquals(0, violations.get(), "checks that started after withdraw returned and still permitted");
  }
}
