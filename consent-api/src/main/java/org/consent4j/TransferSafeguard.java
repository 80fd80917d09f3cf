package org.consent4j;

/**
 * Appropriate safeguards (GDPR Art. 46, 47) under which personal data may go to a recipient in a
 * country without an adequacy decision (Art. 45), declared on the recipient in the catalog.
 */
public enum TransferSafeguard {
  /** Art. 46(2)(c): standard data protection clauses adopted by the Commission. */
  STANDARD_CONTRACTUAL_CLAUSES,
  /** Art. 47: binding corporate rules approved by a supervisory authority. */
  BINDING_CORPORATE_RULES,
  /** Art. 46(2)(e): an approved code of conduct with binding commitments of the recipient. */
  APPROVED_CODE_OF_CONDUCT,
  /** Art. 46(2)(f): an approved certification mechanism with binding commitments of the recipient. */
  APPROVED_CERTIFICATION
}
