package org.consent4j.jdbc.e2e;

import static org.consent4j.jdbc.e2e.GuardedDataSourceEndToEndTest.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Types;
import java.util.List;
import org.consent4j.core.ProcessingScope;
import org.consent4j.jdbc.ConsentSQLException;
import org.consent4j.jdbc.ConsentSQLException.ReasonCode;
import org.consent4j.jdbc.TestDatabases.Database;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An INSERT into a mapped table tells its context nothing about rows it cannot see (issue 12,
 * item 3). Every row written must be one the context could see — its subjects permitted under the
 * rules that make a row visible — whether or not it has personal columns, and every row of a
 * mapped table it refers to through a foreign key must be visible too; so the database's key and
 * reference checks only ever meet rows the context can see, and a refusal reads the same whether
 * a hidden row exists or not. See {@link InsertFixture}: under marketing, person 5 is hidden and 6
 * does not exist.
 */
@SuppressWarnings("try") // scopes are opened for their effect on the thread
final class InsertRevealsNoHiddenRowTest {

  static java.util.stream.Stream<Database> databases() {
    return org.consent4j.jdbc.TestDatabases.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void theKeyOfAHiddenRowIsRefusedExactlyAsAnUnusedKeyIs(Database db) throws Exception {
    try (InsertFixture f = new InsertFixture(db); ProcessingScope scope = f.engine.process(InsertFixture.MARKETING);
        Connection c = f.guarded.getConnection(); Statement s = c.createStatement()) {
      // no personal column at all: before, 5 failed with a duplicate key and 6 was stored
      ConsentSQLException hidden = assertThrows(ConsentSQLException.class,
          () -> s.executeUpdate(f.sql("INSERT INTO $person (id, name) VALUES (5, 'X')")));
      ConsentSQLException unused = assertThrows(ConsentSQLException.class,
          () -> s.executeUpdate(f.sql("INSERT INTO $person (id, name) VALUES (6, 'X')")));
      assertEquals(ReasonCode.COLLECTION_NOT_PERMITTED, hidden.reasonCode(), hidden.getMessage());
      assertEquals(unused.reasonCode(), hidden.reasonCode());
      assertEquals(unused.getMessage(), hidden.getMessage());
      assertEquals(unused.getSQLState(), hidden.getSQLState());
      try (PreparedStatement ps = c.prepareStatement(f.sql("INSERT INTO $person (id, name) VALUES (?, ?)"))) {
        ps.setInt(1, 5);
        ps.setString(2, "X");
        ConsentSQLException preparedHidden = assertThrows(ConsentSQLException.class, ps::executeUpdate);
        ps.setInt(1, 6);
        ConsentSQLException preparedUnused = assertThrows(ConsentSQLException.class, ps::executeUpdate);
        assertEquals(preparedUnused.getMessage(), preparedHidden.getMessage());
        assertEquals(ReasonCode.COLLECTION_NOT_PERMITTED, preparedHidden.reasonCode());
      }
      // a visible subject's row is written; its own duplicate is an integrity violation, unnamed
      assertEquals(1, s.executeUpdate(f.sql("INSERT INTO $note (id, author, body) VALUES (1, 1, 'hello')")));
      ConsentSQLException duplicate = assertThrows(ConsentSQLException.class,
          () -> s.executeUpdate(f.sql("INSERT INTO $note (id, author, body) VALUES (1, 1, 'again')")));
      assertEquals(ReasonCode.WRITE_CONFLICT, duplicate.reasonCode(), duplicate.getMessage());
      assertEquals("23000", duplicate.getSQLState());
      assertEquals(0, duplicate.getErrorCode());
      assertEquals(List.of(row(1, "P1"), row(2, "P2"), row(5, "P5")), f.raw("SELECT id, name FROM $person ORDER BY id"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aReferenceToAHiddenRowIsRefusedExactlyAsAReferenceToNoRowIs(Database db) throws Exception {
    try (InsertFixture f = new InsertFixture(db)) {
      try (ProcessingScope scope = f.engine.process(InsertFixture.MARKETING); Connection c = f.guarded.getConnection();
          Statement s = c.createStatement()) {
        // before: 5 was stored (the hidden row exists) and 6 failed with a dangling reference
        ConsentSQLException hidden = assertThrows(ConsentSQLException.class,
            () -> s.executeUpdate(f.sql("INSERT INTO $note (id, author, about) VALUES (10, 1, 5)")));
        ConsentSQLException none = assertThrows(ConsentSQLException.class,
            () -> s.executeUpdate(f.sql("INSERT INTO $note (id, author, about) VALUES (11, 1, 6)")));
        assertEquals(ReasonCode.COLLECTION_NOT_PERMITTED, hidden.reasonCode(), hidden.getMessage());
        assertEquals(none.reasonCode(), hidden.reasonCode(), none.getMessage());
        assertEquals(none.getMessage(), hidden.getMessage());
        try (PreparedStatement ps = c.prepareStatement(f.sql(
            "INSERT INTO $note (id, author, about) VALUES (?, ?, ?)"))) {
          ps.setInt(1, 12);
          ps.setInt(2, 1);
          ps.setInt(3, 5);
          String preparedHidden = assertThrows(ConsentSQLException.class, ps::executeUpdate).getMessage();
          ps.setInt(3, 6);
          assertEquals(preparedHidden, assertThrows(ConsentSQLException.class, ps::executeUpdate).getMessage());
          // a visible row, and no row at all (NULL), may be referred to
          ps.setInt(3, 2);
          assertEquals(1, ps.executeUpdate());
          ps.setInt(1, 13);
          ps.setNull(3, Types.INTEGER);
          assertEquals(1, ps.executeUpdate());
        }
        assertEquals(1, s.executeUpdate(f.sql("INSERT INTO $note (id, author, about) VALUES (14, 1, NULL)")));
      }
      assertEquals(List.of(row(12, 2), row(13, null), row(14, null)),
          f.raw("SELECT id, about FROM $note ORDER BY id"));
      // under a contract purpose every row is visible: a dangling reference is the database's own error, unnamed
      try (ProcessingScope scope = f.engine.process(InsertFixture.SUPPORT); Connection c = f.guarded.getConnection();
          Statement s = c.createStatement()) {
        assertEquals(1, s.executeUpdate(f.sql("INSERT INTO $note (id, author, about) VALUES (20, 7, 5)")));
        ConsentSQLException dangling = assertThrows(ConsentSQLException.class,
            () -> s.executeUpdate(f.sql("INSERT INTO $note (id, author, about) VALUES (21, 7, 6)")));
        assertEquals(ReasonCode.WRITE_CONFLICT, dangling.reasonCode(), dangling.getMessage());
        assertEquals("23000", dangling.getSQLState());
      }
    }
  }

  /** A batch's integrity violation keeps its update counts, but says no more than a single statement's. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aBatchsIntegrityViolationIsWithheldLikeASingleStatements(Database db) throws Exception {
    try (InsertFixture f = new InsertFixture(db); ProcessingScope scope = f.engine.process(InsertFixture.SUPPORT);
        Connection c = f.guarded.getConnection();
        PreparedStatement ps = c.prepareStatement(f.sql("INSERT INTO $person (id, email) VALUES (?, ?)"))) {
      ps.setInt(1, 8);
      ps.setString(2, "p8@example.org");
      ps.addBatch();
      ps.setInt(1, 9);
      ps.setString(2, "p5@example.org"); // person 5's e-mail
      ps.addBatch();
      java.sql.BatchUpdateException e = assertThrows(java.sql.BatchUpdateException.class, ps::executeBatch);
      assertEquals("23000", e.getSQLState());
      assertEquals(0, e.getErrorCode());
      assertFalse(e.getMessage().contains("example.org"), e.getMessage());
      assertFalse(e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("email"), e.getMessage());
      assertEquals(null, e.getCause());
    }
  }

  /**
   * The residual the database's own constraints leave (docs/REWRITING.md): a unique value that is
   * not a subject column (a hidden person's e-mail) still conflicts. consent4j reports it as the
   * same {@code WRITE_CONFLICT} as any other integrity violation, without naming the constraint,
   * the column, the row, or the vendor code that would tell a duplicate from a dangling reference.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aConflictWithAHiddenRowsUniqueValueNamesNothing(Database db) throws Exception {
    try (InsertFixture f = new InsertFixture(db); ProcessingScope scope = f.engine.process(InsertFixture.MARKETING);
        Connection c = f.guarded.getConnection();
        PreparedStatement ps = c.prepareStatement(f.sql("INSERT INTO $person (id, email) VALUES (?, ?)"))) {
      f.engine.grant(org.consent4j.Grant.builder(org.consent4j.SubjectId.of(7)).purpose("marketing")
          .category("contact").grantedAt(InsertFixture.CLOCK.instant().minusSeconds(1)));
      ps.setInt(1, 7);
      ps.setString(2, "p5@example.org");
      ConsentSQLException e = assertThrows(ConsentSQLException.class, ps::executeUpdate);
      assertEquals(ReasonCode.WRITE_CONFLICT, e.reasonCode(), e.getMessage());
      assertEquals("23000", e.getSQLState());
      assertEquals(0, e.getErrorCode());
      assertFalse(e.getMessage().contains("example.org"), e.getMessage());
      assertFalse(e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("email"), e.getMessage());
      assertEquals(null, e.getCause());
    }
  }
}
