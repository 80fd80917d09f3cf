package org.consent4j;

import java.time.Instant;
import java.util.Objects;

/**
 * A subject's objection (Art. 21) to processing based on legitimate interests. From the moment
 * it is recorded, every {@link LegalBasis#LEGITIMATE_INTERESTS} purpose that overlaps
 * {@code purpose} is denied for this subject.
 *
 * @param subject the subject objecting
 * @param purpose the purpose objected to
 * @param objectedAt when the subject objected
 * @param evidence how the objection was collected
 */
public record Objection(SubjectId subject, Purpose purpose, Instant objectedAt, Evidence evidence)
    implements ConsentRecord {

  /** Validates the components. */
  public Objection {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(purpose, "purpose");
    Objects.requireNonNull(objectedAt, "objectedAt");
    Objects.requireNonNull(evidence, "evidence");
  }

  /** An objection to {@code purpose}, made through the API. */
  public static Objection of(SubjectId subject, Purpose purpose, Instant objectedAt) {
    return new Objection(subject, purpose, objectedAt, Evidence.api());
  }
}
