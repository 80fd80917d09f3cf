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
import org.consent4j.GrantWithdrawal;
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
 * <p>An audit event may name several subjects; an export shows each access without the other
 * subjects, keeping the record's sequence and hash so that it can be checked against the trail.
 *
 * @param subject the subject
 * @param generatedAt when the export was made
 * @param ledger the subject's ledger entries in order
 * @param accesses the audited accesses that concerned the subject, in chain order
 */
public record SubjectExport(SubjectId subject, Instant generatedAt, List<LedgerEntry> ledger,
    List<SubjectExport.Access> accesses) {

  /**
   * One audited access as the subject sees it: an audit record without the other subjects it
   * named.
   *
   * @param sequence the record's position in the audit chain
   * @param time when the decision was made
   * @param actor who processed
   * @param purpose for which purpose
   * @param recipient for which recipient
   * @param operation what was done
   * @param outcome the outcome for this subject
   * @param reason why
   * @param categories the categories released (or asked for, on a deny)
   * @param hash the record's hash in the chain
   */
  public record Access(long sequence, Instant time, String actor, org.consent4j.Purpose purpose,
      org.consent4j.Recipient recipient, String operation, org.consent4j.Outcome outcome, String reason,
      java.util.SortedSet<org.consent4j.DataCategory> categories, String hash) {

    /** Validates the components. */
    public Access {
      Objects.requireNonNull(time, "time");
      Objects.requireNonNull(actor, "actor");
      Objects.requireNonNull(purpose, "purpose");
      Objects.requireNonNull(recipient, "recipient");
      Objects.requireNonNull(operation, "operation");
      Objects.requireNonNull(outcome, "outcome");
      Objects.requireNonNull(reason, "reason");
      categories = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(categories));
      Objects.requireNonNull(hash, "hash");
    }

    /** The access recorded by {@code record}, as seen by one of the subjects it names. */
    public static Access of(AuditRecord record) {
      AuditEvent e = record.event();
      return new Access(record.sequence(), e.time(), e.actor(), e.purpose(), e.recipient(), e.operation(),
          e.outcome(), e.reason(), e.categories(), record.hash());
    }
  }

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
    for (Access a : accesses) {
      access.add(access(a));
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
      n.put("explicit", g.explicit());
      n.put("explicitTransfer", g.explicitTransfer());
    } else if (r instanceof Withdrawal w) {
      n.put("type", "withdrawal");
      n.put("purpose", w.purpose().name());
      w.recipient().ifPresent(rec -> n.put("recipient", rec.id()));
      n.put("withdrawnAt", w.withdrawnAt().toString());
    } else if (r instanceof GrantWithdrawal w) {
      n.put("type", "grant-withdrawal");
      n.put("grantId", w.grant().value());
      n.put("withdrawnAt", w.withdrawnAt().toString());
    } else if (r instanceof Objection o) {
      n.put("type", "objection");
      n.put("purpose", o.purpose().name());
      n.put("objectedAt", o.objectedAt().toString());
    }
    n.putObject("evidence").put("method", r.evidence().method().name()).put("reference", r.evidence().reference());
    return n;
  }

  private static ObjectNode access(Access e) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("sequence", e.sequence());
    n.put("time", e.time().toString());
    n.put("actor", e.actor());
    n.put("purpose", e.purpose().name());
    n.put("recipient", e.recipient().id());
    n.put("operation", e.operation());
    n.put("outcome", e.outcome().name());
    n.put("reason", e.reason());
    strings(n.putArray("categories"), e.categories());
    n.put("hash", e.hash());
    return n;
  }

  private static void strings(ArrayNode array, Collection<?> values) {
    values.forEach(v -> array.add(v.toString()));
  }
}
