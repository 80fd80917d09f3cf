package org.consent4j.core.repository;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.consent4j.AuditEvent;
import org.consent4j.AuditRecord;
import org.consent4j.Catalog;
import org.consent4j.LegalBasis;
import org.consent4j.annotation.Personal;
import org.consent4j.annotation.Processing;
import org.consent4j.annotation.Subject;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.audit.InMemoryAuditSink;

/**
 * A small CRM held in memory, with synthetic people: contacts, a friends graph, and repository
 * interfaces over them. The in-memory repository hands out its own stored objects, as a caching
 * repository would, so that tests can prove the wrapper never changes them.
 */
public final class Crm {
  static final Instant NOW = Instant.parse("2024-05-01T10:00:00Z");

  private Crm() {}

  /** The catalog of the tests: two consent purposes, a contract purpose and a third party. */
  static Catalog catalog() {
    return Catalog.builder()
        .purpose("marketing", LegalBasis.CONSENT)
        .purpose("marketing.email", LegalBasis.CONSENT)
        .purpose("analytics", LegalBasis.CONSENT)
        .purpose("support", LegalBasis.CONTRACT, "contact.email")
        .categories("contact.email", "contact.phone", "orders")
        .recipient("quizlab")
        .build();
  }

  /** An engine over {@link #catalog()}, an in-memory store and trail, and a fixed clock. */
  static ConsentEngine engine() {
    return ConsentEngine.builder().catalog(catalog()).clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
  }

  /** The events written to an engine's in-memory trail so far. */
  static List<AuditEvent> events(ConsentEngine engine) {
    return ((InMemoryAuditSink) engine.audit().sink()).records().stream().map(AuditRecord::event).toList();
  }

  /** The events written under one operation. */
  static List<AuditEvent> events(ConsentEngine engine, String operation) {
    return events(engine).stream().filter(e -> e.operation().equals(operation)).toList();
  }

  /** A contact: the subject id is the person's pseudonymous key. */
  public record Contact(
      @Subject String id,
      String country,
      @Personal("contact.email") String email,
      @Personal("contact.phone") String phone) {}

  /** The part of a person every class variant shares; holds the subject id. */
  public abstract static class Party {
    @Subject private final String id;

    Party(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }
  }

  /** The ordinary-class variant of {@link Contact}: final fields, a private no-argument constructor. */
  public static final class ContactBean extends Party {
    private final String country;
    @Personal("contact.email") private final String email;
    @Personal("contact.phone") private String phone;

    @SuppressWarnings("unused") // made reflectively by the copier
    private ContactBean() {
      this(null, null, null, null);
    }

    ContactBean(String id, String country, String email, String phone) {
      super(id);
      this.country = country;
      this.email = email;
      this.phone = phone;
    }

    public String country() {
      return country;
    }

    public String email() {
      return email;
    }

    public String phone() {
      return phone;
    }

    void phone(String phone) {
      this.phone = phone;
    }

    static ContactBean of(Contact c) {
      return new ContactBean(c.id(), c.country(), c.email(), c.phone());
    }
  }

  /** Whose data a user's friends list shows: the friends', each released by the friend's own consent. */
  @Processing(purposes = "marketing")
  public interface FriendsRepository {
    List<Contact> friendsOf(@Subject String userId);
  }

  /** Contact queries of every result shape. */
  public interface ContactRepository {
    @Processing(purposes = "marketing")
    List<Contact> findByCountry(String country);

    @Processing(purposes = "marketing")
    Optional<Contact> findById(@Subject String id);

    @Processing(purposes = "marketing")
    Optional<Contact> findFirstByCountry(String country);

    @Processing(purposes = "marketing")
    Contact findByEmail(String email);

    @Processing(purposes = "marketing")
    Set<Contact> findAllAsSet();

    @Processing(purposes = "marketing")
    Stream<Contact> streamAll();

    @Processing(purposes = "marketing")
    Contact[] findAllAsArray();

    @Processing(purposes = "marketing")
    Collection<Contact> findAllAsCollection();

    @Processing(purposes = "marketing")
    Iterable<Contact> findAllAsIterable();

    @Processing(purposes = "marketing", categories = "contact.email")
    List<Contact> mailingList();

    @Processing(purposes = {"marketing", "support"})
    List<ContactBean> findBeans();

    @Processing(purposes = "support", categories = "contact.email")
    List<Contact> supportDirectory();

    @Processing(purposes = "support")
    List<Contact> supportDirectoryWithoutDeclaredCategories();

    @Processing(purposes = "marketing", categories = "contact.email")
    String emailOf(@Subject String id);

    @Processing(purposes = "marketing", categories = "orders")
    int orderCount(@Subject String id);

    @Processing(purposes = "marketing")
    void touch(@Subject String id);

    @Processing(purposes = "marketing", categories = {"contact.email", "orders"})
    String emailAndOrders(@Subject String id);

    /** Runs on the proxy: checked like any method, and the call it makes is enforced too. */
    @Processing(purposes = "marketing", categories = "contact.email")
    default Optional<String> countryOf(@Subject String id) {
      return findById(id).map(Contact::country);
    }
  }

  /** Default methods that build their results themselves; the interface declares the purpose. */
  @Processing(purposes = "marketing")
  public interface Defaults {
    List<Contact> all();

    default List<Contact> sample() {
      return List.of(new Contact("c-1", "de", "c1@example.test", "+49-000-0101"),
          new Contact("c-2", "de", "c2@example.test", "+49-000-0102"),
          new Contact("c-3", "fr", "c3@example.test", "+33-000-0103"));
    }
  }

  /** The in-memory CRM. Counts the calls that reach it, so that tests can prove a refusal came first. */
  static final class InMemoryCrm implements ContactRepository, FriendsRepository {
    final Map<String, Contact> contacts = new LinkedHashMap<>();
    final Map<String, ContactBean> beans = new LinkedHashMap<>();
    final Map<String, List<String>> friends = new LinkedHashMap<>();
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger streamsClosed = new AtomicInteger();
    volatile RuntimeException failure;
    int orders = 3;

    InMemoryCrm add(String id, String country, String email, String phone) {
      Contact c = new Contact(id, country, email, phone);
      contacts.put(id, c);
      beans.put(id, ContactBean.of(c));
      return this;
    }

    InMemoryCrm friends(String user, String... friendIds) {
      friends.put(user, List.of(friendIds));
      return this;
    }

    private void enter() {
      calls.incrementAndGet();
      if (failure != null) {
        throw failure;
      }
    }

    @Override
    public List<Contact> friendsOf(String userId) {
      enter();
      List<Contact> out = new ArrayList<>();
      for (String f : friends.getOrDefault(userId, List.of())) {
        out.add(contacts.get(f));
      }
      return out;
    }

    @Override
    public List<Contact> findByCountry(String country) {
      enter();
      return contacts.values().stream().filter(c -> country.equals(c.country())).toList();
    }

    @Override
    public Optional<Contact> findById(String id) {
      enter();
      return Optional.ofNullable(contacts.get(id));
    }

    @Override
    public Optional<Contact> findFirstByCountry(String country) {
      enter();
      return contacts.values().stream().filter(c -> country.equals(c.country())).findFirst();
    }

    @Override
    public Contact findByEmail(String email) {
      enter();
      return contacts.values().stream().filter(c -> email.equals(c.email())).findFirst().orElse(null);
    }

    @Override
    public Set<Contact> findAllAsSet() {
      enter();
      return new LinkedHashSet<>(contacts.values());
    }

    @Override
    public Stream<Contact> streamAll() {
      enter();
      return contacts.values().stream().onClose(streamsClosed::incrementAndGet);
    }

    @Override
    public Contact[] findAllAsArray() {
      enter();
      return contacts.values().toArray(new Contact[0]);
    }

    @Override
    public Collection<Contact> findAllAsCollection() {
      enter();
      return contacts.values();
    }

    @Override
    public Iterable<Contact> findAllAsIterable() {
      enter();
      return contacts.values();
    }

    @Override
    public List<Contact> mailingList() {
      enter();
      return List.copyOf(contacts.values());
    }

    @Override
    public List<ContactBean> findBeans() {
      enter();
      return List.copyOf(beans.values());
    }

    @Override
    public List<Contact> supportDirectory() {
      enter();
      return List.copyOf(contacts.values());
    }

    @Override
    public List<Contact> supportDirectoryWithoutDeclaredCategories() {
      enter();
      return List.copyOf(contacts.values());
    }

    @Override
    public String emailOf(String id) {
      enter();
      return contacts.get(id).email();
    }

    @Override
    public int orderCount(String id) {
      enter();
      return orders;
    }

    @Override
    public void touch(String id) {
      enter();
    }

    @Override
    public String emailAndOrders(String id) {
      enter();
      return contacts.get(id).email() + " " + orders;
    }

    @Override
    public Optional<String> countryOf(String id) {
      throw new AssertionError("the wrapper must run the interface's default method, not this override");
    }

    @Override
    public String toString() {
      return "InMemoryCrm" + contacts.values();
    }

    @Override
    public boolean equals(Object o) {
      calls.incrementAndGet();
      return super.equals(o);
    }

    @Override
    public int hashCode() {
      calls.incrementAndGet();
      return super.hashCode();
    }
  }
}
