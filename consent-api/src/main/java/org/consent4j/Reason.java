package org.consent4j;

/**
 * Why a subject or a data category was permitted or denied: the machine-readable part of a
 * {@link Decision}. For a consent purpose, the subject's grants are narrowed in this order and
 * the first step that leaves none gives the reason: {@link #NO_GRANT}, {@link #GRANT_WITHDRAWN},
 * {@link #GRANT_EXPIRED}, {@link #NOTICE_OUTDATED}, {@link #RECIPIENT_NOT_COVERED}, then per
 * category {@link #CATEGORY_NOT_COVERED}.
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
  OBJECTED(false);

  private final boolean permits;

  Reason(boolean permits) {
    this.permits = permits;
  }

  /** True for the reasons that permit. */
  public boolean permits() {
    return permits;
  }
}
