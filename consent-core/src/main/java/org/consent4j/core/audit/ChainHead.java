package org.consent4j.core.audit;

import java.util.Objects;
import org.consent4j.AuditRecord;

/**
 * The head of an audit chain: the sequence and hash of its last record. Saved outside the audit
 * sink (another system, a signed message, a printout), it is a checkpoint: {@link
 * AuditTrail#verify(ChainHead)} then also proves that no record up to it was cut off and that the
 * chain was not rewritten and re-sealed from scratch, which the chain alone cannot prove.
 *
 * <p>Immutable and thread-safe.
 *
 * @param sequence the last record's sequence, 0 for an empty chain
 * @param hash the last record's hash, {@link AuditRecord#GENESIS} for an empty chain
 */
public record ChainHead(long sequence, String hash) {

  /**
   * @throws NullPointerException if {@code hash} is null
   * @throws IllegalArgumentException if the sequence is negative, the hash is not 64 lower-case
   *     hex digits, or the sequence is 0 and the hash is not {@link AuditRecord#GENESIS}
   */
  public ChainHead {
    Objects.requireNonNull(hash, "hash");
    if (sequence < 0) {
      throw new IllegalArgumentException("chain head sequence must not be negative, got " + sequence);
    }
    if (!AuditChain.isHash(hash)) {
      throw new IllegalArgumentException("chain head hash must be 64 lower-case hex digits");
    }
    if (sequence == 0 && !hash.equals(AuditRecord.GENESIS)) {
      throw new IllegalArgumentException("the head of an empty chain (sequence 0) must have the GENESIS hash");
    }
  }

  /** The head of an empty chain: sequence 0, {@link AuditRecord#GENESIS}. */
  public static ChainHead empty() {
    return new ChainHead(0, AuditRecord.GENESIS);
  }

  /**
   * The head of a chain whose last record is {@code last}.
   *
   * @throws NullPointerException if {@code last} is null
   */
  public static ChainHead of(AuditRecord last) {
    return new ChainHead(last.sequence(), last.hash());
  }
}
