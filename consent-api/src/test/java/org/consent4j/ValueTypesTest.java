package org.consent4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class ValueTypesTest {

  @Test
  void purposesCoverThemselvesAndTheirDescendantsOnly() {
    Purpose marketing = Purpose.of("marketing");
    assertTrue(marketing.covers(Purpose.of("marketing")));
    assertTrue(marketing.covers(Purpose.of("marketing.email")));
    assertTrue(marketing.covers(Purpose.of("marketing.email.weekly")));
    assertFalse(Purpose.of("marketing.email").covers(marketing));
    assertFalse(marketing.covers(Purpose.of("marketingx")));
    assertFalse(marketing.covers(Purpose.of("marketing_email")));
    assertTrue(Purpose.of("marketing.email").overlaps(marketing));
    assertFalse(Purpose.of("marketing.email").overlaps(Purpose.of("marketing.sms")));
    assertEquals(Optional.of(marketing), Purpose.of("marketing.email").parent());
    assertEquals(Optional.empty(), marketing.parent());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", ".", "a.", ".a", "a..b", "A", "Marketing", "1abc", "a b", "a.é", "a/b", "a;drop"})
  void malformedNamesAreRejected(String name) {
    assertThrows(IllegalArgumentException.class, () -> Purpose.of(name));
    assertThrows(IllegalArgumentException.class, () -> DataCategory.of(name));
  }

  @Test
  void recipientsAreFlatAndSelfIsTheFirstParty() {
    assertTrue(Recipient.of("self").isFirstParty());
    assertFalse(Recipient.of("quizlab").isFirstParty());
    assertThrows(IllegalArgumentException.class, () -> Recipient.of("quiz.lab"));
  }

  @Test
  void subjectIdsRejectBlankAndControlCharacters() {
    assertThrows(IllegalArgumentException.class, () -> SubjectId.of(" "));
    assertThrows(IllegalArgumentException.class, () -> SubjectId.of("a\nb"));
    assertThrows(IllegalArgumentException.class, () -> SubjectId.of("x".repeat(257)));
    assertEquals("42", SubjectId.of(42).value());
  }

  @Test
  void laterNoticeVersionsSatisfyAMinimum() {
    assertTrue(Notice.of("privacy", 3).satisfies(Notice.of("privacy", 2)));
    assertTrue(Notice.of("privacy", 2).satisfies(Notice.of("privacy", 2)));
    assertFalse(Notice.of("privacy", 1).satisfies(Notice.of("privacy", 2)));
    assertFalse(Notice.of("terms", 9).satisfies(Notice.of("privacy", 2)));
    assertThrows(IllegalArgumentException.class, () -> Notice.of("privacy", 0));
  }

  @Test
  void aGrantIsValidatedAndDefaultsToTheFirstParty() {
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    Grant g = Grant.builder(SubjectId.of("s")).purpose("marketing").category("contact").grantedAt(t).build();
    assertEquals(java.util.Set.of(Recipient.FIRST_PARTY), g.recipients());
    assertTrue(g.inEffectAt(t));
    assertFalse(g.inEffectAt(t.minusNanos(1)));
    assertThrows(IllegalArgumentException.class,
        () -> Grant.builder(SubjectId.of("s")).category("contact").grantedAt(t).build());
    assertThrows(IllegalArgumentException.class,
        () -> Grant.builder(SubjectId.of("s")).purpose("m").grantedAt(t).build());
    assertThrows(IllegalArgumentException.class, () -> Grant.builder(SubjectId.of("s")).purpose("m")
        .category("c").grantedAt(t).expiresAt(t).build());
    assertThrows(IllegalStateException.class,
        () -> Grant.builder(SubjectId.of("s")).purpose("m").category("c").build());
    Grant expiring = Grant.builder(SubjectId.of("s")).purpose("m").category("c").grantedAt(t)
        .expiresAt(t.plusSeconds(1)).build();
    assertTrue(expiring.inEffectAt(t.plusMillis(999)));
    assertFalse(expiring.inEffectAt(t.plusSeconds(1)));
  }

  @Test
  void aCatalogRejectsWhatItDoesNotDeclareAndDeclaresCategoryAncestors() {
    Catalog c = Catalog.builder().purpose("billing", LegalBasis.CONTRACT, "payment")
        .category("payment.card").build();
    assertTrue(c.categories().contains(DataCategory.of("payment")));
    assertTrue(c.recipients().contains(Recipient.FIRST_PARTY));
    assertThrows(UnknownPurposeException.class, () -> c.purpose(Purpose.of("sales")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Catalog.builder().purpose("billing", LegalBasis.CONTRACT, "payment").build());
    assertTrue(e.getMessage().contains("payment"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> Catalog.builder().purpose("m", LegalBasis.CONSENT, "contact").category("contact").build());
    assertThrows(IllegalArgumentException.class,
        () -> Catalog.builder().purpose("m", LegalBasis.CONTRACT).build());
    assertThrows(IllegalArgumentException.class,
        () -> Catalog.builder().purpose("m", LegalBasis.CONSENT).purpose("m", LegalBasis.CONSENT));
    assertThrows(IllegalArgumentException.class, () -> Catalog.builder()
        .purpose(PurposeDefinition.consent(Purpose.of("m")).withMinimumNotice(Notice.of("privacy", 2))).build());
  }

  @Test
  void theCatalogVersionChangesWithEveryDeclaration() {
    String a = Catalog.builder().purpose("m", LegalBasis.CONSENT).build().version();
    String b = Catalog.builder().purpose("m", LegalBasis.CONSENT).build().version();
    String c = Catalog.builder().purpose("m", LegalBasis.CONSENT).recipient("quizlab").build().version();
    assertEquals(a, b);
    assertFalse(a.equals(c));
  }

  @Test
  void aDeniedSubjectCannotHaveAPermittedCategory() {
    AccessContext ctx = AccessContext.of("t", "m");
    Map<DataCategory, Reason> cats = new TreeMap<>(Map.of(DataCategory.of("c"), Reason.GRANTED));
    assertThrows(IllegalArgumentException.class,
        () -> new Decision(SubjectId.of("s"), ctx, Reason.NO_GRANT, new TreeMap<>(cats), 0));
    Decision d = new Decision(SubjectId.of("s"), ctx, Reason.GRANTED, new TreeMap<>(cats), 3);
    assertEquals(Outcome.PERMIT, d.outcome());
    assertThrows(IllegalArgumentException.class, () -> d.permits(DataCategory.of("other")));
  }

  @Test
  void auditEventsRejectControlCharactersThatCouldForgeLogLines() {
    java.util.function.Function<String, AuditEvent> withActor = actor -> new AuditEvent(Instant.EPOCH, actor,
        Purpose.of("m"), Recipient.FIRST_PARTY, "check", java.util.List.of(), new java.util.TreeSet<>(),
        Outcome.DENY, "NO_GRANT", 0, new TreeMap<>());
    assertEquals("ok", withActor.apply("ok").actor());
    assertThrows(IllegalArgumentException.class, () -> withActor.apply("a\nforged line"));
    assertThrows(IllegalArgumentException.class, () -> new AuditEvent(Instant.EPOCH, "a", Purpose.of("m"),
        Recipient.FIRST_PARTY, "check", java.util.List.of(), new java.util.TreeSet<>(), Outcome.DENY, "NO_GRANT", 0,
        new TreeMap<>(Map.of("k", "v\r"))));
  }
}
