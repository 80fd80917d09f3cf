package org.consent4j.jdbc.e2e;

import static org.consent4j.jdbc.e2e.GuardedDataSourceEndToEndTest.assertRefused;
import static org.consent4j.jdbc.e2e.GuardedDataSourceEndToEndTest.row;
import static org.consent4j.jdbc.e2e.GuardedDataSourceEndToEndTest.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.consent4j.core.ProcessingScope;
import org.consent4j.jdbc.ConsentSQLException.ReasonCode;
import org.consent4j.jdbc.TestDatabases;
import org.consent4j.jdbc.TestDatabases.Database;
import org.consent4j.jdbc.e2e.GuardedDataSourceEndToEndTest.Crm;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SQL as generators write it — blank lines between clauses (MyBatis' XML, string templates), a
 * line holding only {@code /} or {@code GO}, a quoted name with a line break — runs on a guarded
 * connection, filtered, with the meaning it has for the database: a blank line inside a string
 * literal is data and stays. What is really unparsable is still refused. The CRM of {@link
 * GuardedDataSourceEndToEndTest}: under marketing, contacts 1, 2 and 3 are visible, 5 is hidden.
 */
@SuppressWarnings("try") // scopes are opened for their effect on the thread
final class LineBreaksInSqlTest {

  static java.util.stream.Stream<Database> databases() {
    return TestDatabases.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void blankLinesBetweenClausesDoNotEndTheStatement(Database db) throws Exception {
    try (Crm crm = new Crm(db); ProcessingScope scope = crm.engine.process(Crm.MARKETING);
        Connection c = crm.guarded.getConnection()) {
      String sql = crm.sql("SELECT id, email\n\n\nFROM $contact -- the contacts\n\n\n\nWHERE id IN (?, ?, ?)\n\n\n"
          + "AND id\n/\n1 = id\n\n\nORDER BY\n\n\n\nid");
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setInt(1, 1);
        ps.setInt(2, 2);
        ps.setInt(3, 5);
        assertEquals(List.of(row(1, "c1@example.org"), row(2, "c2@example.org")), rows(ps.executeQuery()));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aBlankLineInsideAStringLiteralIsDataAndStays(Database db) throws Exception {
    try (Crm crm = new Crm(db); ProcessingScope scope = crm.engine.process(Crm.MARKETING);
        Connection c = crm.guarded.getConnection(); Statement s = c.createStatement()) {
      String literal = "first\n\n\nlast\n/\nGO\n";
      List<List<Object>> rows = rows(s.executeQuery(crm.sql("SELECT id, '" + literal + "' AS note\n\n\nFROM $contact"
          + "\n\n\nWHERE id = 2 AND email <> '" + literal + "'")));
      assertEquals(List.of(row(2, literal)), rows);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aQuotedNameWithALineBreakKeepsItsName(Database db) throws Exception {
    // PostgreSQL and H2 read "..." as a name; MariaDB as a string, which it takes as an alias too
    try (Crm crm = new Crm(db); ProcessingScope scope = crm.engine.process(Crm.MARKETING);
        Connection c = crm.guarded.getConnection(); Statement s = c.createStatement()) {
      String alias = db.name().equals("MariaDB") ? "`mail\nbox`" : "\"mail\nbox\"";
      try (ResultSet r = s.executeQuery(crm.sql("SELECT x.email AS " + alias + "\nFROM $contact x\n\n\nWHERE x.id IN"
          + " (2, 3, 5) ORDER BY x.id"))) {
        assertEquals("mail\nbox", r.getMetaData().getColumnLabel(1));
        assertEquals(List.of(row("c2@example.org"), row((Object) null)), rows(r));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void whatIsReallyUnparsableIsStillRefused(Database db) throws Exception {
    try (Crm crm = new Crm(db); ProcessingScope scope = crm.engine.process(Crm.MARKETING);
        Connection c = crm.guarded.getConnection(); Statement s = c.createStatement()) {
      for (String sql : List.of("SELECT id\n\n\nFROM $contact WHERE (", "SELECT id FROM $contact\n\n\nSELECT 1",
          "SELECT id FROM $contact WHERE email = 'unterminated\n\n\n")) {
        assertRefused(ReasonCode.UNANALYSABLE_SQL, () -> s.executeQuery(crm.sql(sql)));
      }
    }
  }
}
