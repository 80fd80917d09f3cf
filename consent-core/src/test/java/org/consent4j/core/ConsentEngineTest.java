package org.consent4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyCollection;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.spy;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.consent4j.AccessContext;
import org.consent4j.AuditEvent;
import org.consent4j.AuditRecord;
import org.consent4j.AuditUnavailableException;
import org.consent4j.Catalog;
import org.consent4j.ConsentStoreUnavailableException;
import org.consent4j.DataCategory;
import org.consent4j.Decision;
import org.consent4j.Grant;
import org.consent4j.LegalBasis;
import org.consent4j.NoProcessingContextException;
import org.consent4j.Notice;
import org.consent4j.Outcome;
import org.consent4j.ProcessingScopeException;
import org.consent4j.Purpose;
import org.consent4j.PurposeDefinition;
import org.consent4j.Reason;
import org.consent4j.Recipient;
import org.consent4j.SubjectId;
import org.consent4j.UndeclaredException;
import org.consent4j.UnknownPurposeException;
import org.consent4j.core.audit.AuditTrail;
import org.consent4j.core.audit.InMemoryAuditSink;
import org.consent4j.spi.AuditSink;
import org.consent4j.spi.ConsentStore;
import org.junit.jupiter.api.Test;

final class ConsentEngineTest {
  static final Catalog CATALOG = Catalog.builder()
      .purpose("marketing", LegalBasis.CONSENT)
      .purpose(PurposeDefinition.consent(Purpose.of("marketing.email")).withMinimumNotice(Notice.of("privacy", 2)))
      .purpose("marketing.sms", LegalBasis.CONSENT)
      .purpose("support", LegalBasis.CONTRACT, "contact.email")
      .purpose("fraud", LegalBasis.LEGITIMATE_INTERESTS, "contact")
      .categories("contact.email", "contact.phone", "profile.psychographic")
      .recipient("quizlab")
      .notice("privacy", 1).notice("privacy", 2)
      .build();

  static final SubjectId ALICE = SubjectId.of("c-1");
  static final SubjectId BOB = SubjectId.of("c-2");
  static final DataCategory EMAIL = DataCategory.of("contact.email");
  static final DataCategory PHONE = DataCategory.of("contact.phone");
  static final DataCategory CONTACT = DataCategory.of("contact");
  static final Purpose MARKETING = Purpose.of("marketing");
  static final Purpose MARKETING_SMS = Purpose.of("marketing.sms");

  final MutableClock clock = MutableClock.startingAt("2026-03-01T09:00:00Z");
  final InMemoryAuditSink sink = new InMemoryAuditSink();
  final ConsentEngine engine = ConsentEngine.builder().catalog(CATALOG).clock(clock)
      .auditTrail(AuditTrail.builder(sink).build()).build();

  static AccessContext ctx(String purpose) {
    return AccessContext.of("crm", purpose);
  }

  @Test
  void noGrantMeansNoAccess() {
    Decision d = engine.check(ALICE, ctx("marketing"), Set.of(EMAIL));
    assertEquals(Reason.NO_GRANT, d.subjectReason());
    assertEquals(Outcome.DENY, d.outcome());
    assertFalse(d.permits(EMAIL));
  }

  @Test
  void grantForAPurposeCoversItsDescendantsButNotItsParent() {
    engine.grant(Grant.builder(ALICE).purpose("marketing.sms").category("contact"));
    assertTrue(engine.check(ALICE, ctx("marketing.sms"), Set.of(PHONE)).permits(PHONE));
    assertEquals(Reason.NO_GRANT, engine.check(ALICE, ctx("marketing"), Set.of(PHONE)).subjectReason());

    engine.grant(Grant.builder(BOB).purpose("marketing").category("contact.email"));
    assertTrue(engine.check(BOB, ctx("marketing.sms"), Set.of(EMAIL)).permits(EMAIL));
  }

  @Test
  void grantForACategoryCoversItsDescendantsButNotItsParentOrSiblings() {
    engine.grant(Grant.builder(ALICE).purpose("marketing").category("contact.email"));
    Decision d = engine.check(ALICE, ctx("marketing"), Set.of(EMAIL, PHONE, CONTACT));
    assertEquals(Reason.GRANTED, d.reason(EMAIL));
    assertEquals(Reason.CATEGORY_NOT_COVERED, d.reason(PHONE));
    assertEquals(Reason.CATEGORY_NOT_COVERED, d.reason(CONTACT));
    assertEquals(Outcome.PARTIAL, d.outcome());
  }

  @Test
  void oneSubjectsConsentNeverOpensAnotherSubjectsData() {
    engine.grant(Grant.builder(ALICE).purpose("marketing").category("contact").recipient("quizlab"));
    Map<SubjectId, Decision> friends = engine.checkAll(List.of(ALICE, BOB),
        AccessContext.of("quiz-app", MARKETING, Recipient.of("quizlab")), Set.of(EMAIL));
    assertTrue(friends.get(ALICE).permits(EMAIL));
    assertEquals(Reason.NO_GRANT, friends.get(BOB).subjectReason());
  }

  @Test
  void aFirstPartyGrantNeverCoversAThirdParty() {
    engine.grant(Grant.builder(ALICE).purpose("marketing").category("contact"));
    assertTrue(engine.check(ALICE, ctx("marketing"), Set.of(EMAIL)).permits(EMAIL));
    Decision third = engine.check(ALICE, AccessContext.of("x", MARKETING, Recipient.of("quizlab")), Set.of(EMAIL));
    assertEquals(Reason.RECIPIENT_NOT_COVERED, third.subjectReason());
  }

  @Test
  void aGrantExpiresAtTheExactInstant() {
    engine.grant(Grant.builder(ALICE).purpose("marketing").category("contact")
        .expiresAt(clock.instant().plusSeconds(60)));
    assertTrue(engine.check(ALICE, ctx("marketing"), Set.of(EMAIL)).permits(EMAIL));
    clock.advance(Duration.ofSeconds(60).minusNanos(1));
    assertTrue(engine.check(ALICE, ctx("marketing"), Set.of(EMAIL)).permits(EMAIL));
    clock.advance(Duration.ofNanos(1));
    assertEquals(Reason.GRANT_EXPIRED, engine.check(ALICE, ctx("marketing"), Set.of(EMAIL)).subjectReason());
  }

  @Test
  void withdrawalDeniesAndALaterGrantPermitsAgain() {
    engine.grant(Grant.builder(ALICE).purpose("marketing").category("contact"));
    engine.withdraw(ALICE, MARKETING);
    assertEquals(Reason.GRANT_WITHDRAWN, engine.check(ALICE, ctx("marketing.sms"), Set.of(EMAIL)).subjectReason());
    engine.grant(Grant.builder(ALICE).purpose("marketing.sms").category("contact.email"));
    assertTrue(engine.check(ALICE, ctx("marketing.sms"), Set.of(EMAIL)).permits(EMAIL));
    assertEquals(3, engine.history(ALICE).size());
  }

  @Test
  void withdrawingOneRecipientKeepsTheOthers() {
    engine.grant(Grant.builder(ALICE).purpose("marketing").category("contact").recipient(Recipient.FIRST_PARTY)
        .recipient("quizlab"));
    engine.withdraw(ALICE, MARKETING, Recipient.of("quizlab"));
    assertTrue(engine.check(ALICE, ctx("marketing"), Set.of(EMAIL)).permits(EMAIL));
    assertEquals(Reason.GRANT_WITHDRAWN, engine.check(ALICE,
        AccessContext.of("quiz", MARKETING, Recipient.of("quizlab")), Set.of(EMAIL)).subjectReason());
  }

  @Test
  void aGrantUnderAnOutdatedNoticeDoesNotCount() {
    engine.grant(Grant.builder(ALICE).purpose("marketing.email").category("contact").notice("privacy", 1));
    engine.grant(Grant.builder(BOB).purpose("marketing.email").category("contact"));
    assertEquals(Reason.NOTICE_OUTDATED, engine.check(ALICE, ctx("marketing.email"), Set.of()).subjectReason());
    assertEquals(Reason.NOTICE_OUTDATED, engine.check(BOB, ctx("marketing.email"), Set.of()).subjectReason());
    engine.grant(Grant.builder(ALICE).purpose("marketing.email").category("contact").notice("privacy", 2));
    assertTrue(engine.check(ALICE, ctx("marketing.email"), Set.of(EMAIL)).permits(EMAIL));
  }

  @Test
  void aContractPurposeSeesItsDeclaredCategoriesOnly() {
    Decision d = engine.check(ALICE, ctx("support"), Set.of(EMAIL, PHONE));
    assertEquals(Reason.LEGAL_BASIS, d.reason(EMAIL));
    assertEquals(Reason.CATEGORY_NOT_DECLARED, d.reason(PHONE));
    Decision third = engine.check(ALICE, AccessContext.of("x", Purpose.of("support"), Recipient.of("quizlab")),
        Set.of(EMAIL));
    assertEquals(Reason.RECIPIENT_NOT_COVERED, third.subjectReason());
  }

  @Test
  void anObjectionDeniesLegitimateInterests() {
    assertTrue(engine.check(ALICE, ctx("fraud"), Set.of(EMAIL)).permits(EMAIL));
    engine.object(ALICE, Purpose.of("fraud"));
    assertEquals(Reason.OBJECTED, engine.check(ALICE, ctx("fraud"), Set.of(EMAIL)).subjectReason());
    assertTrue(engine.check(BOB, ctx("fraud"), Set.of(EMAIL)).permits(EMAIL));
    assertThrows(IllegalArgumentException.class, () -> engine.object(ALICE, MARKETING));
  }

  @Test
  void anythingUndeclaredIsAnErrorNotADeny() {
    assertThrows(UnknownPurposeException.class, () -> engine.check(ALICE, ctx("sales"), Set.of(EMAIL)));
    UndeclaredException cat = assertThrows(UndeclaredException.class,
        () -> engine.check(ALICE, ctx("marketing"), Set.of(DataCategory.of("health"))));
    assertEquals(UndeclaredException.Kind.CATEGORY, cat.kind());
    assertThrows(UndeclaredException.class,
        () -> engine.check(ALICE, AccessContext.of("x", MARKETING, Recipient.of("adnet")), Set.of()));
    assertThrows(UndeclaredException.class,
        () -> engine.grant(Grant.builder(ALICE).purpose("marketing").category("health")));
    assertThrows(UndeclaredException.class,
        () -> engine.grant(Grant.builder(ALICE).purpose("marketing").category("contact").notice("terms", 1)));
    assertThrows(UnknownPurposeException.class, () -> engine.process(ctx("sales")));
  }

  @Test
  void grantsMustBeForConsentPurposesAndNotInTheFuture() {
    assertThrows(IllegalArgumentException.class,
        () -> engine.grant(Grant.builder(ALICE).purpose("support").category("contact")));
    assertThrows(IllegalArgumentException.class, () -> engine.grant(Grant.builder(ALICE).purpose("marketing")
        .category("contact").grantedAt(clock.instant().plusSeconds(1))));
  }

  @Test
  void aBatchCheckReadsTheStoreOnceAndACachedCheckNotAtAll() {
    ConsentStore store = spy(new InMemoryConsentStore());
    // The cache's reads; an index would read no store at all (ConsentIndexEngineTest).
    ConsentEngine e = ConsentEngine.builder().catalog(CATALOG).store(store).clock(clock).consentIndex(false).build();
    List<SubjectId> many = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      many.add(SubjectId.of(i));
      if (i % 2 == 0) {
        e.grant(Grant.builder(SubjectId.of(i)).purpose("marketing").category("contact"));
      }
    }
    Map<SubjectId, Decision> d = e.checkAll(many, ctx("marketing"), Set.of(EMAIL));
    assertEquals(5_000, d.size());
    assertEquals(2_500, d.values().stream().filter(Decision::subjectPermitted).count());
    verify(store, times(1)).histories(anyCollection());
    verify(store, never()).history(any());
    e.checkAll(many, ctx("marketing"), Set.of(EMAIL));
    e.check(SubjectId.of(7), ctx("marketing"), Set.of(EMAIL));
    verify(store, times(1)).histories(anyCollection());
  }

  @Test
  void anUnreachableStoreDeniesWithAClearError() {
    ConsentStore store = mock(ConsentStore.class);
    doThrow(new IllegalStateException("connection refused")).when(store).histories(anyCollection());
    ConsentEngine e = ConsentEngine.builder().catalog(CATALOG).store(store).build();
    ConsentStoreUnavailableException ex = assertThrows(ConsentStoreUnavailableException.class,
        () -> e.check(ALICE, ctx("marketing"), Set.of(EMAIL)));
    assertTrue(ex.getMessage().contains("denied"), ex.getMessage());
    // A contract purpose does not depend on consent state, so it does not need the store.
    assertTrue(e.check(ALICE, ctx("support"), Set.of(EMAIL)).permits(EMAIL));
  }

  @Test
  void everyDecisionIsAuditedPermitsAndDeniesAlike() {
    engine.grant(Grant.builder(ALICE).purpose("marketing").category("contact.email"));
    engine.checkAll(List.of(ALICE, BOB, ALICE), ctx("marketing"), Set.of(EMAIL, PHONE), "export");
    List<AuditRecord> records = sink.records();
    assertEquals(2, records.size());
    AuditEvent partial = records.get(0).event();
    assertEquals(Outcome.PARTIAL, partial.outcome());
    assertEquals(List.of(ALICE), partial.subjects());
    assertEquals(Set.of(EMAIL), partial.categories());
    assertEquals("contact.phone:CATEGORY_NOT_COVERED", partial.details().get("withheld"));
    assertEquals("export", partial.operation());
    AuditEvent deny = records.get(1).event();
    assertEquals(Outcome.DENY, deny.outcome());
    assertEquals("NO_GRANT", deny.reason());
    assertEquals(List.of(BOB), deny.subjects());
    assertTrue(engine.audit().verify().valid());
  }

  @Test
  void aCheckWhoseAuditCannotBeWrittenFails() {
    AuditSink failing = mock(AuditSink.class);
    doThrow(new IllegalStateException("disk full")).when(failing).write(any());
    ConsentEngine e = ConsentEngine.builder().catalog(CATALOG).auditTrail(AuditTrail.builder(failing).build()).build();
    assertThrows(AuditUnavailableException.class, () -> e.check(ALICE, ctx("support"), Set.of(EMAIL)));
  }

  @Test
  void scopesBindToTheThreadAndNest() throws Exception {
    assertThrows(NoProcessingContextException.class, () -> engine.check(ALICE, Set.of(EMAIL)));
    try (ProcessingScope outer = engine.process(ctx("marketing"))) {
      assertEquals(MARKETING, engine.requireContext("t").purpose());
      try (ProcessingScope inner = engine.process(ctx("support"))) {
        assertEquals(Reason.LEGAL_BASIS, engine.check(ALICE, Set.of(EMAIL)).subjectReason());
        assertThrows(ProcessingScopeException.class, outer::close);
        CompletableFuture<Boolean> other = CompletableFuture.supplyAsync(() -> engine.currentContext().isPresent());
        assertFalse(other.get());
        ExecutionException wrongThread = assertThrows(ExecutionException.class,
            () -> CompletableFuture.runAsync(inner::close).get());
        assertTrue(wrongThread.getCause() instanceof ProcessingScopeException);
      }
      assertEquals(MARKETING, engine.requireContext("t").purpose());
    }
    assertTrue(engine.currentContext().isEmpty());
  }

  @Test
  void decideAllDecidesAsCheckAllAtTheGivenInstantAndAuditsNothing() {
    engine.grant(Grant.builder(ALICE).purpose("marketing").category("contact.email")
        .expiresAt(clock.instant().plus(Duration.ofHours(1))));
    int before = sink.records().size();
    Instant expiry = clock.instant().plus(Duration.ofHours(1));
    Map<SubjectId, Decision> now = engine.decideAll(List.of(ALICE, BOB), ctx("marketing"), Set.of(EMAIL),
        clock.instant());
    Map<SubjectId, Decision> later = engine.decideAll(List.of(ALICE), ctx("marketing"), Set.of(EMAIL), expiry);
    assertEquals(before, sink.records().size(), "decideAll audits nothing");
    assertTrue(now.get(ALICE).permits(EMAIL));
    assertFalse(now.get(BOB).subjectPermitted());
    assertFalse(later.get(ALICE).permits(EMAIL), "expired at the instant asked about");
    Map<SubjectId, Decision> checked = engine.checkAll(List.of(ALICE, BOB), ctx("marketing"), Set.of(EMAIL));
    assertEquals(checked.get(ALICE).subjectReason(), now.get(ALICE).subjectReason());
    assertEquals(checked.get(BOB).subjectReason(), now.get(BOB).subjectReason());
  }

  @Test
  void theSubjectAccessExportHoldsTheLedgerAndTheAccesses() {
    engine.grant(Grant.builder(ALICE).purpose("marketing").category("contact.email").notice("privacy", 2));
    engine.grant(Grant.builder(BOB).purpose("marketing").category("contact.email"));
    engine.checkAll(List.of(ALICE, BOB), ctx("marketing"), Set.of(EMAIL));
    engine.check(BOB, ctx("support"), Set.of(EMAIL));
    engine.withdraw(ALICE, MARKETING);
    engine.check(ALICE, ctx("marketing"), Set.of(EMAIL));
    SubjectExport export = engine.export(ALICE);
    assertEquals(2, export.ledger().size());
    assertEquals(2, export.accesses().size());
    assertEquals(List.of(Outcome.PERMIT, Outcome.DENY),
        export.accesses().stream().map(SubjectExport.Access::outcome).toList());
    // The first access's audit event names Bob too; the export must not.
    assertTrue(sink.records().get(0).event().concerns(BOB));
    assertEquals(sink.records().get(0).hash(), export.accesses().get(0).hash());
    String json = export.toJson();
    assertTrue(json.contains("\"type\" : \"grant\""), json);
    assertTrue(json.contains("\"type\" : \"withdrawal\""), json);
    assertTrue(json.contains("\"reason\" : \"GRANT_WITHDRAWN\""), json);
    // Quoted: the bare text "c-2" also occurs by chance inside random grant ids and hashes ("…9c-2f…").
    assertTrue(json.contains("\"c-1\""), json);
    assertFalse(json.contains("\"c-2\""), "another subject's id leaked into the export");
  }

  @Test
  void anOldConsentImportedAfterAWithdrawalDoesNotComeBack() {
    engine.grant(Grant.builder(ALICE).purpose("marketing").category("contact"));
    clock.advance(Duration.ofDays(1));
    engine.withdraw(ALICE, MARKETING);
    engine.grant(Grant.builder(ALICE).purpose("marketing").category("contact")
        .grantedAt(clock.instant().minus(Duration.ofHours(12))));
    assertEquals(Reason.GRANT_WITHDRAWN, engine.check(ALICE, ctx("marketing"), Set.of(EMAIL)).subjectReason());
    engine.grant(Grant.builder(ALICE).purpose("marketing").category("contact"));
    assertEquals(Reason.GRANTED, engine.check(ALICE, ctx("marketing"), Set.of(EMAIL)).subjectReason());
  }

  @Test
  void withdrawingOneGrantByIdVoidsThatGrantOnlyAndKeepsTheSubjectsOtherGrantsForTheSamePurpose() {
    Grant email = engine.grant(Grant.builder(ALICE).purpose("marketing").category("contact.email"));
    engine.grant(Grant.builder(ALICE).purpose("marketing").category("contact.phone"));
    Grant bobs = engine.grant(Grant.builder(BOB).purpose("marketing").category("contact.email"));
    org.consent4j.GrantWithdrawal w = engine.withdraw(ALICE, email.id());

    assertEquals(email.id(), w.grant());
    assertEquals(w, engine.history(ALICE).get(engine.history(ALICE).size() - 1).record());
    Decision d = engine.check(ALICE, ctx("marketing"), Set.of(EMAIL, PHONE));
    assertEquals(Reason.GRANTED, d.subjectReason(), "the phone grant still covers marketing");
    assertEquals(Reason.CATEGORY_NOT_COVERED, d.categories().get(EMAIL), "the e-mail grant no longer does");
    assertEquals(Reason.GRANTED, d.categories().get(PHONE));
    assertEquals(Reason.GRANTED, engine.check(BOB, ctx("marketing"), Set.of(EMAIL)).categories().get(EMAIL));
    assertTrue(engine.export(ALICE).toJson().contains("\"type\" : \"grant-withdrawal\""));
    assertEquals(bobs.id(), engine.history(BOB).get(0).record() instanceof Grant g ? g.id() : null);
  }

  @Test
  void withdrawingTheOnlyGrantByIdDeniesWithGrantWithdrawnAndAGrantWithTheSameIdCannotComeBack() {
    Grant g = engine.grant(Grant.builder(ALICE).purpose("marketing").category("contact"));
    engine.withdraw(ALICE, g.id());
    assertEquals(Reason.GRANT_WITHDRAWN, engine.check(ALICE, ctx("marketing.sms"), Set.of()).subjectReason());
    // the same consent imported again under its id stays withdrawn; a new grant is a new consent
    engine.record(g);
    assertEquals(Reason.GRANT_WITHDRAWN, engine.check(ALICE, ctx("marketing"), Set.of()).subjectReason());
    engine.grant(Grant.builder(ALICE).purpose("marketing").category("contact"));
    assertEquals(Reason.GRANTED, engine.check(ALICE, ctx("marketing"), Set.of()).subjectReason());
  }

  @Test
  void withdrawingAnUnknownGrantOrAnotherSubjectsGrantIsRefusedAndRecordsNothing() {
    Grant bobs = engine.grant(Grant.builder(BOB).purpose("marketing").category("contact"));
    engine.grant(Grant.builder(ALICE).purpose("marketing").category("contact"));
    org.consent4j.UnknownGrantException other =
        assertThrows(org.consent4j.UnknownGrantException.class, () -> engine.withdraw(ALICE, bobs.id()));
    assertTrue(other.getMessage().contains("subject c-1 has no grant with id '" + bobs.id() + "'"), other.getMessage());
    assertThrows(org.consent4j.UnknownGrantException.class,
        () -> engine.withdraw(ALICE, org.consent4j.GrantId.of("no-such-grant")));
    assertEquals(1, engine.history(ALICE).size());
    assertEquals(1, engine.history(BOB).size());
    assertEquals(Reason.GRANTED, engine.check(BOB, ctx("marketing"), Set.of()).subjectReason());
  }

  @Test
  void withdrawingAnAlreadyWithdrawnGrantIsANoOpThatReturnsTheFirstWithdrawal() {
    Grant g = engine.grant(Grant.builder(ALICE).purpose("marketing").category("contact"));
    org.consent4j.GrantWithdrawal first = engine.withdraw(ALICE, g.id());
    clock.advance(Duration.ofMinutes(1));
    assertEquals(first, engine.withdraw(ALICE, g.id()));
    assertEquals(2, engine.history(ALICE).size());
  }

  @Test
  void aWithdrawalByGrantIdIsSeenAtOnceThroughTheCache() {
    Grant g = engine.grant(Grant.builder(ALICE).purpose("marketing").category("contact"));
    assertEquals(Reason.GRANTED, engine.check(ALICE, ctx("marketing"), Set.of()).subjectReason()); // cached
    engine.withdraw(ALICE, g.id());
    assertEquals(Reason.GRANT_WITHDRAWN, engine.check(ALICE, ctx("marketing"), Set.of()).subjectReason());
  }

  @Test
  void aStoreThatReturnsALedgerOutOfOrderOrForAnotherSubjectIsNotBelieved() {
    InMemoryConsentStore real = new InMemoryConsentStore();
    ConsentStore reversed = new ConsentStore() {
      @Override
      public org.consent4j.LedgerEntry append(org.consent4j.ConsentRecord r, java.time.Instant t) {
        return real.append(r, t);
      }

      @Override
      public List<org.consent4j.LedgerEntry> history(SubjectId s) {
        return histories(List.of(s)).get(s);
      }

      @Override
      public Map<SubjectId, List<org.consent4j.LedgerEntry>> histories(java.util.Collection<SubjectId> subjects) {
        Map<SubjectId, List<org.consent4j.LedgerEntry>> out = new java.util.LinkedHashMap<>();
        for (SubjectId s : subjects) {
          List<org.consent4j.LedgerEntry> l = new ArrayList<>(real.history(s));
          java.util.Collections.reverse(l);
          l.addAll(real.history(BOB));
          out.put(s, l);
        }
        return out;
      }
    };
    ConsentEngine e = ConsentEngine.builder().catalog(CATALOG).store(reversed).clock(clock).build();
    e.grant(Grant.builder(ALICE).purpose("marketing").category("contact"));
    e.withdraw(ALICE, MARKETING);
    assertThrows(ConsentStoreUnavailableException.class, () -> e.check(ALICE, ctx("marketing"), Set.of(EMAIL)));
    e.grant(Grant.builder(BOB).purpose("marketing").category("contact"));
    assertThrows(ConsentStoreUnavailableException.class, () -> e.check(CAROL, ctx("marketing"), Set.of(EMAIL)));
  }

  static final SubjectId CAROL = SubjectId.of("c-3");

  @Test
  void aFarFutureExpiryDoesNotBreakChecks() {
    engine.grant(Grant.builder(ALICE).purpose("marketing").category("contact")
        .expiresAt(java.time.Instant.parse("9999-12-31T23:59:59Z")));
    assertTrue(engine.check(ALICE, ctx("marketing"), Set.of(EMAIL)).permits(EMAIL));
    ConsentEngine e = ConsentEngine.builder().catalog(CATALOG).cacheTimeToLive(Duration.ofDays(365L * 1000)).build();
    assertEquals(Reason.NO_GRANT, e.check(ALICE, ctx("marketing"), Set.of(EMAIL)).subjectReason());
  }

  @Test
  void anAuditSinkThatRecordsIntoItsOwnTrailIsRefusedInsteadOfForkingTheChain() {
    java.util.concurrent.atomic.AtomicReference<AuditTrail> self = new java.util.concurrent.atomic.AtomicReference<>();
    InMemoryAuditSink inner = new InMemoryAuditSink();
    AuditSink reentrant = new AuditSink() {
      @Override
      public void write(List<AuditRecord> records) {
        inner.write(records);
        if (records.get(0).sequence() == 1) {
          self.get().record(records.get(0).event());
        }
      }

      @Override
      public java.util.Optional<AuditRecord> last() {
        return inner.last();
      }

      @Override
      public java.util.stream.Stream<AuditRecord> read() {
        return inner.read();
      }
    };
    self.set(AuditTrail.builder(reentrant).build());
    ConsentEngine e = ConsentEngine.builder().catalog(CATALOG).auditTrail(self.get()).build();
    assertThrows(AuditUnavailableException.class, () -> e.check(ALICE, ctx("support"), Set.of(EMAIL)));
    assertEquals(1, inner.records().size());
  }
}
