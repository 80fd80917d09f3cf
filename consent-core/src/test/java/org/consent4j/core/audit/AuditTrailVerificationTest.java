package org.consent4j.core.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.consent4j.AuditEvent;
import org.consent4j.AuditRecord;
import org.consent4j.AuditUnavailableException;
import org.consent4j.Outcome;
import org.consent4j.spi.AuditSink;
import org.junit.jupiter.api.Test;

final class AuditTrailVerificationTest {

  private final List<AuditRecord> original = Events.chain(6);
  private final ChainHead checkpoint = ChainHead.of(original.get(5));
  private final TamperableSink sink = new TamperableSink(original);

  private Verification verify() {
    return AuditTrail.builder(sink).build().verify();
  }

  private Verification verifyAgainstCheckpoint() {
    return AuditTrail.builder(sink).build().verify(checkpoint);
  }

  private static void assertBrokenAt(long sequence, Verification v) {
    assertFalse(v.valid(), "expected a broken chain");
    assertEquals(OptionalLong.of(sequence), v.firstBrokenSequence(), v.problem());
    assertEquals(sequence - 1, v.recordsChecked());
    assertTrue(v.problem().contains(Long.toString(sequence)), v.problem());
  }

  @Test
  void recordedTrailVerifiesWithAndWithoutItsHeadAsCheckpoint() {
    try (AuditTrail trail = AuditTrail.inMemory()) {
      for (int i = 1; i <= 6; i++) {
        trail.record(Events.event(i));
      }
      Verification v = trail.verify();
      assertEquals(Verification.intact(6), v);
      assertEquals("", v.problem());
      assertEquals(Verification.intact(6), trail.verify(trail.head()));
      assertEquals(((InMemoryAuditSink) trail.sink()).records(), original);
    }
  }

  @Test
  void emptyTrailVerifies() {
    try (AuditTrail trail = AuditTrail.inMemory()) {
      assertEquals(ChainHead.empty(), trail.head());
      assertEquals(Verification.intact(0), trail.verify());
      assertEquals(Verification.intact(0), trail.verify(ChainHead.empty()));
    }
  }

  @Test
  void changedFieldIsDetectedAtItsRecord() {
    AuditRecord r = sink.records.get(2);
    sink.records.set(2, new AuditRecord(3, Events.withOutcome(r.event(), Outcome.PERMIT == r.event().outcome()
        ? Outcome.DENY : Outcome.PERMIT), r.previousHash(), r.hash()));
    Verification v = verify();
    assertBrokenAt(3, v);
    assertTrue(v.problem().contains("altered"), v.problem());
  }

  @Test
  void changedRecordSealedAgainIsDetectedAtTheNextRecord() {
    AuditRecord r = sink.records.get(2);
    sink.records.set(2, AuditChain.seal(3, r.previousHash(), Events.withActor(r.event(), "someone-else")));
    assertBrokenAt(4, verify());
  }

  @Test
  void changedLastRecordSealedAgainIsDetectedOnlyWithACheckpoint() {
    AuditRecord r = sink.records.get(5);
    sink.records.set(5, AuditChain.seal(6, r.previousHash(), Events.withActor(r.event(), "someone-else")));
    assertTrue(verify().valid());
    assertBrokenAt(6, verifyAgainstCheckpoint());
  }

  @Test
  void removedMiddleRecordIsDetectedAtItsSequence() {
    sink.records.remove(2);
    Verification v = verify();
    assertBrokenAt(3, v);
    assertTrue(v.problem().contains("missing"), v.problem());
  }

  @Test
  void insertedRecordSealedIntoTheChainIsDetectedAtTheRecordItDisplaced() {
    AuditEvent forged = Events.withActor(Events.event(99), "forger");
    sink.records.add(3, AuditChain.seal(4, original.get(2).hash(), forged));
    assertBrokenAt(5, verify());
  }

  @Test
  void copiedRecordInsertedIsDetectedWhereItStands() {
    sink.records.add(3, original.get(1));
    Verification v = verify();
    assertBrokenAt(4, v);
    assertTrue(v.problem().contains("inserted"), v.problem());
  }

  @Test
  void swappedRecordsAreDetectedAtTheFirstOfThem() {
    Collections.swap(sink.records, 2, 3);
    assertBrokenAt(3, verify());
  }

  @Test
  void truncatedTailVerifiesAloneButNotAgainstTheCheckpoint() {
    sink.records.subList(4, 6).clear();
    assertEquals(Verification.intact(4), verify());
    Verification v = verifyAgainstCheckpoint();
    assertFalse(v.valid());
    assertEquals(OptionalLong.of(5), v.firstBrokenSequence());
    assertEquals(4, v.recordsChecked());
    assertTrue(v.problem().contains("ends at sequence 4") && v.problem().contains("6"), v.problem());
  }

  @Test
  void chainRewrittenAndSealedFromScratchVerifiesAloneButNotAgainstTheCheckpoint() {
    List<AuditEvent> events = original.stream().map(AuditRecord::event).collect(Collectors.toList());
    events.set(1, Events.withActor(events.get(1), "rewritten"));
    sink.records.clear();
    sink.records.addAll(Events.reseal(events));
    assertEquals(Verification.intact(6), verify());
    assertBrokenAt(6, verifyAgainstCheckpoint());
    assertBrokenAt(3, AuditTrail.builder(sink).build().verify(ChainHead.of(original.get(2))));
  }

  @Test
  void checkpointAheadOfTheChainIsReportedAsATruncatedChain() {
    try (AuditTrail trail = AuditTrail.inMemory()) {
      trail.record(Events.event(1));
      Verification v = trail.verify(checkpoint);
      assertEquals(OptionalLong.of(2), v.firstBrokenSequence());
    }
  }

  @Test
  void verificationStreamsAndStopsAtTheFirstProblem() {
    // An endless chain cannot be loaded into memory: verify must read it lazily and stop at record 10.
    AtomicBoolean closed = new AtomicBoolean();
    AuditSink endless = new AuditSink() {
      @Override
      public void write(List<AuditRecord> records) {
        throw new UnsupportedOperationException();
      }

      @Override
      public Optional<AuditRecord> last() {
        return Optional.empty();
      }

      @Override
      public Stream<AuditRecord> read() {
        return Stream.iterate(AuditChain.seal(1, AuditRecord.GENESIS, Events.event(1)),
                r -> r.sequence() == 9
                    ? new AuditRecord(10, Events.event(10), r.hash(), r.hash())
                    : AuditChain.seal(r.sequence() + 1, r.hash(), Events.event((int) r.sequence() + 1)))
            .onClose(() -> closed.set(true));
      }
    };
    assertBrokenAt(10, AuditTrail.builder(endless).build().verify());
    assertTrue(closed.get(), "the sink's stream must be closed");
  }

  @Test
  void unreadableRecordMakesTheChainInvalidFromThere() {
    AuditSink failing = new TamperableSink(original) {
      @Override
      public synchronized Stream<AuditRecord> read() {
        return Stream.concat(original.stream().limit(2), Stream.generate(() -> {
          throw new AuditUnavailableException("line 3 is not a valid audit record");
        }));
      }
    };
    Verification v = AuditTrail.builder(failing).build().verify();
    assertBrokenAt(3, v);
    assertTrue(v.problem().contains("line 3"), v.problem());
  }

  @Test
  void unreachableSinkMakesTheChainInvalid() {
    AuditSink failing = new TamperableSink(original) {
      @Override
      public synchronized Stream<AuditRecord> read() {
        throw new AuditUnavailableException("database down");
      }
    };
    assertBrokenAt(1, AuditTrail.builder(failing).build().verify());
  }
}
