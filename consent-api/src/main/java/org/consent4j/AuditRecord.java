package org.consent4j;

import java.util.Objects;

/**
 * An {@link AuditEvent} sealed into the hash chain: its sequence number, the hash of the record
 * before it, and its own hash, computed over the sequence, the previous hash and a canonical,
 * length-prefixed encoding of the event.
 *
 * @param sequence position in the chain, from 1
 * @param event the event
 * @param previousHash hex SHA-256 of the previous record, 64 zeros for the first
 * @param hash hex SHA-256 of this record
 */
public record AuditRecord(long sequence, AuditEvent event, String previousHash, String hash) {

  /** The previous hash of the first record. */
  public static final String GENESIS = "0".repeat(64);

  /** @throws IllegalArgumentException if the sequence is below 1 or a hash is not 64 hex digits */
  public AuditRecord {
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(previousHash, "previousHash");
    Objects.requireNonNull(hash, "hash");
    if (sequence < 1) {
      throw new IllegalArgumentException("audit sequence must be at least 1, got " + sequence);
    }
    if (!isHex64(previousHash) || !isHex64(hash)) {
      throw new IllegalArgumentException("audit hashes must be 64 lower-case hex digits");
    }
  }

  /** {@code [0-9a-f]{64}}, without a regular expression: every sealed record is checked. */
  private static boolean isHex64(String value) {
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
