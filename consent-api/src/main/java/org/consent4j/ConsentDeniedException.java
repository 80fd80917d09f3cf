package org.consent4j;

import java.util.Optional;

/**
 * Access was denied. Thrown where a call cannot return less data instead, such as a
 * repository method whose subject argument did not consent.
 */
public class ConsentDeniedException extends ConsentException {
  private static final long serialVersionUID = 1L;

  private final transient Decision decision;

  /** For a denied decision. */
  public ConsentDeniedException(String operation, Decision decision) {
    super(operation + " denied for subject " + decision.subject() + ", purpose " + decision.context().purpose()
        + ", recipient " + decision.context().recipient() + ": " + describe(decision));
    this.decision = decision;
  }

  /** For a denial that is not about one subject's consent, such as a purpose a method does not serve. */
  public ConsentDeniedException(String message) {
    super(message);
    this.decision = null;
  }

  /** The decision, when the denial was about one subject. */
  public Optional<Decision> decision() {
    return Optional.ofNullable(decision);
  }

  private static String describe(Decision decision) {
    if (!decision.subjectPermitted()) {
      return decision.subjectReason().name();
    }
    StringBuilder sb = new StringBuilder();
    decision.categories().forEach((c, r) -> {
      if (!r.permits()) {
        sb.append(sb.length() == 0 ? "" : ", ").append(c).append('=').append(r);
      }
    });
    return sb.toString();
  }
}
