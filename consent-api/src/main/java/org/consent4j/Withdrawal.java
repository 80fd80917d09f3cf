package org.consent4j;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A subject's withdrawal of consent (Art. 7(3)). From the moment it is recorded, the subject's
 * grants recorded before it — or granted before {@code withdrawnAt}, even if recorded later (an
 * import of an old consent) — no longer cover any purpose that overlaps {@code purpose} (the
 * purpose itself, its ancestors and its descendants), for every recipient or for
 * {@code recipient} only. A grant given at or after {@code withdrawnAt} and recorded after the
 * withdrawal is unaffected: consent can be given again.
 *
 * @param subject the subject withdrawing
 * @param purpose the purpose withdrawn
 * @param recipient the one recipient withdrawn, or empty for all recipients
 * @param withdrawnAt when the subject withdrew
 * @param evidence how the withdrawal was collected
 */
public record Withdrawal(
    SubjectId subject, Purpose purpose, Optional<Recipient> recipient, Instant withdrawnAt, Evidence evidence)
    implements ConsentRecord {

  /** Validates the components. */
  public Withdrawal {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(purpose, "purpose");
    Objects.requireNonNull(recipient, "recipient");
    Objects.requireNonNull(withdrawnAt, "withdrawnAt");
    Objects.requireNonNull(evidence, "evidence");
  }

  /** A withdrawal of {@code purpose} for all recipients, made through the API. */
  public static Withdrawal of(SubjectId subject, Purpose purpose, Instant withdrawnAt) {
    return new Withdrawal(subject, purpose, Optional.empty(), withdrawnAt, Evidence.api());
  }

  /** True when this withdrawal voids an earlier grant's coverage of {@code purpose} for {@code to}. */
  public boolean voids(Purpose purpose, Recipient to) {
    return this.purpose.overlaps(purpose) && recipient.map(to::equals).orElse(true);
  }
}
