package org.consent4j.core.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.consent4j.AccessContext;
import org.consent4j.AuditEvent;
import org.consent4j.Catalog;
import org.consent4j.ConsentDeniedException;
import org.consent4j.Grant;
import org.consent4j.LegalBasis;
import org.consent4j.Outcome;
import org.consent4j.SubjectId;
import org.consent4j.annotation.Personal;
import org.consent4j.annotation.Processing;
import org.consent4j.annotation.Subject;
import org.consent4j.core.ConsentEngine;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Special categories (Art. 9) and transfers (Art. 44–49) around a repository: the quiz app's
 * friends' profiles, filtered and masked by the same rules as the engine, and writes of a special
 * category refused without an explicit grant.
 */
@SuppressWarnings("try") // scopes bind their context to the thread
final class SpecialCategoryRepositoryTest {

  /** A quiz profile: the psychographic score is a special category. */
  public record Profile(@Subject String id, @Personal("contact.email") String email,
      @Personal("profile.psychographic") String psychographic) {}

  /** The quiz app's view of the social graph. */
  @Processing(purposes = "quiz")
  public interface ProfileRepository {
    List<Profile> friendsOf(@Subject String userId);

    void save(Profile profile);
  }

  static final class InMemoryProfiles implements ProfileRepository {
    final Map<String, Profile> profiles = new LinkedHashMap<>();
    final Map<String, List<String>> friends = new LinkedHashMap<>();

    @Override
    public List<Profile> friendsOf(String userId) {
      List<Profile> out = new ArrayList<>();
      friends.getOrDefault(userId, List.of()).forEach(f -> out.add(profiles.get(f)));
      return out;
    }

    @Override
    public void save(Profile profile) {
      profiles.put(profile.id(), profile);
    }
  }

  ConsentEngine engine;
  InMemoryProfiles store;
  ProfileRepository repo;

  @BeforeEach
  void setUp() {
    Catalog catalog = Catalog.builder()
        .purpose("quiz", LegalBasis.CONSENT)
        .categories("contact.email").specialCategory("profile.psychographic")
        .recipient("quizlab-us", "US").recipient("quizlab-eu", "IE")
        .build();
    engine = ConsentEngine.builder().catalog(catalog).clock(Clock.fixed(Crm.NOW, java.time.ZoneOffset.UTC)).build();
    store = new InMemoryProfiles();
    for (String id : List.of("f-1", "f-2", "f-3")) {
      store.profiles.put(id, new Profile(id, id + "@example.test", "openness:0." + id.charAt(2)));
    }
    store.friends.put("u-1", List.of("f-1", "f-2", "f-3"));
    engine.grant(Grant.builder(SubjectId.of("u-1")).purpose("quiz").category("contact").category("profile")
        .recipient("quizlab-us").recipient("quizlab-eu").explicit().explicitTransfer());
    // f-1: explicit, with transfer consent; f-2: the profile, but neither explicit nor the transfer;
    // f-3: explicit, for the EU quizlab only
    engine.grant(Grant.builder(SubjectId.of("f-1")).purpose("quiz").category("contact").category("profile")
        .recipient("quizlab-us").recipient("quizlab-eu").explicit().explicitTransfer());
    engine.grant(Grant.builder(SubjectId.of("f-2")).purpose("quiz").category("contact").category("profile")
        .recipient("quizlab-us").recipient("quizlab-eu"));
    engine.grant(Grant.builder(SubjectId.of("f-3")).purpose("quiz").category("contact").category("profile")
        .recipient("quizlab-eu").explicit());
    repo = ConsentRepositories.wrap(ProfileRepository.class, store, engine);
  }

  @Test
  void friendsProfilesReachTheQuizAppAbroadOnlyWithExplicitConsentToTheDataAndTheTransfer() {
    try (var scope = engine.process(AccessContext.of("quiz", "quiz", "quizlab-us"))) {
      assertEquals(List.of(store.profiles.get("f-1")), repo.friendsOf("u-1"));
    }
    List<AuditEvent> events = Crm.events(engine, "repository ProfileRepository.friendsOf");
    AuditEvent f2 = events.stream().filter(e -> e.subjects().contains(SubjectId.of("f-2"))).findFirst().orElseThrow();
    assertEquals(Outcome.DENY, f2.outcome());
    assertEquals("TRANSFER_NOT_SAFEGUARDED", f2.reason());
    assertEquals("profile.psychographic:EXPLICIT_CONSENT_REQUIRED", f2.details().get("also-denied"));
  }

  @Test
  void inTheEeaTheSpecialCategoryIsMaskedWithoutAnExplicitGrant() {
    try (var scope = engine.process(AccessContext.of("quiz", "quiz", "quizlab-eu"))) {
      assertEquals(List.of(store.profiles.get("f-1"), new Profile("f-2", "f-2@example.test", null),
          store.profiles.get("f-3")), repo.friendsOf("u-1"));
    }
  }

  @Test
  void savingASpecialCategoryWithoutAnExplicitGrantIsRefused() {
    try (var scope = engine.process(AccessContext.of("quiz", "quiz", "quizlab-eu"))) {
      ConsentDeniedException e = assertThrows(ConsentDeniedException.class,
          () -> repo.save(new Profile("f-2", "f-2@example.test", "openness:0.9")));
      assertTrue(e.getMessage().contains("EXPLICIT_CONSENT_REQUIRED") || e.getMessage().contains("profile.psychographic"),
          e.getMessage());
      repo.save(new Profile("f-2", "new@example.test", null));
      repo.save(new Profile("f-3", "f-3@example.test", "openness:0.1"));
    }
    assertEquals("new@example.test", store.profiles.get("f-2").email());
    assertEquals("openness:0.1", store.profiles.get("f-3").psychographic());
  }
}
