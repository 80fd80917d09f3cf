package org.consent4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.consent4j.AccessContext;
import org.consent4j.Catalog;
import org.consent4j.ConsentRecord;
import org.consent4j.DataCategory;
import org.consent4j.Evidence;
import org.consent4j.Grant;
import org.consent4j.LedgerEntry;
import org.consent4j.LegalBasis;
import org.consent4j.Purpose;
import org.consent4j.PurposeDefinition;
import org.consent4j.SubjectId;
import org.consent4j.Withdrawal;
import org.consent4j.core.internal.ConsentRules;
import org.consent4j.spi.ConsentStore;
import org.junit.jupiter.api.RepeatedTest;

/**
 * A load whose source calls the sink from several threads at once (as {@code JdbcConsentStore}
 * does on PostgreSQL), some subjects in two parts, while other threads refresh subjects whose
 * ledgers grow during the load: the loaded index equals the rules over the store for every
 * subject, and counts every subject once.
 */
final class ConsentIndexParallelLoadTest {
  static final Catalog CATALOG = Catalog.builder()
      .purpose("marketing", LegalBasis.CONSENT).purpose("research", LegalBasis.CONSENT)
      .categories("contact.email", "profile").build();
  static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");

  @RepeatedTest(5)
  void aLoadFromRacingThreadsEqualsTheRules() throws InterruptedException {
    InMemoryConsentStore data = new InMemoryConsentStore();
    Random random = new Random(41);
    List<SubjectId> subjects = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      subjects.add(SubjectId.of(i % 3 == 0 ? "t-" + i : Integer.toString(i)));
    }
    for (int i = 0; i < 6000; i++) {
      data.append(record(random, subjects.get(random.nextInt(subjects.size()))), T0);
    }
    Set<String> threads = ConcurrentHashMap.newKeySet();
    ParallelSource source = new ParallelSource(data, threads);
    ConsentIndex index = new ConsentIndex(CATALOG, source, Clock.fixed(T0.plusSeconds(10), ZoneOffset.UTC),
        () -> true);
    // writers append and refresh while the load streams, as the engine and the change feed do
    AtomicInteger written = new AtomicInteger();
    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < 2; w++) {
      Random r = new Random(w);
      Thread t = new Thread(() -> {
        source.started.countDown();
        for (int i = 0; i < 200; i++) {
          SubjectId s = subjects.get(r.nextInt(subjects.size()));
          data.append(record(r, s), T0.plusSeconds(1));
          index.refresh(s);
          written.incrementAndGet();
        }
      });
      writers.add(t);
      t.start();
    }
    index.load();
    for (Thread t : writers) {
      t.join();
    }
    assertTrue(threads.size() > 1, "the sink was called from several threads: " + threads);
    assertEquals(400, written.get());
    PurposeDefinition marketing = CATALOG.purpose(Purpose.of("marketing"));
    AccessContext ctx = AccessContext.of("parallel-load", "marketing");
    TreeSet<DataCategory> asked = new TreeSet<>(Set.of(DataCategory.of("contact.email")));
    Instant at = T0.plusSeconds(10);
    long withLedger = 0;
    for (SubjectId s : subjects) {
      List<LedgerEntry> ledger = data.history(s);
      withLedger += ledger.isEmpty() ? 0 : 1;
      assertEquals(ConsentRules.decide(s, CATALOG, marketing, ctx, ledger, asked, at),
          index.decide(s, marketing, ctx, asked, at).orElseThrow(), "subject " + s);
    }
    assertEquals(withLedger, index.stats().subjects(), "every subject counted once");
  }

  private static ConsentRecord record(Random random, SubjectId subject) {
    if (random.nextInt(4) == 0) {
      return new Withdrawal(subject, Purpose.of(random.nextBoolean() ? "marketing" : "research"), Optional.empty(),
          T0.minusSeconds(random.nextInt(50)), Evidence.api());
    }
    return Grant.builder(subject).grantedAt(T0.minusSeconds(random.nextInt(100)))
        .purpose(random.nextBoolean() ? "marketing" : "research")
        .category(random.nextBoolean() ? "contact" : "profile").build(T0);
  }

  /**
   * Passes the ledgers from four threads at once, every seventh subject in two parts (its first
   * record, then the rest, from the same thread).
   */
  private static final class ParallelSource implements ConsentStore, LedgerSource {
    final InMemoryConsentStore data;
    final Set<String> threads;
    final CountDownLatch started = new CountDownLatch(2);

    ParallelSource(InMemoryConsentStore data, Set<String> threads) {
      this.data = data;
      this.threads = threads;
    }

    @Override
    public void forEachLedger(Consumer<List<LedgerEntry>> sink) {
      forEachLedger(sink, 1);
    }

    @Override
    public void forEachLedger(Consumer<List<LedgerEntry>> sink, int parallelism) {
      List<List<LedgerEntry>> all = new ArrayList<>();
      data.forEachLedger(all::add);
      try {
        started.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> readers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int part = t;
        Thread reader = new Thread(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            return;
          }
          for (int i = part; i < all.size(); i += 4) {
            threads.add(Thread.currentThread().getName());
            List<LedgerEntry> ledger = all.get(i);
            if (i % 7 == 0 && ledger.size() > 1) {
              sink.accept(ledger.subList(0, 1));
              sink.accept(ledger.subList(1, ledger.size()));
            } else {
              sink.accept(ledger);
            }
          }
        }, "reader-" + t);
        readers.add(reader);
        reader.start();
      }
      go.countDown();
      for (Thread reader : readers) {
        try {
          reader.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    @Override
    public LedgerEntry append(ConsentRecord record, Instant recordedAt) {
      return data.append(record, recordedAt);
    }

    @Override
    public List<LedgerEntry> history(SubjectId subject) {
      return data.history(subject);
    }

    @Override
    public Map<SubjectId, List<LedgerEntry>> histories(Collection<SubjectId> subjects) {
      return data.histories(subjects);
    }
  }
}
