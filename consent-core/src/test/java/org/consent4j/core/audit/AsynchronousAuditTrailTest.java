package org.consent4j.core.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.consent4j.AuditRecord;
import org.consent4j.AuditUnavailableException;
import org.consent4j.spi.AuditSink;
import org.junit.jupiter.api.Test;

final class AsynchronousAuditTrailTest {

  /** Generous: these tests wait for events, never for a length of time, unless a timeout is the point. */
  private static final Duration PATIENT = Duration.ofSeconds(10);

  /** A sink whose writes block until released. */
  private static final class LatchedSink implements AuditSink {
    final InMemoryAuditSink delegate = new InMemoryAuditSink();
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    volatile boolean closed;

    @Override
    public void write(List<AuditRecord> records) {
      entered.countDown();
      try {
        if (!release.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("test never released the sink");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      delegate.write(records);
    }

    @Override
    public Optional<AuditRecord> last() {
      return delegate.last();
    }

    @Override
    public Stream<AuditRecord> read() {
      return delegate.read();
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  private static List<Long> sequences(List<AuditRecord> records) {
    return records.stream().map(AuditRecord::sequence).toList();
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + PATIENT.toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "condition not reached");
      Thread.sleep(5);
    }
  }

  @Test
  void fullQueueMakesCallersWaitThenRefusesWithoutLosingAcceptedRecords() throws Exception {
    LatchedSink sink = new LatchedSink();
    AuditTrail trail = AuditTrail.builder(sink).asynchronous(4, 2, Duration.ofMillis(200)).build();
    List<AuditRecord> accepted = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      accepted.add(trail.record(Events.event(i)).orElseThrow());
    }
    assertTrue(sink.entered.await(PATIENT.toSeconds(), TimeUnit.SECONDS));

    AuditUnavailableException e = assertThrows(AuditUnavailableException.class, () -> trail.record(Events.event(5)));

    assertTrue(e.getMessage().contains("queue stayed full") && e.getMessage().contains("refused"), e.getMessage());
    assertEquals(ChainHead.of(accepted.get(3)), trail.head(), "the refused record must not be in the chain");
    assertEquals(List.of(), sink.delegate.records());

    sink.release.countDown();
    trail.flush();
    assertEquals(accepted, sink.delegate.records());
    AuditRecord after = trail.record(Events.event(6)).orElseThrow();
    assertEquals(5, after.sequence());
    trail.close();
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), sequences(sink.delegate.records()));
    assertEquals(Verification.intact(5), trail.verify(trail.head()));
  }

  @Test
  void manyThreadsRecordingConcurrentlyLoseAndDuplicateNothing() throws Exception {
    int threads = 8;
    int perThread = 2_000;
    InMemoryAuditSink sink = new InMemoryAuditSink();
    AuditTrail trail = AuditTrail.builder(sink).asynchronous(256, 64, PATIENT).build();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int base = t * perThread;
        done.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < perThread; i++) {
            trail.record(Events.event(base + i));
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
    trail.close();

    List<AuditRecord> records = sink.records();
    int total = threads * perThread;
    assertEquals(LongStream.rangeClosed(1, total).boxed().toList(), sequences(records));
    // stateVersion identifies the event: each one exactly once, and each thread's in its own order.
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
    assertEquals(Verification.intact(total), trail.verify(trail.head()));
  }

  @Test
  void closeWritesEverythingStillQueuedThenClosesTheSink() throws Exception {
    LatchedSink sink = new LatchedSink();
    AuditTrail trail = AuditTrail.builder(sink).asynchronous(64, 8, PATIENT).build();
    for (int i = 1; i <= 50; i++) {
      trail.record(Events.event(i));
    }
    assertTrue(sink.entered.await(PATIENT.toSeconds(), TimeUnit.SECONDS));
    assertEquals(0, sink.delegate.records().size());
    Thread releaser = new Thread(sink.release::countDown);
    releaser.start();

    trail.close();

    assertEquals(LongStream.rangeClosed(1, 50).boxed().toList(), sequences(sink.delegate.records()));
    assertTrue(sink.closed);
    releaser.join();
  }

  @Test
  void failedBatchesAreRetriedUntilWrittenInOrder() {
    FlakySink sink = new FlakySink();
    sink.failNextWrites.set(3);
    AuditTrail trail = AuditTrail.builder(sink).asynchronous(16, 4, PATIENT).build();
    for (int i = 1; i <= 10; i++) {
      trail.record(Events.event(i));
    }

    trail.flush();

    assertEquals(LongStream.rangeClosed(1, 10).boxed().toList(), sequences(sink.records()));
    assertTrue(sink.writeCalls.get() >= 4, "the failing writes were retried");
    assertEquals(Verification.intact(10), trail.verify(trail.head()));
    trail.close();
  }

  @Test
  void batchStoredDespiteAFailedWriteIsNotWrittenTwice() {
    FlakySink sink = new FlakySink();
    sink.storeThenFailNextWrites.set(2);
    AuditTrail trail = AuditTrail.builder(sink).asynchronous(16, 4, PATIENT).build();
    for (int i = 1; i <= 10; i++) {
      trail.record(Events.event(i));
    }
    trail.close();

    assertEquals(LongStream.rangeClosed(1, 10).boxed().toList(), sequences(sink.records()));
    assertEquals(Verification.intact(10), trail.verify());
  }

  @Test
  void sinkThatKeepsFailingRefusesCallersFlushAndCloseWithItsCause() throws Exception {
    FlakySink sink = new FlakySink();
    sink.mode = FlakySink.Mode.FAIL;
    AuditTrail trail = AuditTrail.builder(sink).asynchronous(2, 1, Duration.ofMillis(50)).build();
    trail.record(Events.event(1));
    trail.record(Events.event(2));
    await(() -> sink.writeCalls.get() > 0);

    AuditUnavailableException refused = assertThrows(AuditUnavailableException.class,
        () -> trail.record(Events.event(3)));
    assertEquals("disk full", refused.getCause().getMessage());
    assertEquals(2, trail.head().sequence());

    AuditUnavailableException flush = assertThrows(AuditUnavailableException.class, trail::flush);
    assertTrue(flush.getMessage().contains("records 1 to 2"), flush.getMessage());
    assertThrows(AuditUnavailableException.class, trail::close);
    assertEquals(List.of(), sink.records());
    await(() -> sink.closeCalls.get() == 1); // the writer gives up and closes the sink
    assertThrows(AuditUnavailableException.class, () -> trail.record(Events.event(4)));
  }

  @Test
  void closedTrailRefusesRecords() {
    AuditTrail trail = AuditTrail.builder(new InMemoryAuditSink()).asynchronous(8, 2, PATIENT).build();
    trail.record(Events.event(1));
    trail.close();
    trail.close();
    assertThrows(AuditUnavailableException.class, () -> trail.record(Events.event(2)));
    trail.flush();
    assertEquals(1, ((InMemoryAuditSink) trail.sink()).records().size());
    assertTrue(trail.isAsynchronous());
  }

  @Test
  void headRunsAheadOfTheSinkUntilFlushed() {
    LatchedSink sink = new LatchedSink();
    AuditTrail trail = AuditTrail.builder(sink).asynchronous(8, 8, PATIENT).build();
    AuditRecord r = trail.record(Events.event(1)).orElseThrow();
    assertEquals(ChainHead.of(r), trail.head());
    Verification early = trail.verify(trail.head());
    assertEquals(java.util.OptionalLong.of(1), early.firstBrokenSequence());
    sink.release.countDown();
    trail.flush();
    assertEquals(Verification.intact(1), trail.verify(trail.head()));
    trail.close();
  }

  @Test
  void builderRejectsBadSettingsNamingThem() {
    AuditTrail.Builder b = AuditTrail.builder(new InMemoryAuditSink());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> b.asynchronous(0, 1, PATIENT))
        .getMessage().contains("queueCapacity"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> b.asynchronous(4, 5, PATIENT))
        .getMessage().contains("maxBatchSize"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> b.asynchronous(4, 0, PATIENT))
        .getMessage().contains("maxBatchSize"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> b.asynchronous(4, 1, Duration.ZERO))
        .getMessage().contains("offerTimeout"));
    assertThrows(IllegalArgumentException.class, () -> b.asynchronous(4, 1, Duration.ofSeconds(Long.MAX_VALUE)));
  }

  @Test
  void queueDepthCountsEveryAcceptedRecordNotYetWrittenAndLagNamesTheOldestWaiting() throws Exception {
    LatchedSink sink = new LatchedSink();
    AuditTrail trail = AuditTrail.builder(sink).asynchronous(64, 1, PATIENT).build();
    assertEquals(0, trail.queueDepth());
    assertTrue(trail.oldestQueuedEventTime().isEmpty());
    trail.record(Events.event(0));
    assertTrue(sink.entered.await(10, TimeUnit.SECONDS)); // the writer holds event 0
    trail.record(Events.event(1));
    trail.record(Events.event(2));
    assertEquals(3, trail.queueDepth()); // one being written, two waiting
    assertEquals(Optional.of(Events.event(1).time()), trail.oldestQueuedEventTime());
    sink.release.countDown();
    trail.flush();
    assertEquals(0, trail.queueDepth());
    assertTrue(trail.oldestQueuedEventTime().isEmpty());
    trail.close();
  }
}
