package org.consent4j;

/** The lawful bases for processing of GDPR Art. 6(1). */
public enum LegalBasis {
  /** Art. 6(1)(a): the subject's consent; processing needs an effective grant. */
  CONSENT,
  /** Art. 6(1)(b): performance of a contract with the subject. */
  CONTRACT,
  /** Art. 6(1)(c): a legal obligation of the controller. */
  LEGAL_OBLIGATION,
  /** Art. 6(1)(d): the vital interests of the subject or another person. */
  VITAL_INTERESTS,
  /** Art. 6(1)(e): a task in the public interest. */
  PUBLIC_TASK,
  /** Art. 6(1)(f): legitimate interests, to which the subject may object (Art. 21). */
  LEGITIMATE_INTERESTS;

  /** True for every basis but {@link #CONSENT}: such purposes need no grant. */
  public boolean needsNoGrant() {
    return this != CONSENT;
  }
}
