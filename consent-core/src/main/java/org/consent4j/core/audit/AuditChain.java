package org.consent4j.core.audit;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.consent4j.AuditEvent;
import org.consent4j.AuditRecord;
import org.consent4j.DataCategory;
import org.consent4j.SubjectId;

/**
 * The hash chain of the audit trail: how a record's hash is computed and how a sequence of
 * records is checked.
 *
 * <p>A record's hash is the lower-case hex SHA-256 of this byte string, where {@code i32} and
 * {@code i64} are big-endian two's complement integers and {@code str(s)} is {@code i32} (the
 * length of the UTF-8 encoding of {@code s}) followed by that encoding:
 *
 * <pre>
 * str("consent4j-audit-v1")
 * i64 sequence
 * str previousHash
 * i64 time.epochSecond   i32 time.nano
 * str actor   str purpose.name   str recipient.id   str operation
 * i32 count   count × str subject.value          (in the event's order)
 * i32 count   count × str category.name          (sorted)
 * str outcome.name
 * str reason
 * i64 stateVersion
 * i32 count   count × (str key, str value)       (sorted by key)
 * </pre>
 *
 * <p>Every variable-length part carries its length or count, so no two different records encode
 * to the same bytes: moving text from one field to the next, or splitting one subject id into two,
 * changes the hash. The leading format tag lets a later format be told apart from this one.
 *
 * <p>Stateless and thread-safe.
 */
public final class AuditChain {

  private static final byte[] FORMAT_TAG = "consent4j-audit-v1".getBytes(StandardCharsets.UTF_8);
  /**
   * One encoder (its buffer and SHA-256 digest) per thread, reused: looking up the digest for every
   * record cost more than hashing it.
   */
  private static final ThreadLocal<Encoder> ENCODERS = ThreadLocal.withInitial(Encoder::new);

  private AuditChain() {}

  /**
   * Computes the hash of the record that seals {@code event} at {@code sequence} after a record
   * whose hash is {@code previousHash}.
   *
   * @param sequence position in the chain, from 1
   * @param previousHash the previous record's hash, {@link AuditRecord#GENESIS} for the first
   * @param event the event
   * @return 64 lower-case hex digits
   * @throws NullPointerException if {@code previousHash} or {@code event} is null
   * @throws IllegalArgumentException if {@code sequence} is below 1, {@code previousHash} is not
   *     64 lower-case hex digits, or a text of the event is not well-formed Unicode (an unpaired
   *     surrogate character), which would make its encoding ambiguous
   */
  public static String hash(long sequence, String previousHash, AuditEvent event) {
    Objects.requireNonNull(previousHash, "previousHash");
    Objects.requireNonNull(event, "event");
    if (sequence < 1) {
      throw new IllegalArgumentException("audit sequence must be at least 1, got " + sequence);
    }
    if (!isHash(previousHash)) {
      throw new IllegalArgumentException("previousHash must be 64 lower-case hex digits");
    }
    Encoder e = ENCODERS.get();
    e.start();
    e.bytes(FORMAT_TAG);
    e.i64(sequence);
    e.str("previousHash", previousHash);
    e.i64(event.time().getEpochSecond());
    e.i32(event.time().getNano());
    e.str("actor", event.actor());
    e.str("purpose", event.purpose().name());
    e.str("recipient", event.recipient().id());
    e.str("operation", event.operation());
    e.i32(event.subjects().size());
    for (SubjectId subject : event.subjects()) {
      e.str("subject", subject.value());
    }
    e.i32(event.categories().size());
    for (DataCategory category : event.categories()) {
      e.str("category", category.name());
    }
    e.str("outcome", event.outcome().name());
    e.str("reason", event.reason());
    e.i64(event.stateVersion());
    e.i32(event.details().size());
    for (Map.Entry<String, String> detail : event.details().entrySet()) {
      e.str("details key", detail.getKey());
      e.str("details value", detail.getValue());
    }
    return e.finish();
  }

  /**
   * Checks, without hashing, that {@link #hash} can hash {@code event}: that every text of it is
   * well-formed Unicode. For a caller that hands the sealing to another thread.
   *
   * @throws NullPointerException if {@code event} is null
   * @throws IllegalArgumentException as {@link #hash}, for a text with an unpaired surrogate
   */
  public static void requireHashable(AuditEvent event) {
    Objects.requireNonNull(event, "event");
    Encoder.check("actor", event.actor());
    Encoder.check("purpose", event.purpose().name());
    Encoder.check("recipient", event.recipient().id());
    Encoder.check("operation", event.operation());
    for (SubjectId subject : event.subjects()) {
      Encoder.check("subject", subject.value());
    }
    for (DataCategory category : event.categories()) {
      Encoder.check("category", category.name());
    }
    Encoder.check("reason", event.reason());
    for (Map.Entry<String, String> detail : event.details().entrySet()) {
      Encoder.check("details key", detail.getKey());
      Encoder.check("details value", detail.getValue());
    }
  }

  /**
   * Seals {@code event} into the record at {@code sequence} after a record whose hash is
   * {@code previousHash}.
   *
   * @throws NullPointerException if {@code previousHash} or {@code event} is null
   * @throws IllegalArgumentException as {@link #hash}
   */
  public static AuditRecord seal(long sequence, String previousHash, AuditEvent event) {
    return new AuditRecord(sequence, event, previousHash, hash(sequence, previousHash, event));
  }

  /**
   * Checks records in the order given, stopping at the first problem. Reads one record at a time,
   * so a chain of any length is checked in constant memory. An exception thrown by the iterator
   * (an unreadable record) is reported as a broken chain, since the records after it cannot be
   * proven intact.
   */
  static Verification verify(Iterator<AuditRecord> records, Optional<ChainHead> checkpoint) {
    long expected = 1;
    String previousHash = AuditRecord.GENESIS;
    long checkpointSequence = checkpoint.map(ChainHead::sequence).orElse(0L);
    while (true) {
      AuditRecord r;
      try {
        if (!records.hasNext()) {
          break;
        }
        r = records.next();
      } catch (RuntimeException e) {
        return Verification.broken(expected - 1, expected, "the audit record after sequence " + (expected - 1)
            + " could not be read, so the chain cannot be proven intact from sequence " + expected + ": "
            + describe(e));
      }
      if (r.sequence() != expected) {
        return Verification.broken(expected - 1, expected, r.sequence() > expected
            ? "audit record " + expected + " is missing (found " + r.sequence() + " in its place):"
                + " records were removed or reordered"
            : "audit record " + r.sequence() + " appears again where " + expected + " was expected:"
                + " records were inserted or reordered");
      }
      if (!hash(r.sequence(), r.previousHash(), r.event()).equals(r.hash())) {
        return Verification.broken(expected - 1, expected, "audit record " + expected
            + " was altered: its hash does not match its content");
      }
      if (!r.previousHash().equals(previousHash)) {
        return Verification.broken(expected - 1, expected, "audit record " + expected
            + " does not follow record " + (expected - 1)
            + ": its previous hash does not match (a record was removed, inserted or re-sealed)");
      }
      if (expected == checkpointSequence && !r.hash().equals(checkpoint.get().hash())) {
        return Verification.broken(expected - 1, expected, "audit record " + expected
            + " differs from the checkpoint: the chain was rewritten up to it");
      }
      previousHash = r.hash();
      expected++;
    }
    long last = expected - 1;
    if (last < checkpointSequence) {
      return Verification.broken(last, expected, "the audit chain ends at sequence " + last
          + " but the checkpoint is at sequence " + checkpointSequence + ": records were removed from its end");
    }
    return Verification.intact(last);
  }

  /**
   * Builds the canonical encoding in a reused buffer and hands it to the digest in one update: one
   * digest call per record instead of one per field, and no byte array per text. Texts of ASCII
   * characters (nearly all of them: names, ids, fingerprints, hashes) are copied char by char, their
   * UTF-8 encoding being the chars themselves; any other text goes through the strict encoder.
   * Nothing reaches the digest before the whole record is encoded, so a text that cannot be
   * encoded leaves it as it was.
   */
  private static final class Encoder {
    /** A buffer grown past this by a large record is not kept for the next one. */
    private static final int KEPT = 16 * 1024;
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.ISO_8859_1);

    final MessageDigest digest;
    private byte[] buf = new byte[512];
    private int pos;

    Encoder() {
      try {
        digest = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        // Every Java platform must provide SHA-256 (MessageDigest javadoc).
        throw new IllegalStateException("SHA-256 is not available", e);
      }
    }

    void start() {
      if (buf.length > KEPT) {
        buf = new byte[512];
      }
      pos = 0;
    }

    private void room(int n) {
      if (n > buf.length - pos) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, Math.addExact(pos, n)));
      }
    }

    private void put32(int at, int value) {
      buf[at] = (byte) (value >>> 24);
      buf[at + 1] = (byte) (value >>> 16);
      buf[at + 2] = (byte) (value >>> 8);
      buf[at + 3] = (byte) value;
    }

    void i32(int value) {
      room(Integer.BYTES);
      put32(pos, value);
      pos += Integer.BYTES;
    }

    void i64(long value) {
      room(Long.BYTES);
      put32(pos, (int) (value >>> 32));
      put32(pos + Integer.BYTES, (int) value);
      pos += Long.BYTES;
    }

    void bytes(byte[] value) {
      i32(value.length);
      room(value.length);
      System.arraycopy(value, 0, buf, pos, value.length);
      pos += value.length;
    }

    void str(String field, String value) {
      int n = value.length();
      room(Integer.BYTES + n);
      int at = pos + Integer.BYTES;
      for (int i = 0; i < n; i++) {
        char c = value.charAt(i);
        if (c >= 0x80) {
          bytes(utf8(field, value)); // overwrites what the loop copied
          return;
        }
        buf[at + i] = (byte) c;
      }
      put32(pos, n);
      pos = at + n;
    }

    /** The SHA-256 of what was encoded, as 64 lower-case hex digits; the digest is reset by it. */
    String finish() {
      digest.update(buf, 0, pos);
      byte[] hash = digest.digest();
      byte[] hex = new byte[hash.length * 2];
      for (int i = 0; i < hash.length; i++) {
        hex[2 * i] = HEX[(hash[i] >> 4) & 0xf];
        hex[2 * i + 1] = HEX[hash[i] & 0xf];
      }
      return new String(hex, StandardCharsets.ISO_8859_1);
    }

    /** Throws as {@link #utf8} would, without encoding when the text has no surrogate character. */
    static void check(String field, String value) {
      for (int i = 0; i < value.length(); i++) {
        if (Character.isSurrogate(value.charAt(i))) {
          utf8(field, value);
          return;
        }
      }
    }

    /**
     * Strict, because the lenient {@link String#getBytes} turns every unpaired surrogate into
     * {@code ?}: two different texts would then hash alike.
     */
    private static byte[] utf8(String field, String value) {
      for (int i = 0; i < value.length(); i++) {
        if (Character.isSurrogate(value.charAt(i))) {
          try {
            ByteBuffer encoded = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .encode(CharBuffer.wrap(value));
            byte[] bytes = new byte[encoded.remaining()];
            encoded.get(bytes);
            return bytes;
          } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the audit event's " + field
                + " is not well-formed Unicode (it has an unpaired surrogate character), so it cannot be hashed"
                + " unambiguously", e);
          }
        }
      }
      return value.getBytes(StandardCharsets.UTF_8);
    }
  }

  /** A sink's own message; sinks name files, lines and sequences, never record content. */
  static String describe(Exception e) {
    return e.getMessage() != null ? e.getMessage() : e.getClass().getName();
  }

  static boolean isHash(String value) {
    if (value.length() != 64) {
      return false;
    }
    for (int i = 0; i < 64; i++) {
      char c = value.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }
}
