package org.consent4j;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;

/**
 * One access decision as recorded in the audit trail: when, who, for which purpose and
 * recipient, what operation, about which subjects and categories, with what outcome and why.
 * An event holds identifiers only, never the personal data itself.
 *
 * @param time when the decision was made
 * @param actor who processed
 * @param purpose for which purpose
 * @param recipient for which recipient
 * @param operation what was done, e.g. {@code check} or {@code repository ContactRepository.findFriends}
 * @param subjects the subjects the outcome applies to, in order
 * @param categories the data categories concerned: released for PERMIT and PARTIAL, asked for DENY
 * @param outcome the outcome
 * @param reason a machine-readable reason code, usually a {@link Reason} name
 * @param stateVersion the newest ledger sequence among the consent states the decision used
 * @param details further identifiers (a statement fingerprint, a row count), never personal data
 */
public record AuditEvent(
    Instant time,
    String actor,
    Purpose purpose,
    Recipient recipient,
    String operation,
    List<SubjectId> subjects,
    SortedSet<DataCategory> categories,
    Outcome outcome,
    String reason,
    long stateVersion,
    SortedMap<String, String> details) {

  /** Validates and copies the components. */
  public AuditEvent {
    Objects.requireNonNull(time, "time");
    Sorted.text("actor", actor, 128);
    Objects.requireNonNull(purpose, "purpose");
    Objects.requireNonNull(recipient, "recipient");
    Sorted.text("operation", operation, 512);
    subjects = List.copyOf(subjects);
    categories = Sorted.set("categories", categories);
    Objects.requireNonNull(outcome, "outcome");
    Sorted.text("reason", reason, 128);
    if (stateVersion < 0) {
      throw new IllegalArgumentException("stateVersion must not be negative");
    }
    details = Sorted.map("details", details);
    for (Map.Entry<String, String> e : details.entrySet()) {
      Sorted.text("details key", e.getKey(), 128);
      Sorted.text("details value", e.getValue(), 4096);
    }
  }

  /** True when this event concerns {@code subject}. */
  public boolean concerns(SubjectId subject) {
    return subjects.contains(subject);
  }
}
