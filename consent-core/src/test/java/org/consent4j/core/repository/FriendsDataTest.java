package org.consent4j.core.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.consent4j.AccessContext;
import org.consent4j.AuditEvent;
import org.consent4j.ConsentDeniedException;
import org.consent4j.DataCategory;
import org.consent4j.Grant;
import org.consent4j.Outcome;
import org.consent4j.Purpose;
import org.consent4j.SubjectId;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.ProcessingScope;
import org.consent4j.core.repository.Crm.Contact;
import org.consent4j.core.repository.Crm.FriendsRepository;
import org.consent4j.core.repository.Crm.InMemoryCrm;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The friends' data case: a user who consented asks for their friends, and each friend's data is
 * released by that friend's own consent only — never by the user's.
 */
@SuppressWarnings("try") // a scope binds its context to the thread; the body need not name it
final class FriendsDataTest {
  private static final String OPERATION = "repository FriendsRepository.friendsOf";

  private ConsentEngine engine;
  private InMemoryCrm crm;
  private FriendsRepository friends;

  @BeforeEach
  void setUp() {
    engine = Crm.engine();
    crm = new InMemoryCrm()
        .add("u-1", "de", "u1@example.test", "+49-000-0001")
        .add("f-1", "de", "f1@example.test", "+49-000-0011")
        .add("f-2", "fr", "f2@example.test", "+33-000-0012")
        .add("f-3", "de", "f3@example.test", "+49-000-0013")
        .add("u-2", "de", "u2@example.test", "+49-000-0002")
        .friends("u-1", "f-1", "f-2", "f-3")
        .friends("u-2", "f-1");
    // u-1 consented to marketing of all their contact data; f-1 likewise; f-2 to e-mail only;
    // f-3 and u-2 to nothing.
    grant("u-1", "contact");
    grant("f-1", "contact");
    grant("f-2", "contact.email");
    friends = ConsentRepositories.wrap(FriendsRepository.class, crm, engine);
  }

  private void grant(String subject, String category, String... recipients) {
    Grant.Builder b = Grant.builder(SubjectId.of(subject)).purpose("marketing").category(category);
    for (String r : recipients) {
      b.recipient(r);
    }
    engine.grant(b);
  }

  private ProcessingScope firstParty() {
    return engine.process(AccessContext.of("campaign-service", "marketing"));
  }

  private ProcessingScope quizlab() {
    return engine.process(AccessContext.of("quiz-app", "marketing", "quizlab"));
  }

  private static List<String> ids(List<Contact> contacts) {
    return contacts.stream().map(Contact::id).toList();
  }

  @Test
  void friendsComeBackOnlyWhenTheyConsentedThemselves() {
    try (var scope = firstParty()) {
      assertEquals(List.of("f-1", "f-2"), ids(friends.friendsOf("u-1")));
    }
  }

  @Test
  void eachFriendShowsOnlyTheCategoriesThatFriendGranted() {
    try (var scope = firstParty()) {
      List<Contact> visible = friends.friendsOf("u-1");

      assertEquals(List.of(
          new Contact("f-1", "de", "f1@example.test", "+49-000-0011"),
          new Contact("f-2", "fr", "f2@example.test", null)), visible);
    }
  }

  @Test
  void theRepositorysOwnObjectsAreNeverChanged() {
    Contact storedF2 = crm.contacts.get("f-2");
    try (var scope = firstParty()) {
      Contact returned = friends.friendsOf("u-1").get(1);

      assertNull(returned.phone());
      assertNotSame(storedF2, returned);
    }
    assertSame(storedF2, crm.contacts.get("f-2"));
    assertEquals("+33-000-0012", storedF2.phone());
  }

  @Test
  void theResultCannotBeModified() {
    try (var scope = firstParty()) {
      List<Contact> visible = friends.friendsOf("u-1");

      assertThrows(UnsupportedOperationException.class, visible::clear);
    }
  }

  @Test
  void aThirdPartyWhoseUserConsentedStillGetsNoFriendsWithoutTheirOwnGrants() {
    // The Cambridge Analytica pattern: the quiz user consents to the quiz app; their friends never did.
    grant("u-1", "contact", "quizlab");
    try (var scope = quizlab()) {
      assertEquals(List.of(), friends.friendsOf("u-1"));
    }
    assertEquals(1, crm.calls.get());
  }

  @Test
  void aThirdPartyGetsTheFriendsWhoNamedItInTheirOwnGrants() {
    grant("u-1", "contact", "quizlab");
    grant("f-2", "contact.email", "quizlab");
    try (var scope = quizlab()) {
      assertEquals(List.of(new Contact("f-2", "fr", "f2@example.test", null)), friends.friendsOf("u-1"));
    }
  }

  @Test
  void aThirdPartyIsRefusedTheCallWhenTheAskingUserDidNotNameIt() {
    try (var scope = quizlab()) {
      ConsentDeniedException e = assertThrows(ConsentDeniedException.class, () -> friends.friendsOf("u-1"));

      assertEquals(SubjectId.of("u-1"), e.decision().orElseThrow().subject());
      assertTrue(e.getMessage().contains(OPERATION), e.getMessage());
      assertTrue(e.getMessage().contains("quizlab"), e.getMessage());
    }
    assertEquals(0, crm.calls.get());
  }

  @Test
  void aUserWhoDidNotConsentCannotListTheirFriendsEvenIfTheFriendsConsented() {
    try (var scope = firstParty()) {
      assertThrows(ConsentDeniedException.class, () -> friends.friendsOf("u-2"));
    }
    assertEquals(0, crm.calls.get());
  }

  @Test
  void aNullSubjectArgumentIsDeniedWithoutReachingTheRepository() {
    try (var scope = firstParty()) {
      ConsentDeniedException e = assertThrows(ConsentDeniedException.class, () -> friends.friendsOf(null));

      assertTrue(e.getMessage().contains(OPERATION + " denied: its @Subject argument is null"), e.getMessage());
    }
    assertEquals(0, crm.calls.get());
    List<AuditEvent> events = Crm.events(engine, OPERATION);
    assertEquals(1, events.size());
    assertEquals("NO_SUBJECT", events.get(0).reason());
    assertEquals(Outcome.DENY, events.get(0).outcome());
  }

  @Test
  void aBlankSubjectArgumentIsDenied() {
    try (var scope = firstParty()) {
      assertThrows(ConsentDeniedException.class, () -> friends.friendsOf(" "));
    }
    assertEquals(0, crm.calls.get());
  }

  @Test
  void aWithdrawnFriendDisappearsFromTheNextCall() {
    try (var scope = firstParty()) {
      assertEquals(List.of("f-1", "f-2"), ids(friends.friendsOf("u-1")));
      engine.withdraw(SubjectId.of("f-1"), Purpose.of("marketing"));

      assertEquals(List.of("f-2"), ids(friends.friendsOf("u-1")));
    }
  }

  @Test
  void theAuditTrailRecordsTheCallerAndEveryFriendDecidedOn() {
    try (var scope = firstParty()) {
      friends.friendsOf("u-1");
    }
    List<AuditEvent> events = Crm.events(engine, OPERATION);

    for (AuditEvent e : events) {
      assertEquals("campaign-service", e.actor());
      assertEquals(Purpose.of("marketing"), e.purpose());
    }
    // The asking user opens the call; then each friend is decided on by their own consent.
    assertEquals(List.of(SubjectId.of("u-1")), events.get(0).subjects());
    assertEquals(Outcome.PERMIT, events.get(0).outcome());
    AuditEvent f1 = only(events, "f-1");
    assertEquals(Outcome.PERMIT, f1.outcome());
    assertEquals(Set.of(DataCategory.of("contact.email"), DataCategory.of("contact.phone")), f1.categories());
    AuditEvent f2 = only(events, "f-2");
    assertEquals(Outcome.PARTIAL, f2.outcome());
    assertEquals(Set.of(DataCategory.of("contact.email")), f2.categories());
    assertEquals(Outcome.DENY, only(events, "f-3").outcome());
    assertFalse(events.stream().anyMatch(e -> e.concerns(SubjectId.of("u-2"))));
  }

  private static AuditEvent only(List<AuditEvent> events, String subject) {
    List<AuditEvent> about = events.stream().filter(e -> e.concerns(SubjectId.of(subject))).toList();
    assertEquals(1, about.size(), () -> "events about " + subject + ": " + events);
    assertEquals(List.of(SubjectId.of(subject)), about.get(0).subjects());
    return about.get(0);
  }
}
