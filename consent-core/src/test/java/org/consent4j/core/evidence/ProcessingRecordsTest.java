package org.consent4j.core.evidence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.consent4j.AccessContext;
import org.consent4j.Article9Condition;
import org.consent4j.Catalog;
import org.consent4j.DataCategory;
import org.consent4j.Grant;
import org.consent4j.LegalBasis;
import org.consent4j.Purpose;
import org.consent4j.PurposeDefinition;
import org.consent4j.Recipient;
import org.consent4j.SubjectId;
import org.consent4j.TransferSafeguard;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.MutableClock;
import org.consent4j.core.evidence.ProcessingRecords.ProcessingRecord;
import org.consent4j.core.evidence.ProcessingRecords.ProcessingRecord.Activity;
import org.junit.jupiter.api.Test;

/** The record of processing activities (Art. 30): declarations from the catalog, counts from the trail. */
final class ProcessingRecordsTest {
  static final Catalog CATALOG = Catalog.builder()
      .purpose(PurposeDefinition.consent(Purpose.of("quiz")).withDescription("Quiz <results> & scores"))
      .purpose(PurposeDefinition.of(Purpose.of("care"), LegalBasis.LEGAL_OBLIGATION, List.of(DataCategory.of("health")))
          .withArticle9Condition(Article9Condition.HEALTH_OR_SOCIAL_CARE))
      .purpose(PurposeDefinition.of(Purpose.of("billing"), LegalBasis.CONTRACT, List.of(DataCategory.of("contact")))
          .withRecipients(List.of(Recipient.FIRST_PARTY, Recipient.of("cloud-us"))))
      .categories("contact.email", "contact.phone").specialCategory("health").specialCategory("profile.psychographic")
      .recipient("quizlab-us", "US").recipient("cloud-us", "US", TransferSafeguard.STANDARD_CONTRACTUAL_CLAUSES)
      .build();
  static final Controller CONTROLLER = new Controller("Example CRM B.V.", "dpo@crm.example", "NL", "");
  static final DataCategory EMAIL = DataCategory.of("contact.email");
  static final DataCategory PSYCH = DataCategory.of("profile.psychographic");

  @Test
  void countsTheEventsOfEachPurposeInThePeriodAndListsWhatWasProcessedAndWhere() throws Exception {
    var clock = MutableClock.startingAt("2026-01-01T00:00:00Z");
    try (ConsentEngine engine = ConsentEngine.builder().catalog(CATALOG).clock(clock).build()) {
      engine.grant(Grant.builder(SubjectId.of("a")).purpose("quiz").category("contact.email").category("profile")
          .recipient("quizlab-us").explicit().explicitTransfer());
      AccessContext quiz = AccessContext.of("quiz-app", "quiz", "quizlab-us");
      engine.check(SubjectId.of("a"), quiz, Set.of(EMAIL)); // before the period
      clock.advance(Duration.ofDays(1));
      Instant from = clock.instant();
      engine.check(SubjectId.of("a"), quiz, Set.of(EMAIL, PSYCH)); // permit
      engine.check(SubjectId.of("b"), quiz, Set.of(EMAIL)); // deny: no grant
      engine.checkAll(List.of(SubjectId.of("a"), SubjectId.of("b")), quiz, Set.of(EMAIL)); // one permit, one deny
      engine.check(SubjectId.of("c"), AccessContext.of("helpdesk", "billing"), Set.of(EMAIL));
      clock.advance(Duration.ofDays(1));
      Instant to = clock.instant();
      engine.check(SubjectId.of("a"), quiz, Set.of(EMAIL)); // after the period

      ProcessingRecord ropa = ProcessingRecords.builder(CATALOG, CONTROLLER)
          .storage(Map.of(EMAIL, List.of("crm.contact.email"), PSYCH, List.of("quiz.profile.psych"),
              DataCategory.of("health"), List.of("care.record.diagnosis")))
          .retention(Purpose.of("quiz"), "until withdrawn, at most 12 months")
          .clock(clock).build()
          .generate(engine.audit(), from, to);

      Activity q = ropa.activity(Purpose.of("quiz")).orElseThrow();
      assertEquals(4, q.events());
      assertEquals(2, q.permits());
      assertEquals(2, q.denies());
      assertEquals(Set.of(EMAIL, PSYCH), q.categories());
      assertEquals(Set.of(PSYCH), q.specialCategories());
      assertEquals(Recipient.of("quizlab-us"), q.recipients().get(0).recipient());
      assertTrue(q.recipients().get(0).transferNeedsExplicitConsent());
      assertEquals("until withdrawn, at most 12 months", q.retention().orElseThrow());
      assertEquals(Set.of("quiz.profile.psych"), q.storage().get(PSYCH));

      Activity billing = ropa.activity(Purpose.of("billing")).orElseThrow();
      assertEquals(1, billing.events());
      assertEquals(LegalBasis.CONTRACT, billing.basis());
      assertEquals(List.of("cloud-us", "self"), billing.recipients().stream().map(r -> r.recipient().id()).toList());
      assertEquals(Set.of("crm.contact.email"), billing.storage().get(EMAIL), "contact covers contact.email");

      Activity care = ropa.activity(Purpose.of("care")).orElseThrow();
      assertEquals(0, care.events());
      assertEquals(Article9Condition.HEALTH_OR_SOCIAL_CARE, care.article9Condition().orElseThrow());

      JsonNode json = new ObjectMapper().readTree(ropa.toJson());
      assertEquals("Example CRM B.V.", json.at("/controller/name").asText());
      JsonNode quizJson = json.at("/activities/2");
      assertEquals("quiz", quizJson.get("purpose").asText());
      assertEquals(4, quizJson.at("/counts/auditEvents").asInt());
      assertEquals(2, quizJson.at("/counts/denies").asInt());
      assertEquals("US", quizJson.at("/recipients/0/jurisdiction").asText());
      assertEquals("HEALTH_OR_SOCIAL_CARE (Art. 9(2)(h))", json.at("/activities/1/article9Condition").asText());

      String html = ropa.toHtml();
      assertTrue(html.startsWith("<!DOCTYPE html>"));
      assertTrue(html.contains("Quiz &lt;results&gt; &amp; scores"), "escaped");
      assertFalse(html.contains("<results>"));
      assertTrue(html.contains("profile.psychographic <b>(special, Art. 9)</b>"));
      assertTrue(html.contains("quizlab-us (US, <b>transfer needs explicit consent</b>)"));
    }
  }

  @Test
  void refusesAPeriodThatEndsBeforeItStartsAndUndeclaredNames() {
    ProcessingRecords r = ProcessingRecords.builder(CATALOG, CONTROLLER).build();
    try (ConsentEngine engine = ConsentEngine.builder().catalog(CATALOG).build()) {
      assertThrows(IllegalArgumentException.class,
          () -> r.generate(engine.audit(), Instant.EPOCH.plusSeconds(1), Instant.EPOCH));
    }
    assertThrows(org.consent4j.UnknownPurposeException.class,
        () -> ProcessingRecords.builder(CATALOG, CONTROLLER).retention(Purpose.of("nope"), "x"));
    assertThrows(org.consent4j.UndeclaredException.class,
        () -> ProcessingRecords.builder(CATALOG, CONTROLLER).storage(Map.of(DataCategory.of("nope"), List.of("t.c"))));
  }
}
