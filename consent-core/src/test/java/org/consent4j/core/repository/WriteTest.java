package org.consent4j.core.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.consent4j.AccessContext;
import org.consent4j.AuditEvent;
import org.consent4j.ConsentDeniedException;
import org.consent4j.DataCategory;
import org.consent4j.Grant;
import org.consent4j.Outcome;
import org.consent4j.SubjectId;
import org.consent4j.annotation.Personal;
import org.consent4j.annotation.Processing;
import org.consent4j.annotation.Subject;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.ProcessingScope;
import org.consent4j.core.repository.Crm.Contact;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a wrapped repository checks before it writes: every entity passed in is about a subject
 * who consented, to every category of data it carries; and every call that runs is audited.
 */
@SuppressWarnings("try") // a scope binds its context to the thread; the body need not name it
final class WriteTest {
  private static final Contact C1 = new Contact("c-1", "de", "c1@example.test", "+49-000-0101");
  private static final Contact C2 = new Contact("c-2", "de", "c2@example.test", "+49-000-0102");
  private static final Contact C2_EMAIL = new Contact("c-2", "de", "c2@example.test", null);
  private static final Contact C3 = new Contact("c-3", "fr", "c3@example.test", "+33-000-0103");

  private ConsentEngine engine;
  private Store store;
  private Writes writes;

  @BeforeEach
  void setUp() {
    engine = Crm.engine();
    // c-1 consented to marketing of all contact data, c-2 of e-mail only, c-3 to nothing.
    engine.grant(Grant.builder(SubjectId.of("c-1")).purpose("marketing").category("contact"));
    engine.grant(Grant.builder(SubjectId.of("c-2")).purpose("marketing").category("contact.email"));
    store = new Store();
    writes = ConsentRepositories.wrap(Writes.class, store, engine);
  }

  private ProcessingScope marketing() {
    return engine.process(AccessContext.of("crm-service", "marketing"));
  }

  private List<AuditEvent> events(String method) {
    return Crm.events(engine, "repository Writes." + method);
  }

  @Test
  void writingTheDataOfASubjectWhoDidNotConsentIsRefusedBeforeTheRepository() {
    try (var scope = marketing()) {
      ConsentDeniedException e = assertThrows(ConsentDeniedException.class, () -> writes.save(C3));
      assertEquals(SubjectId.of("c-3"), e.decision().orElseThrow().subject());
    }
    assertEquals(List.of(), store.saved);
    List<AuditEvent> events = events("save");
    assertEquals(1, events.size(), events::toString);
    assertEquals(Outcome.DENY, events.get(0).outcome());
    assertEquals(List.of(SubjectId.of("c-3")), events.get(0).subjects());
  }

  @Test
  void writingACategoryTheSubjectDidNotGrantIsRefusedAndAuditedAsDeny() {
    try (var scope = marketing()) {
      ConsentDeniedException e = assertThrows(ConsentDeniedException.class, () -> writes.save(C2));
      assertTrue(e.getMessage().contains("contact.phone=CATEGORY_NOT_COVERED"), e.getMessage());
    }
    assertEquals(List.of(), store.saved);
    AuditEvent last = events("save").get(events("save").size() - 1);
    assertEquals(Outcome.DENY, last.outcome());
    assertEquals("CATEGORY_NOT_COVERED", last.reason());
    assertEquals("true", last.details().get("refused"));
  }

  @Test
  void writingOnlyGrantedCategoriesIsPermittedAndAudited() {
    try (var scope = marketing()) {
      writes.save(C2_EMAIL);
      writes.save(C1);
    }
    assertEquals(List.of(C2_EMAIL, C1), store.saved);
    List<AuditEvent> events = events("save");
    assertEquals(2, events.size(), events::toString);
    assertEquals(Outcome.PERMIT, events.get(0).outcome());
    assertEquals(List.of(SubjectId.of("c-2")), events.get(0).subjects());
    assertEquals(Set.of(DataCategory.of("contact.email")), events.get(0).categories());
  }

  @Test
  void oneRefusedEntityRefusesTheWholeBatchAndNoPermitIsLeftStanding() {
    try (var scope = marketing()) {
      assertThrows(ConsentDeniedException.class, () -> writes.saveAll(List.of(C1, C3)));
    }
    assertEquals(List.of(), store.saved);
    List<AuditEvent> events = events("saveAll");
    AuditEvent last = events.get(events.size() - 1);
    assertEquals(Outcome.DENY, last.outcome());
    assertEquals("true", last.details().get("refused"));
    assertEquals(List.of(SubjectId.of("c-1")), last.subjects());
  }

  @Test
  void writingACategoryTheMethodDoesNotDeclareIsRefused() {
    try (var scope = marketing()) {
      ConsentDeniedException e = assertThrows(ConsentDeniedException.class, () -> writes.saveEmail(C1));
      assertTrue(e.getMessage().contains("category 'contact.phone', which the method does not declare"),
          e.getMessage());
      writes.saveEmail(new Contact("c-1", "de", "c1@example.test", null));
    }
    assertEquals(1, store.saved.size());
    assertEquals("CATEGORY_NOT_DECLARED", events("saveEmail").get(0).reason());
  }

  @Test
  void entitiesAnywhereInAnArgumentAreChecked() {
    try (var scope = marketing()) {
      assertThrows(ConsentDeniedException.class, () -> writes.saveAny(Map.of("batch", List.of(C1, C3))));
      assertThrows(ConsentDeniedException.class, () -> writes.saveAny(new Object[] {C3}));
      assertThrows(IllegalStateException.class, () -> writes.saveAny(Stream.of(C3)));
      writes.saveAny(Map.of("batch", List.of(C1)));
      // A platform Iterable that is not a collection holds no entities.
      writes.saveAny(java.nio.file.Path.of("exports", "c-1.json"));
    }
    assertEquals(2, store.saved.size());
  }

  @Test
  void anEntityAboutNobodyIsNotWritten() {
    try (var scope = marketing()) {
      ConsentDeniedException e = assertThrows(ConsentDeniedException.class,
          () -> writes.save(new Contact(null, "de", "x@example.test", null)));
      assertTrue(e.getMessage().contains("whose @Subject is null or not a valid subject id"), e.getMessage());
    }
    assertEquals(List.of(), store.saved);
    assertEquals("NO_SUBJECT", events("save").get(0).reason());
  }

  @Test
  void theSubjectParameterAndTheWrittenEntityMustBothBePermitted() {
    try (var scope = marketing()) {
      assertThrows(ConsentDeniedException.class, () -> writes.link("c-1", C3));
      assertThrows(ConsentDeniedException.class, () -> writes.link("c-3", C1));
      writes.link("c-1", C2_EMAIL);
    }
    assertEquals(List.of(C2_EMAIL), store.saved);
  }

  @Test
  void aCallAboutNoSubjectIsAuditedAsSuch() {
    try (var scope = marketing()) {
      writes.purge();
      assertEquals(List.of(), writes.findByCountry("none"));
    }
    for (String method : List.of("purge", "findByCountry")) {
      List<AuditEvent> events = events(method);
      assertEquals(1, events.size(), events::toString);
      assertEquals(Outcome.PERMIT, events.get(0).outcome());
      assertEquals("NO_SUBJECT_DATA", events.get(0).reason());
      assertEquals(List.of(), events.get(0).subjects());
    }
  }

  @Test
  void aCallAboutNoSubjectThatFailsIsStillAudited() {
    store.failure = new IllegalStateException("database is down");
    try (var scope = marketing()) {
      assertThrows(IllegalStateException.class, () -> writes.findByCountry("de"));
    }
    AuditEvent event = events("findByCountry").get(0);
    assertEquals("NO_SUBJECT_DATA", event.reason());
    assertEquals(IllegalStateException.class.getName(), event.details().get("failed"));
  }

  @Test
  void generatedProxiesAreRefusedRatherThanReadOrCopied() {
    Person lazy = new Person$HibernateProxy$x1("c-1", "c1@example.test");
    People people = ConsentRepositories.wrap(People.class, new People() {
      @Override
      public List<Person> all() {
        return List.of(lazy);
      }

      @Override
      public void save(Person p) {
        throw new AssertionError("never reached");
      }
    }, engine);
    try (var scope = marketing()) {
      IllegalStateException e = assertThrows(IllegalStateException.class, people::all);
      assertTrue(e.getMessage().contains("a class generated at run time"), e.getMessage());
      assertThrows(IllegalStateException.class, () -> people.save(lazy));
    }
  }

  // ---------------------------------------------------------------- fixtures

  /** Writes of contacts. */
  public interface Writes {
    @Processing(purposes = "marketing", categories = "contact")
    void save(Contact contact);

    @Processing(purposes = "marketing", categories = "contact")
    void saveAll(List<Contact> contacts);

    @Processing(purposes = "marketing", categories = "contact.email")
    void saveEmail(Contact contact);

    @Processing(purposes = "marketing")
    void saveAny(Object anything);

    @Processing(purposes = "marketing", categories = "contact")
    void link(@Subject String owner, Contact contact);

    @Processing(purposes = "marketing")
    void purge();

    @Processing(purposes = "marketing")
    List<Contact> findByCountry(String country);
  }

  static final class Store implements Writes {
    final List<Object> saved = new ArrayList<>();
    RuntimeException failure;

    @Override
    public void save(Contact contact) {
      saved.add(contact);
    }

    @Override
    public void saveAll(List<Contact> contacts) {
      saved.addAll(contacts);
    }

    @Override
    public void saveEmail(Contact contact) {
      saved.add(contact);
    }

    @Override
    public void saveAny(Object anything) {
      saved.add(anything);
    }

    @Override
    public void link(String owner, Contact contact) {
      saved.add(contact);
    }

    @Override
    public void purge() {}

    @Override
    public List<Contact> findByCountry(String country) {
      if (failure != null) {
        throw failure;
      }
      return List.of();
    }
  }

  static class Person {
    @Subject String id;
    @Personal("contact.email") String email;

    Person() {}

    Person(String id, String email) {
      this.id = id;
      this.email = email;
    }
  }

  /** Named as Hibernate names its lazy proxies. */
  static final class Person$HibernateProxy$x1 extends Person {
    Person$HibernateProxy$x1() {}

    Person$HibernateProxy$x1(String id, String email) {
      super(id, email);
    }
  }

  interface People {
    @Processing(purposes = "marketing")
    List<Person> all();

    @Processing(purposes = "marketing")
    void save(Person p);
  }
}
