package org.consent4j.clients.hibernate;

import static org.consent4j.clients.ClientCrm.MARKETING;
import static org.consent4j.clients.ClientCrm.SUPPORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.consent4j.clients.ClientCacheException;
import org.consent4j.clients.ClientCrm;
import org.consent4j.core.ProcessingScope;
import org.consent4j.jdbc.ConsentSQLException;
import org.consent4j.jdbc.ConsentSQLException.ReasonCode;
import org.consent4j.jdbc.TestDatabases;
import org.consent4j.jdbc.TestDatabases.Database;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hibernate ORM over the guarded data source, as an application uses it: entities over the mapped
 * {@code contact} table, {@code find} and queries under a consent purpose ({@code marketing.email})
 * and a contract purpose ({@code support}), on H2, PostgreSQL and MariaDB. The persistence-context
 * leak (issue 12, item 4) is shown without {@link ConsentHibernateIntegrator} and closed with it.
 */
@SuppressWarnings("try") // processing scopes are opened for their effect on the thread
final class HibernateEndToEndTest {

  private static final String REGION_FACTORY = "hibernate.cache.region.factory_class";

  static Stream<Database> databases() {
    return TestDatabases.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void withoutTheIntegrationFindServesSupportsEntityUnderMarketingWithoutSqlOrAudit(Database db) throws Exception {
    try (ClientCrm crm = new ClientCrm(db); SessionFactory sf = Hibernates.factory(crm, false, Map.of(), Contact.class);
        EntityManager em = sf.createEntityManager()) {
      Contact read;
      try (ProcessingScope scope = crm.engine.process(SUPPORT)) {
        read = em.find(Contact.class, 5);
        assertEquals("c5@example.org", read.getEmail());
      }
      int mark = crm.auditMark();
      long statements = sf.getStatistics().getPrepareStatementCount();
      try (ProcessingScope scope = crm.engine.process(MARKETING)) {
        // subject 5 has no marketing consent, yet the persistence context hands out its e-mail
        Contact leaked = em.find(Contact.class, 5);
        assertSame(read, leaked);
        assertEquals("c5@example.org", leaked.getEmail());
      }
      assertEquals(statements, sf.getStatistics().getPrepareStatementCount(), "no SQL ran");
      assertEquals(List.of(), crm.auditEventsSince(mark), "nothing was audited");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void findUnderAnotherContextReadsAgainThroughConsent4j(Database db) throws Exception {
    try (ClientCrm crm = new ClientCrm(db); SessionFactory sf = Hibernates.factory(crm, true, Map.of(), Contact.class);
        EntityManager em = sf.createEntityManager()) {
      Contact five;
      Contact three;
      try (ProcessingScope scope = crm.engine.process(SUPPORT)) {
        five = em.find(Contact.class, 5);
        assertEquals("c5@example.org", five.getEmail());
        three = em.find(Contact.class, 3);
        assertEquals(List.of("c3@example.org", "null"), List.of(three.getEmail(), String.valueOf(three.getPhone())));
        assertSame(five, em.find(Contact.class, 5), "within one context the persistence context still works");
      }
      int mark = crm.auditMark();
      try (ProcessingScope scope = crm.engine.process(MARKETING)) {
        assertNull(em.find(Contact.class, 5), "subject 5 has no marketing consent");
        Contact again = em.find(Contact.class, 3);
        assertNull(again.getEmail());
        assertEquals("+31 3", again.getPhone());
        assertFalse(em.contains(three), "what was read under support is detached");
      }
      assertFalse(crm.auditEventsSince(mark).isEmpty(), "the reads under marketing went through consent4j");
      try (ProcessingScope scope = crm.engine.process(SUPPORT)) {
        Contact back = em.find(Contact.class, 3);
        assertEquals("c3@example.org", back.getEmail());
        assertNull(back.getPhone());
      }
      // no context at all: nothing cached is served, the read is refused by consent4j itself
      RuntimeException e = assertThrows(RuntimeException.class, () -> em.find(Contact.class, 3));
      assertEquals(ReasonCode.NO_CONTEXT, reason(e));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void queriesUnderAnotherContextDoNotReuseEntitiesReadBefore(Database db) throws Exception {
    try (ClientCrm crm = new ClientCrm(db); SessionFactory sf = Hibernates.factory(crm, true, Map.of(), Contact.class);
        EntityManager em = sf.createEntityManager()) {
      String all = "from Contact c order by c.id";
      // outside a transaction: no auto-flush event, the guard hears the query's execution
      try (ProcessingScope scope = crm.engine.process(SUPPORT)) {
        assertEquals(List.of("1 c1@example.org null", "2 c2@example.org null", "3 c3@example.org null",
            "4 c4@example.org null", "5 c5@example.org null"), describe(em.createQuery(all, Contact.class).getResultList()));
      }
      try (ProcessingScope scope = crm.engine.process(MARKETING)) {
        assertEquals(List.of("1 c1@example.org +31 1", "2 c2@example.org null", "3 null +31 3"),
            describe(em.createQuery(all, Contact.class).getResultList()));
      }
      // inside a transaction, and committed after the scope closed
      em.getTransaction().begin();
      try (ProcessingScope scope = crm.engine.process(SUPPORT)) {
        assertEquals("c3@example.org", em.find(Contact.class, 3).getEmail());
      }
      try (ProcessingScope scope = crm.engine.process(MARKETING)) {
        assertEquals(List.of("3 null +31 3"), describe(em.createQuery("from Contact c where c.id = :id", Contact.class)
            .setParameter("id", 3).getResultList()));
        assertEquals(List.of(), em.createNativeQuery(crm.sql("SELECT id FROM $contact WHERE id = 5")).getResultList());
      }
      em.getTransaction().commit();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void changesNotFlushedBeforeTheContextChangesAreRefusedNotLostOrWrittenUnderTheNewContext(Database db)
      throws Exception {
    try (ClientCrm crm = new ClientCrm(db); SessionFactory sf = Hibernates.factory(crm, true, Map.of(), Contact.class);
        EntityManager em = sf.createEntityManager()) {
      em.getTransaction().begin();
      try (ProcessingScope scope = crm.engine.process(SUPPORT)) {
        em.find(Contact.class, 1).setCountry("BE");
      }
      try (ProcessingScope scope = crm.engine.process(MARKETING)) {
        ClientCacheException e = assertThrows(ClientCacheException.class, () -> em.find(Contact.class, 2));
        assertTrue(e.getMessage().contains("unflushed changes"), e.getMessage());
        assertTrue(e.getMessage().contains("purpose 'support'"), e.getMessage());
        assertFalse(e.getMessage().contains("@example.org"), "no personal data in the message");
        e = assertThrows(ClientCacheException.class, em::flush);
        assertTrue(e.getMessage().contains("unflushed changes"), e.getMessage());
      }
      em.getTransaction().rollback();
      assertEquals(List.of(List.of("NL")), crm.rawQuery("SELECT country FROM $contact WHERE id = 1"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void refreshOfAnEntityReadUnderAnotherContextIsRefusedUntilTheSessionIsCleared(Database db) throws Exception {
    try (ClientCrm crm = new ClientCrm(db); SessionFactory sf = Hibernates.factory(crm, true, Map.of(), Contact.class);
        EntityManager em = sf.createEntityManager()) {
      Contact two;
      try (ProcessingScope scope = crm.engine.process(SUPPORT)) {
        two = em.find(Contact.class, 2);
      }
      try (ProcessingScope scope = crm.engine.process(MARKETING)) {
        ClientCacheException e = assertThrows(ClientCacheException.class, () -> em.refresh(two));
        assertTrue(e.getMessage().contains("clear()"), e.getMessage());
        assertEquals("c2@example.org", two.getEmail(), "the application's own object is left as it was");
        em.clear();
        assertEquals("c2@example.org", em.find(Contact.class, 2).getEmail());
        assertNull(em.find(Contact.class, 2).getPhone());
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aLazyAssociationOfAnEntityReadUnderAnotherContextIsRefusedUntilTheSessionIsCleared(Database db)
      throws Exception {
    try (ClientCrm crm = new ClientCrm(db);
        SessionFactory sf = Hibernates.factory(crm, true, Map.of(), Contact.class, ExportEntry.class);
        EntityManager em = sf.createEntityManager()) {
      ExportEntry entry;
      try (ProcessingScope scope = crm.engine.process(SUPPORT)) {
        entry = em.find(ExportEntry.class, 1);
      }
      try (ProcessingScope scope = crm.engine.process(MARKETING)) {
        RuntimeException e = assertThrows(RuntimeException.class, () -> entry.getContact().getEmail());
        assertTrue(cause(e, ClientCacheException.class).getMessage().contains("purpose 'marketing.email'"));
        em.clear();
        Contact one = em.find(ExportEntry.class, 1).getContact();
        assertEquals("c1@example.org +31 1", one.getEmail() + " " + one.getPhone());
      }
    }
  }

  /** Configuration only: the same on every database, so H2 alone. */
  @Test
  void aSecondLevelCacheOrQueryCacheOverMappedEntitiesFailsTheSessionFactory() throws Exception {
    try (Database db = TestDatabases.h2(); ClientCrm crm = new ClientCrm(db)) {
      RuntimeException e = assertThrows(RuntimeException.class, () -> Hibernates.factory(crm, true,
          Map.of("hibernate.cache.use_second_level_cache", "true", "jakarta.persistence.sharedCache.mode", "ALL",
              REGION_FACTORY, MapRegionFactory.class.getName()),
          Contact.class, CachedContact.class).close());
      ClientCacheException refusal = cause(e, ClientCacheException.class);
      assertTrue(refusal.getMessage().contains(CachedContact.class.getName()), refusal.getMessage());
      assertTrue(refusal.getMessage().contains(Contact.class.getName()), "ALL caches every entity");

      e = assertThrows(RuntimeException.class, () -> Hibernates.factory(crm, true,
          Map.of("hibernate.cache.use_query_cache", "true", REGION_FACTORY, MapRegionFactory.class.getName()),
          Contact.class).close());
      assertTrue(cause(e, ClientCacheException.class).getMessage().contains("query cache"));

      // an entity the application declares to be over unmapped data may be cached
      Hibernates.factory(crm, true, Map.of("hibernate.cache.use_second_level_cache", "true",
          REGION_FACTORY, MapRegionFactory.class.getName(), ConsentHibernate.CACHEABLE_ENTITIES, CachedContact.class.getName()), Contact.class, CachedContact.class)
          .close();
      // and without the integration, nothing is checked
      Hibernates.factory(crm, false, Map.of("hibernate.cache.use_second_level_cache", "true",
          REGION_FACTORY, MapRegionFactory.class.getName()), Contact.class, CachedContact.class).close();
    }
  }

  // ---------------------------------------------------------------- items fixed on other branches

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void pessimisticWriteLocksOnlyTheVisibleRow(Database db) throws Exception {
    try (ClientCrm crm = new ClientCrm(db); SessionFactory sf = Hibernates.factory(crm, true, Map.of(), Contact.class);
        EntityManager em = sf.createEntityManager(); ProcessingScope scope = crm.engine.process(MARKETING)) {
      em.getTransaction().begin();
      Contact three = em.find(Contact.class, 3, LockModeType.PESSIMISTIC_WRITE);
      assertNotNull(three, "contact 3 is visible under marketing");
      assertEquals("3 null +31 3", describe(List.of(three)).get(0));
      assertNull(em.find(Contact.class, 5, LockModeType.PESSIMISTIC_WRITE));
      em.getTransaction().commit();
    }
  }

  /**
   * Hibernate writes every column back; the e-mail of contact 3 reads NULL under marketing.
   * Either the stored e-mail is left untouched, or the update is refused with a reason code that
   * names the column — never a silent {@code OptimisticLockException}.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void dirtyCheckingUpdateOfAnEntityWithAMaskedColumnKeepsTheStoredValueOrNamesTheColumn(Database db)
      throws Exception {
    try (ClientCrm crm = new ClientCrm(db); SessionFactory sf = Hibernates.factory(crm, true, Map.of(), Contact.class);
        EntityManager em = sf.createEntityManager(); ProcessingScope scope = crm.engine.process(MARKETING)) {
      em.getTransaction().begin();
      em.find(Contact.class, 3).setCountry("BE");
      try {
        em.getTransaction().commit();
        assertEquals(List.of(Arrays.asList(3, "BE", "c3@example.org", "+31 3")),
            crm.rawQuery("SELECT id, country, email, phone FROM $contact WHERE id = 3"));
      } catch (RuntimeException e) {
        ConsentSQLException refusal = cause(e, ConsentSQLException.class);
        assertEquals(ReasonCode.MASKED_WRITE_REFUSED, refusal.reasonCode());
        assertTrue(refusal.getMessage().toLowerCase(java.util.Locale.ROOT).contains("email"), refusal.getMessage());
        assertEquals(List.of(List.of("NL")), crm.rawQuery("SELECT country FROM $contact WHERE id = 3"));
      }
    }
  }

  /** Hibernate's default INSERT binds every column, the phone as NULL: a NULL stores nothing. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void persistWithANullPersonalColumnTheContextMayNotCollect(Database db) throws Exception {
    try (ClientCrm crm = new ClientCrm(db); SessionFactory sf = Hibernates.factory(crm, true, Map.of(), Contact.class);
        EntityManager em = sf.createEntityManager(); ProcessingScope scope = crm.engine.process(SUPPORT)) {
      em.getTransaction().begin();
      em.persist(new Contact(6, "NL", "c6@example.org", null));
      em.getTransaction().commit();
      assertEquals(List.of(Arrays.asList(6, "NL", "c6@example.org", null)),
          crm.rawQuery("SELECT id, country, email, phone FROM $contact WHERE id = 6"));
    }
  }

  /** The subject's id is known only after the INSERT: checked and audited then. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void persistOfAnEntityWithAnIdentityIdUnderAContractPurpose(Database db) throws Exception {
    try (ClientCrm crm = new ClientCrm(db);
        SessionFactory sf = Hibernates.factory(crm, true, Map.of(), Contact.class, Customer.class);
        EntityManager em = sf.createEntityManager(); ProcessingScope scope = crm.engine.process(SUPPORT)) {
      em.getTransaction().begin();
      Customer customer = new Customer("k1@example.org");
      em.persist(customer);
      em.getTransaction().commit();
      assertNotNull(customer.getId());
      assertEquals(List.of(Arrays.asList(customer.getId(), "k1@example.org")),
          crm.rawQuery("SELECT id, email FROM $customer"));
    }
  }

  // ---------------------------------------------------------------- helpers

  private static List<String> describe(List<Contact> contacts) {
    return contacts.stream().map(c -> c.getId() + " " + c.getEmail() + " " + c.getPhone()).toList();
  }

  static ReasonCode reason(Throwable e) {
    return cause(e, ConsentSQLException.class).reasonCode();
  }

  static <T extends Throwable> T cause(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " in " + e, e);
  }

  static {
    assertNotEquals(MARKETING, SUPPORT);
  }
}
