package org.consent4j;

import java.util.Objects;

/**
 * A grant was named by an id that the subject's ledger does not hold: an unknown id, or the id
 * of another subject's grant (the two are not told apart, so that the error says nothing about
 * other subjects). Nothing was recorded.
 */
public class UnknownGrantException extends ConsentException {
  private static final long serialVersionUID = 1L;

  /** The subject that asked. */
  private final SubjectId subject;
  /** The grant id that was not found. */
  private final GrantId grant;

  /** For this subject and grant id. */
  public UnknownGrantException(SubjectId subject, GrantId grant) {
    super("subject " + Objects.requireNonNull(subject, "subject") + " has no grant with id '"
        + Objects.requireNonNull(grant, "grant") + "' (a grant can only be withdrawn by its own subject);"
        + " nothing was recorded. Take the id from the subject's history (Grant.id())");
    this.subject = subject;
    this.grant = grant;
  }

  /** The subject that asked. */
  public SubjectId subject() {
    return subject;
  }

  /** The grant id that was not found. */
  public GrantId grant() {
    return grant;
  }
}
