package org.consent4j.core.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.consent4j.AuditEvent;
import org.consent4j.AuditRecord;
import org.consent4j.AuditUnavailableException;
import org.junit.jupiter.api.Test;

/**
 * {@link AuditTrail#submit}: in asynchronous mode the writer thread seals the events, and the
 * chain must be exactly the one {@link AuditTrail#record} would have built, whatever the mix of
 * the two calls, {@link AuditTrail#head()} and the writer's batches.
 */
class SubmitSealsOnWriterTest {
  private static final Duration PATIENT = Duration.ofSeconds(10);

  /** What a caller does next: submit, record (sealed on the caller's thread), or read the head. */
  enum Step { SUBMIT, RECORD, HEAD }

  @Property(tries = 60)
  void anyMixOfSubmitRecordAndHeadBuildsTheChainRecordAloneWould(
      @ForAll @Size(max = 120) List<Step> steps,
      @ForAll @IntRange(min = 1, max = 16) int batch) {
    InMemoryAuditSink sink = new InMemoryAuditSink();
    AuditTrail trail = AuditTrail.builder(sink).asynchronous(Math.max(batch, 32), batch, PATIENT).build();
    List<AuditEvent> events = new ArrayList<>();
    for (Step step : steps) {
      switch (step) {
        case SUBMIT -> {
          AuditEvent e = Events.event(events.size() + 1);
          events.add(e);
          trail.submit(e);
        }
        case RECORD -> {
          AuditEvent e = Events.event(events.size() + 1);
          events.add(e);
          AuditRecord r = trail.record(e).orElseThrow();
          assertEquals(events.size(), r.sequence(), "record returns the record at the event's place");
          assertEquals(Events.reseal(events).get(events.size() - 1), r);
        }
        case HEAD -> assertEquals(events.isEmpty() ? ChainHead.empty()
            : ChainHead.of(Events.reseal(events).get(events.size() - 1)), trail.head(),
            "the head is the last accepted event, sealed");
      }
    }
    trail.close();
    assertEquals(Events.reseal(events), sink.records());
    assertEquals(Verification.intact(events.size()), AuditTrail.verify(sink, java.util.Optional.empty()));
  }

  @Test
  void threadsSubmittingAndRecordingConcurrentlyLoseAndDuplicateNothing() throws Exception {
    int threads = 6;
    int perThread = 3_000;
    InMemoryAuditSink sink = new InMemoryAuditSink();
    AuditTrail trail = AuditTrail.builder(sink).asynchronous(128, 32, PATIENT).build();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int base = t * perThread;
        boolean recordSome = t % 2 == 0;
        done.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < perThread; i++) {
            if (recordSome && i % 7 == 0) {
              trail.record(Events.event(base + i));
            } else if (i % 501 == 0) {
              trail.head();
              trail.submit(Events.event(base + i));
            } else {
              trail.submit(Events.event(base + i));
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    trail.flush();
    ChainHead head = trail.head();
    trail.close();

    List<AuditRecord> records = sink.records();
    int total = threads * perThread;
    assertEquals(LongStream.rangeClosed(1, total).boxed().toList(),
        records.stream().map(AuditRecord::sequence).toList());
    Map<Long, Integer> seen = new HashMap<>();
    long[] lastOfThread = new long[threads];
    java.util.Arrays.fill(lastOfThread, -1);
    for (AuditRecord r : records) {
      long id = r.event().stateVersion();
      assertEquals(null, seen.put(id, 1), "event " + id + " written twice");
      int thread = (int) (id / perThread);
      assertTrue(id > lastOfThread[thread], "thread " + thread + "'s events out of order");
      lastOfThread[thread] = id;
    }
    assertEquals(total, seen.size());
    assertEquals(total, head.sequence());
    assertEquals(Verification.intact(total), AuditTrail.verify(sink, java.util.Optional.of(head)));
  }

  @Test
  void anEventTheWriterCouldNotHashIsRefusedToItsCallerAndNothingIsQueued() {
    InMemoryAuditSink sink = new InMemoryAuditSink();
    AuditTrail trail = AuditTrail.builder(sink).asynchronous(8, 4, PATIENT).build();
    trail.submit(Events.event(1));
    AuditEvent bad = Events.withActor(Events.event(2), "crm\uD800service");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trail.submit(bad));
    assertTrue(e.getMessage().contains("actor") && e.getMessage().contains("surrogate"), e.getMessage());
    trail.submit(Events.event(3));
    trail.close();
    assertEquals(Events.reseal(List.of(Events.event(1), Events.event(3))), sink.records());
  }

  @Test
  void submitOnAClosedTrailIsRefused() {
    AuditTrail trail = AuditTrail.builder(new InMemoryAuditSink()).asynchronous(8, 4, PATIENT).build();
    trail.close();
    assertThrows(AuditUnavailableException.class, () -> trail.submit(Events.event(1)));
  }

  @Test
  void synchronousSubmitHasWrittenTheRecordWhenItReturns() {
    InMemoryAuditSink sink = new InMemoryAuditSink();
    AuditTrail trail = AuditTrail.builder(sink).synchronous().build();
    trail.submit(Events.event(1));
    assertEquals(Events.reseal(List.of(Events.event(1))), sink.records());
  }
}
