package org.consent4j.core.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.consent4j.AuditEvent;
import org.consent4j.AuditRecord;
import org.consent4j.DataCategory;
import org.consent4j.Outcome;
import org.consent4j.Purpose;
import org.consent4j.Recipient;
import org.consent4j.SubjectId;

/**
 * Random chains with one random tampering: verification fails no later than the record after the
 * tampered one, except for the two tamperings that only a checkpoint can reveal, which must then
 * pass alone and fail against the checkpoint.
 */
final class AuditChainTamperingProperties {

  enum Tampering {
    /** An event changed in place, its hash kept. */
    CHANGE,
    /** An event changed and its record sealed again; the next record's link no longer fits. */
    CHANGE_AND_RESEAL,
    REMOVE,
    /** Two neighbouring records swapped. */
    SWAP,
    /** A new record, correctly sealed after its predecessor, put before an existing record. */
    INSERT
  }

  /** Printable text with quotes, backslashes and non-ASCII, as operations and reasons allow. */
  private static Arbitrary<String> text(int maxLength) {
    return Arbitraries.strings().withCharRange(' ', '~').withChars("äß漢\"\\\u2028").ofMaxLength(maxLength);
  }

  /** Actors and details: the same printable text (AuditEvent rejects control characters there too). */
  private static Arbitrary<String> anyText(int maxLength) {
    return text(maxLength);
  }

  private static Arbitrary<String> name() {
    return Arbitraries.of("marketing", "marketing.email", "contact", "contact.email", "profile.psychographic");
  }

  @Provide
  Arbitrary<AuditEvent> events() {
    Arbitrary<Instant> time = Combinators.combine(
            Arbitraries.longs().between(-10_000_000_000L, 10_000_000_000L),
            Arbitraries.integers().between(0, 999_999_999))
        .as(Instant::ofEpochSecond);
    Arbitrary<List<SubjectId>> subjects = Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(6)
        .map(SubjectId::of).list().ofMaxSize(4);
    Arbitrary<TreeSet<DataCategory>> categories = name().map(DataCategory::of).set().ofMaxSize(3)
        .map(TreeSet::new);
    Arbitrary<TreeMap<String, String>> details = Arbitraries.maps(anyText(5), anyText(8)).ofMaxSize(3).map(TreeMap::new);
    // Two groups, because combine takes at most eight arbitraries; no flatMap, which slows generation down.
    Arbitrary<Object[]> first = Combinators.combine(time, anyText(10), name().map(Purpose::of),
            Arbitraries.of("self", "quizlab").map(Recipient::of), text(12), subjects, categories,
            Arbitraries.of(Outcome.class))
        .as((t, actor, purpose, recipient, operation, s, c, outcome) -> new Object[] {
            t, actor, purpose, recipient, operation, s, c, outcome});
    Arbitrary<Object[]> rest = Combinators.combine(text(10), Arbitraries.longs().greaterOrEqual(0), details)
        .as((reason, version, d) -> new Object[] {reason, version, d});
    return Combinators.combine(first, rest).as((a, b) -> new AuditEvent((Instant) a[0], (String) a[1],
        (Purpose) a[2], (Recipient) a[3], (String) a[4], cast(a[5]), cast(a[6]), (Outcome) a[7], (String) b[0],
        (Long) b[1], cast(b[2])));
  }

  @SuppressWarnings("unchecked")
  private static <T> T cast(Object o) {
    return (T) o;
  }

  @Provide
  Arbitrary<List<AuditEvent>> chains() {
    return events().list().ofMinSize(2).ofMaxSize(20);
  }

  private static List<AuditRecord> seal(List<AuditEvent> events) {
    return Events.reseal(events);
  }

  private static Verification verify(List<AuditRecord> records, ChainHead checkpoint) {
    AuditTrail trail = AuditTrail.builder(new TamperableSink(records)).build();
    return checkpoint == null ? trail.verify() : trail.verify(checkpoint);
  }

  private static AuditEvent changed(AuditEvent e) {
    return Events.withActor(e, e.actor() + "x");
  }

  @Property(tries = 200)
  void untamperedChainIsValidAloneAndAgainstItsHead(@ForAll("chains") List<AuditEvent> events) {
    List<AuditRecord> records = seal(events);
    assertEquals(Verification.intact(records.size()), verify(records, null));
    assertEquals(Verification.intact(records.size()), verify(records, ChainHead.of(records.get(records.size() - 1))));
  }

  @Property(tries = 500)
  void singleTamperingIsDetectedNoLaterThanTheRecordAfterIt(
      @ForAll("chains") List<AuditEvent> events,
      @ForAll Tampering tampering,
      @ForAll @IntRange(min = 0, max = 1_000) int where,
      @ForAll("events") AuditEvent forged,
      @ForAll boolean withCheckpoint) {
    List<AuditRecord> original = seal(events);
    ChainHead checkpoint = ChainHead.of(original.get(original.size() - 1));
    List<AuditRecord> records = new ArrayList<>(original);
    int n = records.size();
    int p = tampering == Tampering.SWAP ? where % (n - 1) : where % n; // 0-based index of the tampered record
    long sequence = p + 1L;
    boolean onlyACheckpointCanTell = false;
    switch (tampering) {
      case CHANGE -> {
        AuditRecord r = records.get(p);
        records.set(p, new AuditRecord(r.sequence(), changed(r.event()), r.previousHash(), r.hash()));
      }
      case CHANGE_AND_RESEAL -> {
        AuditRecord r = records.get(p);
        records.set(p, AuditChain.seal(r.sequence(), r.previousHash(), changed(r.event())));
        onlyACheckpointCanTell = p == n - 1;
      }
      case REMOVE -> {
        records.remove(p);
        onlyACheckpointCanTell = p == n - 1;
      }
      case SWAP -> Collections.swap(records, p, p + 1);
      case INSERT -> records.add(p, AuditChain.seal(sequence, original.get(p).previousHash(), forged));
    }

    Verification v = verify(records, withCheckpoint ? checkpoint : null);

    if (onlyACheckpointCanTell && !withCheckpoint) {
      assertTrue(v.valid(), "a cut or re-sealed tail looks like a shorter chain");
    } else {
      assertFalse(v.valid(), tampering + " at " + sequence + " went unnoticed");
      long broken = v.firstBrokenSequence().orElseThrow();
      assertTrue(broken >= 1 && broken <= sequence + 1,
          tampering + " at " + sequence + " reported at " + broken + ": " + v.problem());
      assertEquals(broken - 1, v.recordsChecked());
      assertFalse(v.problem().isBlank());
    }
  }

  @Property(tries = 300)
  void jsonFormRoundTripsEveryEventExactly(@ForAll("events") AuditEvent event,
      @ForAll @IntRange(min = 1, max = 1_000_000) int sequence) {
    AuditRecord record = AuditChain.seal(sequence, AuditRecord.GENESIS, event);
    String line = new String(AuditJson.write(record), StandardCharsets.UTF_8);
    assertFalse(line.contains("\n"), "one record, one line");
    assertEquals(record, AuditJson.read(line));
  }
}
