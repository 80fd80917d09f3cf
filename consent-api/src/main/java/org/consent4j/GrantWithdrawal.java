package org.consent4j;

import java.time.Instant;
import java.util.Objects;

/**
 * A subject's withdrawal of one grant, named by its {@link GrantId} (Art. 7(3)): the "withdraw"
 * button next to one consent in a preference centre. From the moment it is recorded, the grant
 * with that id of this subject covers nothing any more — none of its purposes, categories or
 * recipients — while the subject's other grants are untouched, even those for the same purpose.
 * The voiding does not depend on order: a grant of this subject with this id that is recorded
 * later (an import of the same consent) is void as well, so a withdrawn grant cannot come back;
 * consent is given again by a new grant, with a new id.
 *
 * <p>Compare {@link Withdrawal}, which withdraws a purpose from every grant that covers it.
 *
 * @param subject the subject withdrawing, who must be the grant's subject
 * @param grant the id of the grant withdrawn
 * @param withdrawnAt when the subject withdrew
 * @param evidence how the withdrawal was collected
 */
public record GrantWithdrawal(SubjectId subject, GrantId grant, Instant withdrawnAt, Evidence evidence)
    implements ConsentRecord {

  /** Validates the components. */
  public GrantWithdrawal {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(grant, "grant");
    Objects.requireNonNull(withdrawnAt, "withdrawnAt");
    Objects.requireNonNull(evidence, "evidence");
  }

  /** A withdrawal of the grant {@code grant}, made through the API. */
  public static GrantWithdrawal of(SubjectId subject, GrantId grant, Instant withdrawnAt) {
    return new GrantWithdrawal(subject, grant, withdrawnAt, Evidence.api());
  }

  /** True when this withdrawal voids {@code g}: the same subject and the same grant id. */
  public boolean voids(Grant g) {
    return g.subject().equals(subject) && g.id().equals(grant);
  }
}
