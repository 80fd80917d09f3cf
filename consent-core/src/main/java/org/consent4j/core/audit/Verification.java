package org.consent4j.core.audit;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * The result of checking an audit chain with {@link AuditTrail#verify()}.
 *
 * <p>Verification stops at the first problem. A chain is valid only when every record was read
 * and proven intact: a record that could not be read also makes it invalid. The problem names
 * sequences, never the content of a record. Immutable and thread-safe.
 *
 * @param valid true when every record was proven intact (and the checkpoint, if any, matched)
 * @param recordsChecked how many records were proven intact before the first problem; all of
 *     them when valid
 * @param firstBrokenSequence the sequence at which the chain stops being provably intact; empty
 *     when valid
 * @param problem one sentence saying what is wrong, naming the sequence; empty when valid
 */
public record Verification(boolean valid, long recordsChecked, OptionalLong firstBrokenSequence, String problem) {

  /**
   * @throws NullPointerException if {@code firstBrokenSequence} or {@code problem} is null
   * @throws IllegalArgumentException if {@code recordsChecked} is negative, or a valid result has
   *     a broken sequence or a problem, or an invalid one lacks either
   */
  public Verification {
    Objects.requireNonNull(firstBrokenSequence, "firstBrokenSequence");
    Objects.requireNonNull(problem, "problem");
    if (recordsChecked < 0) {
      throw new IllegalArgumentException("recordsChecked must not be negative, got " + recordsChecked);
    }
    if (valid != firstBrokenSequence.isEmpty() || valid != problem.isEmpty()) {
      throw new IllegalArgumentException(
          "a valid verification has neither a broken sequence nor a problem; an invalid one has both");
    }
  }

  /** A chain of {@code recordsChecked} records, all intact. */
  public static Verification intact(long recordsChecked) {
    return new Verification(true, recordsChecked, OptionalLong.empty(), "");
  }

  /**
   * A chain that is intact for its first {@code recordsChecked} records and broken at
   * {@code firstBrokenSequence}.
   *
   * @throws NullPointerException if {@code problem} is null
   * @throws IllegalArgumentException if {@code problem} is blank
   */
  public static Verification broken(long recordsChecked, long firstBrokenSequence, String problem) {
    Objects.requireNonNull(problem, "problem");
    if (problem.isBlank()) {
      throw new IllegalArgumentException("a broken chain needs a problem description");
    }
    return new Verification(false, recordsChecked, OptionalLong.of(firstBrokenSequence), problem);
  }
}
