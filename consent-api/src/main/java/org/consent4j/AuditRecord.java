package org.consent4j;

import java.util.Objects;
import java.util.regex.Pattern;

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

  private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

  /** @throws IllegalArgumentException if the sequence is below 1 or a hash is not 64 hex digits */
  public AuditRecord {
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(previousHash, "previousHash");
    Objects.requireNonNull(hash, "hash");
    if (sequence < 1) {
      throw new IllegalArgumentException("audit sequence must be at least 1, got " + sequence);
    }
    if (!HEX.matcher(Objects.requireNonNull(previousHash, "previousHash")).matches()
        || !HEX.matcher(Objects.requireNonNull(hash, "hash")).matches()) {
      throw new IllegalArgumentException("audit hashes must be 64 lower-case hex digits");
    }
  }
}
