package org.consent4j.auditor;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.consent4j.AccessContext;
import org.consent4j.Catalog;
import org.consent4j.DataCategory;
import org.consent4j.Grant;
import org.consent4j.LegalBasis;
import org.consent4j.Purpose;
import org.consent4j.SubjectId;
import org.consent4j.TransferSafeguard;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.audit.AuditTrail;
import org.consent4j.spi.AuditSink;
import org.consent4j.spi.ConsentStore;

/**
 * A small synthetic CRM's consent activity: three subjects, grants and a withdrawal, and decisions
 * for one and for several subjects at a time, audited through whichever sink is given. And the
 * in-process runner of the command line.
 */
final class Crm {
  static final SubjectId ALICE = SubjectId.of("c-1001");
  static final SubjectId BOB = SubjectId.of("c-2002");
  static final SubjectId CAROL = SubjectId.of("c-3003");
  static final Purpose NEWSLETTER = Purpose.of("marketing.email");
  static final Purpose BILLING = Purpose.of("billing");

  private Crm() {}

  /** The catalog that src/test/resources/catalog.json declares. */
  static Catalog catalog() {
    return Catalog.builder()
        .purpose(org.consent4j.PurposeDefinition.consent(NEWSLETTER).withDescription("the monthly newsletter"))
        .purpose("billing", LegalBasis.CONTRACT, "contact", "payment")
        .purpose("analytics", LegalBasis.LEGITIMATE_INTERESTS, "contact.country")
        .category("contact.email").category("contact.phone").category("contact.country").category("payment")
        .specialCategory("health")
        .recipient("quizlab", "US", TransferSafeguard.STANDARD_CONTRACTUAL_CLAUSES)
        .adequateJurisdictions("CH")
        .notice("privacy", 2)
        .build();
  }

  /**
   * Records grants for Alice and Bob (Carol has none), a withdrawal by Bob, and 12 audited
   * decisions: 8 about one subject, 4 about all three.
   */
  static ConsentEngine run(ConsentStore store, AuditSink sink) {
    ConsentEngine engine = ConsentEngine.builder().catalog(catalog()).store(store)
        .auditTrail(AuditTrail.builder(sink).build()).build();
    Instant before = Instant.now().minusSeconds(3600);
    engine.record(Grant.of(ALICE, NEWSLETTER, DataCategory.of("contact.email"), before));
    engine.record(Grant.of(BOB, NEWSLETTER, DataCategory.of("contact"), before));
    AccessContext campaign = AccessContext.of("campaign-service", NEWSLETTER);
    AccessContext invoices = AccessContext.of("billing-service", BILLING);
    Set<DataCategory> email = Set.of(DataCategory.of("contact.email"));
    for (int i = 0; i < 2; i++) {
      engine.check(ALICE, campaign, email);
      engine.check(BOB, campaign, email);
      engine.check(CAROL, campaign, email);
      engine.check(CAROL, invoices, Set.of(DataCategory.of("payment")));
      engine.checkAll(List.of(ALICE, BOB, CAROL), campaign, email);
    }
    engine.withdraw(BOB, NEWSLETTER);
    engine.checkAll(List.of(ALICE, BOB, CAROL), campaign, email);
    engine.checkAll(List.of(ALICE, BOB, CAROL), invoices, Set.of(DataCategory.of("contact")));
    return engine;
  }

  /** What one run of the command line gave. */
  record Result(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- out\n" + out + "\n--- err\n" + err;
    }
  }

  static Result auditor(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Auditor.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new Result(code, out.toString(), err.toString());
  }
}
