package org.consent4j;

/**
 * Why a subject or a data category was permitted or denied: the machine-readable part of a
 * {@link Decision}. For a consent purpose, the subject's grants are narrowed in this order and
 * the first step that leaves none gives the reason: {@link #NO_GRANT}, {@link #GRANT_WITHDRAWN},
 * {@link #GRANT_EXPIRED}, {@link #NOTICE_OUTDATED}, {@link #RECIPIENT_NOT_COVERED},
 * {@link #TRANSFER_NOT_SAFEGUARDED}, then per category {@link #CATEGORY_NOT_COVERED} and
 * {@link #EXPLICIT_CONSENT_REQUIRED}. A subject denied for the transfer still has the
 * special-category problem reported per category, so an audit shows both.
 */
public enum Reason {
  /** Permitted by an effective grant of the subject. */
  GRANTED(true),
  /** Permitted by the purpose's legal basis and declared categories and recipients. */
  LEGAL_BASIS(true),
  /** The subject has no grant for the purpose. */
  NO_GRANT(false),
  /** The subject's grants for the purpose were withdrawn. */
  GRANT_WITHDRAWN(false),
  /** The subject's grants for the purpose have expired. */
  GRANT_EXPIRED(false),
  /** The subject's grants were given under a notice older than the purpose requires. */
  NOTICE_OUTDATED(false),
  /** No effective grant names the recipient, or the purpose does not declare it. */
  RECIPIENT_NOT_COVERED(false),
  /** The subject's effective grants do not cover the data category. */
  CATEGORY_NOT_COVERED(false),
  /** The purpose's legal basis does not extend to the data category (purpose limitation). */
  CATEGORY_NOT_DECLARED(false),
  /** The subject objected to this legitimate-interests purpose (Art. 21). */
  OBJECTED(false),
  /**
   * The category is special (Art. 9) and neither an effective grant covering it records explicit
   * consent nor does the purpose name an Art. 9(2) condition.
   */
  EXPLICIT_CONSENT_REQUIRED(false),
  /**
   * The recipient is outside the EEA, in a jurisdiction without adequacy decision and without
   * declared safeguards (Art. 44–46), and no effective grant records the subject's explicit
   * consent to the transfer (Art. 49(1)(a)).
   */
  TRANSFER_NOT_SAFEGUARDED(false);

  private final boolean permits;

  Reason(boolean permits) {
    this.permits = permits;
  }

  /** True for the reasons that permit. */
  public boolean permits() {
    return permits;
  }
}
