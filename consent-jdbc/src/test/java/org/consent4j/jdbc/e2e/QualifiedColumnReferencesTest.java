package org.consent4j.jdbc.e2e;

import static org.consent4j.jdbc.e2e.GuardedDataSourceEndToEndTest.row;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Stream;
import org.consent4j.core.ProcessingScope;
import org.consent4j.jdbc.TestDatabases;
import org.consent4j.jdbc.TestDatabases.Database;
import org.consent4j.jdbc.e2e.GuardedDataSourceEndToEndTest.Crm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Column references qualified with the table's schema, and catalog, as jOOQ renders them by
 * default ({@code "public"."contact"."id"}; on MariaDB the schema is the database, {@code
 * `test`.`contact`.id}; on H2 also {@code DB.PUBLIC.CONTACT.ID}), resolve after the table is
 * replaced by its filtered view, wherever they stand. The CRM is {@link
 * GuardedDataSourceEndToEndTest}'s: under marketing, contacts 1, 2 and 3 are visible, only 1 and 2
 * show their email, and the visible friendships are 1-2, 1-3 and 2-1.
 */
@SuppressWarnings("try")
final class QualifiedColumnReferencesTest {

  static Stream<Database> databases() {
    return TestDatabases.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void schemaQualifiedColumnsResolveInEveryClause(Database db) throws Exception {
    try (Crm crm = new Crm(db); Connection c = crm.guarded.getConnection();
        ProcessingScope scope = crm.engine.process(Crm.MARKETING)) {
      String schema = quote(db, schemaOf(crm));
      String ct = schema + "." + quote(db, crm.sql("$contact"));
      String fr = schema + "." + quote(db, crm.sql("$friend"));
      assertEquals(List.of(row(1, "c1@example.org"), row(2, "c2@example.org"), row(3, null)),
          crm.statementQuery(c, "SELECT " + ct + ".id, " + ct + ".email FROM " + ct + " WHERE " + ct
              + ".country = 'NL' ORDER BY " + ct + ".id"));
      assertEquals(List.of(row(1, "c1@example.org")), crm.preparedQuery(c, "SELECT " + ct + ".id, " + ct
          + ".email FROM " + ct + " WHERE " + ct + ".id = ?", 1));
      assertEquals(List.of(row(1, 2), row(1, 3), row(2, 1)), crm.statementQuery(c, "SELECT " + ct + ".id, " + fr
          + ".friend_id FROM " + ct + " JOIN " + fr + " ON " + ct + ".id = " + fr + ".user_id ORDER BY " + ct
          + ".id, " + fr + ".friend_id"));
      assertEquals(List.of(row(2), row(3)), crm.statementQuery(c, "SELECT " + ct + ".id FROM " + ct + " WHERE "
          + ct + ".id IN (SELECT " + fr + ".friend_id FROM " + fr + " WHERE " + fr + ".user_id = 1) ORDER BY "
          + ct + ".id"));
      assertEquals(List.of(row(2, "NL", "c2@example.org", null)),
          crm.statementQuery(c, "SELECT " + ct + ".* FROM " + ct + " WHERE " + ct + ".id = 2"));
      // a condition consent4j guards (a function call, like jOOQ's cast of a bound value) keeps its
      // qualifiers resolving
      assertEquals(List.of(row(1, "c1@example.org"), row(2, "c2@example.org"), row(3, null)),
          crm.preparedQuery(c, "SELECT " + ct + ".id, " + ct + ".email FROM " + ct + " WHERE LOWER(" + ct
              + ".country) = ? ORDER BY " + ct + ".id", "nl"));
      // a correlated subquery naming the outer table by its qualified name
      assertEquals(List.of(row(1, 2), row(2, 1)), crm.statementQuery(c, "SELECT " + ct + ".id, (SELECT count(*)"
          + " FROM " + fr + " WHERE " + fr + ".user_id = " + ct + ".id) FROM " + ct + " WHERE " + ct + ".id < 3"
          + " ORDER BY " + ct + ".id"));
      // writes: only visible rows are reached
      assertEquals(1, update(c, crm.sql("UPDATE " + ct + " SET country = 'BE' WHERE " + ct + ".id = 1")));
      assertEquals(0, update(c, crm.sql("UPDATE " + ct + " SET country = 'BE' WHERE " + ct + ".id = 5")));
      assertEquals(0, update(c, crm.sql("DELETE FROM " + ct + " WHERE " + ct + ".id = 5")));
      assertEquals(0, update(c, crm.sql("DELETE FROM " + ct + " WHERE " + ct + ".id IN (SELECT " + fr
          + ".friend_id FROM " + fr + " WHERE " + fr + ".user_id = 5)")));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void writesThroughQualifiedNamesLeaveHiddenRowsAlone(Database db) throws Exception {
    try (Crm crm = new Crm(db)) {
      String ct = quote(db, schemaOf(crm)) + "." + quote(db, crm.sql("$contact"));
      try (Connection c = crm.guarded.getConnection(); ProcessingScope scope = crm.engine.process(Crm.MARKETING)) {
        assertEquals(3, update(c, crm.sql("UPDATE " + ct + " SET country = 'BE' WHERE " + ct + ".country = 'NL'")));
        assertEquals(0, update(c, crm.sql("DELETE FROM " + ct + " WHERE " + ct + ".id >= 4")));
      }
      assertEquals(List.of(row(1, "BE"), row(2, "BE"), row(3, "BE"), row(4, "NL"), row(5, "DE")),
          crm.rawQuery("SELECT id, country FROM $contact ORDER BY id"));
    }
  }

  /** H2 accepts a four-part name, the catalog first. */
  @Test
  void h2CatalogQualifiedColumnsResolve() throws Exception {
    try (Database db = TestDatabases.h2(); Crm crm = new Crm(db); Connection c = crm.guarded.getConnection();
        ProcessingScope scope = crm.engine.process(Crm.MARKETING)) {
      String ct = c.getCatalog() + ".PUBLIC." + crm.sql("$contact");
      assertEquals(List.of(row(1), row(2), row(3)),
          crm.statementQuery(c, "SELECT " + ct + ".ID FROM " + ct + " ORDER BY " + ct + ".ID"));
    }
  }

  private static String schemaOf(Crm crm) throws SQLException {
    try (Connection c = crm.db.dataSource().getConnection(); Statement s = c.createStatement()) {
      if (crm.db.name().equals("MariaDB")) {
        try (java.sql.ResultSet r = s.executeQuery("SELECT DATABASE()")) {
          r.next();
          return r.getString(1);
        }
      }
      return c.getSchema();
    }
  }

  /** As jOOQ renders names: quoted, in the case the database stores them. */
  private static String quote(Database db, String name) {
    return switch (db.name()) {
      case "MariaDB" -> "`" + name + "`";
      case "H2" -> "\"" + name.toUpperCase(java.util.Locale.ROOT) + "\"";
      default -> "\"" + name + "\"";
    };
  }

  private static int update(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      return s.executeUpdate(sql);
    }
  }
}
