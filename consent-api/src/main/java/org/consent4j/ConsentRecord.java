package org.consent4j;

/**
 * One record of the append-only consent ledger: a {@link Grant}, a {@link Withdrawal} (of a
 * purpose), a {@link GrantWithdrawal} (of one grant) or an {@link Objection}.
 * Records are never edited or deleted; a later record changes their effect.
 */
public sealed interface ConsentRecord permits Grant, Withdrawal, GrantWithdrawal, Objection {

  /** The data subject this record is about. */
  SubjectId subject();

  /** How the record was collected. */
  Evidence evidence();
}
