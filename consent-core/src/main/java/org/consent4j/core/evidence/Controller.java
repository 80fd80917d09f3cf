package org.consent4j.core.evidence;

import java.util.Objects;

/**
 * The controller (GDPR Art. 4(7)) as named on receipts and in the record of processing
 * activities: who decides why and how personal data is processed, and how to reach them.
 * Immutable.
 *
 * @param name the controller's name, not blank
 * @param contact how to reach the controller or its data protection officer (an address, a
 *     mailbox); may be empty
 * @param jurisdiction where the controller is established, such as {@code EU} or {@code NL}
 * @param policyUrl where the privacy policy is published; may be empty
 */
public record Controller(String name, String contact, String jurisdiction, String policyUrl) {

  /** @throws IllegalArgumentException if the name is blank or a value is too long */
  public Controller {
    text("name", name);
    if (name.isBlank()) {
      throw new IllegalArgumentException("the controller's name must not be blank");
    }
    text("contact", contact);
    text("jurisdiction", jurisdiction);
    text("policyUrl", policyUrl);
  }

  private static void text(String what, String value) {
    Objects.requireNonNull(value, what);
    if (value.length() > 512 || value.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("controller " + what + " must have at most 512 characters and no control"
          + " characters");
    }
  }
}
