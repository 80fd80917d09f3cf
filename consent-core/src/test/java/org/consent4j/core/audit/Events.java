package org.consent4j.core.audit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.consent4j.AuditEvent;
import org.consent4j.AuditRecord;
import org.consent4j.DataCategory;
import org.consent4j.Outcome;
import org.consent4j.Purpose;
import org.consent4j.Recipient;
import org.consent4j.SubjectId;

/** Audit events and chains for tests. */
final class Events {
  static final Instant T0 = Instant.parse("2025-03-01T09:30:00.123456789Z");

  private Events() {}

  /** A distinct event for each {@code i}. */
  static AuditEvent event(int i) {
    return new AuditEvent(T0.plusNanos(i * 1_000_001L), "crm-service", Purpose.of("marketing.email"),
        i % 3 == 0 ? Recipient.of("quizlab") : Recipient.FIRST_PARTY, "check", List.of(SubjectId.of(i), SubjectId.of(i + 1)),
        new TreeSet<>(List.of(DataCategory.of("contact.email"), DataCategory.of("contact.phone"))),
        Outcome.values()[i % 3], "GRANTED", i, new TreeMap<>(Map.of("rows", Integer.toString(i))));
  }

  static AuditEvent withActor(AuditEvent e, String actor) {
    return new AuditEvent(e.time(), actor, e.purpose(), e.recipient(), e.operation(), e.subjects(), e.categories(),
        e.outcome(), e.reason(), e.stateVersion(), e.details());
  }

  static AuditEvent withOutcome(AuditEvent e, Outcome outcome) {
    return new AuditEvent(e.time(), e.actor(), e.purpose(), e.recipient(), e.operation(), e.subjects(), e.categories(),
        outcome, e.reason(), e.stateVersion(), e.details());
  }

  /** A correctly sealed chain of {@code n} events: {@code event(1)} to {@code event(n)}. */
  static List<AuditRecord> chain(int n) {
    List<AuditRecord> records = new ArrayList<>();
    String previous = AuditRecord.GENESIS;
    for (int i = 1; i <= n; i++) {
      AuditRecord r = AuditChain.seal(i, previous, event(i));
      records.add(r);
      previous = r.hash();
    }
    return records;
  }

  /** Seals {@code events} again from sequence 1, as someone rewriting the whole chain would. */
  static List<AuditRecord> reseal(List<AuditEvent> events) {
    List<AuditRecord> records = new ArrayList<>();
    String previous = AuditRecord.GENESIS;
    for (int i = 0; i < events.size(); i++) {
      AuditRecord r = AuditChain.seal(i + 1, previous, events.get(i));
      records.add(r);
      previous = r.hash();
    }
    return records;
  }
}
