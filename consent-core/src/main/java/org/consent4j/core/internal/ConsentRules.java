package org.consent4j.core.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.consent4j.AccessContext;
import org.consent4j.Catalog;
import org.consent4j.DataCategory;
import org.consent4j.Decision;
import org.consent4j.Grant;
import org.consent4j.GrantWithdrawal;
import org.consent4j.LedgerEntry;
import org.consent4j.LegalBasis;
import org.consent4j.Objection;
import org.consent4j.Purpose;
import org.consent4j.PurposeDefinition;
import org.consent4j.Reason;
import org.consent4j.Recipient;
import org.consent4j.SubjectId;
import org.consent4j.Withdrawal;

/**
 * The rules of DESIGN.md as one pure function of the catalog, a purpose definition, a context, one
 * subject's ledger and the time. Besides the consent check it applies GDPR Art. 9 (a special
 * category needs an explicit grant or an Art. 9(2) condition on the purpose) and Art. 44–49 (a
 * recipient in a third country without adequacy decision or safeguards needs a grant recording
 * explicit consent to the transfer). The engine and every other enforcement path decide through here, so that
 * there is one answer whichever path asks. Not API.
 */
public final class ConsentRules {
  private ConsentRules() {}

  /**
   * Decides for one subject.
   *
   * @param catalog the catalog that declares the purpose, its categories and the recipient
   * @param definition the definition of {@code context.purpose()}
   * @param history the subject's ledger entries in sequence order
   */
  public static Decision decide(
      SubjectId subject,
      Catalog catalog,
      PurposeDefinition definition,
      AccessContext context,
      List<LedgerEntry> history,
      Set<DataCategory> categories,
      Instant now) {
    long version = history.isEmpty() ? 0 : history.get(history.size() - 1).sequence();
    TreeMap<DataCategory, Reason> byCategory = new TreeMap<>();
    Reason subjectReason;
    boolean transfer = catalog.transferNeedsExplicitConsent(context.recipient());
    if (definition.needsGrant()) {
      List<Grant> effective = new ArrayList<>();
      List<Grant> forRecipient = new ArrayList<>();
      subjectReason = effectiveGrants(definition, context, history, now, transfer, forRecipient, effective);
      for (DataCategory c : categories) {
        Reason r;
        if (subjectReason.permits()) {
          r = coverage(effective, c, catalog.isSpecial(c));
        } else if (subjectReason == Reason.TRANSFER_NOT_SAFEGUARDED && catalog.isSpecial(c)
            && coverage(forRecipient, c, true) == Reason.EXPLICIT_CONSENT_REQUIRED) {
          // both problems stand: the audit of the denial names the special category's too
          r = Reason.EXPLICIT_CONSENT_REQUIRED;
        } else {
          r = subjectReason;
        }
        byCategory.put(c, r);
      }
    } else {
      subjectReason = legalBasis(definition, context, history);
      if (subjectReason.permits() && transfer) {
        subjectReason = Reason.TRANSFER_NOT_SAFEGUARDED;
      }
      for (DataCategory c : categories) {
        Reason r = subjectReason;
        if (r.permits() && !definition.declaresCategory(c)) {
          r = Reason.CATEGORY_NOT_DECLARED;
        } else if (r.permits() && catalog.isSpecial(c) && definition.article9Condition().isEmpty()) {
          // the catalog rejects such a purpose when built; kept so that this function fails closed alone
          r = Reason.EXPLICIT_CONSENT_REQUIRED;
        }
        byCategory.put(c, r);
      }
    }
    return new Decision(subject, context, subjectReason, byCategory, version);
  }

  /**
   * Narrows the subject's grants for the context's purpose step by step; the first step that
   * leaves none names the reason. Leaves the grants that pass every step up to the recipient in
   * {@code forRecipient}, and the effective grants (those that also permit the transfer, when
   * {@code transfer} says the recipient needs explicit consent to it) in {@code out}.
   */
  private static Reason effectiveGrants(PurposeDefinition definition, AccessContext context,
      List<LedgerEntry> history, Instant now, boolean transfer, List<Grant> forRecipient, List<Grant> out) {
    Purpose purpose = context.purpose();
    Recipient recipient = context.recipient();
    boolean any = false;
    boolean notWithdrawn = false;
    boolean inEffect = false;
    boolean noticeOk = false;
    for (int i = 0; i < history.size(); i++) {
      if (!(history.get(i).record() instanceof Grant g) || !g.coversPurpose(purpose)) {
        continue;
      }
      any = true;
      if (withdrawn(history, i, g, purpose, recipient)) {
        continue;
      }
      notWithdrawn = true;
      if (!g.inEffectAt(now)) {
        continue;
      }
      inEffect = true;
      if (definition.minimumNotice().isPresent()
          && !g.notice().map(n -> n.satisfies(definition.minimumNotice().get())).orElse(false)) {
        continue;
      }
      noticeOk = true;
      if (!g.coversRecipient(recipient)) {
        continue;
      }
      forRecipient.add(g);
      if (!transfer || g.explicitTransfer()) {
        out.add(g);
      }
    }
    if (!out.isEmpty()) {
      return Reason.GRANTED;
    }
    return !any ? Reason.NO_GRANT
        : !notWithdrawn ? Reason.GRANT_WITHDRAWN
        : !inEffect ? Reason.GRANT_EXPIRED
        : !noticeOk ? Reason.NOTICE_OUTDATED
        : forRecipient.isEmpty() ? Reason.RECIPIENT_NOT_COVERED
        : Reason.TRANSFER_NOT_SAFEGUARDED;
  }

  /**
   * A withdrawal voids the grants recorded before it, and also those recorded after it but
   * granted before it: importing an old consent after the subject withdrew must not bring it
   * back. A grant given at or after the withdrawal's time and recorded after it is a new consent.
   * A withdrawal of the grant by its id voids it wherever it stands in the ledger: a grant id, once
   * withdrawn, never covers anything again.
   */
  private static boolean withdrawn(List<LedgerEntry> history, int grantIndex, Grant grant, Purpose purpose,
      Recipient to) {
    for (int j = 0; j < history.size(); j++) {
      if (j != grantIndex && history.get(j).record() instanceof Withdrawal w && w.voids(purpose, to)
          && (j > grantIndex || grant.grantedAt().isBefore(w.withdrawnAt()))) {
        return true;
      }
      if (history.get(j).record() instanceof GrantWithdrawal w && w.voids(grant)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the grants cover {@code category}; a special category only counts when a covering
   * grant is explicit.
   */
  private static Reason coverage(List<Grant> grants, DataCategory category, boolean special) {
    boolean covered = false;
    for (Grant g : grants) {
      if (g.coversCategory(category)) {
        if (!special || g.explicit()) {
          return Reason.GRANTED;
        }
        covered = true;
      }
    }
    return covered ? Reason.EXPLICIT_CONSENT_REQUIRED : Reason.CATEGORY_NOT_COVERED;
  }

  private static Reason legalBasis(PurposeDefinition definition, AccessContext context, List<LedgerEntry> history) {
    if (definition.basis() == LegalBasis.LEGITIMATE_INTERESTS) {
      for (LedgerEntry e : history) {
        if (e.record() instanceof Objection o && o.purpose().overlaps(context.purpose())) {
          return Reason.OBJECTED;
        }
      }
    }
    return definition.recipients().contains(context.recipient()) ? Reason.LEGAL_BASIS : Reason.RECIPIENT_NOT_COVERED;
  }

  /** True when the decision for this definition depends on the subject's ledger at all. */
  public static boolean needsHistory(PurposeDefinition definition) {
    return definition.basis() == LegalBasis.CONSENT || definition.basis() == LegalBasis.LEGITIMATE_INTERESTS;
  }
}
