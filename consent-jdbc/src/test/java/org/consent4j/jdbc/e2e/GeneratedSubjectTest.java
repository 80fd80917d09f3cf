package org.consent4j.jdbc.e2e;

import static org.consent4j.jdbc.e2e.GuardedDataSourceEndToEndTest.assertRefused;
import static org.consent4j.jdbc.e2e.GuardedDataSourceEndToEndTest.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.consent4j.AuditEvent;
import org.consent4j.Grant;
import org.consent4j.Outcome;
import org.consent4j.SubjectId;
import org.consent4j.core.ProcessingScope;
import org.consent4j.jdbc.ConsentSQLException.ReasonCode;
import org.consent4j.jdbc.TestDatabases.Database;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Subjects the database generates (issue 12, item 9): an INSERT that leaves an identity, serial or
 * AUTO_INCREMENT subject out, writes it as {@code DEFAULT}, or takes it from a sequence is checked
 * once the subject is known, from the generated keys, inside a savepoint (or, under auto-commit,
 * a transaction of consent4j's own), and rolled back when it is not permitted. The application
 * gets the generated keys it asked for. See {@link InsertFixture}.
 *
 * <p>MariaDB returns only an AUTO_INCREMENT column's value as a generated key, never a sequence's:
 * there a subject taken from a sequence (explicitly or by the column's default) stays unknown and
 * the INSERT is refused with {@code SUBJECT_UNKNOWN}, and nothing is stored; the tests say so per
 * database.
 */
@SuppressWarnings("try") // scopes are opened for their effect on the thread
final class GeneratedSubjectTest {

  static java.util.stream.Stream<Database> databases() {
    return org.consent4j.jdbc.TestDatabases.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void anIdentitySubjectIsCheckedOnceGeneratedAndKeptWhenPermitted(Database db) throws Exception {
    try (InsertFixture f = new InsertFixture(db)) {
      List<Long> ids = new ArrayList<>();
      try (ProcessingScope scope = f.engine.process(InsertFixture.SUPPORT); Connection c = f.guarded.getConnection()) {
        try (Statement s = c.createStatement()) {
          assertEquals(1, s.executeUpdate(f.sql("INSERT INTO $member (email, name) VALUES ('a@example.org', 'A')")));
          try (ResultSet keys = s.getGeneratedKeys()) {
            assertFalse(keys.next(), "no generated keys were asked for");
          }
          assertEquals(1, s.executeUpdate(f.sql("INSERT INTO $member (email, name) VALUES ('b@example.org', 'B')"),
              Statement.RETURN_GENERATED_KEYS));
          ids.add(onlyKey(s.getGeneratedKeys()));
        }
        try (PreparedStatement ps = c.prepareStatement(f.sql("INSERT INTO $member (email, name) VALUES (?, ?)"),
            new String[] {"id"})) {
          ps.setString(1, "c@example.org");
          ps.setString(2, "C");
          assertEquals(1, ps.executeUpdate());
          try (ResultSet keys = ps.getGeneratedKeys()) {
            assertEquals(1, keys.getMetaData().getColumnCount());
            assertTrue(keys.next());
            ids.add(keys.getLong(1));
            assertFalse(keys.next());
          }
        }
        try (PreparedStatement ps = c.prepareStatement(f.sql(
            "INSERT INTO $member (id, email, name) VALUES (DEFAULT, ?, ?)"), Statement.RETURN_GENERATED_KEYS)) {
          ps.setString(1, "d@example.org");
          ps.setString(2, "D");
          assertEquals(1, ps.executeUpdate());
          ids.add(onlyKey(ps.getGeneratedKeys()));
        }
        assertTrue(c.getAutoCommit(), "auto-commit is restored");
      }
      List<List<Object>> stored = f.raw("SELECT id, name FROM $member ORDER BY id");
      assertEquals(4, stored.size(), stored::toString);
      assertEquals(List.of(stored.get(1).get(0), stored.get(2).get(0), stored.get(3).get(0)), ids);
      List<AuditEvent> decisions = f.audit().stream().filter(e -> e.operation().equals("sql insert")).toList();
      for (Long id : ids) {
        assertTrue(decisions.stream().anyMatch(e -> e.outcome() == Outcome.PERMIT
            && e.subjects().contains(SubjectId.of(id))), () -> "the decision on " + id + " is audited: " + decisions);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aGeneratedSubjectWithoutConsentIsRolledBackUnderAutoCommit(Database db) throws Exception {
    try (InsertFixture f = new InsertFixture(db); ProcessingScope scope = f.engine.process(InsertFixture.MARKETING);
        Connection c = f.guarded.getConnection()) {
      try (Statement s = c.createStatement()) {
        assertRefused(ReasonCode.COLLECTION_NOT_PERMITTED,
            () -> s.executeUpdate(f.sql("INSERT INTO $member (name) VALUES ('A')")));
      }
      try (PreparedStatement ps = c.prepareStatement(f.sql("INSERT INTO $member (email, name) VALUES (?, ?)"),
          Statement.RETURN_GENERATED_KEYS)) {
        ps.setString(1, "b@example.org");
        ps.setString(2, "B");
        assertRefused(ReasonCode.COLLECTION_NOT_PERMITTED, ps::executeUpdate);
        ps.setString(1, "c@example.org");
        ps.addBatch();
        ps.setString(1, "d@example.org");
        ps.addBatch();
        assertRefused(ReasonCode.COLLECTION_NOT_PERMITTED, ps::executeBatch);
      }
      assertTrue(c.getAutoCommit(), "auto-commit is restored");
      assertEquals(List.of(row(0)), f.raw("SELECT count(*) FROM $member"));
      assertTrue(f.audit().stream().anyMatch(e -> e.reason().equals("COLLECTION_NOT_PERMITTED")
          && e.outcome() == Outcome.DENY));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aRefusedGeneratedSubjectRollsBackToItsSavepointInsideATransaction(Database db) throws Exception {
    try (InsertFixture f = new InsertFixture(db); ProcessingScope scope = f.engine.process(InsertFixture.MARKETING);
        Connection c = f.guarded.getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        assertEquals(1, s.executeUpdate(f.sql("INSERT INTO $note (id, author, body) VALUES (1, 1, 'kept')")));
        assertRefused(ReasonCode.COLLECTION_NOT_PERMITTED,
            () -> s.executeUpdate(f.sql("INSERT INTO $member (email) VALUES ('a@example.org')")));
        assertEquals(1, s.executeUpdate(f.sql("INSERT INTO $note (id, author, body) VALUES (2, 1, 'kept too')")));
      }
      c.commit();
      c.setAutoCommit(true);
      assertEquals(List.of(row(1), row(2)), f.raw("SELECT id FROM $note ORDER BY id"));
      assertEquals(List.of(row(0)), f.raw("SELECT count(*) FROM $member"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aSubjectTakenFromASequenceIsCheckedWithTheValueTheSequenceGave(Database db) throws Exception {
    try (InsertFixture f = new InsertFixture(db)) {
      // the sequence starts at 100: subject 100 granted the e-mail, 101 nothing
      f.engine.grant(Grant.builder(SubjectId.of(100)).purpose("marketing").category("contact.email")
          .grantedAt(InsertFixture.CLOCK.instant().minusSeconds(1)));
      boolean mariadb = db.name().equals("MariaDB");
      try (ProcessingScope scope = f.engine.process(InsertFixture.MARKETING); Connection c = f.guarded.getConnection();
          PreparedStatement ps = c.prepareStatement(f.sql("INSERT INTO $ticket (id, email) VALUES (" + f.nextValue()
              + ", ?)"), new String[] {"id"})) {
        ps.setString(1, "t@example.org");
        if (mariadb) {
          assertRefused(ReasonCode.SUBJECT_UNKNOWN, ps::executeUpdate);
        } else {
          assertEquals(1, ps.executeUpdate());
          assertEquals(100L, onlyKey(ps.getGeneratedKeys()));
          assertRefused(ReasonCode.COLLECTION_NOT_PERMITTED, ps::executeUpdate); // 101
        }
        try (Statement s = c.createStatement()) {
          // the column's default takes the sequence's next value, 102: not granted
          assertRefused(mariadb ? ReasonCode.SUBJECT_UNKNOWN : ReasonCode.COLLECTION_NOT_PERMITTED,
              () -> s.executeUpdate(f.sql("INSERT INTO $ticket (email) VALUES ('u@example.org')")));
        }
      }
      assertEquals(mariadb ? List.of() : List.of(row(100, "t@example.org")),
          f.raw("SELECT id, email FROM $ticket ORDER BY id"));
      if (!mariadb) {
        try (ProcessingScope scope = f.engine.process(InsertFixture.SUPPORT); Connection c = f.guarded.getConnection();
            Statement s = c.createStatement()) {
          // under a contract purpose the sequence's subject passes, whether written or by default
          assertEquals(1, s.executeUpdate(f.sql("INSERT INTO $ticket (id, email) VALUES (" + f.nextValue()
              + ", 'v@example.org')")));
          assertEquals(1, s.executeUpdate(f.sql("INSERT INTO $ticket (email) VALUES ('w@example.org')")));
        }
        assertEquals(3, f.raw("SELECT id FROM $ticket").size());
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aBatchOfGeneratedSubjectsIsCheckedEntryByEntry(Database db) throws Exception {
    try (InsertFixture f = new InsertFixture(db); ProcessingScope scope = f.engine.process(InsertFixture.SUPPORT);
        Connection c = f.guarded.getConnection();
        PreparedStatement ps = c.prepareStatement(f.sql("INSERT INTO $member (email, name) VALUES (?, ?)"),
            Statement.RETURN_GENERATED_KEYS)) {
      for (String n : List.of("A", "B")) {
        ps.setString(1, n.toLowerCase(java.util.Locale.ROOT) + "@example.org");
        ps.setString(2, n);
        ps.addBatch();
      }
      assertEquals(2, ps.executeBatch().length);
      List<Long> keys = new ArrayList<>();
      try (ResultSet rs = ps.getGeneratedKeys()) {
        while (rs.next()) {
          keys.add(rs.getLong(1));
        }
      }
      assertEquals(2, keys.size());
      assertEquals(2, f.raw("SELECT id FROM $member").size());
    }
  }

  /**
   * Spring's {@code JdbcTemplate} with a {@code GeneratedKeyHolder} (the way applications read an
   * IDENTITY id), with a NULL e-mail bound by Spring's own null handling: the generated subject is
   * checked, the key holder gets the id; under a consent purpose the row is refused, rolled back,
   * and Spring sees the refusal as its cause.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void jdbcTemplateWithAKeyHolderReadsTheGeneratedSubjectsId(Database db) throws Exception {
    try (InsertFixture f = new InsertFixture(db)) {
      org.springframework.jdbc.core.JdbcTemplate jdbc = new org.springframework.jdbc.core.JdbcTemplate(f.guarded);
      String sql = f.sql("INSERT INTO $member (email, name) VALUES (?, ?)");
      org.springframework.jdbc.support.GeneratedKeyHolder holder = new org.springframework.jdbc.support.GeneratedKeyHolder();
      try (ProcessingScope scope = f.engine.process(InsertFixture.SUPPORT)) {
        assertEquals(1, jdbc.update(con -> {
          PreparedStatement ps = con.prepareStatement(sql, new String[] {"id"});
          org.springframework.jdbc.core.StatementCreatorUtils.setParameterValue(ps, 1,
              org.springframework.jdbc.core.SqlTypeValue.TYPE_UNKNOWN, null);
          ps.setString(2, "Spring");
          return ps;
        }, holder));
      }
      assertEquals(List.of(row(holder.getKey().longValue(), null, "Spring")),
          f.raw("SELECT id, email, name FROM $member"));
      try (ProcessingScope scope = f.engine.process(InsertFixture.MARKETING)) {
        org.springframework.dao.DataAccessException e = org.junit.jupiter.api.Assertions.assertThrows(
            org.springframework.dao.DataAccessException.class, () -> jdbc.update(con -> {
              PreparedStatement ps = con.prepareStatement(sql, new String[] {"id"});
              ps.setString(1, "x@example.org");
              ps.setString(2, "X");
              return ps;
            }, new org.springframework.jdbc.support.GeneratedKeyHolder()));
        assertEquals(ReasonCode.COLLECTION_NOT_PERMITTED,
            ((org.consent4j.jdbc.ConsentSQLException) e.getCause()).reasonCode());
      }
      assertEquals(1, f.raw("SELECT id FROM $member").size());
    }
  }

  /**
   * An INSERT with a RETURNING list of its own (jOOQ's default rendering on PostgreSQL and
   * MariaDB 10.5+) under a contract purpose: the generated subject is checked from its rows before
   * the application reads them, the application gets exactly the columns it asked for (not the
   * subject column consent4j adds for the check), and the row is stored. H2 has no {@code INSERT
   * ... RETURNING}; its data change delta table ({@code SELECT ... FROM FINAL TABLE (INSERT ...)})
   * cannot be parsed by JSqlParser 5.1, so there it is refused, saying why, and stores nothing.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void insertReturningTheGeneratedIdUnderAContractPurposeReturnsItAndStoresTheRow(Database db) throws Exception {
    try (InsertFixture f = new InsertFixture(db)) {
      if (db.name().equals("H2")) {
        try (ProcessingScope scope = f.engine.process(InsertFixture.SUPPORT); Connection c = f.guarded.getConnection();
            Statement s = c.createStatement()) {
          org.consent4j.jdbc.ConsentSQLException e = org.junit.jupiter.api.Assertions.assertThrows(
              org.consent4j.jdbc.ConsentSQLException.class, () -> s.executeQuery(f.sql(
                  "SELECT \"ID\" FROM FINAL TABLE (INSERT INTO $member (email) VALUES ('a@example.org')) m")));
          assertEquals(ReasonCode.UNANALYSABLE_SQL, e.reasonCode());
          assertTrue(e.getMessage().contains("data change delta table"), e.getMessage());
          assertFalse(e.getMessage().contains("example.org"), e.getMessage());
        }
        assertEquals(List.of(row(0)), f.raw("SELECT count(*) FROM $member"));
        return;
      }
      List<Object> ids = new ArrayList<>();
      try (ProcessingScope scope = f.engine.process(InsertFixture.SUPPORT); Connection c = f.guarded.getConnection();
          Statement s = c.createStatement()) {
        try (ResultSet rs = s.executeQuery(f.sql("INSERT INTO $member (email, name) VALUES ('a@example.org', 'A')"
            + " RETURNING id"))) {
          assertEquals(1, rs.getMetaData().getColumnCount());
          assertEquals("id", rs.getMetaData().getColumnLabel(1).toLowerCase(java.util.Locale.ROOT));
          assertTrue(rs.next());
          ids.add(rs.getLong("id"));
          assertFalse(rs.next());
        }
        assertTrue(s.execute(f.sql("INSERT INTO $member (email, name) VALUES ('b@example.org', 'B') RETURNING name")));
        try (ResultSet rs = s.getResultSet()) {
          assertEquals(1, rs.getMetaData().getColumnCount(), "the subject column added for the check stays hidden");
          org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLException.class, () -> rs.findColumn("c4j_s0"));
          assertTrue(rs.next());
          assertEquals("B", rs.getString(1));
          org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLException.class, () -> rs.getObject(2));
          assertFalse(rs.next());
        }
        assertEquals(1, s.executeUpdate(f.sql("INSERT INTO $member (name) VALUES ('C') RETURNING id"),
            Statement.RETURN_GENERATED_KEYS), "an update method runs it too, and counts its rows");
        try (ResultSet keys = s.getGeneratedKeys()) {
          assertFalse(keys.next(), "its rows were its keys");
        }
        assertTrue(c.getAutoCommit(), "auto-commit is restored");
      }
      List<List<Object>> stored = f.raw("SELECT id, email, name FROM $member ORDER BY id");
      assertEquals(3, stored.size(), stored::toString);
      assertEquals(List.of("a@example.org", "A"), stored.get(0).subList(1, 3));
      assertEquals(ids.get(0), ((Number) stored.get(0).get(0)).longValue());
      List<AuditEvent> decisions = f.audit().stream().filter(e -> e.operation().equals("sql insert")).toList();
      for (List<Object> r : stored) {
        assertTrue(decisions.stream().anyMatch(e -> e.outcome() == Outcome.PERMIT
            && e.subjects().contains(SubjectId.of(((Number) r.get(0)).longValue()))), decisions::toString);
      }
    }
  }

  /**
   * The same INSERT ... RETURNING under a consent purpose, for a generated subject without a
   * grant: refused after it ran, before any row reaches the application, and rolled back, under
   * auto-commit and inside the application's transaction (whose earlier work stays). H2 has no
   * INSERT ... RETURNING (see above).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#withoutH2")
  void insertReturningAGeneratedSubjectWithoutConsentIsRefusedAndRolledBack(Database db) throws Exception {
    try (InsertFixture f = new InsertFixture(db); ProcessingScope scope = f.engine.process(InsertFixture.MARKETING);
        Connection c = f.guarded.getConnection()) {
      try (Statement s = c.createStatement()) {
        assertRefused(ReasonCode.COLLECTION_NOT_PERMITTED,
            () -> s.executeQuery(f.sql("INSERT INTO $member (name) VALUES ('A') RETURNING id")));
        assertRefused(ReasonCode.COLLECTION_NOT_PERMITTED,
            () -> s.execute(f.sql("INSERT INTO $member (name) VALUES ('A') RETURNING id, name")));
        assertRefused(ReasonCode.COLLECTION_NOT_PERMITTED,
            () -> s.executeUpdate(f.sql("INSERT INTO $member (name) VALUES ('A') RETURNING id")));
      }
      assertTrue(c.getAutoCommit(), "auto-commit is restored");
      assertEquals(List.of(row(0)), f.raw("SELECT count(*) FROM $member"));
      c.setAutoCommit(false);
      try (Statement s = c.createStatement(); PreparedStatement ps = c.prepareStatement(
          f.sql("INSERT INTO $member (email, name) VALUES (?, ?) RETURNING id"))) {
        assertEquals(1, s.executeUpdate(f.sql("INSERT INTO $note (id, author, body) VALUES (1, 1, 'kept')")));
        ps.setString(1, "x@example.org");
        ps.setString(2, "X");
        assertRefused(ReasonCode.COLLECTION_NOT_PERMITTED, ps::executeQuery);
        assertEquals(1, s.executeUpdate(f.sql("INSERT INTO $note (id, author, body) VALUES (2, 1, 'kept too')")));
      }
      c.commit();
      c.setAutoCommit(true);
      assertEquals(List.of(row(1), row(2)), f.raw("SELECT id FROM $note ORDER BY id"));
      assertEquals(List.of(row(0)), f.raw("SELECT count(*) FROM $member"));
      assertTrue(f.audit().stream().anyMatch(e -> e.reason().equals("COLLECTION_NOT_PERMITTED")
          && e.outcome() == Outcome.DENY));
    }
  }

  /**
   * RETURNING of personal columns: a returned personal column counts as stored by the row, so its
   * category must be permitted for the generated subject. Subjects 1000 and 1001 (the next
   * generated ids) granted {@code contact.phone} only under marketing: their rows may be stored,
   * the first returning its id and name, the second refused for returning its e-mail
   * ({@code contact.email}), and rolled back. H2 has no INSERT ... RETURNING.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#withoutH2")
  void insertReturningAPersonalColumnNeedsThatCategoryForTheGeneratedSubject(Database db) throws Exception {
    try (InsertFixture f = new InsertFixture(db)) {
      for (int id : new int[] {1000, 1001}) {
        f.engine.grant(Grant.builder(SubjectId.of(id)).purpose("marketing").category("contact.phone")
            .grantedAt(InsertFixture.CLOCK.instant().minusSeconds(60)));
      }
      try (ProcessingScope scope = f.engine.process(InsertFixture.MARKETING); Connection c = f.guarded.getConnection();
          Statement s = c.createStatement()) {
        try (ResultSet rs = s.executeQuery(f.sql("INSERT INTO $member (name) VALUES ('A') RETURNING name, id"))) {
          assertEquals(2, rs.getMetaData().getColumnCount());
          assertTrue(rs.next());
          assertEquals("A", rs.getString("name"));
          assertEquals(1000, rs.getInt(2));
          assertFalse(rs.next());
        }
        assertRefused(ReasonCode.COLLECTION_NOT_PERMITTED,
            () -> s.executeQuery(f.sql("INSERT INTO $member (name) VALUES ('B') RETURNING id, email")));
      }
      assertEquals(List.of(row(1000, "A")), f.raw("SELECT id, name FROM $member ORDER BY id"));
    }
  }

  /**
   * A prepared INSERT ... RETURNING executed twice, once with {@code executeQuery} and once with
   * {@code execute} and {@code getResultSet}: each execution is checked and returns its own id.
   * H2 has no INSERT ... RETURNING.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#withoutH2")
  void aPreparedInsertReturningRunsTwiceAndReturnsEachId(Database db) throws Exception {
    try (InsertFixture f = new InsertFixture(db)) {
      List<Long> ids = new ArrayList<>();
      try (ProcessingScope scope = f.engine.process(InsertFixture.SUPPORT); Connection c = f.guarded.getConnection();
          PreparedStatement ps = c.prepareStatement(f.sql("INSERT INTO $member (email, name) VALUES (?, ?)"
              + " RETURNING id, email"))) {
        ps.setString(1, "a@example.org");
        ps.setString(2, "A");
        try (ResultSet rs = ps.executeQuery()) {
          assertEquals(2, rs.getMetaData().getColumnCount());
          assertTrue(rs.next());
          ids.add(rs.getLong(1));
          assertEquals("a@example.org", rs.getString("email"));
          assertFalse(rs.next());
        }
        ps.setString(1, "b@example.org");
        ps.setString(2, "B");
        assertTrue(ps.execute());
        ResultSet rs = ps.getResultSet();
        assertTrue(rs == ps.getResultSet(), "the same result set again");
        assertTrue(rs.next());
        ids.add(rs.getLong("id"));
        assertEquals("b@example.org", rs.getString(2));
        assertFalse(rs.next());
        rs.close();
      }
      List<List<Object>> stored = f.raw("SELECT id, email FROM $member ORDER BY id");
      assertEquals(2, stored.size(), stored::toString);
      for (int i = 0; i < 2; i++) {
        assertEquals(ids.get(i), ((Number) stored.get(i).get(0)).longValue());
      }
    }
  }

  /**
   * What an INSERT's own RETURNING list may hold, decided before it runs (so on every database,
   * H2 included, which would not run it): only the table's columns by name.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void insertReturningMayOnlyNameTheTablesColumns(Database db) throws Exception {
    try (InsertFixture f = new InsertFixture(db); ProcessingScope scope = f.engine.process(InsertFixture.SUPPORT);
        Connection c = f.guarded.getConnection(); Statement s = c.createStatement()) {
      assertRefused(ReasonCode.UNANALYSABLE_SQL,
          () -> s.executeQuery(f.sql("INSERT INTO $member (name) VALUES ('A') RETURNING *")));
      assertRefused(ReasonCode.UNANALYSABLE_SQL,
          () -> s.executeQuery(f.sql("INSERT INTO $member (name) VALUES ('A') RETURNING upper(email)")));
      assertEquals(List.of(row(0)), f.raw("SELECT count(*) FROM $member"));
    }
  }

  /**
   * A personal column an INSERT's RETURNING list returns counts as stored, also for a subject
   * written as a literal, decided before it runs (so on every database, H2 included): subject 2
   * granted only {@code contact.phone} under marketing, returning its e-mail ({@code
   * contact.email}) is refused, and nothing is stored.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void insertReturningAPersonalColumnOfALiteralSubjectNeedsThatCategory(Database db) throws Exception {
    try (InsertFixture f = new InsertFixture(db); ProcessingScope scope = f.engine.process(InsertFixture.MARKETING);
        Connection c = f.guarded.getConnection(); Statement s = c.createStatement()) {
      assertRefused(ReasonCode.COLLECTION_NOT_PERMITTED,
          () -> s.executeQuery(f.sql("INSERT INTO $member (id, name) VALUES (2, 'B') RETURNING email")));
      assertEquals(List.of(row(0)), f.raw("SELECT count(*) FROM $member"));
    }
  }

  private static long onlyKey(ResultSet keys) throws Exception {
    try (keys) {
      assertTrue(keys.next());
      long id = keys.getLong(1);
      assertFalse(keys.next());
      return id;
    }
  }
}
