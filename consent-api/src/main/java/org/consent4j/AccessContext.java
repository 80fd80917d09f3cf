package org.consent4j;

import java.util.Objects;

/**
 * Who is processing personal data, for which purpose, and for which recipient. Every protected
 * read or write runs under one, bound to the thread by {@code ConsentEngine.process} or passed
 * explicitly.
 *
 * @param actor the processing service or user (not a data subject's personal data), at most 128
 *     characters
 * @param purpose the purpose of this processing; must be declared in the catalog
 * @param recipient who receives the data; {@link Recipient#FIRST_PARTY} for the controller
 */
public record AccessContext(String actor, Purpose purpose, Recipient recipient) {

  /** @throws IllegalArgumentException if the actor is blank, too long or has control characters */
  public AccessContext {
    Sorted.text("actor", actor, 128);
    if (actor.isBlank()) {
      throw new IllegalArgumentException("actor must not be blank");
    }
    Objects.requireNonNull(purpose, "purpose");
    Objects.requireNonNull(recipient, "recipient");
  }

  /** A first-party context. */
  public static AccessContext of(String actor, Purpose purpose) {
    return new AccessContext(actor, purpose, Recipient.FIRST_PARTY);
  }

  /** A first-party context, with the purpose by name. */
  public static AccessContext of(String actor, String purpose) {
    return of(actor, Purpose.of(purpose));
  }

  /** A context whose data goes to {@code recipient}. */
  public static AccessContext of(String actor, Purpose purpose, Recipient recipient) {
    return new AccessContext(actor, purpose, recipient);
  }

  /** A context whose data goes to {@code recipient}, with purpose and recipient by name. */
  public static AccessContext of(String actor, String purpose, String recipient) {
    return of(actor, Purpose.of(purpose), Recipient.of(recipient));
  }
}
