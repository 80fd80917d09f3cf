package org.consent4j.clients.mybatis;

import static org.consent4j.clients.ClientCrm.MARKETING;
import static org.consent4j.clients.ClientCrm.SUPPORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.ibatis.exceptions.PersistenceException;
import org.apache.ibatis.mapping.Environment;
import org.apache.ibatis.session.Configuration;
import org.apache.ibatis.session.LocalCacheScope;
import org.apache.ibatis.session.SqlSession;
import org.apache.ibatis.session.SqlSessionFactory;
import org.apache.ibatis.session.SqlSessionFactoryBuilder;
import org.apache.ibatis.transaction.jdbc.JdbcTransactionFactory;
import org.consent4j.clients.ClientCacheException;
import org.consent4j.clients.ClientCrm;
import org.consent4j.clients.mybatis.Mappers.CachedContactMapper;
import org.consent4j.clients.mybatis.Mappers.ContactMapper;
import org.consent4j.clients.mybatis.Mappers.ExportListMapper;
import org.consent4j.clients.mybatis.Mappers.LazyFriendMapper;
import org.consent4j.core.ProcessingScope;
import org.consent4j.jdbc.TestDatabases;
import org.consent4j.jdbc.TestDatabases.Database;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * MyBatis over the guarded data source, with annotated mappers, on H2, PostgreSQL and MariaDB:
 * the session's local cache and a mapper cache (issue 12, item 4) leak across processing contexts
 * without {@link ConsentMyBatis}, and do not with it.
 */
@SuppressWarnings("try") // processing scopes are opened for their effect on the thread
final class MyBatisEndToEndTest {

  static Stream<Database> databases() {
    return TestDatabases.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void withoutThePluginTheLocalCacheServesSupportsRowUnderMarketingWithoutAudit(Database db) throws Exception {
    try (ClientCrm crm = new ClientCrm(db)) {
      Configuration cfg = configuration(crm, ContactMapper.class);
      try (SqlSession session = new SqlSessionFactoryBuilder().build(cfg).openSession()) {
        ContactMapper contacts = session.getMapper(ContactMapper.class);
        ContactRow read;
        try (ProcessingScope scope = crm.engine.process(SUPPORT)) {
          read = contacts.byId(5);
          assertEquals("c5@example.org", read.email);
        }
        int mark = crm.auditMark();
        try (ProcessingScope scope = crm.engine.process(MARKETING)) {
          ContactRow leaked = contacts.byId(5); // subject 5 has no marketing consent
          assertSame(read, leaked);
          assertEquals("c5@example.org", leaked.email);
        }
        assertEquals(List.of(), crm.auditEventsSince(mark), "nothing was audited");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void theLocalCacheIsClearedWhenTheProcessingContextChanges(Database db) throws Exception {
    try (ClientCrm crm = new ClientCrm(db)) {
      Configuration cfg = configuration(crm, ContactMapper.class);
      ConsentMyBatis.install(cfg, crm.engine);
      try (SqlSession session = new SqlSessionFactoryBuilder().build(cfg).openSession()) {
        ContactMapper contacts = session.getMapper(ContactMapper.class);
        List<ContactRow> underSupport;
        try (ProcessingScope scope = crm.engine.process(SUPPORT)) {
          assertEquals("c5@example.org", contacts.byId(5).email);
          underSupport = contacts.all();
          assertEquals("[1 c1@example.org null, 2 c2@example.org null, 3 c3@example.org null,"
              + " 4 c4@example.org null, 5 c5@example.org null]", underSupport.toString());
          assertSame(underSupport, contacts.all(), "within one context the local cache still works");
        }
        int mark = crm.auditMark();
        try (ProcessingScope scope = crm.engine.process(MARKETING)) {
          assertNull(contacts.byId(5));
          List<ContactRow> underMarketing = contacts.all();
          assertEquals("[1 c1@example.org +31 1, 2 c2@example.org null, 3 null +31 3]", underMarketing.toString());
        }
        assertFalse(crm.auditEventsSince(mark).isEmpty(), "the reads under marketing went through consent4j");
        try (ProcessingScope scope = crm.engine.process(SUPPORT)) {
          assertNotSame(underSupport, contacts.all());
          assertEquals("3 c3@example.org null", contacts.byId(3).toString());
        }
        // another actor with the same purpose is another context too: its read is audited under its name
        mark = crm.auditMark();
        try (ProcessingScope scope = crm.engine.process(org.consent4j.AccessContext.of("night-shift", "support"))) {
          assertEquals("3 c3@example.org null", contacts.byId(3).toString());
        }
        assertTrue(crm.auditEventsSince(mark).stream().anyMatch(e -> e.actor().equals("night-shift")));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void withoutThePluginAMapperCacheServesSupportsRowToAnotherSessionUnderMarketing(Database db) throws Exception {
    try (ClientCrm crm = new ClientCrm(db)) {
      SqlSessionFactory factory = new SqlSessionFactoryBuilder().build(configuration(crm, CachedContactMapper.class));
      try (SqlSession session = factory.openSession(); ProcessingScope scope = crm.engine.process(SUPPORT)) {
        assertEquals("c5@example.org", session.getMapper(CachedContactMapper.class).byId(5).email);
        session.commit(); // a mapper cache stores what the session read when it commits
      }
      int mark = crm.auditMark();
      try (SqlSession session = factory.openSession(); ProcessingScope scope = crm.engine.process(MARKETING)) {
        assertEquals("c5@example.org", session.getMapper(CachedContactMapper.class).byId(5).email);
      }
      assertEquals(List.of(), crm.auditEventsSince(mark), "nothing was audited");

      // the same with <cache/> in mapper XML
      factory = new SqlSessionFactoryBuilder().build(withXmlMapper(configuration(crm)));
      try (SqlSession session = factory.openSession(); ProcessingScope scope = crm.engine.process(SUPPORT)) {
        assertEquals("c5@example.org", session.<ContactRow>selectOne("crm.xml.contacts.byId", 5).email);
        session.commit();
      }
      mark = crm.auditMark();
      try (SqlSession session = factory.openSession(); ProcessingScope scope = crm.engine.process(MARKETING)) {
        assertEquals("c5@example.org", session.<ContactRow>selectOne("crm.xml.contacts.byId", 5).email);
      }
      assertEquals(List.of(), crm.auditEventsSince(mark), "nothing was audited");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aMapperCacheOverAMappedTableIsRefusedAtInstallAndAtFirstUse(Database db) throws Exception {
    try (ClientCrm crm = new ClientCrm(db)) {
      ClientCacheException e = assertThrows(ClientCacheException.class,
          () -> ConsentMyBatis.install(configuration(crm, CachedContactMapper.class), crm.engine));
      assertTrue(e.getMessage().contains(CachedContactMapper.class.getName() + ".byId"), e.getMessage());
      e = assertThrows(ClientCacheException.class,
          () -> ConsentMyBatis.install(withXmlMapper(configuration(crm)), crm.engine));
      assertTrue(e.getMessage().contains("'crm.xml.contacts.byId'"), e.getMessage());

      // a mapper added after the plugin is refused when its statement runs, before any SQL
      Configuration cfg = configuration(crm, ContactMapper.class);
      ConsentMyBatis.install(cfg, crm.engine, ExportListMapper.class.getName());
      cfg.addMapper(CachedContactMapper.class);
      cfg.addMapper(ExportListMapper.class);
      SqlSessionFactory factory = new SqlSessionFactoryBuilder().build(cfg);
      int mark = crm.auditMark();
      try (SqlSession session = factory.openSession(); ProcessingScope scope = crm.engine.process(SUPPORT)) {
        PersistenceException refused = assertThrows(PersistenceException.class,
            () -> session.getMapper(CachedContactMapper.class).byId(5));
        assertTrue(refused.getCause() instanceof ClientCacheException, refused.toString());
        assertFalse(refused.getMessage().contains("@example.org"));
        // a cache declared to be over unmapped data works as before
        assertEquals("x1@example.org", session.getMapper(ExportListMapper.class).emailOf(1));
        session.commit();
      }
      assertEquals(List.of(), crm.auditEventsSince(mark), "the refused statement never reached the database");
      try (SqlSession session = factory.openSession()) {
        assertEquals("x1@example.org", session.getMapper(ExportListMapper.class).emailOf(1));
        assertEquals(1.0, factory.getConfiguration().getCache(ExportListMapper.class.getName()).getSize(), 0.0);
      }
    }
  }

  /** Configuration only: the same on every database, so H2 alone. */
  @Test
  void aLazyNestedSelectIsRefusedUnlessTheLocalCacheLivesOnlyForAStatement() throws Exception {
    try (Database db = TestDatabases.h2(); ClientCrm crm = new ClientCrm(db)) {
      ClientCacheException e = assertThrows(ClientCacheException.class,
          () -> ConsentMyBatis.install(configuration(crm, LazyFriendMapper.class), crm.engine));
      assertTrue(e.getMessage().contains("friendOf"), e.getMessage());
      Configuration cfg = configuration(crm, LazyFriendMapper.class);
      cfg.setLocalCacheScope(LocalCacheScope.STATEMENT);
      ConsentMyBatis.install(cfg, crm.engine);
    }
  }

  // ---------------------------------------------------------------- items fixed on other branches

  /** MyBatis binds {@code #{phone,jdbcType=VARCHAR}} as NULL: a NULL stores nothing. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void insertWithANullPersonalColumnTheContextMayNotCollect(Database db) throws Exception {
    try (ClientCrm crm = new ClientCrm(db)) {
      Configuration cfg = configuration(crm, ContactMapper.class);
      ConsentMyBatis.install(cfg, crm.engine);
      try (SqlSession session = new SqlSessionFactoryBuilder().build(cfg).openSession();
          ProcessingScope scope = crm.engine.process(SUPPORT)) {
        assertEquals(1, session.getMapper(ContactMapper.class).insert(new ContactRow(6, "NL", "c6@example.org", null)));
        session.commit();
      }
      assertEquals(List.of(Arrays.asList(6, "NL", "c6@example.org", null)),
          crm.rawQuery("SELECT id, country, email, phone FROM $contact WHERE id = 6"));
    }
  }

  /** The subject's id is known only after the INSERT: checked and audited then. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void insertWithAGeneratedIdUnderAContractPurpose(Database db) throws Exception {
    try (ClientCrm crm = new ClientCrm(db)) {
      Configuration cfg = configuration(crm, ContactMapper.class);
      ConsentMyBatis.install(cfg, crm.engine);
      ContactRow customer = new ContactRow();
      customer.email = "k1@example.org";
      try (SqlSession session = new SqlSessionFactoryBuilder().build(cfg).openSession();
          ProcessingScope scope = crm.engine.process(SUPPORT)) {
        assertEquals(1, session.getMapper(ContactMapper.class).insertCustomer(customer));
        session.commit();
      }
      assertEquals(List.of(Arrays.asList(customer.id, "k1@example.org")), crm.rawQuery("SELECT id, email FROM $customer"));
    }
  }

  private static Configuration withXmlMapper(Configuration cfg) throws java.io.IOException {
    String resource = "org/consent4j/clients/mybatis/ContactXmlMapper.xml";
    try (java.io.InputStream xml = org.apache.ibatis.io.Resources.getResourceAsStream(resource)) {
      new org.apache.ibatis.builder.xml.XMLMapperBuilder(xml, cfg, resource, cfg.getSqlFragments()).parse();
    }
    return cfg;
  }

  private static Configuration configuration(ClientCrm crm, Class<?>... mappers) {
    Configuration cfg = new Configuration(new Environment("crm", new JdbcTransactionFactory(), crm.guarded));
    cfg.getVariables().setProperty("p", crm.p);
    for (Class<?> m : mappers) {
      cfg.addMapper(m);
    }
    return cfg;
  }
}
