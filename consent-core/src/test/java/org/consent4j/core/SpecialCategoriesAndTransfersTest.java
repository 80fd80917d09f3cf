package org.consent4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.consent4j.AccessContext;
import org.consent4j.Article9Condition;
import org.consent4j.AuditEvent;
import org.consent4j.AuditRecord;
import org.consent4j.Catalog;
import org.consent4j.DataCategory;
import org.consent4j.Decision;
import org.consent4j.Grant;
import org.consent4j.Jurisdiction;
import org.consent4j.LegalBasis;
import org.consent4j.Outcome;
import org.consent4j.Purpose;
import org.consent4j.PurposeDefinition;
import org.consent4j.Reason;
import org.consent4j.Recipient;
import org.consent4j.SubjectId;
import org.consent4j.TransferSafeguard;
import org.consent4j.core.audit.InMemoryAuditSink;
import org.junit.jupiter.api.Test;

/**
 * GDPR Art. 9 (special categories) and Art. 44–49 (transfers outside the EEA) in the engine, and
 * the catalog's refusal of declarations that break them.
 */
final class SpecialCategoriesAndTransfersTest {
  static final DataCategory PSYCH = DataCategory.of("profile.psychographic");
  static final DataCategory EMAIL = DataCategory.of("contact.email");
  static final DataCategory HEALTH = DataCategory.of("health");

  static Catalog catalog() {
    return Catalog.builder()
        .purpose("quiz", LegalBasis.CONSENT)
        .purpose(PurposeDefinition.of(Purpose.of("care"), LegalBasis.LEGAL_OBLIGATION, List.of(HEALTH, EMAIL))
            .withArticle9Condition(Article9Condition.HEALTH_OR_SOCIAL_CARE))
        .purpose(PurposeDefinition.of(Purpose.of("fraud"), LegalBasis.LEGITIMATE_INTERESTS, List.of(EMAIL))
            .withRecipients(List.of(Recipient.FIRST_PARTY, Recipient.of("quizlab-us"))))
        .categories("contact.email", "profile.interests")
        .specialCategory("profile.psychographic").specialCategory("health")
        .recipient("quizlab-us", "US")
        .recipient("cloud-us", "US", TransferSafeguard.STANDARD_CONTRACTUAL_CLAUSES)
        .recipient("analytics-ch", "CH")
        .recipient("partner-de", "DE")
        .adequateJurisdictions("CH", "JP")
        .build();
  }

  final MutableClock clock = MutableClock.startingAt("2026-03-01T09:00:00Z");
  final ConsentEngine engine = ConsentEngine.builder().catalog(catalog()).clock(clock).build();

  static AccessContext ctx(String purpose, String recipient) {
    return AccessContext.of("quiz-app", purpose, recipient);
  }

  // ------------------------------------------------------------------ the catalog

  @Test
  void aLegalBasisOtherThanConsentCannotDeclareASpecialCategoryWithoutAnArticle9Condition() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Catalog.builder()
        .purpose("profiling", LegalBasis.LEGITIMATE_INTERESTS, "profile.psychographic")
        .specialCategory("profile.psychographic").build());
    assertTrue(e.getMessage().contains("purpose 'profiling'"), e.getMessage());
    assertTrue(e.getMessage().contains("'profile.psychographic'"), e.getMessage());
    assertTrue(e.getMessage().contains("withArticle9Condition"), e.getMessage());

    // a parent category that contains a special one is refused too: it would reach it
    IllegalArgumentException parent = assertThrows(IllegalArgumentException.class, () -> Catalog.builder()
        .purpose("billing", LegalBasis.CONTRACT, "profile")
        .specialCategory("profile.psychographic").build());
    assertTrue(parent.getMessage().contains("purpose 'billing'") && parent.getMessage().contains("'profile'")
        && parent.getMessage().contains("contains the special category 'profile.psychographic'"), parent.getMessage());

    // and a child of a special category is special itself
    IllegalArgumentException child = assertThrows(IllegalArgumentException.class, () -> Catalog.builder()
        .purpose("billing", LegalBasis.CONTRACT, "health.allergies")
        .category("health.allergies").specialCategory("health").build());
    assertTrue(child.getMessage().contains("'health.allergies'") && child.getMessage().contains("'health'"),
        child.getMessage());
  }

  @Test
  void aConsentPurposeCannotNameAnArticle9ConditionAndTheFirstPartyStaysInTheEea() {
    assertThrows(IllegalArgumentException.class, () -> PurposeDefinition.consent(Purpose.of("quiz"))
        .withArticle9Condition(Article9Condition.LEGAL_CLAIMS));
    assertThrows(IllegalArgumentException.class, () -> Catalog.builder().purpose("quiz", LegalBasis.CONSENT)
        .recipient("self", "US").build());
    assertThrows(IllegalArgumentException.class, () -> Jurisdiction.of("usa"));
    assertThrows(IllegalArgumentException.class, () -> Catalog.builder().purpose("quiz", LegalBasis.CONSENT)
        .recipient("x", "US").recipient("x", "DE").build());
  }

  @Test
  void theCatalogKnowsWhichTransfersNeedExplicitConsent() {
    Catalog c = catalog();
    assertTrue(c.transferNeedsExplicitConsent(Recipient.of("quizlab-us")));
    assertFalse(c.transferNeedsExplicitConsent(Recipient.of("cloud-us")), "safeguarded by SCCs");
    assertFalse(c.transferNeedsExplicitConsent(Recipient.of("analytics-ch")), "adequacy decision");
    assertFalse(c.transferNeedsExplicitConsent(Recipient.of("partner-de")), "inside the EEA");
    assertFalse(c.transferNeedsExplicitConsent(Recipient.FIRST_PARTY));
    assertTrue(c.isSpecial(PSYCH));
    assertTrue(c.isSpecial(DataCategory.of("health")));
    assertFalse(c.isSpecial(DataCategory.of("profile")));
    assertFalse(c.isSpecial(DataCategory.of("profile.interests")));
    Catalog withoutAdequacy = Catalog.builder().purpose("quiz", LegalBasis.CONSENT).recipient("analytics-ch", "CH")
        .build();
    assertTrue(withoutAdequacy.transferNeedsExplicitConsent(Recipient.of("analytics-ch")));
    assertFalse(withoutAdequacy.version().equals(Catalog.builder().purpose("quiz", LegalBasis.CONSENT)
        .recipient("analytics-ch", "CH").adequateJurisdictions("CH").build().version()));
  }

  // ------------------------------------------------------------------ Art. 9 in the engine

  @Test
  void aSpecialCategoryIsPermittedOnlyUnderAnExplicitGrant() {
    SubjectId plain = SubjectId.of("p-1");
    SubjectId explicit = SubjectId.of("p-2");
    engine.grant(Grant.builder(plain).purpose("quiz").category("profile").category("contact.email"));
    engine.grant(Grant.builder(explicit).purpose("quiz").category("profile").category("contact.email").explicit());

    Decision p = engine.check(plain, ctx("quiz", "self"), Set.of(PSYCH, EMAIL));
    assertEquals(Reason.GRANTED, p.subjectReason());
    assertEquals(Reason.EXPLICIT_CONSENT_REQUIRED, p.reason(PSYCH));
    assertEquals(Reason.GRANTED, p.reason(EMAIL));

    Decision e = engine.check(explicit, ctx("quiz", "self"), Set.of(PSYCH, EMAIL));
    assertEquals(Reason.GRANTED, e.reason(PSYCH));
    assertEquals(Outcome.PERMIT, e.outcome());
  }

  @Test
  void anExplicitGrantThatDoesNotCoverTheSpecialCategoryDoesNotOpenIt() {
    SubjectId s = SubjectId.of("p-3");
    engine.grant(Grant.builder(s).purpose("quiz").category("contact.email").explicit());
    engine.grant(Grant.builder(s).purpose("quiz").category("profile"));

    assertEquals(Reason.EXPLICIT_CONSENT_REQUIRED, engine.check(s, ctx("quiz", "self"), Set.of(PSYCH)).reason(PSYCH));
  }

  @Test
  void aPurposeWithAnArticle9ConditionProcessesTheSpecialCategoryWithoutAGrant() {
    Decision d = engine.check(SubjectId.of("p-4"), ctx("care", "self"), Set.of(HEALTH, PSYCH));
    assertEquals(Reason.LEGAL_BASIS, d.reason(HEALTH));
    assertEquals(Reason.CATEGORY_NOT_DECLARED, d.reason(PSYCH));
  }

  // ------------------------------------------------------------------ Art. 44-49 in the engine

  @Test
  void aTransferWithoutAdequacyOrSafeguardsNeedsAGrantRecordingExplicitTransferConsent() {
    SubjectId without = SubjectId.of("t-1");
    SubjectId with = SubjectId.of("t-2");
    engine.grant(Grant.builder(without).purpose("quiz").category("contact").recipient("quizlab-us")
        .recipient("cloud-us").recipient("analytics-ch"));
    engine.grant(Grant.builder(with).purpose("quiz").category("contact").recipient("quizlab-us").explicitTransfer());

    Decision denied = engine.check(without, ctx("quiz", "quizlab-us"), Set.of(EMAIL));
    assertEquals(Reason.TRANSFER_NOT_SAFEGUARDED, denied.subjectReason());
    assertEquals(Reason.TRANSFER_NOT_SAFEGUARDED, denied.reason(EMAIL));
    assertEquals(Reason.GRANTED, engine.check(with, ctx("quiz", "quizlab-us"), Set.of(EMAIL)).reason(EMAIL));
    // safeguards or adequacy: the grant naming the recipient is enough
    assertEquals(Reason.GRANTED, engine.check(without, ctx("quiz", "cloud-us"), Set.of(EMAIL)).reason(EMAIL));
    assertEquals(Reason.GRANTED, engine.check(without, ctx("quiz", "analytics-ch"), Set.of(EMAIL)).reason(EMAIL));
    // explicit transfer consent does not replace naming the recipient
    assertEquals(Reason.RECIPIENT_NOT_COVERED, engine.check(with, ctx("quiz", "cloud-us"), Set.of()).subjectReason());
  }

  @Test
  void aLegalBasisCannotCarryATransferThatNeedsExplicitConsent() {
    Decision d = engine.check(SubjectId.of("t-3"), ctx("fraud", "quizlab-us"), Set.of(EMAIL));
    assertEquals(Reason.TRANSFER_NOT_SAFEGUARDED, d.subjectReason());
    assertEquals(Reason.LEGAL_BASIS, engine.check(SubjectId.of("t-3"), ctx("fraud", "self"), Set.of(EMAIL))
        .reason(EMAIL));
  }

  // ------------------------------------------------------------------ the quiz app

  /**
   * The Cambridge Analytica shape: a quiz app in a third country asks for the psychological
   * profiles of a user's friends. A friend who once let the app have their profile, without
   * explicit consent and without consent to the transfer, is denied for both reasons, and the
   * audit says so; a friend who never used the app is denied for having no grant.
   */
  @Test
  void quizAppInANonAdequateCountryIsDeniedFriendsPsychologicalProfilesWithBothReasonsAudited() {
    SubjectId user = SubjectId.of("u-1");
    SubjectId friendWhoPlayed = SubjectId.of("f-1");
    SubjectId friendWhoNever = SubjectId.of("f-2");
    engine.grant(Grant.builder(user).purpose("quiz").category("profile").recipient("quizlab-us").explicit()
        .explicitTransfer());
    engine.grant(Grant.builder(friendWhoPlayed).purpose("quiz").category("profile").recipient("quizlab-us"));

    var decisions = engine.checkAll(List.of(user, friendWhoPlayed, friendWhoNever), ctx("quiz", "quizlab-us"),
        Set.of(PSYCH), "quizlab friends' profiles");

    assertEquals(Outcome.PERMIT, decisions.get(user).outcome(), "the user's own explicit consent");
    Decision played = decisions.get(friendWhoPlayed);
    assertEquals(Reason.TRANSFER_NOT_SAFEGUARDED, played.subjectReason());
    assertEquals(Reason.EXPLICIT_CONSENT_REQUIRED, played.reason(PSYCH));
    assertEquals(Reason.NO_GRANT, decisions.get(friendWhoNever).subjectReason());

    List<AuditEvent> events = ((InMemoryAuditSink) engine.audit().sink()).records().stream()
        .map(AuditRecord::event).filter(e -> e.operation().equals("quizlab friends' profiles")).toList();
    AuditEvent denial = events.stream().filter(e -> e.subjects().contains(friendWhoPlayed)).findFirst().orElseThrow();
    assertEquals(Outcome.DENY, denial.outcome());
    assertEquals("TRANSFER_NOT_SAFEGUARDED", denial.reason());
    assertEquals("profile.psychographic:EXPLICIT_CONSENT_REQUIRED", denial.details().get("also-denied"));
    assertEquals(List.of(friendWhoPlayed), denial.subjects());
  }
}
