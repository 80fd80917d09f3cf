package org.consent4j.jdbc.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import org.consent4j.jdbc.MappingException;
import org.consent4j.jdbc.SchemaMapping;
import org.consent4j.jdbc.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Validation against live metadata, on H2 always and on PostgreSQL and MariaDB when their URLs are
 * set (see {@link TestDatabases}). Tables are created under the test's unique prefix and dropped
 * afterwards.
 */
final class SchemaMappingDatabaseValidationTest {

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void correctMappingIsAcceptedWhateverCaseTheDatabaseStores(TestDatabases.Database db) throws SQLException {
    String p = db.tablePrefix();
    try (Connection c = db.dataSource().getConnection()) {
      execute(c, "CREATE TABLE " + p + "Contact (Id INT, EMAIL VARCHAR(100), Phone VARCHAR(20), Country CHAR(2))");
      execute(c, "CREATE TABLE " + p.toUpperCase(Locale.ROOT) + "FRIEND (user_id INT, Friend_Id INT)");
      String current = c.getSchema() != null ? c.getSchema() : c.getCatalog();
      SchemaMapping m = SchemaMapping.builder()
          .table(p + "contact", t -> t.subject("ID").column("email", "contact.email").column("PHONE", "contact.phone"))
          .table(current, p + "friend", t -> t.subject("USER_ID", "friend_id").rowCategory("social.friendship"))
          .build();
      assertSame(m, m.validate(c));
      assertSame(m, m.validate(c.getMetaData()));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void quotedMixedCaseTablesAndColumnsMatchCaseInsensitively(TestDatabases.Database db) throws SQLException {
    String table = db.tablePrefix() + "Mixed";
    try (Connection c = db.dataSource().getConnection()) {
      String q = c.getMetaData().getIdentifierQuoteString().strip();
      execute(c, "CREATE TABLE " + q + table + q + " (" + q + "Id" + q + " INT, " + q + "E_Mail" + q + " VARCHAR(100))");
      try {
        SchemaMapping m = SchemaMapping.builder()
            .table(table, t -> t.subject("id").column("e_mail", "contact.email")).build();
        assertSame(m, m.validate(c));
      } finally {
        execute(c, "DROP TABLE " + q + table + q);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void everyMissingTableAndColumnIsListedWithAHint(TestDatabases.Database db) throws SQLException {
    String p = db.tablePrefix();
    try (Connection c = db.dataSource().getConnection()) {
      execute(c, "CREATE TABLE " + p + "contact (id INT, email VARCHAR(100))");
      String current = c.getSchema() != null ? c.getSchema() : c.getCatalog();
      SchemaMapping m = SchemaMapping.builder()
          .table(p + "contact", t -> t.subject("idd").column("email", "contact.email").column("emial", "contact.email"))
          .table(p + "absent", t -> t.subject("id"))
          .table("nowhere", p + "contact", t -> t.subject("id"))
          .build();
      MappingException e = assertThrows(MappingException.class, () -> m.validate(c));
      List<String> problems = e.problems();
      assertEquals(4, problems.size(), e.getMessage());
      assertEquals("table '" + p + "absent' not found in the connection's current schema '" + current
          + "': create the table, or fix or remove its mapping (names are compared case-insensitively)", problems.get(0));
      assertTrue(problems.get(1).matches("table '" + p + "contact'.*: subject column 'idd' not found; the table has"
          + " columns (?i:id, email): fix the column name in the mapping \\(names are compared case-insensitively\\)"),
          problems.get(1));
      assertTrue(problems.get(2).matches("table '" + p + "contact'.*: column 'emial' \\(contact.email\\) not found;"
          + " the table has columns (?i:id, email): .*"), problems.get(2));
      assertEquals("table 'nowhere." + p + "contact' not found in schema 'nowhere', though schema(s) " + current
          + " have a table of that name: set \"schema\" in the mapping to the right one", problems.get(3));
      assertTrue(e.getMessage().startsWith("schema mapping has 4 problems:\n  - table '" + p + "absent'"));
    }
  }

  @Test
  void mappingWithoutSchemaMustFindItsTableInTheCurrentSchema() throws SQLException {
    try (TestDatabases.Database db = TestDatabases.h2(); Connection c = db.dataSource().getConnection()) {
      execute(c, "CREATE SCHEMA other");
      execute(c, "CREATE TABLE other.only_there (id INT)");
      SchemaMapping unqualified = SchemaMapping.builder().table("only_there", t -> t.subject("id")).build();
      MappingException e = assertThrows(MappingException.class, () -> unqualified.validate(c));
      assertEquals(List.of("table 'only_there' not found in the connection's current schema 'PUBLIC', though"
          + " schema(s) OTHER have a table of that name: set \"schema\" in the mapping to the right one, or connect"
          + " with that schema as the default"), e.problems());
      SchemaMapping qualified = SchemaMapping.builder().table("other", "only_there", t -> t.subject("id")).build();
      assertSame(qualified, qualified.validate(c));
      c.setSchema("OTHER");
      assertSame(unqualified, unqualified.validate(c));
      c.setSchema("PUBLIC");
    }
  }

  @Test
  void emptyMappingIsValidAgainstAnyDatabase() throws SQLException {
    try (TestDatabases.Database db = TestDatabases.h2(); Connection c = db.dataSource().getConnection()) {
      assertSame(SchemaMapping.empty(), SchemaMapping.empty().validate(c));
    }
  }

  private static void execute(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
