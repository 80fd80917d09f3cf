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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.consent4j.AuditEvent;
import org.consent4j.AuditRecord;
import org.consent4j.AuditUnavailableException;
import org.consent4j.spi.SharedChainAuditSink;
import org.junit.jupiter.api.Test;

/** Trails over a sink that seals records itself, shared by several trails. */
final class SharedChainAuditTrailTest {

  /** An in-memory shared sink; can fail, or lose the acknowledgement of a stored append. */
  static final class MemorySharedSink implements SharedChainAuditSink {
    final List<AuditRecord> records = new ArrayList<>();
    final Map<String, List<AuditRecord>> appends = new HashMap<>();
    final AtomicInteger appendCalls = new AtomicInteger();
    volatile boolean failing;
    volatile int loseAcknowledgements;

    @Override
    public synchronized List<AuditRecord> append(String appendId, List<AuditEvent> events) {
      appendCalls.incrementAndGet();
      if (appends.containsKey(appendId)) {
        return appends.get(appendId);
      }
      if (failing) {
        throw new AuditUnavailableException("sink down");
      }
      List<AuditRecord> sealed = new ArrayList<>();
      for (AuditEvent e : events) {
        AuditRecord last = records.isEmpty() ? null : records.get(records.size() - 1);
        AuditRecord r = AuditChain.seal(last == null ? 1 : last.sequence() + 1,
            last == null ? AuditRecord.GENESIS : last.hash(), e);
        records.add(r);
        sealed.add(r);
      }
      appends.put(appendId, sealed);
      if (loseAcknowledgements > 0) {
        loseAcknowledgements--;
        throw new AuditUnavailableException("stored, but the acknowledgement was lost");
      }
      return sealed;
    }

    @Override
    public void write(List<AuditRecord> r) {
      throw new UnsupportedOperationException();
    }

    @Override
    public synchronized Optional<AuditRecord> last() {
      return records.isEmpty() ? Optional.empty() : Optional.of(records.get(records.size() - 1));
    }

    @Override
    public synchronized Stream<AuditRecord> read() {
      return List.copyOf(records).stream();
    }
  }

  @Test
  void synchronousTrailsOnOneSharedSinkMakeOneChainAndEachCallerGetsItsOwnRecord() throws Exception {
    MemorySharedSink sink = new MemorySharedSink();
    AuditTrail a = AuditTrail.builder(sink).build();
    AuditTrail b = AuditTrail.builder(sink).build();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<List<AuditRecord>>> done = new ArrayList<>();
    for (int t = 0; t < 16; t++) {
      AuditTrail trail = t % 2 == 0 ? a : b;
      int base = t * 1000;
      done.add(pool.submit(() -> {
        start.await();
        List<AuditRecord> mine = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          AuditEvent e = Events.event(base + i);
          AuditRecord r = trail.record(e).orElseThrow();
          assertEquals(e, r.event(), "a caller got another caller's record");
          mine.add(r);
        }
        return mine;
      }));
    }
    start.countDown();
    int total = 0;
    for (Future<List<AuditRecord>> f : done) {
      total += f.get().size();
    }
    pool.shutdown();
    assertEquals(3200, total);
    assertEquals(Verification.intact(3200), AuditTrail.verify(sink, Optional.empty()));
    assertTrue(sink.appendCalls.get() <= 3200);
    assertEquals(new ChainHead(3200, sink.records.get(3199).hash()), a.head());
  }

  @Test
  void aFailedSharedAppendRefusesTheCallerAndStoresNothing() {
    MemorySharedSink sink = new MemorySharedSink();
    AuditTrail trail = AuditTrail.builder(sink).build();
    trail.record(Events.event(1));
    sink.failing = true;
    AuditUnavailableException e = assertThrows(AuditUnavailableException.class, () -> trail.record(Events.event(2)));
    assertTrue(e.getMessage().contains("refused"), e.getMessage());
    sink.failing = false;
    assertEquals(2, trail.record(Events.event(3)).orElseThrow().sequence());
  }

  @Test
  void asynchronousTrailOnASharedSinkRetriesALostAcknowledgementWithoutStoringTwice() {
    MemorySharedSink sink = new MemorySharedSink();
    sink.loseAcknowledgements = 1;
    try (AuditTrail trail = AuditTrail.builder(sink).asynchronous(100, 10, Duration.ofSeconds(30)).build()) {
      for (int i = 0; i < 50; i++) {
        assertEquals(Optional.empty(), trail.record(Events.event(i)));
      }
      trail.flush();
    }
    assertEquals(50, sink.records.size());
    assertEquals(Verification.intact(50), AuditTrail.verify(sink, Optional.empty()));
  }
}
