package org.consent4j.jdbc.e2e;

import static org.consent4j.jdbc.e2e.GuardedDataSourceEndToEndTest.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.List;
import org.consent4j.core.ProcessingScope;
import org.consent4j.jdbc.ConsentSQLException;
import org.consent4j.jdbc.ConsentSQLException.ReasonCode;
import org.consent4j.jdbc.TestDatabases.Database;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.Transaction;
import org.hibernate.boot.model.naming.Identifier;
import org.hibernate.boot.model.naming.PhysicalNamingStrategyStandardImpl;
import org.hibernate.cfg.Configuration;
import org.hibernate.engine.jdbc.env.spi.JdbcEnvironment;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hibernate over the guarded data source (issue 12, items 8 and 9): its default INSERT binds every
 * column, NULL ones with {@code setNull}, which stores nothing, so an entity with an empty
 * personal field is written for a subject who did not grant that field's category; and an
 * {@code IDENTITY} id is read through the generated keys consent4j checks, so under a contract
 * purpose Hibernate gets the id, and under a consent purpose the insert is refused and rolled back.
 * See {@link InsertFixture} for the tables and grants (person 2 granted only the phone).
 */
@SuppressWarnings("try") // scopes are opened for their effect on the thread
final class HibernateInsertTest {

  static java.util.stream.Stream<Database> databases() {
    return org.consent4j.jdbc.TestDatabases.all();
  }

  /** A person with an assigned id. */
  @Entity
  @Table(name = "person")
  static class Person {
    @Id
    Integer id;
    String email;
    String phone;
    String name;

    Person() {}

    Person(int id, String email, String phone, String name) {
      this.id = id;
      this.email = email;
      this.phone = phone;
      this.name = name;
    }
  }

  /** A member whose id the database generates. */
  @Entity
  @Table(name = "member")
  static class Member {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    Integer id;
    String email;
    String name;

    Member() {}

    Member(String email, String name) {
      this.email = email;
      this.name = name;
    }
  }

  /** Prefixes the tables with the fixture's prefix. */
  static final class Prefixed extends PhysicalNamingStrategyStandardImpl {
    private final String prefix;

    Prefixed(String prefix) {
      this.prefix = prefix;
    }

    @Override
    public Identifier toPhysicalTableName(Identifier name, JdbcEnvironment context) {
      return Identifier.toIdentifier(prefix + name.getText());
    }
  }

  private static SessionFactory sessions(InsertFixture f) {
    Configuration cfg = new Configuration().addAnnotatedClass(Person.class).addAnnotatedClass(Member.class);
    cfg.setPhysicalNamingStrategy(new Prefixed(f.p));
    cfg.getProperties().put("hibernate.connection.datasource", f.guarded);
    cfg.setProperty("hibernate.hbm2ddl.auto", "none");
    cfg.setProperty("hibernate.jdbc.batch_size", "0");
    return cfg.buildSessionFactory();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void hibernatesDefaultInsertWithANullPersonalFieldIsWritten(Database db) throws Exception {
    try (InsertFixture f = new InsertFixture(db)) {
      f.engine.grant(org.consent4j.Grant.builder(org.consent4j.SubjectId.of(3)).purpose("marketing")
          .category("contact.phone").grantedAt(InsertFixture.CLOCK.instant().minusSeconds(1)));
      try (ProcessingScope scope = f.engine.process(InsertFixture.MARKETING); SessionFactory sf = sessions(f);
          Session s = sf.openSession()) {
        Transaction tx = s.beginTransaction();
        s.persist(new Person(3, null, "+31 3", "P3")); // granted the phone only; the e-mail is NULL
        tx.commit();
        Transaction refused = s.beginTransaction();
        s.persist(new Person(4, "p4@example.org", null, "P4")); // no grant at all
        RuntimeException e = assertThrows(RuntimeException.class, s::flush);
        assertEquals(ReasonCode.COLLECTION_NOT_PERMITTED, consentCause(e).reasonCode());
        refused.rollback();
      }
      assertEquals(List.of(row(3, null, "+31 3")), f.raw("SELECT id, email, phone FROM $person WHERE id IN (3, 4)"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void hibernateGetsACheckedIdentityIdOrARefusalThatStoresNothing(Database db) throws Exception {
    try (InsertFixture f = new InsertFixture(db); SessionFactory sf = sessions(f)) {
      Integer id;
      try (ProcessingScope scope = f.engine.process(InsertFixture.SUPPORT); Session s = sf.openSession()) {
        Transaction tx = s.beginTransaction();
        Member m = new Member("m@example.org", "M");
        s.persist(m);
        tx.commit();
        id = m.id;
        assertNotNull(id);
      }
      try (ProcessingScope scope = f.engine.process(InsertFixture.MARKETING); Session s = sf.openSession()) {
        Transaction tx = s.beginTransaction();
        RuntimeException e = assertThrows(RuntimeException.class, () -> s.persist(new Member(null, "N")));
        assertEquals(ReasonCode.COLLECTION_NOT_PERMITTED, consentCause(e).reasonCode());
        tx.rollback();
      }
      assertEquals(List.of(row(id, "m@example.org")), f.raw("SELECT id, email FROM $member"));
    }
  }

  private static ConsentSQLException consentCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConsentSQLException c) {
        return c;
      }
    }
    throw new AssertionError("no ConsentSQLException among the causes", e);
  }
}
