package org.consent4j.jdbc;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.consent4j.Purpose;
import org.consent4j.Recipient;
import org.consent4j.SubjectId;

/**
 * One recipient to tell about one withdrawal or erasure (GDPR Art. 19). Immutable.
 *
 * @param id the notification's id in the outbox; with the recipient, a key for idempotence
 * @param subject the subject who withdrew or was erased
 * @param recipient the recipient that received their data
 * @param kind what happened
 * @param purpose for a withdrawal, the purpose withdrawn
 * @param at when it happened
 */
public record RecipientNotification(long id, SubjectId subject, Recipient recipient, Kind kind,
    Optional<Purpose> purpose, Instant at) {

  /** What the recipient is told about. */
  public enum Kind {
    /** The subject withdrew consent: stop processing under the purpose. */
    WITHDRAWAL,
    /** The subject's data was erased: erase your copy (Art. 17(2), 19). */
    ERASURE
  }

  /** Validates the components. */
  public RecipientNotification {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(recipient, "recipient");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(purpose, "purpose");
    Objects.requireNonNull(at, "at");
  }
}
