package org.consent4j.core.repository;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.testing.NullPointerTester;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.consent4j.AccessContext;
import org.consent4j.AuditEvent;
import org.consent4j.ConsentDeniedException;
import org.consent4j.DataCategory;
import org.consent4j.Grant;
import org.consent4j.NoProcessingContextException;
import org.consent4j.Outcome;
import org.consent4j.SubjectId;
import org.consent4j.annotation.Personal;
import org.consent4j.annotation.Processing;
import org.consent4j.annotation.Subject;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.ProcessingScope;
import org.consent4j.core.repository.Crm.Contact;
import org.consent4j.core.repository.Crm.ContactBean;
import org.consent4j.core.repository.Crm.ContactRepository;
import org.consent4j.core.repository.Crm.InMemoryCrm;
import org.consent4j.core.repository.Crm.Party;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a wrapped repository does at call time: context, purpose, filtering, masking, audit. */
@SuppressWarnings("try") // a scope binds its context to the thread; the body need not name it
final class ConsentRepositoriesTest {
  private static final Contact C1 = new Contact("c-1", "de", "c1@example.test", "+49-000-0101");
  private static final Contact C2 = new Contact("c-2", "de", "c2@example.test", "+49-000-0102");
  private static final Contact C3 = new Contact("c-3", "fr", "c3@example.test", "+33-000-0103");
  private static final Contact C2_MASKED = new Contact("c-2", "de", "c2@example.test", null);

  private ConsentEngine engine;
  private InMemoryCrm crm;
  private ContactRepository contacts;

  @BeforeEach
  void setUp() {
    engine = Crm.engine();
    crm = new InMemoryCrm();
    for (Contact c : List.of(C1, C2, C3)) {
      crm.add(c.id(), c.country(), c.email(), c.phone());
    }
    // c-1 consented to marketing of all contact data, c-2 of e-mail only, c-3 to nothing.
    grant("c-1", "contact");
    grant("c-2", "contact.email");
    contacts = ConsentRepositories.wrap(ContactRepository.class, crm, engine);
  }

  private void grant(String subject, String category) {
    engine.grant(Grant.builder(SubjectId.of(subject)).purpose("marketing").category(category));
  }

  private ProcessingScope as(String purpose) {
    return engine.process(AccessContext.of("crm-service", purpose));
  }

  // ---------------------------------------------------------------- context and purpose

  @Test
  void aCallWithoutAProcessingContextIsRefused() {
    NoProcessingContextException e =
        assertThrows(NoProcessingContextException.class, () -> contacts.findByCountry("de"));

    assertTrue(e.getMessage().startsWith("repository ContactRepository.findByCountry needs a processing context"),
        e.getMessage());
    assertEquals(0, crm.calls.get());
  }

  @Test
  void aCallForAPurposeTheMethodDoesNotServeIsDeniedAndAudited() {
    try (var scope = as("analytics")) {
      ConsentDeniedException e = assertThrows(ConsentDeniedException.class, () -> contacts.findByCountry("de"));

      assertTrue(e.getMessage().contains("repository ContactRepository.findByCountry denied: it serves purposes"
          + " [marketing], not the processing context's purpose 'analytics'"), e.getMessage());
    }
    assertEquals(0, crm.calls.get());
    List<AuditEvent> events = Crm.events(engine, "repository ContactRepository.findByCountry");
    assertEquals(1, events.size());
    assertEquals(Outcome.DENY, events.get(0).outcome());
    assertEquals("PURPOSE_NOT_SERVED", events.get(0).reason());
  }

  @Test
  void aPurposeRefusalNamesTheSubjectAskedForAndComesBeforeTheSubjectCheck() {
    try (var scope = as("analytics")) {
      assertThrows(ConsentDeniedException.class, () -> contacts.findById("c-1"));
      ConsentDeniedException e = assertThrows(ConsentDeniedException.class, () -> contacts.findById(null));
      assertTrue(e.getMessage().contains("serves purposes [marketing]"), e.getMessage());
    }
    List<AuditEvent> events = Crm.events(engine, "repository ContactRepository.findById");
    assertEquals(List.of(List.of(SubjectId.of("c-1")), List.of()), events.stream().map(AuditEvent::subjects).toList());
    assertTrue(events.stream().allMatch(ev -> ev.reason().equals("PURPOSE_NOT_SERVED")));
    assertEquals(0, crm.calls.get());
  }

  @Test
  void aMethodServesTheDescendantsOfItsPurposes() {
    try (var scope = as("marketing.email")) {
      assertEquals(List.of(C1, C2_MASKED), contacts.findByCountry("de"));
    }
  }

  @Test
  void aMethodDoesNotServeTheParentOfItsPurpose() {
    MarketingEmailOnly repo = ConsentRepositories.wrap(MarketingEmailOnly.class, () -> List.of(C1), engine);
    try (var scope = as("marketing")) {
      assertThrows(ConsentDeniedException.class, repo::all);
    }
  }

  // ---------------------------------------------------------------- filtering and masking

  @Test
  void onlyConsentingSubjectsComeBackWithOnlyTheirConsentedFields() {
    try (var scope = as("marketing")) {
      assertEquals(List.of(C1, C2_MASKED), contacts.findByCountry("de"));
      assertEquals(List.of(), contacts.findByCountry("fr"));
    }
  }

  @Test
  void aContractPurposeSeesExactlyItsDeclaredCategoriesWithoutAnyGrant() {
    Contact c3EmailOnly = new Contact("c-3", "fr", "c3@example.test", null);
    Contact c1EmailOnly = new Contact("c-1", "de", "c1@example.test", null);
    try (var scope = as("support")) {
      assertEquals(List.of(c1EmailOnly, C2_MASKED, c3EmailOnly), contacts.supportDirectory());
      // Without categories on the method, the catalog's purpose limitation still masks the phone.
      assertEquals(List.of(c1EmailOnly, C2_MASKED, c3EmailOnly), contacts.supportDirectoryWithoutDeclaredCategories());
    }
  }

  @Test
  void aMethodNeverReturnsMoreThanItDeclaresEvenWhenTheSubjectGrantedMore() {
    try (var scope = as("marketing")) {
      assertEquals(List.of(new Contact("c-1", "de", "c1@example.test", null), C2_MASKED), contacts.mailingList());
    }
    AuditEvent c1 = Crm.events(engine, "repository ContactRepository.mailingList").stream()
        .filter(e -> e.concerns(SubjectId.of("c-1"))).findFirst().orElseThrow();
    // The audit lists what was released, not what the subject would have allowed.
    assertEquals(Set.of(DataCategory.of("contact.email")), c1.categories());
  }

  @Test
  void ordinaryClassesAreCopiedWithTheirInheritedFieldsAndMasked() {
    ContactBean storedC2 = crm.beans.get("c-2");
    List<ContactBean> beans;
    try (var scope = as("marketing")) {
      beans = contacts.findBeans();
    }
    assertEquals(List.of("c-1", "c-2"), beans.stream().map(Party::id).toList());
    ContactBean c2 = beans.get(1);
    assertNotSame(storedC2, c2);
    assertEquals("de", c2.country());
    assertEquals("c2@example.test", c2.email());
    assertNull(c2.phone());
    assertEquals("+49-000-0102", storedC2.phone());
    // Even an unmasked entity is a copy: changing it does not reach the repository's object.
    beans.get(0).phone("changed");
    assertEquals("+49-000-0101", crm.beans.get("c-1").phone());
  }

  @Test
  void ordinaryClassesUnderAContractPurposeAreMaskedToItsCategories() {
    try (var scope = as("support")) {
      List<ContactBean> beans = contacts.findBeans();

      assertEquals(List.of("c-1", "c-2", "c-3"), beans.stream().map(Party::id).toList());
      assertTrue(beans.stream().allMatch(b -> b.phone() == null && b.email() != null));
    }
  }

  @Test
  void entitiesDeclaredByAnAbstractSupertypeAreMaskedAsTheirOwnClass() {
    Parties parties = ConsentRepositories.wrap(Parties.class, () -> List.copyOf(crm.beans.values()), engine);
    try (var scope = as("marketing")) {
      List<Party> visible = parties.all();

      assertEquals(2, visible.size());
      assertNull(((ContactBean) visible.get(1)).phone());
    }
  }

  @Test
  void entitiesWithoutAValidSubjectIdAreWithheld() {
    AllContacts repo = ConsentRepositories.wrap(AllContacts.class, () -> Arrays.asList(
        new Contact(null, "de", "nobody@example.test", null), null,
        new Contact(" ", "de", "blank@example.test", null), C1), engine);
    try (var scope = as("marketing")) {
      assertEquals(List.of(C1), repo.all());
    }
  }

  @Test
  void aGenericBaseRepositoryIsResolvedToItsEntityType() {
    ContactBase repo = ConsentRepositories.wrap(ContactBase.class, () -> List.of(C1, C2, C3), engine);
    try (var scope = as("marketing")) {
      assertEquals(List.of(C1, C2_MASKED), repo.all());
    }
  }

  // ---------------------------------------------------------------- result shapes

  @Test
  void anOptionalIsEmptyWhenItsEntityIsWithheld() {
    try (var scope = as("marketing")) {
      assertEquals(Optional.of(C1), contacts.findFirstByCountry("de"));
      assertEquals(Optional.empty(), contacts.findFirstByCountry("fr"));
      assertEquals(Optional.of(C2_MASKED), contacts.findById("c-2"));
    }
  }

  @Test
  void aSingleEntityReadsAsNullWhenWithheld() {
    try (var scope = as("marketing")) {
      assertEquals(C2_MASKED, contacts.findByEmail("c2@example.test"));
      assertNull(contacts.findByEmail("c3@example.test"));
      assertNull(contacts.findByEmail("unknown@example.test"));
    }
  }

  @Test
  void aSetKeepsTheRepositorysOrderAndCannotBeModified() {
    try (var scope = as("marketing")) {
      Set<Contact> set = contacts.findAllAsSet();

      assertEquals(List.of(C1, C2_MASKED), new ArrayList<>(set));
      assertThrows(UnsupportedOperationException.class, set::clear);
    }
  }

  @Test
  void aStreamIsReadClosedAndFilteredBeforeItIsReturned() {
    try (var scope = as("marketing")) {
      Stream<Contact> stream = contacts.streamAll();

      assertEquals(1, crm.streamsClosed.get());
      assertEquals(List.of(C1, C2_MASKED), stream.toList());
    }
  }

  @Test
  void anArrayHasTheDeclaredComponentTypeAndOnlyThePermittedEntities() {
    try (var scope = as("marketing")) {
      Contact[] array = contacts.findAllAsArray();

      assertArrayEquals(new Contact[] {C1, C2_MASKED}, array);
    }
  }

  @Test
  void collectionsAndIterablesComeBackAsUnmodifiableLists() {
    try (var scope = as("marketing")) {
      assertEquals(List.of(C1, C2_MASKED), contacts.findAllAsCollection());
      assertEquals(List.of(C1, C2_MASKED), contacts.findAllAsIterable());
      assertThrows(UnsupportedOperationException.class, () -> contacts.findAllAsCollection().clear());
    }
  }

  @Test
  void aValueThatIsNotAnEntityNeedsEveryDeclaredCategoryOfItsSubject() {
    try (var scope = as("marketing")) {
      assertEquals("c2@example.test", contacts.emailOf("c-2"));
      assertThrows(ConsentDeniedException.class, () -> contacts.emailOf("c-3"));
      // c-1 consented to contact data, not to orders.
      ConsentDeniedException e = assertThrows(ConsentDeniedException.class, () -> contacts.orderCount("c-1"));
      assertTrue(e.getMessage().contains("orders=CATEGORY_NOT_COVERED"), e.getMessage());
      grant("c-1", "orders");
      assertEquals(3, contacts.orderCount("c-1"));
    }
    assertEquals(2, crm.calls.get());
  }

  @Test
  void aVoidMethodRunsOnlyForAPermittedSubject() {
    try (var scope = as("marketing")) {
      contacts.touch("c-1");
      assertThrows(ConsentDeniedException.class, () -> contacts.touch("c-3"));
    }
    assertEquals(1, crm.calls.get());
  }

  @Test
  void aValueThatIsNotOfItsDeclaredKindIsRefusedAtRunTime() {
    // Heap pollution: a raw cast in the repository puts another subject's contact in a List<String>.
    @SuppressWarnings({"unchecked", "rawtypes"})
    Polluted polluted = ConsentRepositories.wrap(Polluted.class, new Polluted() {
      @Override
      public List<String> notes(String userId) {
        return (List) List.of("a note", C3);
      }

      @Override
      public java.util.Map<String, List<String>> grouped(String userId) {
        return java.util.Map.of("friends", (List) List.of(C3));
      }

      @Override
      public java.math.BigDecimal balance(String userId) {
        return new CarryingDecimal(C3);
      }
    }, engine);
    try (var scope = as("marketing")) {
      // One level deeper than a list, and inside a platform type's subclass: both used to pass.
      assertThrows(IllegalStateException.class, () -> polluted.grouped("c-1"));
      assertThrows(IllegalStateException.class, () -> polluted.balance("c-1"));
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> polluted.notes("c-1"));
      assertTrue(e.getMessage().contains("returned a " + Contact.class.getName() + " where its declared result type"
          + " allows only java.lang.String"), e.getMessage());
    }
  }

  @Test
  void aReleasedValueIsAnUnmodifiableCopyOfTheRepositorysCollection() {
    List<String> stored = new ArrayList<>(List.of("a", "b"));
    Polluted repo = ConsentRepositories.wrap(Polluted.class, new Polluted() {
      @Override
      public List<String> notes(String userId) {
        return stored;
      }

      @Override
      public java.util.Map<String, List<String>> grouped(String userId) {
        return java.util.Map.of("k", stored);
      }

      @Override
      public java.math.BigDecimal balance(String userId) {
        return java.math.BigDecimal.TEN;
      }
    }, engine);
    try (var scope = as("marketing")) {
      List<String> notes = repo.notes("c-1");
      assertEquals(stored, notes);
      assertNotSame(stored, notes);
      assertThrows(UnsupportedOperationException.class, notes::clear);
      assertEquals(java.util.Map.of("k", stored), repo.grouped("c-1"));
      assertEquals(java.math.BigDecimal.TEN, repo.balance("c-1"));
    }
  }

  @Test
  void aRefusedValueIsNeverRecordedAsReleased() {
    try (var scope = as("marketing")) {
      // c-2 granted e-mail, not orders: the value needs both, so nothing is released.
      ConsentDeniedException e = assertThrows(ConsentDeniedException.class, () -> contacts.emailAndOrders("c-2"));
      assertTrue(e.getMessage().contains("orders=CATEGORY_NOT_COVERED"), e.getMessage());
    }
    assertEquals(0, crm.calls.get());
    List<AuditEvent> events = Crm.events(engine, "repository ContactRepository.emailAndOrders");
    AuditEvent last = events.get(events.size() - 1);
    assertEquals(Outcome.DENY, last.outcome());
    assertEquals("CATEGORY_NOT_COVERED", last.reason());
    assertEquals("true", last.details().get("refused"));
    assertEquals(List.of(SubjectId.of("c-2")), last.subjects());
    assertEquals(Set.of(DataCategory.of("contact.email"), DataCategory.of("orders")), last.categories());
    assertTrue(events.stream().noneMatch(ev -> ev.outcome() == Outcome.PERMIT), events::toString);
  }

  @Test
  void aRefusalOfASubjectWhoConsentedToNothingIsOneDenyEvent() {
    try (var scope = as("marketing")) {
      assertThrows(ConsentDeniedException.class, () -> contacts.emailAndOrders("c-3"));
    }
    List<AuditEvent> events = Crm.events(engine, "repository ContactRepository.emailAndOrders");
    assertEquals(1, events.size(), events::toString);
    assertEquals(Outcome.DENY, events.get(0).outcome());
    assertEquals("NO_GRANT", events.get(0).reason());
  }

  // ---------------------------------------------------------------- the proxy itself

  @Test
  void equalsHashCodeAndToStringNeverReachTheRepository() {
    ContactRepository other = ConsentRepositories.wrap(ContactRepository.class, crm, engine);

    assertEquals(contacts, contacts);
    assertNotEquals(contacts, other);
    assertEquals(contacts.hashCode(), contacts.hashCode());
    assertEquals("ConsentRepositories.wrap(" + ContactRepository.class.getName() + ")", contacts.toString());
    assertFalse(contacts.toString().contains("example.test"));
    assertEquals(0, crm.calls.get());
  }

  @Test
  void aDefaultMethodRunsOnTheWrapperSoItsCallsAreEnforced() {
    try (var scope = as("marketing")) {
      assertEquals(Optional.of("de"), contacts.countryOf("c-1"));
      assertThrows(ConsentDeniedException.class, () -> contacts.countryOf("c-3"));
    }
  }

  @Test
  void aDefaultMethodIsCheckedFilteredMaskedAndAuditedLikeAnyOther() {
    Crm.Defaults repo = ConsentRepositories.wrap(Crm.Defaults.class, List::of, engine);
    assertThrows(NoProcessingContextException.class, repo::sample);
    try (var scope = as("marketing")) {
      // The default body builds its result itself; it is still filtered and masked.
      assertEquals(List.of(C1, C2_MASKED), repo.sample());
    }
    List<AuditEvent> events = Crm.events(engine, "repository Defaults.sample");
    assertEquals(List.of(Outcome.PERMIT, Outcome.PARTIAL, Outcome.DENY),
        events.stream().map(AuditEvent::outcome).toList());
  }

  @Test
  void aDefaultMethodServesThePurposesOfItsInterface() {
    Crm.Defaults repo = ConsentRepositories.wrap(Crm.Defaults.class, List::of, engine);
    try (var scope = as("analytics")) {
      ConsentDeniedException e = assertThrows(ConsentDeniedException.class, repo::sample);
      assertTrue(e.getMessage().startsWith("repository Defaults.sample denied: it serves purposes [marketing]"),
          e.getMessage());
    }
    assertEquals("PURPOSE_NOT_SERVED", Crm.events(engine, "repository Defaults.sample").get(0).reason());
  }

  @Test
  void theRepositorysRuntimeExceptionPropagatesUnchanged() {
    IllegalStateException failure = new IllegalStateException("database is down");
    crm.failure = failure;
    try (var scope = as("marketing")) {
      assertSame(failure, assertThrows(IllegalStateException.class, () -> contacts.findByCountry("de")));
    }
  }

  @Test
  void theRepositorysCheckedExceptionPropagatesUnchanged() {
    IOException failure = new IOException("disk is gone");
    Loading repo = ConsentRepositories.wrap(Loading.class, () -> {
      throw failure;
    }, engine);
    try (var scope = as("marketing")) {
      assertSame(failure, assertThrows(IOException.class, repo::load));
    }
  }

  @Test
  void aRecordThatRejectsAMaskedNullFailsClosed() {
    StrictRepository repo = ConsentRepositories.wrap(StrictRepository.class,
        () -> List.of(new StrictContact("c-2", "c2@example.test", "+49-000-0102")), engine);
    try (var scope = as("marketing")) {
      IllegalStateException e = assertThrows(IllegalStateException.class, repo::all);
      assertTrue(e.getMessage().contains("must accept null for @Personal components"), e.getMessage());
    }
  }

  // ---------------------------------------------------------------- audit

  @Test
  void theAuditTrailNamesTheOperationAndTheSubjectsDelivered() {
    try (var scope = as("marketing")) {
      contacts.findAllAsSet();
    }
    List<AuditEvent> events = Crm.events(engine, "repository ContactRepository.findAllAsSet");

    assertEquals(3, events.size(), events::toString);
    assertEquals(List.of(SubjectId.of("c-1")), events.get(0).subjects());
    assertEquals(Outcome.PERMIT, events.get(0).outcome());
    assertEquals(List.of(SubjectId.of("c-2")), events.get(1).subjects());
    assertEquals(Outcome.PARTIAL, events.get(1).outcome());
    assertEquals(List.of(SubjectId.of("c-3")), events.get(2).subjects());
    assertEquals(Outcome.DENY, events.get(2).outcome());
    assertTrue(events.stream().allMatch(e -> e.actor().equals("crm-service")));
  }

  @Test
  void oneCallDecidesForAllReturnedSubjectsInOneEngineCall() {
    List<Contact> many = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      many.add(new Contact("m-" + i, "de", "m" + i + "@example.test", null));
    }
    AllContacts repo = ConsentRepositories.wrap(AllContacts.class, () -> many, engine);
    try (var scope = as("marketing")) {
      assertEquals(0, repo.all().size());
    }
    // One decision batch: the 200 denied subjects share one event.
    List<AuditEvent> events = Crm.events(engine, "repository AllContacts.all");
    assertEquals(1, events.size());
    assertEquals(200, events.get(0).subjects().size());
  }

  // ---------------------------------------------------------------- threads

  @Test
  void oneWrappedRepositoryServesConcurrentCallsUnderDifferentContexts() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        boolean support = t % 2 == 0;
        futures.add(pool.submit(() -> {
          for (int i = 0; i < 200; i++) {
            try (var scope = as(support ? "support" : "marketing")) {
              List<ContactBean> beans = contacts.findBeans();
              assertEquals(support ? 3 : 2, beans.size());
              assertEquals(support, beans.get(0).phone() == null);
            }
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  // ---------------------------------------------------------------- nulls

  @Test
  void publicStaticMethodsRejectNulls() {
    new NullPointerTester()
        .setDefault(Class.class, AllContacts.class)
        .setDefault(ConsentEngine.class, engine)
        .testAllPublicStaticMethods(ConsentRepositories.class);
  }

  @Test
  void wrapRejectsNullsByName() {
    AllContacts target = List::of;
    assertEquals("repositoryInterface", assertThrows(NullPointerException.class,
        () -> ConsentRepositories.wrap(null, target, engine)).getMessage());
    assertEquals("target", assertThrows(NullPointerException.class,
        () -> ConsentRepositories.wrap(AllContacts.class, null, engine)).getMessage());
    assertEquals("engine", assertThrows(NullPointerException.class,
        () -> ConsentRepositories.wrap(AllContacts.class, target, null)).getMessage());
    assertInstanceOf(AllContacts.class, ConsentRepositories.wrap(AllContacts.class, target, engine));
  }

  // ---------------------------------------------------------------- fixtures

  interface AllContacts {
    @Processing(purposes = "marketing")
    List<Contact> all();
  }

  interface MarketingEmailOnly {
    @Processing(purposes = "marketing.email")
    List<Contact> all();
  }

  interface Parties {
    @Processing(purposes = "marketing")
    List<Party> all();
  }

  interface Base<T> {
    List<T> all();
  }

  @Processing(purposes = "marketing")
  interface ContactBase extends Base<Contact> {}

  interface Loading {
    @Processing(purposes = "marketing")
    List<Contact> load() throws IOException;
  }

  interface Polluted {
    @Processing(purposes = "marketing", categories = "contact")
    List<String> notes(@Subject String userId);

    @Processing(purposes = "marketing", categories = "contact")
    java.util.Map<String, List<String>> grouped(@Subject String userId);

    @Processing(purposes = "marketing", categories = "contact")
    java.math.BigDecimal balance(@Subject String userId);
  }

  /** A BigDecimal that carries an object: what the declared type alone would let through. */
  static final class CarryingDecimal extends java.math.BigDecimal {
    private static final long serialVersionUID = 1L;
    final transient Object carried;

    CarryingDecimal(Object carried) {
      super(1);
      this.carried = carried;
    }
  }

  record StrictContact(@Subject String id, @Personal("contact.email") String email,
      @Personal("contact.phone") String phone) {
    StrictContact {
      java.util.Objects.requireNonNull(phone, "phone");
    }
  }

  interface StrictRepository {
    @Processing(purposes = "marketing")
    List<StrictContact> all();
  }
}
