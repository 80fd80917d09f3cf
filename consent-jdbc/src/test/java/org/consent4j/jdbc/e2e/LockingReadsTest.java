package org.consent4j.jdbc.e2e;

import static org.consent4j.jdbc.e2e.GuardedDataSourceEndToEndTest.row;
import static org.consent4j.jdbc.e2e.GuardedDataSourceEndToEndTest.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.consent4j.core.ProcessingScope;
import org.consent4j.jdbc.TestDatabases;
import org.consent4j.jdbc.TestDatabases.Database;
import org.consent4j.jdbc.e2e.GuardedDataSourceEndToEndTest.Crm;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Locking reads ({@code SELECT ... FOR UPDATE} and its kin, as Hibernate's {@code
 * PESSIMISTIC_WRITE} and jOOQ's {@code forUpdate()} render them) on a mapped table lock exactly the
 * visible rows they return: a second transaction, on a connection consent4j does not guard, can
 * lock a hidden row at once ({@code NOWAIT}) but not a returned one, and the consent store's state
 * rows stay unlocked (a withdrawal never waits for an application's lock). The CRM of {@link
 * GuardedDataSourceEndToEndTest}: under marketing, contact 2 is visible and 5 is hidden.
 *
 * <p>Each database gets the lock clauses it has: PostgreSQL {@code FOR UPDATE}, {@code FOR NO KEY
 * UPDATE}, {@code FOR SHARE}, {@code FOR KEY SHARE}, {@code NOWAIT}, {@code SKIP LOCKED} and
 * {@code OF}; MariaDB {@code FOR UPDATE} with {@code NOWAIT}, {@code SKIP LOCKED} or {@code WAIT},
 * and {@code LOCK IN SHARE MODE} (it has no {@code FOR SHARE} nor {@code OF}); H2 {@code FOR
 * UPDATE} with {@code NOWAIT}, {@code SKIP LOCKED} or {@code WAIT} (H2 has no shared row locks
 * nor {@code OF}).
 */
@SuppressWarnings("try") // scopes are opened for their effect on the thread
final class LockingReadsTest {

  static java.util.stream.Stream<Database> databases() {
    return TestDatabases.all();
  }

  private static List<String> clauses(Database db) {
    return switch (db.name()) {
      case "PostgreSQL" -> List.of("FOR UPDATE", "FOR NO KEY UPDATE", "FOR SHARE", "FOR KEY SHARE", "FOR UPDATE NOWAIT",
          "FOR UPDATE SKIP LOCKED", "FOR UPDATE OF c1_0", "FOR NO KEY UPDATE OF c1_0 NOWAIT", "FOR SHARE OF c1_0");
      case "MariaDB" -> List.of("FOR UPDATE", "LOCK IN SHARE MODE", "FOR UPDATE NOWAIT", "FOR UPDATE SKIP LOCKED",
          "FOR UPDATE WAIT 5");
      default -> List.of("FOR UPDATE", "FOR UPDATE NOWAIT", "FOR UPDATE SKIP LOCKED", "FOR UPDATE WAIT 5");
    };
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aLockingReadLocksTheVisibleRowsItReturnsAndNoHiddenRowNorConsentState(Database db) throws Exception {
    try (Crm crm = new Crm(db)) {
      for (String clause : clauses(db)) {
        // as Hibernate renders em.find(Contact.class, id, PESSIMISTIC_WRITE), for two ids
        String sql = crm.sql("SELECT c1_0.id, c1_0.email, c1_0.phone FROM $contact c1_0 WHERE c1_0.id IN (?, ?) ")
            + clause;
        try (ProcessingScope scope = crm.engine.process(Crm.MARKETING); Connection a = crm.guarded.getConnection();
            Connection b = db.dataSource().getConnection()) {
          a.setAutoCommit(false);
          b.setAutoCommit(false);
          try (PreparedStatement ps = a.prepareStatement(sql)) {
            ps.setInt(1, 2);
            ps.setInt(2, 5);
            assertEquals(List.of(row(2, "c2@example.org", null)), rows(ps.executeQuery()), clause);
          }
          assertTrue(lockable(db, b, crm.sql("SELECT id FROM $contact WHERE id = 5")), clause + ": hidden row locked");
          assertFalse(lockable(db, b, crm.sql("SELECT id FROM $contact WHERE id = 2")), clause + ": returned row free");
          assertTrue(lockable(db, b, "SELECT subject_num FROM " + db.tablePrefix() + "consent_state"),
              clause + ": consent state locked");
          a.rollback();
          a.setAutoCommit(true);
          b.setAutoCommit(true);
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aLockingReadOfAHiddenRowLocksNothing(Database db) throws Exception {
    try (Crm crm = new Crm(db); ProcessingScope scope = crm.engine.process(Crm.MARKETING);
        Connection a = crm.guarded.getConnection(); Connection b = db.dataSource().getConnection()) {
      a.setAutoCommit(false);
      b.setAutoCommit(false);
      try (Statement s = a.createStatement()) {
        assertEquals(List.of(), rows(s.executeQuery(crm.sql("SELECT id FROM $contact WHERE id = 5 FOR UPDATE"))));
      }
      assertTrue(lockable(db, b, crm.sql("SELECT id FROM $contact WHERE id = 5")));
      // and the hidden row can be written by another transaction without waiting for this one
      try (Statement s = b.createStatement()) {
        assertEquals(1, s.executeUpdate(crm.sql("UPDATE $contact SET country = 'FR' WHERE id = 5")));
      }
      b.rollback();
      a.rollback();
      a.setAutoCommit(true);
      b.setAutoCommit(true);
    }
  }

  /**
   * PostgreSQL's {@code FOR UPDATE OF} may name the table itself when it has no alias (jOOQ
   * renders that): it names the filtered view, which stands under the table's name. H2 and MariaDB
   * have no {@code OF}.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#postgresOnly")
  void forUpdateOfTheMappedTableLocksItsVisibleRows(Database db) throws Exception {
    try (Crm crm = new Crm(db); ProcessingScope scope = crm.engine.process(Crm.MARKETING);
        Connection a = crm.guarded.getConnection(); Connection b = db.dataSource().getConnection()) {
      a.setAutoCommit(false);
      b.setAutoCommit(false);
      try (Statement s = a.createStatement()) {
        assertEquals(List.of(row(2)), rows(s.executeQuery(crm.sql(
            "SELECT $contact.id FROM $contact WHERE $contact.id IN (2, 5) FOR UPDATE OF $contact"))));
      }
      assertTrue(lockable(db, b, crm.sql("SELECT id FROM $contact WHERE id = 5")));
      assertFalse(lockable(db, b, crm.sql("SELECT id FROM $contact WHERE id = 2")));
      a.rollback();
      a.setAutoCommit(true);
      b.setAutoCommit(true);
    }
  }

  /**
   * A locking read over an outer join keeps the rows the join adds and locks only visible rows of
   * either side: contact 2 joined to visible contact 3, contact 3 to hidden contact 4 (so to
   * nothing). PostgreSQL cannot lock the nullable side of an outer join, so there the lock names
   * the outer side ({@code OF c}).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aLockingReadOverAnOuterJoinKeepsItsAddedRowsAndLocksOnlyVisibleRows(Database db) throws Exception {
    boolean postgres = db.name().equals("PostgreSQL");
    try (Crm crm = new Crm(db); ProcessingScope scope = crm.engine.process(Crm.MARKETING);
        Connection a = crm.guarded.getConnection(); Connection b = db.dataSource().getConnection()) {
      a.setAutoCommit(false);
      b.setAutoCommit(false);
      try (Statement s = a.createStatement()) {
        assertEquals(List.of(row(2, 3), row(3, null)), rows(s.executeQuery(crm.sql("SELECT c.id, d.id"
            + " FROM $contact c LEFT JOIN $contact d ON d.id = c.id + 1 WHERE c.id IN (2, 3, 5) ORDER BY c.id "
            + (postgres ? "FOR UPDATE OF c" : "FOR UPDATE")))));
      }
      assertTrue(lockable(db, b, crm.sql("SELECT id FROM $contact WHERE id = 5")), "hidden outer row locked");
      assertTrue(lockable(db, b, crm.sql("SELECT id FROM $contact WHERE id = 4")), "hidden joined row locked");
      assertFalse(lockable(db, b, crm.sql("SELECT id FROM $contact WHERE id = 2")));
      assertFalse(lockable(db, b, crm.sql("SELECT id FROM $contact WHERE id = 3")));
      a.rollback();
      a.setAutoCommit(true);
      b.setAutoCommit(true);
    }
  }

  /**
   * A mapped table without a primary key ({@code friend}): PostgreSQL and H2 lock only the rows
   * the query returns; MariaDB's InnoDB would lock every row it scans to find the visible ones, so
   * such a locking read is refused there.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aLockingReadOfATableWithoutPrimaryKeyLocksOnlyVisibleRowsOrIsRefused(Database db) throws Exception {
    try (Crm crm = new Crm(db); ProcessingScope scope = crm.engine.process(Crm.MARKETING);
        Connection a = crm.guarded.getConnection(); Connection b = db.dataSource().getConnection()) {
      a.setAutoCommit(false);
      b.setAutoCommit(false);
      String sql = crm.sql("SELECT user_id, friend_id FROM $friend WHERE friend_id = 1 FOR UPDATE");
      try (Statement s = a.createStatement()) {
        if (db.name().equals("MariaDB")) {
          GuardedDataSourceEndToEndTest.assertRefused(
              org.consent4j.jdbc.ConsentSQLException.ReasonCode.UNANALYSABLE_SQL, () -> s.executeQuery(sql));
        } else {
          assertEquals(List.of(row(2, 1)), rows(s.executeQuery(sql)));
          assertTrue(lockable(db, b, crm.sql("SELECT user_id FROM $friend WHERE user_id = 5")), "hidden row locked");
          assertFalse(lockable(db, b, crm.sql("SELECT user_id FROM $friend WHERE user_id = 2")));
        }
      }
      a.rollback();
      a.setAutoCommit(true);
      b.setAutoCommit(true);
    }
  }

  /**
   * A locking read whose mapped table stands in a subquery of its FROM: PostgreSQL locks through
   * the subquery (and the view), so the visible row is locked and the hidden one is not; H2 and
   * MariaDB lock nothing through a derived table, so consent4j refuses the statement rather than
   * let it run without the locks it asks for.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aLockingReadThroughASubqueryLocksOrIsRefused(Database db) throws Exception {
    try (Crm crm = new Crm(db); ProcessingScope scope = crm.engine.process(Crm.MARKETING);
        Connection a = crm.guarded.getConnection(); Connection b = db.dataSource().getConnection()) {
      a.setAutoCommit(false);
      b.setAutoCommit(false);
      String sql = crm.sql("SELECT s.id FROM (SELECT id FROM $contact WHERE id IN (2, 5)) s FOR UPDATE");
      try (Statement s = a.createStatement()) {
        if (db.name().equals("PostgreSQL")) {
          assertEquals(List.of(row(2)), rows(s.executeQuery(sql)));
          assertTrue(lockable(db, b, crm.sql("SELECT id FROM $contact WHERE id = 5")));
          assertFalse(lockable(db, b, crm.sql("SELECT id FROM $contact WHERE id = 2")));
        } else {
          GuardedDataSourceEndToEndTest.assertRefused(
              org.consent4j.jdbc.ConsentSQLException.ReasonCode.UNANALYSABLE_SQL, () -> s.executeQuery(sql));
        }
      }
      a.rollback();
      a.setAutoCommit(true);
      b.setAutoCommit(true);
    }
  }

  /**
   * Whether {@code select} can lock its rows at once on {@code b} (then rolled back). False only
   * for a lock conflict; any other failure fails the test.
   */
  static boolean lockable(Database db, Connection b, String select) throws SQLException {
    try (Statement s = b.createStatement()) {
      s.executeQuery(select + " FOR UPDATE NOWAIT").close();
      return true;
    } catch (SQLException e) {
      boolean conflict = switch (db.name()) {
        case "PostgreSQL" -> "55P03".equals(e.getSQLState());
        case "MariaDB" -> e.getErrorCode() == 1205;
        default -> "HYT00".equals(e.getSQLState());
      };
      if (!conflict) {
        throw e;
      }
      return false;
    } finally {
      b.rollback();
    }
  }
}
