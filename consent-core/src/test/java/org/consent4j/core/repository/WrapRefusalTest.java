package org.consent4j.core.repository;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.UUID;
import org.consent4j.annotation.Personal;
import org.consent4j.annotation.Processing;
import org.consent4j.annotation.Subject;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.repository.Crm.Contact;
import org.junit.jupiter.api.Test;

/**
 * A repository that could not be enforced is refused when it is wrapped, with a message that
 * names the method and says how to fix it — never passed through at call time.
 */
final class WrapRefusalTest {
  private final ConsentEngine engine = Crm.engine();

  private <T> String refusal(Class<T> type, T target) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ConsentRepositories.wrap(type, target, engine));
    assertNotNull(e.getMessage());
    return e.getMessage();
  }

  private static void assertMentions(String message, String... parts) {
    for (String part : parts) {
      assertTrue(message.contains(part), () -> "expected '" + part + "' in: " + message);
    }
  }

  // ---------------------------------------------------------------- declarations

  interface Undeclared {
    List<Contact> all();
  }

  @Test
  void aMethodWithoutProcessingIsRefusedByName() {
    assertMentions(refusal(Undeclared.class, List::of),
        "cannot wrap " + Undeclared.class.getName(), Undeclared.class.getName() + ".all()",
        "declares no @Processing", "@Processing(purposes = ...");
  }

  interface SeveralProblems {
    List<Contact> first();

    @Processing(purposes = "lottery")
    List<Contact> second();
  }

  @Test
  void everyMethodThatCannotBeEnforcedIsListedInOneMessage() {
    assertMentions(refusal(SeveralProblems.class, new SeveralProblems() {
      @Override
      public List<Contact> first() {
        return List.of();
      }

      @Override
      public List<Contact> second() {
        return List.of();
      }
    }), ".first() declares no @Processing", ".second() serves purpose 'lottery', which is not declared");
  }

  interface BadPurposeName {
    @Processing(purposes = "Marketing!")
    List<Contact> all();
  }

  interface NoPurpose {
    @Processing(purposes = {})
    List<Contact> all();
  }

  interface UndeclaredCategory {
    @Processing(purposes = "marketing", categories = "health")
    List<Contact> all();
  }

  @Test
  void purposesAndCategoriesMustBeValidAndDeclaredInTheCatalog() {
    assertMentions(refusal(BadPurposeName.class, List::of), ".all()", "Marketing!", "is not valid");
    assertMentions(refusal(NoPurpose.class, List::of), ".all() has @Processing with no purposes");
    assertMentions(refusal(UndeclaredCategory.class, List::of),
        ".all() declares data category 'health', which is not declared in the catalog");
  }

  record Patient(@Subject String id, @Personal("health.diagnosis") String diagnosis) {}

  interface Patients {
    @Processing(purposes = "marketing")
    List<Patient> all();
  }

  @Test
  void theCategoriesOfReturnedEntitiesMustBeDeclaredInTheCatalog() {
    assertMentions(refusal(Patients.class, List::of), "@Personal category 'health.diagnosis' is not declared");
  }

  // ---------------------------------------------------------------- subject parameters

  interface CountWithoutSubject {
    @Processing(purposes = "marketing", categories = "orders")
    int count();
  }

  interface CountWithoutCategories {
    @Processing(purposes = "marketing")
    long count(@Subject String id);
  }

  interface TwoSubjects {
    @Processing(purposes = "marketing")
    List<Contact> between(@Subject String a, @Subject String b);
  }

  interface UuidSubject {
    @Processing(purposes = "marketing")
    List<Contact> of(@Subject UUID id);
  }

  @Test
  void aValueThatIsNotAnEntityNeedsASubjectParameterAndDeclaredCategories() {
    assertMentions(refusal(CountWithoutSubject.class, () -> 0), ".count() returns int, which is not an entity",
        "has no @Subject parameter");
    assertMentions(refusal(CountWithoutCategories.class, id -> 0), "declares no categories");
  }

  @Test
  void aCallIsAboutOneSubjectOfASupportedType() {
    assertMentions(refusal(TwoSubjects.class, (a, b) -> List.of()), "more than one parameter @Subject");
    assertMentions(refusal(UuidSubject.class, id -> List.of()), "java.util.UUID @Subject",
        "must be a SubjectId, a CharSequence or a number");
  }

  // ---------------------------------------------------------------- result types

  interface MapResult {
    @Processing(purposes = "marketing")
    Map<String, Contact> byId();
  }

  interface SortedResult {
    @Processing(purposes = "marketing")
    SortedSet<Contact> sorted();
  }

  interface NestedResult {
    @Processing(purposes = "marketing")
    Optional<List<Contact>> maybe();
  }

  @Test
  void entitiesInAResultShapeThatCannotBeFilteredAreRefused() {
    assertMentions(refusal(MapResult.class, Map::of), ".byId() returns java.util.Map<java.lang.String, "
        + Contact.class.getName() + ">", "cannot filter", "List<T>");
    assertMentions(refusal(SortedResult.class, () -> null), ".sorted() returns java.util.SortedSet");
    assertMentions(refusal(NestedResult.class, Optional::empty), ".maybe() returns java.util.Optional<java.util.List");
  }

  // ---------------------------------------------------------------- entity classes

  static final class NoDefaultConstructor {
    @Subject final String id;
    @Personal("contact.email") final String email;

    NoDefaultConstructor(String id, String email) {
      this.id = id;
      this.email = email;
    }
  }

  interface NoDefaultConstructors {
    @Processing(purposes = "marketing")
    List<NoDefaultConstructor> all();
  }

  static final class PrimitivePersonal {
    @Subject String id;
    @Personal("orders") int orders;
  }

  interface PrimitivePersonals {
    @Processing(purposes = "marketing")
    List<PrimitivePersonal> all();
  }

  record Friendship(@Subject String a, @Subject String b) {}

  interface Friendships {
    @Processing(purposes = "marketing")
    List<Friendship> all();
  }

  record Anonymous(String country, @Personal("contact.email") String email) {}

  interface Anonymouses {
    @Processing(purposes = "marketing")
    List<Anonymous> all();
  }

  record Household(@Subject String id, List<Contact> members) {}

  interface Households {
    @Processing(purposes = "marketing")
    List<Household> all();
  }

  record Page(List<Contact> items) {}

  interface Pages {
    @Processing(purposes = "marketing", categories = "contact")
    Page page(@Subject String id);
  }

  record BadCategory(@Subject String id, @Personal("Contact Email") String email) {}

  interface BadCategories {
    @Processing(purposes = "marketing")
    List<BadCategory> all();
  }

  @Test
  void entityClassesThatCannotBeCopiedOrMaskedAreRefused() {
    assertMentions(refusal(NoDefaultConstructors.class, List::of), "has no no-argument constructor");
    assertMentions(refusal(PrimitivePersonals.class, List::of), "marks the primitive orders @Personal",
        "use int's wrapper type");
    assertMentions(refusal(BadCategories.class, List::of), "marks email @Personal with an invalid category");
  }

  @Test
  void entitiesAboutSeveralSubjectsOrNobodyAreRefused() {
    assertMentions(refusal(Friendships.class, List::of), "has several @Subject fields [a, b]");
    assertMentions(refusal(Anonymouses.class, List::of), "marks @Personal data but no @Subject field");
  }

  @Test
  void objectsThatHoldEntitiesAreRefused() {
    assertMentions(refusal(Households.class, List::of), "holds objects with personal data in [members]");
    assertMentions(refusal(Pages.class, id -> null), "holds objects with personal data in [items]");
  }

  // ---------------------------------------------------------------- the interface itself

  interface WithDefault {
    @Processing(purposes = "marketing")
    List<Contact> all();

    default int size() {
      return all().size();
    }
  }

  @Test
  void aDefaultMethodOfANonPublicInterfaceIsRefused() {
    assertMentions(refusal(WithDefault.class, List::of), ".size() is a default method of the non-public interface",
        "make the interface public");
  }

  @Test
  void onlyInterfacesImplementedByTheTargetAreWrapped() {
    @SuppressWarnings({"unchecked", "rawtypes"})
    Class<Object> notAnInterface = (Class) Contact.class;
    assertMentions(refusal(notAnInterface, new Object()), Contact.class.getName() + " is not an interface");
    @SuppressWarnings({"unchecked", "rawtypes"})
    Class<Object> undeclared = (Class) Undeclared.class;
    assertMentions(refusal(undeclared, "a string"), "the target, a java.lang.String, does not implement");
  }
}
