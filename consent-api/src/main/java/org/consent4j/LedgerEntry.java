package org.consent4j;

import java.time.Instant;
import java.util.Objects;

/**
 * A {@link ConsentRecord} as stored in the ledger, with the sequence number the store gave it.
 * Sequence numbers grow with every append, across all subjects: a withdrawal voids the grants
 * recorded before it and none recorded after it.
 *
 * @param sequence the position in the ledger, at least 1
 * @param recordedAt when the store appended the record
 * @param record the record
 */
public record LedgerEntry(long sequence, Instant recordedAt, ConsentRecord record) {

  /** @throws IllegalArgumentException if the sequence is below 1 */
  public LedgerEntry {
    Objects.requireNonNull(recordedAt, "recordedAt");
    Objects.requireNonNull(record, "record");
    if (sequence < 1) {
      throw new IllegalArgumentException("ledger sequence must be at least 1, got " + sequence);
    }
  }
}
