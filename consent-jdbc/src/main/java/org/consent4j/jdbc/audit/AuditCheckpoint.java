package org.consent4j.jdbc.audit;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.consent4j.core.audit.ChainHead;

/**
 * A signed checkpoint of an audit chain: its head (the sequence of the last record, which in a
 * chain without gaps is also the number of records, and that record's hash), when it was taken,
 * and an HMAC-SHA256 over the three made with a key the database never sees. Kept outside the
 * audit database, it lets {@link org.consent4j.core.audit.AuditTrail#verify(org.consent4j.spi.AuditSink,
 * java.util.Optional)} detect a truncated tail and a chain deleted and re-sealed from scratch,
 * which the chain alone cannot show; the signature lets a reader trust a checkpoint found in a
 * shared place (a log, a bucket) only if it was made by the holder of the key.
 *
 * <p>One line of text, {@code v1 <sequence> <hash> <takenAt> <signature>}, so checkpoints can be
 * appended to a file, a ticket or a log message. Immutable and thread-safe.
 *
 * @param head the chain head
 * @param takenAt when it was taken
 * @param signature lower-case hex HMAC-SHA256 of {@code v1 <sequence> <hash> <takenAt>}
 */
public record AuditCheckpoint(ChainHead head, Instant takenAt, String signature) {

  private static final HexFormat HEX = HexFormat.of();

  /** @throws NullPointerException if a component is null */
  public AuditCheckpoint {
    Objects.requireNonNull(head, "head");
    Objects.requireNonNull(takenAt, "takenAt");
    Objects.requireNonNull(signature, "signature");
  }

  /**
   * Signs {@code head} taken at {@code takenAt}.
   *
   * @param key the secret HMAC key, at least 32 bytes; keep it away from the audit database
   * @throws IllegalArgumentException if the key is shorter than 32 bytes
   */
  public static AuditCheckpoint sign(ChainHead head, Instant takenAt, byte[] key) {
    Objects.requireNonNull(head, "head");
    Objects.requireNonNull(takenAt, "takenAt");
    return new AuditCheckpoint(head, takenAt, mac(payload(head, takenAt), key));
  }

  /**
   * The head, once the signature is proven to come from {@code key}.
   *
   * @throws SecurityException if the signature does not match: the checkpoint was forged or altered
   */
  public ChainHead verifiedHead(byte[] key) {
    String expected = mac(payload(head, takenAt), key);
    if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
        signature.getBytes(StandardCharsets.US_ASCII))) {
      throw new SecurityException("the audit checkpoint at sequence " + head.sequence() + " taken " + takenAt
          + " has a signature that does not match its content: it was forged or altered, or signed with another key");
    }
    return head;
  }

  /** The checkpoint as one line of text, without a line break. */
  public String toLine() {
    return payload(head, takenAt) + " " + signature;
  }

  /**
   * Reads a line written by {@link #toLine()}; does not check the signature.
   *
   * @throws IllegalArgumentException if the line is not a checkpoint
   */
  public static AuditCheckpoint parse(String line) {
    Objects.requireNonNull(line, "line");
    String[] parts = line.strip().split(" ");
    if (parts.length != 5 || !parts[0].equals("v1")) {
      throw new IllegalArgumentException("not an audit checkpoint line (expected 'v1 <sequence> <hash> <takenAt>"
          + " <signature>')");
    }
    try {
      return new AuditCheckpoint(new ChainHead(Long.parseLong(parts[1]), parts[2]), Instant.parse(parts[3]), parts[4]);
    } catch (NumberFormatException | DateTimeParseException e) {
      throw new IllegalArgumentException("not an audit checkpoint line: " + e.getClass().getSimpleName(), e);
    }
  }

  private static String payload(ChainHead head, Instant takenAt) {
    return "v1 " + head.sequence() + " " + head.hash() + " " + takenAt;
  }

  private static String mac(String payload, byte[] key) {
    Objects.requireNonNull(key, "key");
    if (key.length < 32) {
      throw new IllegalArgumentException("the checkpoint key must have at least 32 bytes, got " + key.length);
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return HEX.formatHex(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      // Every Java platform provides HmacSHA256 (Mac javadoc); any key bytes are a valid key.
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
