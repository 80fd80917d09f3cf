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

  /** A target that implements every method and is never called. */
  private static <T> T stub(Class<T> type) {
    return type.cast(java.lang.reflect.Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
        (proxy, method, args) -> {
          throw new AssertionError("never called");
        }));
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

  interface DoubleSubject {
    @Processing(purposes = "marketing")
    List<Contact> of(@Subject Double id);
  }

  interface DecimalSubject {
    @Processing(purposes = "marketing")
    List<Contact> of(@Subject java.math.BigDecimal id);
  }

  interface FloatSubject {
    @Processing(purposes = "marketing")
    List<Contact> of(@Subject float id);
  }

  interface UuidAndLongSubjects {
    @Processing(purposes = "marketing")
    List<Contact> of(@Subject UUID id);

    @Processing(purposes = "marketing")
    List<Contact> byNumber(@Subject long id);

    @Processing(purposes = "marketing")
    List<Contact> byBig(@Subject java.math.BigInteger id);
  }

  record DecimalKeyed(@Subject Double id, @Personal("contact.email") String email) {}

  interface DecimalKeyeds {
    @Processing(purposes = "marketing")
    List<DecimalKeyed> all();
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
  }

  @Test
  void aSubjectIdIsNeverAFloatingPointOrDecimalNumber() {
    assertMentions(refusal(DoubleSubject.class, id -> List.of()), "java.lang.Double @Subject",
        "must be a SubjectId, a CharSequence, a UUID or an integral number");
    assertMentions(refusal(DecimalSubject.class, id -> List.of()), "java.math.BigDecimal @Subject");
    assertMentions(refusal(FloatSubject.class, id -> List.of()), "float @Subject");
    assertMentions(refusal(DecimalKeyeds.class, List::of), "has @Subject id of type java.lang.Double");
    assertNotNull(ConsentRepositories.wrap(UuidAndLongSubjects.class, new UuidAndLongSubjects() {
      @Override
      public List<Contact> of(UUID id) {
        return List.of();
      }

      @Override
      public List<Contact> byNumber(long id) {
        return List.of();
      }

      @Override
      public List<Contact> byBig(java.math.BigInteger id) {
        return List.of();
      }
    }, engine));
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

  // Each of these released another subject's full contact on the asking user's consent.

  interface NestedLists {
    @Processing(purposes = "marketing", categories = "contact")
    List<List<Object>> nested(@Subject String who);
  }

  interface GroupedLists {
    @Processing(purposes = "marketing", categories = "contact")
    Map<String, List<Object>> grouped(@Subject String who);
  }

  record Box(Object value) {}

  interface Boxes {
    @Processing(purposes = "marketing", categories = "contact")
    Box box(@Subject String who);
  }

  record GenericPage<T>(List<T> content) {}

  interface GenericPages {
    @Processing(purposes = "marketing", categories = "contact")
    GenericPage<?> page(@Subject String who);
  }

  interface OpenValues {
    @Processing(purposes = "marketing", categories = "contact")
    Object anything(@Subject String who);

    @Processing(purposes = "marketing", categories = "contact")
    List<?> wildcard(@Subject String who);

    @Processing(purposes = "marketing", categories = "contact")
    <T> T variable(@Subject String who);

    @Processing(purposes = "marketing", categories = "contact")
    Comparable<String> anInterface(@Subject String who);
  }

  @Test
  void aValueThatCouldHoldAnEntityAtAnyDepthIsRefused() {
    assertMentions(refusal(NestedLists.class, who -> List.of()), ".nested(String) returns"
        + " java.util.List<java.util.List<java.lang.Object>>, which is neither an entity result nor a value"
        + " consent4j can release whole");
    assertMentions(refusal(GroupedLists.class, who -> Map.of()), ".grouped(String) returns java.util.Map<");
    assertMentions(refusal(Boxes.class, who -> null), ".box(String) returns " + Box.class.getName());
    assertMentions(refusal(GenericPages.class, who -> null), ".page(String) returns " + GenericPage.class.getName());
    String open = refusal(OpenValues.class, stub(OpenValues.class));
    assertMentions(open, ".anything(String) returns java.lang.Object", ".wildcard(String) returns java.util.List<?>",
        ".variable(String) returns T", ".anInterface(String) returns java.lang.Comparable<java.lang.String>",
        "a primitive or its wrapper, String");
  }

  enum Tier { GOLD, SILVER }

  interface Whitelisted {
    @Processing(purposes = "marketing", categories = "contact")
    Map<String, List<Long>> counts(@Subject String who);

    @Processing(purposes = "marketing", categories = "contact")
    Optional<java.time.LocalDate> since(@Subject String who);

    @Processing(purposes = "marketing", categories = "contact")
    byte[] photo(@Subject String who);

    @Processing(purposes = "marketing", categories = "contact")
    java.util.Set<UUID> devices(@Subject String who);

    @Processing(purposes = "marketing", categories = "contact")
    Tier tier(@Subject String who);

    @Processing(purposes = "marketing", categories = "contact")
    CharSequence name(@Subject String who);
  }

  @Test
  void valuesThatCarryNoObjectsAreAccepted() {
    assertNotNull(ConsentRepositories.wrap(Whitelisted.class, stub(Whitelisted.class), engine));
  }

  // ---------------------------------------------------------------- parameters

  interface StreamWrites {
    @Processing(purposes = "marketing", categories = "contact")
    void saveAll(java.util.stream.Stream<Contact> contacts);
  }

  interface MapWrites {
    @Processing(purposes = "marketing", categories = "contact")
    void saveAll(Map<Contact, String> contacts);
  }

  @Test
  void entitiesPassedInAShapeThatCannotBeCheckedAreRefused() {
    assertMentions(refusal(StreamWrites.class, s -> { }), ".saveAll(Stream) takes parameter 0 of type"
        + " java.util.stream.Stream<" + Contact.class.getName() + ">", "cannot check before they are written");
    assertMentions(refusal(MapWrites.class, m -> { }), ".saveAll(Map) takes parameter 0");
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

  record Note(@Subject String id, @Personal("contact.email") String email, Object attachment) {}

  interface Notes {
    @Processing(purposes = "marketing")
    List<Note> all();
  }

  record Attachment(String name, Object payload) {}

  static final class Message {
    @Subject String id;
    List<?> parts;
    Attachment attachment;
  }

  interface Messages {
    @Processing(purposes = "marketing")
    List<Message> all();
  }

  record Address(String street, java.time.LocalDate since, List<String> lines) {}

  record Located(@Subject String id, @Personal("contact.email") String email, Address address, List<Tier> tiers) {}

  interface Locateds {
    @Processing(purposes = "marketing")
    List<Located> all();
  }

  @Test
  void entitiesWithFieldsThatCouldCarryAnotherSubjectsDataAreRefused() {
    assertMentions(refusal(Notes.class, List::of), Note.class.getName() + " has fields [attachment] whose declared"
        + " type (Object");
    assertMentions(refusal(Messages.class, List::of), "has fields [parts, attachment]");
    assertNotNull(ConsentRepositories.wrap(Locateds.class, List::of, engine));
  }

  @Test
  void objectsThatHoldEntitiesAreRefused() {
    assertMentions(refusal(Households.class, List::of), "holds objects with personal data in [members]");
    assertMentions(refusal(Pages.class, id -> null), "holds objects with personal data in [items]");
  }

  // ---------------------------------------------------------------- the interface itself

  public interface DefaultWithoutProcessing {
    @Processing(purposes = "marketing")
    List<Contact> all();

    default List<Contact> firstTwo() {
      return all().subList(0, 2);
    }
  }

  @Test
  void aDefaultMethodNeedsProcessingLikeAnyOther() {
    assertMentions(refusal(DefaultWithoutProcessing.class, List::of), ".firstTwo() declares no @Processing");
  }

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
