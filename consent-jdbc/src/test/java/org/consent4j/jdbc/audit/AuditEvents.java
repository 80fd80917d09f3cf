package org.consent4j.jdbc.audit;

import java.time.Instant;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import org.consent4j.AuditEvent;
import org.consent4j.DataCategory;
import org.consent4j.Outcome;
import org.consent4j.Purpose;
import org.consent4j.Recipient;
import org.consent4j.SubjectId;

/** Synthetic audit events. */
final class AuditEvents {
  private AuditEvents() {}

  /** A distinct event for {@code i}, with lists, details and non-ASCII text. */
  static AuditEvent event(long i) {
    TreeMap<String, String> details = new TreeMap<>();
    details.put("fingerprint", "select … from contact where id = ?" + i);
    details.put("rows", Long.toString(i % 7));
    return new AuditEvent(Instant.ofEpochSecond(1_770_000_000L + i, (int) (i % 1_000_000_000L)),
        "worker-" + (i % 5), Purpose.of("marketing.email"), i % 3 == 0 ? Recipient.of("quizlab") : Recipient.FIRST_PARTY,
        "check", List.of(SubjectId.of("c-" + i), SubjectId.of("ü-" + (i + 1))),
        new TreeSet<>(List.of(DataCategory.of("contact.email"), DataCategory.of("contact.phone"))),
        i % 2 == 0 ? Outcome.PERMIT : Outcome.DENY, i % 2 == 0 ? "GRANTED" : "NO_GRANT", i, details);
  }

  /** The hash of the record at {@code sequence} in the sink. */
  static String hashOf(JdbcAuditSink sink, long sequence) {
    try (java.util.stream.Stream<org.consent4j.AuditRecord> s = sink.read()) {
      return s.filter(r -> r.sequence() == sequence).findFirst().orElseThrow().hash();
    }
  }
}
