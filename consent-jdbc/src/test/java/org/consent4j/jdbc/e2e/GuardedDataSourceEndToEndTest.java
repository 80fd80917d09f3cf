package org.consent4j.jdbc.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.consent4j.AccessContext;
import org.consent4j.AuditEvent;
import org.consent4j.AuditRecord;
import org.consent4j.Catalog;
import org.consent4j.DataCategory;
import org.consent4j.Grant;
import org.consent4j.LegalBasis;
import org.consent4j.Outcome;
import org.consent4j.Purpose;
import org.consent4j.SubjectId;
import org.consent4j.UnknownPurposeException;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.ProcessingScope;
import org.consent4j.core.audit.InMemoryAuditSink;
import org.consent4j.jdbc.ConsentSQLException;
import org.consent4j.jdbc.ConsentSQLException.ReasonCode;
import org.consent4j.jdbc.JdbcConsentStore;
import org.consent4j.jdbc.SchemaMapping;
import org.consent4j.jdbc.TestDatabases;
import org.consent4j.jdbc.TestDatabases.Database;
import org.consent4j.jdbc.wrapper.ConsentDataSource;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * End to end through the guarded {@link DataSource}, as an application uses it: the mapping read
 * from JSON, grants recorded through the engine into the JDBC consent store on the same database,
 * SQL run with plain JDBC (and, in {@link SpringOverHikariEndToEndTest}, JdbcTemplate over
 * HikariCP), exact rows or exact refusals asserted. H2 always; PostgreSQL and MariaDB when their
 * URLs are set.
 *
 * <p>The CRM, under {@link Crm#MARKETING} (purpose {@code marketing.email}, first party):
 *
 * <pre>
 * contact  id  email            phone   grant (purpose marketing)        visible   email   phone
 *          1   c1@example.org   +31 1   contact, self + quizlab          yes       yes     yes
 *          2   c2@example.org   +31 2   contact.email                    yes       yes     NULL
 *          3   c3@example.org   +31 3   contact.phone                    yes       NULL    yes
 *          4   c4@example.org   +31 4   contact, then withdrawn          no
 *          5   c5@example.org   +49 5   none                             no
 * friend   (1,2) (1,3) (2,1) visible; (1,4) (5,1) not (one side has not consented)
 * </pre>
 */
@SuppressWarnings("try") // processing scopes are opened for their effect on the thread
final class GuardedDataSourceEndToEndTest {

  static Stream<Database> databases() {
    return TestDatabases.all();
  }

  static final AccessContext MARKETING = Crm.MARKETING;
  static final AccessContext SUPPORT = Crm.SUPPORT;
  static final AccessContext QUIZLAB = Crm.QUIZLAB;

  // ------------------------------------------------------------------------------------ reads

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void readsThroughStatementAndPreparedStatementSeeOnlyConsentedRowsAndValues(Database db) throws Exception {
    try (Crm crm = new Crm(db); Connection c = crm.guarded.getConnection();
        ProcessingScope scope = crm.engine.process(MARKETING)) {
      // the exact statement, unordered: compare as sorted multisets
      List<List<Object>> emails = List.of(row("c1@example.org"), row("c2@example.org"), row((Object) null));
      assertEquals(emails, sorted(crm.statementQuery(c, "SELECT x.email FROM $contact x")));
      assertEquals(emails, sorted(crm.preparedQuery(c, "SELECT x.email FROM $contact x")));

      // UNION ALL: both branches filtered; the ? keeps its position
      String union = "SELECT email FROM $contact WHERE id = ? UNION ALL SELECT email FROM $contact";
      assertEquals(sorted(List.of(row("c1@example.org"), row("c1@example.org"), row("c2@example.org"),
          row((Object) null))), sorted(crm.preparedQuery(c, union, 1)));
      assertEquals(sorted(List.of(row((Object) null), row("c1@example.org"), row("c2@example.org"),
          row((Object) null))), sorted(crm.preparedQuery(c, union, 3)));
      assertEquals(emails, sorted(crm.preparedQuery(c, union, 5))); // 5 has not consented
      assertEquals(emails, sorted(crm.preparedQuery(c, union, 4))); // 4 withdrew
      assertEquals(sorted(List.of(row("c1@example.org"), row("c1@example.org"), row("c2@example.org"),
          row((Object) null))), sorted(crm.statementQuery(c, union.replace("?", "1"))));

      // several parameters of different types around the rewritten tables keep their positions
      assertEquals(List.of(row(2, "c2@example.org", null), row(3, null, "+31 3")),
          crm.preparedQuery(c, "SELECT id, email, phone FROM $contact WHERE country = ? AND id >= ?"
              + " AND id IN (SELECT friend_id FROM $friend WHERE user_id = ?) ORDER BY id", "NL", 2, 1));

      // friend is mapped: only friendships of two consenting subjects; the joined contact is masked
      String leftJoin = "SELECT f.friend_id, c.email FROM $friend f LEFT JOIN $contact c ON c.id = f.friend_id";
      List<List<Object>> friends = List.of(row(1, "c1@example.org"), row(2, "c2@example.org"), row(3, null));
      assertEquals(friends, sorted(crm.statementQuery(c, leftJoin)));
      assertEquals(friends, sorted(crm.preparedQuery(c, leftJoin)));

      assertEquals(List.of(row(3)), crm.statementQuery(c, "SELECT count(*) FROM $contact"));
      assertEquals(List.of(row(3)), crm.preparedQuery(c, "SELECT count(*) FROM $contact"));
      assertEquals(List.of(row(1)), crm.preparedQuery(c, "SELECT count(*) FROM $contact WHERE phone = ?", "+31 3"));
      assertEquals(List.of(row(0)), crm.preparedQuery(c, "SELECT count(*) FROM $contact WHERE phone = ?", "+31 2"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void theSameQueryGivesEachPurposeAndRecipientItsOwnAnswer(Database db) throws Exception {
    try (Crm crm = new Crm(db); Connection c = crm.guarded.getConnection()) {
      String sql = "SELECT id, email, phone FROM $contact ORDER BY id";
      Map<AccessContext, List<List<Object>>> expected = Map.of(
          // consent: rows of consenting subjects, columns per consented category
          MARKETING, List.of(row(1, "c1@example.org", "+31 1"), row(2, "c2@example.org", null),
              row(3, null, "+31 3")),
          // contract: every row, only the categories declared for the purpose (email, not phone)
          SUPPORT, List.of(row(1, "c1@example.org", null), row(2, "c2@example.org", null),
              row(3, "c3@example.org", null), row(4, "c4@example.org", null), row(5, "c5@example.org", null)),
          // third party: only the grant that names quizlab
          QUIZLAB, List.of(row(1, "c1@example.org", "+31 1")));
      for (Map.Entry<AccessContext, List<List<Object>>> e : expected.entrySet()) {
        try (ProcessingScope scope = crm.engine.process(e.getKey())) {
          assertEquals(e.getValue(), crm.statementQuery(c, sql), e.getKey().toString());
          assertEquals(e.getValue(), crm.preparedQuery(c, sql), e.getKey().toString());
        }
      }
    }
  }

  // ----------------------------------------------------------------------------------- writes

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void writesReachOnlyConsentedRowsAndStoreMaskedValuesAsNull(Database db) throws Exception {
    try (Crm crm = new Crm(db); Connection c = crm.guarded.getConnection()) {
      try (ProcessingScope scope = crm.engine.process(MARKETING); Statement s = c.createStatement()) {
        assertEquals(3, s.executeUpdate(crm.sql("INSERT INTO $export_list SELECT id, email FROM $contact")));
      }
      List<List<Object>> exported = List.of(row(1, "c1@example.org"), row(2, "c2@example.org"), row(3, null));
      // export_list is not mapped: read with no context at all
      assertEquals(exported, crm.statementQuery(c, "SELECT id, email FROM $export_list ORDER BY id"));

      // batches: a SELECT-bearing INSERT per entry, each filtered
      try (Statement s = c.createStatement()) {
        s.execute(crm.sql("DELETE FROM $export_list"));
        try (ProcessingScope scope = crm.engine.process(MARKETING)) {
          s.addBatch(crm.sql("INSERT INTO $export_list SELECT id, email FROM $contact WHERE id = 1"));
          s.addBatch(crm.sql("INSERT INTO $export_list SELECT id, email FROM $contact WHERE id > 1"));
          assertArrayEquals(new int[] {1, 2}, s.executeBatch());
        }
      }
      assertEquals(exported, crm.statementQuery(c, "SELECT id, email FROM $export_list ORDER BY id"));
      try (Statement s = c.createStatement()) {
        s.execute(crm.sql("DELETE FROM $export_list"));
      }
      if (!db.name().equals("MariaDB")) {
        // (MariaDB's bulk protocol, which its driver uses for prepared batches, refuses INSERT ... SELECT
        // with error 1295 with or without consent4j)
        try (ProcessingScope scope = crm.engine.process(MARKETING);
            PreparedStatement ps = c.prepareStatement(
                crm.sql("INSERT INTO $export_list SELECT id, email FROM $contact WHERE id = ?"))) {
          for (int id = 1; id <= 5; id++) {
            ps.setInt(1, id);
            ps.addBatch();
          }
          assertArrayEquals(new int[] {1, 1, 1, 0, 0}, ps.executeBatch());
        }
        assertEquals(exported, crm.statementQuery(c, "SELECT id, email FROM $export_list ORDER BY id"));
      }

      // UPDATE: support (contract, sees every email) upper-cases all; marketing lower-cases only the
      // rows whose email it may see (1 and 2; 3's email is masked, 4 and 5 are not visible)
      try (ProcessingScope scope = crm.engine.process(SUPPORT); Statement s = c.createStatement()) {
        assertEquals(5, s.executeUpdate(crm.sql("UPDATE $contact SET email = upper(email)")));
      }
      try (ProcessingScope scope = crm.engine.process(MARKETING); Statement s = c.createStatement()) {
        assertEquals(2, s.executeUpdate(crm.sql("UPDATE $contact SET email = lower(email)")));
      }
      try (ProcessingScope scope = crm.engine.process(SUPPORT)) {
        assertEquals(List.of(row(1, "c1@example.org"), row(2, "c2@example.org"), row(3, "C3@EXAMPLE.ORG"),
            row(4, "C4@EXAMPLE.ORG"), row(5, "C5@EXAMPLE.ORG")),
            crm.preparedQuery(c, "SELECT id, email FROM $contact ORDER BY id"));
      }
      // and through a prepared statement with parameters, alone and in a batch
      try (ProcessingScope scope = crm.engine.process(MARKETING);
          PreparedStatement ps = c.prepareStatement(crm.sql("UPDATE $contact SET phone = ? WHERE id >= ?"))) {
        ps.setString(1, "+00");
        ps.setInt(2, 2);
        assertEquals(1, ps.executeUpdate()); // only 3: 2's phone is masked, 4 and 5 are invisible
      }
      try (ProcessingScope scope = crm.engine.process(MARKETING);
          PreparedStatement ps = c.prepareStatement(crm.sql("UPDATE $contact SET phone = ? WHERE id = ?"))) {
        for (int id = 1; id <= 5; id++) {
          ps.setString(1, "+0" + id);
          ps.setInt(2, id);
          ps.addBatch();
        }
        int[] counts = ps.executeBatch();
        if (!(db.name().equals("MariaDB") && counts.length == 5 && java.util.Arrays.stream(counts)
            .allMatch(n -> n == Statement.SUCCESS_NO_INFO))) { // MariaDB's bulk protocol may not count
          assertArrayEquals(new int[] {1, 0, 1, 0, 0}, counts);
        }
      }
      assertEquals(List.of(row(1, "+01"), row(2, "+31 2"), row(3, "+03"), row(4, "+31 4"), row(5, "+49 5")),
          crm.rawQuery("SELECT id, phone FROM $contact ORDER BY id"));
    }
  }

  // --------------------------------------------------------------------------------- refusals

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void statementsAndCallsAroundTheFilterAreRefused(Database db) throws Exception {
    try (Crm crm = new Crm(db); Connection c = crm.guarded.getConnection()) {
      try (ProcessingScope scope = crm.engine.process(MARKETING); Statement s = c.createStatement()) {
        assertRefused(ReasonCode.BYPASS_REFUSED,
            () -> s.execute(crm.sql("CREATE TABLE $t AS SELECT * FROM $contact")));
        assertRefused(ReasonCode.BYPASS_REFUSED,
            () -> s.executeUpdate(crm.sql("CREATE TABLE $t AS SELECT * FROM $contact")));
        assertRefused(ReasonCode.BYPASS_REFUSED, () -> s.execute(crm.sql("CALL $proc()")));
        assertRefused(ReasonCode.BYPASS_REFUSED, () -> s.execute(crm.sql("CALL $proc((SELECT count(*) FROM $contact))")));
        assertRefused(ReasonCode.BYPASS_REFUSED, () -> c.prepareCall(crm.sql("{call $proc()}")));
        assertRefused(ReasonCode.BYPASS_REFUSED, () -> c.prepareCall(crm.sql("CALL $proc()")));
        assertRefused(ReasonCode.BYPASS_REFUSED, () -> c.prepareStatement(crm.sql("CALL $proc()")));
      }
      // no context: still refused, even with no mapped table in sight
      assertRefused(ReasonCode.BYPASS_REFUSED, () -> c.prepareCall(crm.sql("{call $proc()}")));
      assertRefused(ReasonCode.BYPASS_REFUSED, () -> c.prepareCall("{call abs(1)}"));
      assertEquals(List.of(), crm.rawQuery(tableExists(db, crm.p + "t")), "the copy was not created");

      // unwrap: the wrapper, never the driver's connection
      assertSame(c, c.unwrap(Connection.class));
      assertTrue(c.isWrapperFor(Connection.class));
      Class<?> driverConnection = switch (db.name()) {
        case "H2" -> org.h2.jdbc.JdbcConnection.class;
        case "PostgreSQL" -> org.postgresql.PGConnection.class;
        default -> org.mariadb.jdbc.Connection.class;
      };
      assertFalse(c.isWrapperFor(driverConnection));
      assertRefused(ReasonCode.WRAPPER_UNWRAP_REFUSED, () -> c.unwrap(driverConnection));
      try (Statement s = c.createStatement()) {
        assertSame(c, s.getConnection());
        assertRefused(ReasonCode.WRAPPER_UNWRAP_REFUSED, () -> s.unwrap(driverStatement(db)));
      }

      // an updatable result set of mapped data refuses every update
      try (ProcessingScope scope = crm.engine.process(MARKETING);
          Statement s = c.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_UPDATABLE);
          ResultSet r = s.executeQuery(crm.sql("SELECT id, email FROM $contact WHERE id = 3"))) {
        assertEquals(ResultSet.CONCUR_READ_ONLY, r.getConcurrency());
        assertTrue(r.next());
        assertEquals(null, r.getString("email"));
        assertRefused(ReasonCode.UPDATABLE_RESULT_REFUSED, () -> r.updateString("email", "c3@example.org"));
        assertRefused(ReasonCode.UPDATABLE_RESULT_REFUSED, () -> r.updateString(2, "c3@example.org"));
        assertRefused(ReasonCode.UPDATABLE_RESULT_REFUSED, () -> r.updateRow());
        assertRefused(ReasonCode.UPDATABLE_RESULT_REFUSED, () -> r.deleteRow());
        assertRefused(ReasonCode.UPDATABLE_RESULT_REFUSED, () -> r.moveToInsertRow());
      }
      try (ProcessingScope scope = crm.engine.process(MARKETING)) {
        assertRefused(ReasonCode.UPDATABLE_RESULT_REFUSED, () -> c.prepareStatement(
            crm.sql("SELECT id, email FROM $contact"), ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_UPDATABLE));
      }
      assertEquals(List.of(row(1, "c1@example.org"), row(2, "c2@example.org"), row(3, "c3@example.org"),
          row(4, "c4@example.org"), row(5, "c5@example.org")),
          crm.rawQuery("SELECT id, email FROM $contact ORDER BY id"), "nothing was written");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void failsClosedWithoutContextOrWithUnreadableSql(Database db) throws Exception {
    try (Crm crm = new Crm(db); Connection c = crm.guarded.getConnection()) {
      // an undeclared purpose cannot even be bound
      assertThrows(UnknownPurposeException.class, () -> crm.engine.process(AccessContext.of("x", "unknown")));
      assertThrows(UnknownPurposeException.class,
          () -> crm.engine.process(AccessContext.of("x", "marketing.sms", "quizlab")));
      assertTrue(crm.engine.currentContext().isEmpty());

      // no context: every statement that mentions a mapped table is refused, however it comes
      try (Statement s = c.createStatement()) {
        assertRefused(ReasonCode.NO_CONTEXT, () -> s.executeQuery(crm.sql("SELECT email FROM $contact")));
        assertRefused(ReasonCode.NO_CONTEXT, () -> s.execute(crm.sql("SELECT email FROM $contact")));
        assertRefused(ReasonCode.NO_CONTEXT, () -> s.executeUpdate(crm.sql("UPDATE $contact SET phone = NULL")));
        assertRefused(ReasonCode.NO_CONTEXT,
            () -> s.executeUpdate(crm.sql("INSERT INTO $export_list SELECT id, email FROM $contact")));
        assertRefused(ReasonCode.NO_CONTEXT, () -> s.addBatch(crm.sql("DELETE FROM $contact")));
        assertRefused(ReasonCode.NO_CONTEXT,
            () -> s.executeQuery(crm.sql("SELECT id FROM $export_list WHERE id IN (SELECT id FROM $contact)")));
        assertRefused(ReasonCode.NO_CONTEXT, () -> s.executeQuery(crm.sql("SELECT * FROM $friend")));
      }
      assertRefused(ReasonCode.NO_CONTEXT, () -> c.prepareStatement(crm.sql("SELECT email FROM $contact WHERE id = ?")));
      assertRefused(ReasonCode.NO_CONTEXT, () -> c.nativeSQL(crm.sql("SELECT email FROM $contact")));

      // SQL the parser cannot read, mentioning a mapped table
      try (ProcessingScope scope = crm.engine.process(MARKETING); Statement s = c.createStatement()) {
        assertRefused(ReasonCode.UNANALYSABLE_SQL, () -> s.executeQuery(crm.sql("SELECT FROM WHERE $contact ((")));
        assertRefused(ReasonCode.UNANALYSABLE_SQL, () -> c.prepareStatement(crm.sql("SELECT email FROM $contact WHERE")));
      }

      // a statement on unmapped tables only passes with no context, untouched and unaudited
      int audited = crm.auditRecords().size();
      try (Statement s = c.createStatement()) {
        assertEquals(1, s.executeUpdate(crm.sql("INSERT INTO $export_list VALUES (9, 'x@example.org')")));
      }
      assertEquals(List.of(row(9, "x@example.org")),
          crm.statementQuery(c, "SELECT id, email FROM $export_list WHERE id = 9"));
      assertEquals(List.of(row(9, "x@example.org")),
          crm.preparedQuery(c, "SELECT id, email FROM $export_list WHERE email = ?", "x@example.org"));
      assertEquals(audited, crm.auditRecords().size());
    }
  }

  // --------------------------------------------------------------------- context and time

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void preparedStatementsRunOnlyUnderTheirContextAndTheSqlIsAlwaysCurrent(Database db) throws Exception {
    try (Crm crm = new Crm(db); Connection c = crm.guarded.getConnection()) {
      String sql = crm.sql("SELECT id FROM $contact WHERE country = ? ORDER BY id");
      PreparedStatement ps;
      try (ProcessingScope scope = crm.engine.process(MARKETING)) {
        ps = c.prepareStatement(sql);
      }
      try (ps) {
        ps.setString(1, "NL");
        try (ProcessingScope scope = crm.engine.process(SUPPORT)) {
          assertRefused(ReasonCode.DENIED, ps::executeQuery);
        }
        try (ProcessingScope scope = crm.engine.process(AccessContext.of("campaign", "marketing.email", "quizlab"))) {
          assertRefused(ReasonCode.DENIED, ps::executeQuery); // same purpose, other recipient
        }
        assertRefused(ReasonCode.NO_CONTEXT, ps::executeQuery);
        try (ProcessingScope scope = crm.engine.process(MARKETING)) {
          assertEquals(List.of(row(1), row(2), row(3)), rows(ps.executeQuery()));
          crm.clock.advance(Duration.ofMillis(1001));
          // the clock's time is bound again for each execution: it may run long after it was prepared
          assertEquals(List.of(row(1), row(2), row(3)), rows(ps.executeQuery()));
        }
      }

      // withdrawal between two queries: the next execution no longer returns the subject
      try (ProcessingScope scope = crm.engine.process(MARKETING)) {
        assertEquals(List.of(row(1), row(2), row(3)), crm.preparedQuery(c, sql, "NL"));
        assertEquals(List.of(row(1), row(2), row(3)), crm.statementQuery(c, sql.replace("?", "'NL'")));
        crm.engine.withdraw(SubjectId.of(2), Purpose.of("marketing"));
        assertEquals(List.of(row(1), row(3)), crm.preparedQuery(c, sql, "NL"));
        assertEquals(List.of(row(1), row(3)), crm.statementQuery(c, sql.replace("?", "'NL'")));
        // and a grant counts from the next statement on
        crm.engine.grant(Grant.builder(SubjectId.of(5)).purpose("marketing.email").category("contact.email"));
        assertEquals(List.of(row(1), row(3), row(5)),
            crm.preparedQuery(c, crm.sql("SELECT id FROM $contact ORDER BY id")));
      }
      // the engine agrees with the SQL path
      assertFalse(crm.engine.check(SubjectId.of(2), MARKETING, Set.of(DataCategory.of("contact.email"))).subjectPermitted());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void preparedStatementsTakeTheClockAsParametersKeepingOneTextAndTheApplicationsNumbering(Database db)
      throws Exception {
    try (Crm crm = new Crm(db)) {
      List<String> prepared = java.util.Collections.synchronizedList(new ArrayList<>());
      javax.sql.DataSource recording = (javax.sql.DataSource) java.lang.reflect.Proxy.newProxyInstance(
          getClass().getClassLoader(), new Class<?>[] {javax.sql.DataSource.class}, (p, m, a) -> {
            Object r = invoke(m, db.dataSource(), a);
            if (!(r instanceof Connection raw)) {
              return r;
            }
            return java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Connection.class}, (p2, m2, a2) -> {
                  if (m2.getName().equals("prepareStatement")) {
                    prepared.add((String) a2[0]);
                  }
                  return invoke(m2, raw, a2);
                });
          });
      ConsentDataSource guarded = ConsentDataSource.wrap(recording, crm.engine, crm.mapping, crm.store);
      // placeholders before, between and after the filtered views
      String sql = crm.sql("SELECT (SELECT count(*) FROM $friend f WHERE f.user_id = c.id AND f.friend_id > ?) AS n,"
          + " c.id FROM $contact c WHERE c.id <= ? ORDER BY c.id");
      try (Connection c = guarded.getConnection(); ProcessingScope scope = crm.engine.process(MARKETING)) {
        List<List<Object>> expected = crm.statementQuery(c, sql.replaceFirst("\\?", "0").replaceFirst("\\?", "4"));
        assertFalse(expected.isEmpty());
        try (PreparedStatement ps = c.prepareStatement(sql)) {
          ps.setInt(1, 0);
          ps.setInt(2, 4);
          assertEquals(expected, rows(ps.executeQuery()));
          if (!db.name().equals("MariaDB")) { // MariaDB's client-side prepare describes no parameters
            assertEquals(2, ps.getParameterMetaData().getParameterCount());
          }
          ps.clearParameters();
          ps.setInt(1, 0);
          ps.setInt(2, 4);
          assertEquals(expected, rows(ps.executeQuery()));
        }
        crm.clock.advance(Duration.ofMillis(1234));
        assertEquals(expected, crm.preparedQuery(c, sql, 0, 4));
      }
      List<String> rewritten = prepared.stream().filter(q -> q.contains("consent_state")).toList();
      assertEquals(2, rewritten.size(), prepared.toString());
      assertEquals(rewritten.get(0), rewritten.get(1), "one text whatever the time");
      long epoch = crm.clock.instant().getEpochSecond();
      assertFalse(rewritten.get(0).contains(Long.toString(epoch)) || rewritten.get(0).contains(Long.toString(epoch - 1)),
          "no clock literal in the prepared text");
    }
  }

  /**
   * A prepared statement binds the clock's time again for each execution, so a grant that expires
   * between two executions stops counting at the second; a batch keeps the time its entries were
   * bound with, and is refused when that is more than a second old; a statement under a purpose
   * that checks no grant reads no clock and may run any time.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aPreparedStatementJudgesExpiryAtEachExecutionAndABatchByWhenItsEntriesWereBound(Database db)
      throws Exception {
    try (Crm crm = new Crm(db); Connection c = crm.guarded.getConnection();
        ProcessingScope scope = crm.engine.process(MARKETING)) {
      crm.engine.grant(Grant.builder(SubjectId.of(5)).purpose("marketing").category("contact")
          .expiresAt(crm.clock.instant().plusSeconds(10)));
      try (PreparedStatement ps = c.prepareStatement(crm.sql("SELECT id, email FROM $contact WHERE id = ?"))) {
        ps.setInt(1, 5);
        assertEquals(List.of(row(5, "c5@example.org")), rows(ps.executeQuery()));
        crm.clock.advance(Duration.ofSeconds(5));
        assertEquals(List.of(row(5, "c5@example.org")), rows(ps.executeQuery()));
        crm.clock.advance(Duration.ofSeconds(6)); // the grant expired between the two executions
        assertEquals(List.of(), rows(ps.executeQuery()));
      }
      try (PreparedStatement up = c.prepareStatement(crm.sql("UPDATE $contact SET country = ? WHERE id = ?"))) {
        up.setString(1, "BE");
        up.setInt(2, 1);
        up.addBatch();
        assertEquals(1, up.executeBatch().length);
        up.setString(1, "NL");
        up.setInt(2, 1);
        up.addBatch();
        crm.clock.advance(Duration.ofMillis(1500));
        assertRefused(ReasonCode.DENIED, up::executeBatch); // its entry was bound 1.5 s ago
        up.clearBatch();
        assertEquals(1, up.executeUpdate()); // a single execution is bound afresh
      }
    }
    // a statement that compares with no clock (a contract purpose) has no age limit at all
    try (Crm crm = new Crm(db); Connection c = crm.guarded.getConnection();
        ProcessingScope scope = crm.engine.process(SUPPORT);
        PreparedStatement ps = c.prepareStatement(crm.sql("SELECT id, email FROM $contact WHERE id = ?"))) {
      ps.setInt(1, 2);
      crm.clock.advance(Duration.ofSeconds(5));
      assertEquals(List.of(row(2, "c2@example.org")), rows(ps.executeQuery()));
    }
  }

  private static Object invoke(java.lang.reflect.Method m, Object target, Object[] args) throws Throwable {
    try {
      return m.invoke(target, args);
    } catch (java.lang.reflect.InvocationTargetException e) {
      throw e.getCause();
    }
  }

  // ------------------------------------------------------------------------------------ audit

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void eachStatementOnMappedTablesIsAuditedWithItsRowsAndAFingerprintWithoutLiterals(Database db)
      throws Exception {
    try (Crm crm = new Crm(db); Connection c = crm.guarded.getConnection();
        ProcessingScope scope = crm.engine.process(MARKETING)) {
      String contact = crm.p + "contact";
      String sql = crm.sql("SELECT id, email FROM $contact WHERE email <> 'c1@example.org' ORDER BY id");

      int mark = crm.auditRecords().size();
      assertEquals(List.of(row(2, "c2@example.org")), crm.statementQuery(c, sql));
      List<AuditEvent> events = crm.auditEventsSince(mark);
      assertEquals(List.of("EXECUTING", "ROWS_RETURNED"), events.stream().map(AuditEvent::reason).toList());
      AuditEvent executing = events.get(0);
      AuditEvent returned = events.get(1);
      for (AuditEvent e : events) {
        assertEquals(Outcome.PERMIT, e.outcome());
        assertEquals("campaign", e.actor());
        assertEquals(MARKETING.purpose(), e.purpose());
        assertEquals(MARKETING.recipient(), e.recipient());
        assertEquals("sql query", e.operation());
        assertEquals(contact, e.details().get("tables"));
        assertTrue(e.categories().contains(DataCategory.of("contact.email")), e.categories().toString());
        assertTrue(e.details().get("fingerprint").matches("[0-9a-f]{16}"), e.details().get("fingerprint"));
        e.details().values().forEach(v -> assertFalse(v.contains("example.org"), v));
        assertEquals(List.of(), e.subjects());
      }
      assertFalse(executing.details().containsKey("rows"));
      assertEquals("1", returned.details().get("rows"));
      String fingerprint = executing.details().get("fingerprint");
      assertEquals(fingerprint, returned.details().get("fingerprint"));

      // another literal: the same fingerprint; another shape: another
      mark = crm.auditRecords().size();
      assertEquals(List.of(row(1, "c1@example.org")),
          crm.statementQuery(c, sql.replace("c1@example.org", "c2@example.org")));
      events = crm.auditEventsSince(mark);
      assertEquals(List.of(fingerprint, fingerprint), events.stream().map(e -> e.details().get("fingerprint")).toList());
      assertEquals("1", events.get(1).details().get("rows"));
      mark = crm.auditRecords().size();
      crm.statementQuery(c, sql.replace("<>", "="));
      assertNotEquals(fingerprint, crm.auditEventsSince(mark).get(0).details().get("fingerprint"));

      // rows = rows actually read, not rows available
      mark = crm.auditRecords().size();
      try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(crm.sql("SELECT id FROM $contact ORDER BY id"))) {
        assertTrue(r.next());
        assertTrue(r.next());
      }
      events = crm.auditEventsSince(mark);
      assertEquals(List.of("EXECUTING", "ROWS_RETURNED"), events.stream().map(AuditEvent::reason).toList());
      assertEquals("2", events.get(1).details().get("rows"));

      // a prepared statement is audited when it runs, not when it is prepared; a join names both tables
      mark = crm.auditRecords().size();
      try (PreparedStatement ps = c.prepareStatement(
          crm.sql("SELECT f.friend_id, c.email FROM $friend f LEFT JOIN $contact c ON c.id = f.friend_id"
              + " WHERE f.user_id = ?"))) {
        assertEquals(List.of(), crm.auditEventsSince(mark));
        ps.setInt(1, 1);
        assertEquals(2, rows(ps.executeQuery()).size()); // (1,2) and (1,3)
      }
      events = crm.auditEventsSince(mark);
      assertEquals(List.of("EXECUTING", "ROWS_RETURNED"), events.stream().map(AuditEvent::reason).toList());
      assertEquals(Set.of(contact, crm.p + "friend"), Set.of(events.get(1).details().get("tables").split(",")));
      assertEquals("2", events.get(1).details().get("rows"));

      // writes: rows affected
      mark = crm.auditRecords().size();
      try (Statement s = c.createStatement()) {
        assertEquals(3, s.executeUpdate(crm.sql("INSERT INTO $export_list SELECT id, email FROM $contact")));
      }
      events = crm.auditEventsSince(mark);
      assertEquals(List.of("EXECUTING", "ROWS_AFFECTED"), events.stream().map(AuditEvent::reason).toList());
      assertEquals("3", events.get(1).details().get("rows"));
      assertEquals(contact, events.get(1).details().get("tables"));

      // refusals happen before anything runs, and are audited as denies (rule 8)
      mark = crm.auditRecords().size();
      try (Statement s = c.createStatement()) {
        assertRefused(ReasonCode.BYPASS_REFUSED, () -> s.execute(crm.sql("CREATE TABLE $t AS SELECT * FROM $contact")));
      }
      events = crm.auditEventsSince(mark);
      assertEquals(List.of("BYPASS_REFUSED"), events.stream().map(AuditEvent::reason).toList());
      assertEquals(org.consent4j.Outcome.DENY, events.get(0).outcome());
      assertTrue(events.get(0).details().containsKey("fingerprint"));
      assertTrue(crm.engine.audit().verify().valid(), "the hash chain verifies");
    }
  }

  /**
   * A value written as MariaDB's double-quoted string (its default sql_mode), PostgreSQL's
   * dollar-quoted string or inside a comment must not reach the fingerprint either, or the audit
   * trail could confirm a guessed value.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void fingerprintsDoNotDependOnAnyLiteralValue(Database db) throws Exception {
    try (Crm crm = new Crm(db); Connection c = crm.guarded.getConnection();
        ProcessingScope scope = crm.engine.process(MARKETING)) {
      String t = crm.p + "contact";
      List<String> shapes = new ArrayList<>(List.of(
          "SELECT id FROM " + t + " WHERE email = 'V' /* V */",
          "SELECT id FROM " + t + " WHERE email = 'V' -- V\n",
          "SELECT id FROM " + t + " WHERE email = lower('V')"));
      if (db.name().equals("MariaDB")) {
        shapes.add("SELECT id FROM " + t + " WHERE email = \"V\"");
      }
      if (db.name().equals("PostgreSQL")) {
        shapes.add("SELECT id FROM " + t + " WHERE email = $$V$$");
        shapes.add("SELECT id FROM " + t + " WHERE email = $q$V$q$");
      }
      for (String shape : shapes) {
        List<String> fingerprints = new ArrayList<>();
        for (String value : List.of("c1@example.org", "c2@example.org")) {
          int mark = crm.auditRecords().size();
          try (Statement s = c.createStatement()) {
            rows(s.executeQuery(shape.replace("V", value)));
          }
          fingerprints.add(crm.auditEventsSince(mark).get(0).details().get("fingerprint"));
        }
        assertEquals(fingerprints.get(0), fingerprints.get(1), shape);
      }
    }
  }

  // ---------------------------------------------------------------------------------- helpers

  static void assertRefused(ReasonCode code, Executable call) {
    ConsentSQLException e = assertThrows(ConsentSQLException.class, call);
    assertEquals(code, e.reasonCode(), e.getMessage());
    assertFalse(e.getMessage().contains("example.org"), e.getMessage());
  }

  static String tableExists(Database db, String table) {
    return db.name().equals("H2")
        ? "SELECT table_name FROM information_schema.tables WHERE lower(table_name) = '" + table + "'"
        : "SELECT table_name FROM information_schema.tables WHERE table_name = '" + table + "'";
  }

  static Class<?> driverStatement(Database db) {
    return switch (db.name()) {
      case "H2" -> org.h2.jdbc.JdbcStatement.class;
      case "PostgreSQL" -> org.postgresql.PGStatement.class;
      default -> org.mariadb.jdbc.Statement.class;
    };
  }

  static List<Object> row(Object... values) {
    List<Object> out = new ArrayList<>();
    for (Object v : values) {
      out.add(v instanceof Number n ? Long.valueOf(n.longValue()) : v);
    }
    return out;
  }

  static List<List<Object>> sorted(List<List<Object>> rows) {
    List<List<Object>> out = new ArrayList<>(rows);
    out.sort(Comparator.comparing(Object::toString));
    return out;
  }

  /** Reads and closes {@code r}; numbers as Long. */
  static List<List<Object>> rows(ResultSet r) throws SQLException {
    try (r) {
      ResultSetMetaData md = r.getMetaData();
      List<List<Object>> rows = new ArrayList<>();
      while (r.next()) {
        Object[] values = new Object[md.getColumnCount()];
        for (int i = 0; i < values.length; i++) {
          values[i] = r.getObject(i + 1);
        }
        rows.add(row(values));
      }
      return rows;
    }
  }

  /** A clock the test moves by hand. */
  static final class MutableClock extends Clock {
    private volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void generatedKeysOfAnUpdateOnAMappedTableAreRefused(Database db) throws Exception {
    try (Crm crm = new Crm(db); var scope = crm.engine.process(MARKETING); Connection c = crm.guarded.getConnection();
        Statement s = c.createStatement()) {
      String update = crm.sql("UPDATE $contact SET country = country WHERE id = 3");
      assertRefused(ReasonCode.BYPASS_REFUSED, () -> s.executeUpdate(update, new String[] {"email"}));
      assertRefused(ReasonCode.BYPASS_REFUSED, () -> s.executeUpdate(update, Statement.RETURN_GENERATED_KEYS));
      assertRefused(ReasonCode.BYPASS_REFUSED, () -> c.prepareStatement(update, new int[] {3}));
      // an INSERT's keys are the application's own values: allowed (for a row marketing may see)
      crm.engine.grant(Grant.builder(SubjectId.of(9)).purpose("marketing").category("contact.email"));
      assertEquals(1, s.executeUpdate(crm.sql("INSERT INTO $contact (id, country) VALUES (9, 'NL')"),
          Statement.RETURN_GENERATED_KEYS));
    }
  }

  /** Holes a second independent review found; each must stay closed. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void secondReviewBypassesStayClosed(Database db) throws Exception {
    try (Crm crm = new Crm(db); Connection c = crm.guarded.getConnection(); Statement s = c.createStatement()) {
      // statements that could run SQL around the filter are refused, with or without a context
      for (String sql : List.of("CREATE FUNCTION $leak() RETURNS INT AS 'SELECT 1' LANGUAGE sql",
          "CREATE ALIAS $LEAK FOR 'java.lang.Math.abs(int)'", "CREATE VIEW $v AS SELECT 1 AS x",
          "CREATE PROCEDURE $p() BEGIN END", "PREPARE st FROM @q", "# x\nEXECUTE st", "SET @q = 'x'",
          "ANALYZE", "SELECT 1; CREATE FUNCTION $f() RETURNS INT AS 'SELECT 1' LANGUAGE sql",
          "SELECT word FROM ts_stat('SELECT 1')", "SELECT * FROM pg_stats")) {
        assertRefused(ReasonCode.BYPASS_REFUSED, () -> s.execute(crm.sql(sql)));
      }
      try (var scope = crm.engine.process(MARKETING)) {
        // a write's own condition never runs on rows the context may not see (5 never consented)
        assertEquals(0, s.executeUpdate(crm.sql(db.name().equals("MariaDB")
            ? "UPDATE $contact SET country = country WHERE id = 5 AND email + 0 = 0"
            : "UPDATE $contact SET country = country WHERE id = 5 AND CAST(email AS INT) = 0")));
        // the database's error text about protected data is withheld: it may quote values
        SQLException duplicate = assertThrows(SQLException.class,
            () -> s.executeUpdate(crm.sql("INSERT INTO $contact (id, country) VALUES (5, 'XX')")));
        assertTrue(!duplicate.getMessage().contains("example.org") && duplicate.getCause() == null,
            duplicate.getMessage());
        if (db.name().equals("PostgreSQL")) {
          // a whole-row reference reads every column: subject 3's e-mail is masked, so no match
          assertEquals(0, s.executeUpdate(crm.sql(
              "UPDATE $contact x SET country = country WHERE CAST(x AS text) LIKE '%c3@example.org%'")));
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void subjectLevelAuditNamesWhoseRowsWereReadAndHidesItsOwnColumns(Database db) throws Exception {
    try (Crm crm = new Crm(db); var scope = crm.engine.process(MARKETING)) {
      ConsentDataSource subjects = ConsentDataSource.wrap(db.dataSource(), crm.engine, crm.mapping, crm.store,
          org.consent4j.jdbc.AuditLevel.SUBJECT);
      try (Connection c = subjects.getConnection()) {
        int mark = crm.auditRecords().size();
        try (Statement s = c.createStatement();
            java.sql.ResultSet rs = s.executeQuery(crm.sql("SELECT * FROM $contact ORDER BY id"))) {
          assertEquals(4, rs.getMetaData().getColumnCount(), "the subject column added for the audit is hidden");
          List<Object> ids = new java.util.ArrayList<>();
          while (rs.next()) {
            ids.add(rs.getInt(1));
          }
          assertEquals(List.of(1, 2, 3), ids);
          assertThrows(SQLException.class, () -> rs.getObject(5));
        }
        List<AuditEvent> events = crm.auditEventsSince(mark);
        assertEquals(List.of("EXECUTING", "ROWS_RETURNED"), events.stream().map(AuditEvent::reason).toList());
        assertEquals(List.of(SubjectId.of(1), SubjectId.of(2), SubjectId.of(3)), events.get(1).subjects());

        // only what was actually read: one row, then closed
        mark = crm.auditRecords().size();
        try (Statement s = c.createStatement();
            java.sql.ResultSet rs = s.executeQuery(crm.sql("SELECT email FROM $contact ORDER BY id"))) {
          assertTrue(rs.next());
          assertThrows(SQLException.class, () -> rs.findColumn("c4j_s0"));
        }
        assertEquals(List.of(SubjectId.of(1)), crm.auditEventsSince(mark).get(1).subjects());

        // a join names the subjects of every mapped table it read
        mark = crm.auditRecords().size();
        assertEquals(List.of(row(2, "c1@example.org")), crm.statementQuery(c,
            "SELECT f.user_id, c.email FROM $friend f JOIN $contact c ON c.id = f.friend_id WHERE f.user_id = 2"));
        assertEquals(java.util.Set.of(SubjectId.of(1), SubjectId.of(2)),
            java.util.Set.copyOf(crm.auditEventsSince(mark).get(1).subjects()));

        // an aggregate's rows belong to no single subject: said so, not guessed
        mark = crm.auditRecords().size();
        assertEquals(1, crm.statementQuery(c, "SELECT count(*) FROM $contact").size());
        AuditEvent count = crm.auditEventsSince(mark).get(1);
        assertEquals(List.of(), count.subjects());
        assertEquals("not-collected", count.details().get("subjects"));
      }
    }
  }

  /**
   * The CRM on one database: tables under a unique prefix ({@code $} in SQL stands for it), the
   * engine on a JDBC consent store in the same database, the mapping read from JSON, and the
   * guarded data source over the test pool.
   */
  static final class Crm implements AutoCloseable {
    static final Catalog CATALOG = Catalog.builder()
        .purpose("marketing", LegalBasis.CONSENT)
        .purpose("marketing.email", LegalBasis.CONSENT)
        .purpose("support", LegalBasis.CONTRACT, "contact.email")
        .categories("contact.email", "contact.phone")
        .recipient("quizlab")
        .build();
    static final AccessContext MARKETING = AccessContext.of("campaign", "marketing.email");
    static final AccessContext SUPPORT = AccessContext.of("helpdesk", "support");
    static final AccessContext QUIZLAB = AccessContext.of("quiz", "marketing", "quizlab");

    final Database db;
    final String p;
    final MutableClock clock = new MutableClock(Instant.parse("2026-06-01T12:00:00Z"));
    final JdbcConsentStore store;
    final ConsentEngine engine;
    final SchemaMapping mapping;
    final ConsentDataSource guarded;

    Crm(Database db) throws SQLException {
      this.db = db;
      this.store = db.newStore();
      this.p = db.newTablePrefix();
      try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
        s.execute(sql("CREATE TABLE $contact (id INT PRIMARY KEY, country VARCHAR(2), email VARCHAR(100),"
            + " phone VARCHAR(30))"));
        s.execute(sql("CREATE TABLE $friend (user_id INT NOT NULL, friend_id INT NOT NULL)"));
        s.execute(sql("CREATE TABLE $export_list (id INT, email VARCHAR(100))"));
        for (int i = 1; i <= 5; i++) {
          s.execute(sql("INSERT INTO $contact VALUES (" + i + ", '" + (i == 5 ? "DE" : "NL") + "', 'c" + i
              + "@example.org', '+" + (i == 5 ? "49" : "31") + " " + i + "')"));
        }
        for (int[] f : new int[][] {{1, 2}, {1, 3}, {2, 1}, {1, 4}, {5, 1}}) {
          s.execute(sql("INSERT INTO $friend VALUES (" + f[0] + ", " + f[1] + ")"));
        }
      }
      engine = ConsentEngine.builder().catalog(CATALOG).store(store).clock(clock).build();
      engine.grant(Grant.builder(SubjectId.of(1)).purpose("marketing").category("contact").recipient("self")
          .recipient("quizlab"));
      engine.grant(Grant.builder(SubjectId.of(2)).purpose("marketing").category("contact.email"));
      engine.grant(Grant.builder(SubjectId.of(3)).purpose("marketing").category("contact.phone"));
      engine.grant(Grant.builder(SubjectId.of(4)).purpose("marketing").category("contact"));
      clock.advance(Duration.ofMinutes(1));
      engine.withdraw(SubjectId.of(4), Purpose.of("marketing"));
      clock.advance(Duration.ofMinutes(1));
      // as a user writes it: JSON, validated against the catalog and the live tables by wrap()
      mapping = SchemaMapping.fromJson(sql("""
          { "tables": [
            { "table": "$contact", "subject": "id",
              "columns": { "email": "contact.email", "phone": "contact.phone" } },
            { "table": "$friend", "subject": ["user_id", "friend_id"] } ] }
          """));
      guarded = ConsentDataSource.wrap(db.dataSource(), engine, mapping, store);
    }

    /** {@code sql} with {@code $} replaced by this CRM's table prefix. */
    String sql(String sql) {
      return sql.replace("$", p);
    }

    List<List<Object>> statementQuery(Connection c, String sql) throws SQLException {
      try (Statement s = c.createStatement()) {
        return rows(s.executeQuery(sql(sql)));
      }
    }

    List<List<Object>> preparedQuery(Connection c, String sql, Object... params) throws SQLException {
      try (PreparedStatement s = c.prepareStatement(sql(sql))) {
        for (int i = 0; i < params.length; i++) {
          s.setObject(i + 1, params[i]);
        }
        return rows(s.executeQuery());
      }
    }

    /** Straight to the database, around consent4j: to check what was really written. */
    List<List<Object>> rawQuery(String sql) throws SQLException {
      try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
        return rows(s.executeQuery(sql(sql)));
      }
    }

    List<AuditRecord> auditRecords() {
      engine.audit().flush();
      return ((InMemoryAuditSink) engine.audit().sink()).records();
    }

    List<AuditEvent> auditEventsSince(int mark) {
      List<AuditRecord> all = auditRecords();
      return all.subList(mark, all.size()).stream().map(AuditRecord::event).toList();
    }

    @Override
    public void close() {
      engine.close();
    }
  }
}
