package org.consent4j.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.consent4j.AuditEvent;
import org.consent4j.AuditRecord;
import org.consent4j.ConsentRecord;
import org.consent4j.Grant;
import org.consent4j.LedgerEntry;
import org.consent4j.Objection;
import org.consent4j.SubjectId;
import org.consent4j.Withdrawal;

/**
 * What a data subject may ask to see (GDPR Art. 15): every grant, withdrawal and objection they
 * made, with the notices they were shown, and every audited access that concerned them — when,
 * by whom, for which purpose and recipient, with what outcome. Made by
 * {@link ConsentEngine#export(SubjectId)}. Immutable.
 *
 * @param subject the subject
 * @param generatedAt when the export was made
 * @param ledger the subject's ledger entries in order
 * @param accesses the audit records naming the subject, in chain order
 */
public record SubjectExport(SubjectId subject, Instant generatedAt, List<LedgerEntry> ledger,
    List<AuditRecord> accesses) {

  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Copies the lists. */
  public SubjectExport {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(generatedAt, "generatedAt");
    ledger = List.copyOf(ledger);
    accesses = List.copyOf(accesses);
  }

  /** The export as indented JSON, in a stable shape meant for the subject and their lawyers. */
  public String toJson() {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("subject", subject.value());
    root.put("generatedAt", generatedAt.toString());
    ArrayNode consents = root.putArray("consentLedger");
    for (LedgerEntry e : ledger) {
      consents.add(ledgerEntry(e));
    }
    ArrayNode access = root.putArray("accesses");
    for (AuditRecord r : accesses) {
      access.add(access(r));
    }
    try {
      return MAPPER.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree could not be written", e);
    }
  }

  private static ObjectNode ledgerEntry(LedgerEntry e) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("sequence", e.sequence());
    n.put("recordedAt", e.recordedAt().toString());
    ConsentRecord r = e.record();
    if (r instanceof Grant g) {
      n.put("type", "grant");
      n.put("grantId", g.id().value());
      strings(n.putArray("purposes"), g.purposes());
      strings(n.putArray("categories"), g.categories());
      strings(n.putArray("recipients"), g.recipients());
      g.notice().ifPresent(notice -> n.putObject("notice").put("id", notice.id()).put("version", notice.version()));
      n.put("grantedAt", g.grantedAt().toString());
      g.expiresAt().ifPresent(t -> n.put("expiresAt", t.toString()));
    } else if (r instanceof Withdrawal w) {
      n.put("type", "withdrawal");
      n.put("purpose", w.purpose().name());
      w.recipient().ifPresent(rec -> n.put("recipient", rec.id()));
      n.put("withdrawnAt", w.withdrawnAt().toString());
    } else if (r instanceof Objection o) {
      n.put("type", "objection");
      n.put("purpose", o.purpose().name());
      n.put("objectedAt", o.objectedAt().toString());
    }
    n.putObject("evidence").put("method", r.evidence().method().name()).put("reference", r.evidence().reference());
    return n;
  }

  private static ObjectNode access(AuditRecord r) {
    AuditEvent e = r.event();
    ObjectNode n = MAPPER.createObjectNode();
    n.put("sequence", r.sequence());
    n.put("time", e.time().toString());
    n.put("actor", e.actor());
    n.put("purpose", e.purpose().name());
    n.put("recipient", e.recipient().id());
    n.put("operation", e.operation());
    n.put("outcome", e.outcome().name());
    n.put("reason", e.reason());
    strings(n.putArray("categories"), e.categories());
    n.put("hash", r.hash());
    return n;
  }

  private static void strings(ArrayNode array, Collection<?> values) {
    values.forEach(v -> array.add(v.toString()));
  }
}
