package org.consent4j.core.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.consent4j.AuditEvent;
import org.consent4j.AuditRecord;
import org.consent4j.DataCategory;
import org.consent4j.Outcome;
import org.consent4j.Purpose;
import org.consent4j.Recipient;
import org.consent4j.SubjectId;

/**
 * The hash of every event is the SHA-256 of the documented encoding (AuditChain's class comment),
 * computed here the plain way, one field after another into a stream, as a reference model: the
 * reused buffer, the ASCII copy, the fall-back to the strict encoder for other text (two- to
 * four-byte UTF-8, surrogate pairs) and the buffer's growth for long texts change nothing.
 */
final class AuditChainEncodingProperties {

  /** ASCII, Latin-1, three-byte and four-byte (surrogate pair) characters, mixed. */
  private static Arbitrary<String> text(int maxLength) {
    return Arbitraries.strings().withCharRange(' ', '~').withChars("äß\u00ff\u0100漢\u2028\"\\")
        .ofMaxLength(maxLength)
        .flatMap(s -> Arbitraries.of("", "\uD83D\uDE00", "\uD800\uDC00").map(pair -> s + pair));
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
    Arbitrary<List<SubjectId>> subjects = text(20).filter(s -> !s.isBlank()).map(SubjectId::of).list().ofMaxSize(5);
    Arbitrary<TreeSet<DataCategory>> categories = name().map(DataCategory::of).set().ofMaxSize(3).map(TreeSet::new);
    // values up to 4,000 characters: a record of several values outgrows the encoder's first buffer
    Arbitrary<TreeMap<String, String>> details = Arbitraries.maps(text(6),
        Arbitraries.oneOf(text(12), text(4_000))).ofMaxSize(4).map(TreeMap::new);
    Arbitrary<Object[]> first = Combinators.combine(time, text(30), name().map(Purpose::of),
            Arbitraries.of("self", "quizlab").map(Recipient::of), text(60), subjects, categories,
            Arbitraries.of(Outcome.class))
        .as((t, actor, purpose, recipient, operation, s, c, outcome) -> new Object[] {
            t, actor, purpose, recipient, operation, s, c, outcome});
    Arbitrary<Object[]> rest = Combinators.combine(text(30), Arbitraries.longs().greaterOrEqual(0), details)
        .as((reason, version, d) -> new Object[] {reason, version, d});
    return Combinators.combine(first, rest).as((a, b) -> new AuditEvent((Instant) a[0], (String) a[1],
        (Purpose) a[2], (Recipient) a[3], (String) a[4], cast(a[5]), cast(a[6]), (Outcome) a[7], (String) b[0],
        (Long) b[1], cast(b[2])));
  }

  @SuppressWarnings("unchecked")
  private static <T> T cast(Object o) {
    return (T) o;
  }

  @Property(tries = 400)
  void hashIsTheSha256OfTheReferenceEncoding(@ForAll("events") AuditEvent event,
      @ForAll("sequences") long sequence, @ForAll("hashes") String previousHash) throws Exception {
    assertEquals(reference(sequence, previousHash, event), AuditChain.hash(sequence, previousHash, event));
    // and again on the same thread, whose encoder the first hash left behind
    assertEquals(reference(sequence, previousHash, event), AuditChain.seal(sequence, previousHash, event).hash());
  }

  @Property(tries = 100)
  void aRejectedEventLeavesNothingBehindForTheNextHash(@ForAll("events") AuditEvent before,
      @ForAll("events") AuditEvent after) throws Exception {
    AuditChain.hash(1, AuditRecord.GENESIS, before);
    AuditEvent broken = new AuditEvent(after.time(), after.actor() + "\uD800", after.purpose(), after.recipient(),
        after.operation(), after.subjects(), after.categories(), after.outcome(), after.reason(),
        after.stateVersion(), after.details());
    assertThrows(IllegalArgumentException.class, () -> AuditChain.hash(2, AuditRecord.GENESIS, broken));
    assertEquals(reference(2, AuditRecord.GENESIS, after), AuditChain.hash(2, AuditRecord.GENESIS, after));
  }

  @Provide
  Arbitrary<Long> sequences() {
    return Arbitraries.oneOf(Arbitraries.longs().between(1, 1_000), Arbitraries.longs().greaterOrEqual(1));
  }

  @Provide
  Arbitrary<String> hashes() {
    return Arbitraries.strings().withChars("0123456789abcdef").ofLength(64);
  }

  private static String reference(long sequence, String previousHash, AuditEvent e) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    str(out, "consent4j-audit-v1");
    out.writeLong(sequence);
    str(out, previousHash);
    out.writeLong(e.time().getEpochSecond());
    out.writeInt(e.time().getNano());
    str(out, e.actor());
    str(out, e.purpose().name());
    str(out, e.recipient().id());
    str(out, e.operation());
    out.writeInt(e.subjects().size());
    for (SubjectId s : e.subjects()) {
      str(out, s.value());
    }
    out.writeInt(e.categories().size());
    for (DataCategory c : e.categories()) {
      str(out, c.name());
    }
    str(out, e.outcome().name());
    str(out, e.reason());
    out.writeLong(e.stateVersion());
    out.writeInt(e.details().size());
    for (Map.Entry<String, String> d : e.details().entrySet()) {
      str(out, d.getKey());
      str(out, d.getValue());
    }
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray()));
    } catch (java.security.NoSuchAlgorithmException x) {
      throw new AssertionError(x);
    }
  }

  /** Well-formed text only (the generator makes no unpaired surrogate), so getBytes is exact here. */
  private static void str(DataOutputStream out, String s) throws IOException {
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(utf8.length);
    out.write(utf8);
  }
}
