package org.consent4j.core.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.consent4j.AuditRecord;
import org.consent4j.AuditUnavailableException;
import org.junit.jupiter.api.Test;

final class SynchronousAuditTrailTest {

  private final FlakySink sink = new FlakySink();
  private final AuditTrail trail = AuditTrail.builder(sink).synchronous().build();

  @Test
  void recordReturnsOnlyOnceTheSinkHoldsTheRecord() {
    AuditRecord first = trail.record(Events.event(1)).orElseThrow();
    assertEquals(List.of(first), sink.records());
    AuditRecord second = trail.record(Events.event(2)).orElseThrow();
    assertEquals(List.of(first, second), sink.records());
    assertEquals(new ChainHead(2, second.hash()), trail.head());
    assertEquals(first.hash(), second.previousHash());
    assertFalse(trail.isAsynchronous());
  }

  @Test
  void failingSinkRefusesTheAccessAndLeavesTheHeadWhereItWas() {
    trail.record(Events.event(1));
    ChainHead before = trail.head();
    sink.mode = FlakySink.Mode.FAIL;

    AuditUnavailableException e = assertThrows(AuditUnavailableException.class, () -> trail.record(Events.event(2)));

    assertTrue(e.getMessage().contains("access was refused"), e.getMessage());
    assertEquals("disk full", e.getCause().getMessage());
    assertEquals(before, trail.head());
    assertEquals(1, sink.records().size());
  }

  @Test
  void recoveredSinkContinuesTheChainWithoutAGap() {
    trail.record(Events.event(1));
    sink.mode = FlakySink.Mode.FAIL;
    assertThrows(AuditUnavailableException.class, () -> trail.record(Events.event(2)));
    assertThrows(AuditUnavailableException.class, () -> trail.record(Events.event(3)));
    sink.mode = FlakySink.Mode.WORK;

    AuditRecord next = trail.record(Events.event(4)).orElseThrow();

    assertEquals(2, next.sequence());
    assertEquals(sink.records().get(0).hash(), next.previousHash());
    assertEquals(Verification.intact(2), trail.verify(trail.head()));
  }

  @Test
  void recordStoredDespiteAFailedWriteStaysInTheChainInsteadOfForkingIt() {
    trail.record(Events.event(1));
    sink.mode = FlakySink.Mode.STORE_THEN_FAIL;
    assertThrows(AuditUnavailableException.class, () -> trail.record(Events.event(2)));
    assertEquals(1, trail.head().sequence());
    sink.mode = FlakySink.Mode.WORK;

    AuditRecord next = trail.record(Events.event(3)).orElseThrow();

    assertEquals(3, next.sequence());
    assertEquals(List.of(1L, 2L, 3L), sink.records().stream().map(AuditRecord::sequence).toList());
    assertEquals(Verification.intact(3), trail.verify());
  }

  @Test
  void foreignRecordFoundAfterAFailedWriteRefusesFurtherRecords() {
    trail.record(Events.event(1));
    sink.mode = FlakySink.Mode.FAIL;
    assertThrows(AuditUnavailableException.class, () -> trail.record(Events.event(2)));
    sink.delegate.write(List.of(AuditChain.seal(2, AuditRecord.GENESIS, Events.event(7))));
    sink.mode = FlakySink.Mode.WORK;

    AuditUnavailableException e = assertThrows(AuditUnavailableException.class, () -> trail.record(Events.event(3)));
    assertTrue(e.getMessage().contains("another writer"), e.getMessage());
    assertEquals(1, trail.head().sequence());
  }

  @Test
  void newTrailOnTheSameSinkContinuesTheChain() {
    trail.record(Events.event(1));
    trail.record(Events.event(2));
    AuditTrail restarted = AuditTrail.builder(sink).build();
    assertEquals(trail.head(), restarted.head());
    assertEquals(3, restarted.record(Events.event(3)).orElseThrow().sequence());
    assertEquals(Verification.intact(3), restarted.verify());
  }

  @Test
  void sinkWhoseLastRecordCannotBeReadCannotStartATrail() {
    TamperableSink broken = new TamperableSink(List.of()) {
      @Override
      public synchronized Optional<AuditRecord> last() {
        throw new IllegalStateException("unreachable");
      }
    };
    assertThrows(AuditUnavailableException.class, () -> AuditTrail.builder(broken).build());
  }

  @Test
  void closedTrailRefusesRecordsAndClosesItsSinkOnce() {
    trail.record(Events.event(1));
    trail.close();
    trail.close();
    assertEquals(1, sink.closeCalls.get());
    AuditUnavailableException e = assertThrows(AuditUnavailableException.class, () -> trail.record(Events.event(2)));
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
    trail.flush(); // nothing is pending in synchronous mode
  }

  @Test
  void concurrentCallersGetContiguousSequences() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int base = t * 1000;
        done.add(pool.submit(() -> {
          for (int i = 0; i < 250; i++) {
            trail.record(Events.event(base + i));
          }
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    assertEquals(LongStream.rangeClosed(1, 1000).boxed().toList(),
        sink.records().stream().map(AuditRecord::sequence).toList());
    assertEquals(Verification.intact(1000), trail.verify(trail.head()));
  }

  @Test
  void inMemoryTrailExposesItsSink() {
    AuditTrail memory = AuditTrail.inMemory();
    AuditRecord r = memory.record(Events.event(1)).orElseThrow();
    assertSame(InMemoryAuditSink.class, memory.sink().getClass());
    assertEquals(List.of(r), ((InMemoryAuditSink) memory.sink()).records());
  }
}
