package org.consent4j.jdbc.e2e;

import static org.consent4j.jdbc.e2e.GuardedDataSourceEndToEndTest.assertRefused;
import static org.consent4j.jdbc.e2e.GuardedDataSourceEndToEndTest.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Types;
import java.util.List;
import org.consent4j.AuditEvent;
import org.consent4j.Grant;
import org.consent4j.Outcome;
import org.consent4j.SubjectId;
import org.consent4j.core.ProcessingScope;
import org.consent4j.jdbc.ConsentSQLException.ReasonCode;
import org.consent4j.jdbc.TestDatabases.Database;
import org.consent4j.jdbc.e2e.GuardedDataSourceEndToEndTest.Crm;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * No passive collection (GDPR Art. 5(1)(b), 25): an INSERT that stores a mapped personal column
 * needs the subject's consent to that category (or, under another legal basis, the category
 * declared for the purpose); the subject comes from the statement, as a literal or a bound
 * parameter, and a write whose subject cannot be told is refused. The CRM of
 * {@link GuardedDataSourceEndToEndTest}: subject 7 is granted {@code contact.email} for marketing
 * here; 8 and 9 have no grant.
 */
@SuppressWarnings("try") // scopes are opened for their effect on the thread
final class NoPassiveCollectionTest {

  static java.util.stream.Stream<Database> databases() {
    return org.consent4j.jdbc.TestDatabases.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aWriteOfAnEmailForASubjectWithoutConsentIsRefusedAndNothingIsStored(Database db) throws Exception {
    try (Crm crm = new Crm(db)) {
      crm.engine.grant(Grant.builder(SubjectId.of(7)).purpose("marketing").category("contact.email"));
      try (ProcessingScope scope = crm.engine.process(Crm.MARKETING); Connection c = crm.guarded.getConnection();
          Statement s = c.createStatement()) {
        assertRefused(ReasonCode.COLLECTION_NOT_PERMITTED, () -> s.executeUpdate(
            crm.sql("INSERT INTO $contact (id, country, email) VALUES (8, 'NL', 'eight@example.org')")));
        try (PreparedStatement ps = c.prepareStatement(crm.sql(
            "INSERT INTO $contact (country, email, id) VALUES (?, ?, ?)"))) {
          ps.setString(1, "NL");
          ps.setString(2, "eight@example.org");
          ps.setInt(3, 8);
          assertRefused(ReasonCode.COLLECTION_NOT_PERMITTED, ps::executeUpdate);
          // the consented subject and category are stored
          ps.setInt(3, 7);
          ps.setString(2, "seven@example.org");
          assertEquals(1, ps.executeUpdate());
        }
        // a category the subject did not grant: refused
        assertRefused(ReasonCode.COLLECTION_NOT_PERMITTED, () -> s.executeUpdate(
            crm.sql("INSERT INTO $contact (id, phone) VALUES ('7', '+31 7')")));
        // NULL or no personal column stores no personal data, but the row is one marketing could
        // not see (8 and 9 have no grant), so it cannot write it either (issue 12, item 3)
        assertRefused(ReasonCode.COLLECTION_NOT_PERMITTED, () -> s.executeUpdate(
            crm.sql("INSERT INTO $contact (id, country, email) VALUES (8, 'DE', NULL)")));
        assertRefused(ReasonCode.COLLECTION_NOT_PERMITTED, () -> s.executeUpdate(
            crm.sql("INSERT INTO $contact (id, country) VALUES (9, 'DE')")));
      }
      // under a contract purpose every row is visible: rows without personal data are written
      try (ProcessingScope scope = crm.engine.process(Crm.SUPPORT); Connection c = crm.guarded.getConnection();
          Statement s = c.createStatement()) {
        assertEquals(1, s.executeUpdate(crm.sql("INSERT INTO $contact (id, country, email) VALUES (8, 'DE', NULL)")));
        assertEquals(1, s.executeUpdate(crm.sql("INSERT INTO $contact (id, country) VALUES (9, 'DE')")));
      }
      assertEquals(List.of(row(7, "seven@example.org", null), row(8, null, null), row(9, null, null)),
          crm.rawQuery("SELECT id, email, phone FROM $contact WHERE id >= 7 ORDER BY id"));
      List<AuditEvent> refusals = crm.auditRecords().stream().map(r -> r.event())
          .filter(e -> e.reason().equals("COLLECTION_NOT_PERMITTED")).toList();
      assertEquals(5, refusals.size());
      assertTrue(refusals.stream().allMatch(e -> e.outcome() == Outcome.DENY));
    }
  }

  /**
   * A personal column bound to NULL stores nothing (issue 12, item 8): Hibernate's default INSERT
   * binds every column, {@code setNull} for the empty ones, and MyBatis with a {@code jdbcType} does
   * the same; each way of binding NULL passes, in a batch entry by entry, while a value is refused.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aPersonalColumnBoundToNullStoresNothingAndPasses(Database db) throws Exception {
    try (Crm crm = new Crm(db)) {
      for (int id = 7; id <= 14; id++) { // granted the phone, not the e-mail
        crm.engine.grant(Grant.builder(SubjectId.of(id)).purpose("marketing").category("contact.phone"));
      }
      try (ProcessingScope scope = crm.engine.process(Crm.MARKETING); Connection c = crm.guarded.getConnection();
          PreparedStatement ps = c.prepareStatement(crm.sql(
              "INSERT INTO $contact (id, country, email, phone) VALUES (?, ?, ?, ?)"))) {
        ps.setString(2, "NL");
        ps.setString(4, "+31 0");
        ps.setInt(1, 7);
        ps.setNull(3, Types.VARCHAR);
        assertEquals(1, ps.executeUpdate());
        ps.setInt(1, 8);
        ps.setObject(3, null);
        assertEquals(1, ps.executeUpdate());
        ps.setInt(1, 9);
        ps.setString(3, null);
        assertEquals(1, ps.executeUpdate());
        ps.setInt(1, 10);
        ps.setObject(3, null, Types.VARCHAR);
        assertEquals(1, ps.executeUpdate());
        ps.setInt(1, 11);
        ps.setNull(3, Types.VARCHAR, "VARCHAR");
        assertEquals(1, ps.executeUpdate());
        ps.setInt(1, 12);
        ps.setString(3, "twelve@example.org");
        assertRefused(ReasonCode.COLLECTION_NOT_PERMITTED, ps::executeUpdate);
        // a batch: each entry by its own values; one e-mail refuses the whole batch
        ps.setInt(1, 13);
        ps.setNull(3, Types.VARCHAR);
        ps.addBatch();
        ps.setInt(1, 14);
        ps.setString(3, "fourteen@example.org");
        ps.addBatch();
        assertRefused(ReasonCode.COLLECTION_NOT_PERMITTED, ps::executeBatch);
        ps.setInt(1, 13);
        ps.setNull(3, Types.VARCHAR);
        ps.addBatch();
        ps.setInt(1, 14);
        ps.setObject(3, null);
        ps.addBatch();
        assertEquals(2, ps.executeBatch().length);
      }
      assertEquals(List.of(row(7, null), row(8, null), row(9, null), row(10, null), row(11, null), row(13, null),
          row(14, null)), crm.rawQuery("SELECT id, email FROM $contact WHERE id >= 7 ORDER BY id"));
    }
  }

  /**
   * Spring's {@code JdbcTemplate} binds a null argument its own way ({@code setNull} with the type
   * from the parameter metadata, or {@code setObject(i, null)}): the NULL e-mail stores nothing,
   * so a subject granted only the phone may be written.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void jdbcTemplatesNullArgumentStoresNothingAndPasses(Database db) throws Exception {
    try (Crm crm = new Crm(db)) {
      crm.engine.grant(Grant.builder(SubjectId.of(7)).purpose("marketing").category("contact.phone"));
      org.springframework.jdbc.core.JdbcTemplate jdbc = new org.springframework.jdbc.core.JdbcTemplate(crm.guarded);
      try (ProcessingScope scope = crm.engine.process(Crm.MARKETING)) {
        assertEquals(1, jdbc.update(crm.sql("INSERT INTO $contact (id, country, email, phone) VALUES (?, ?, ?, ?)"),
            7, "NL", null, "+31 7"));
      }
      assertEquals(List.of(row(7, null, "+31 7")), crm.rawQuery("SELECT id, email, phone FROM $contact WHERE id = 7"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aBatchWithOneRowWithoutConsentIsRefusedWhole(Database db) throws Exception {
    try (Crm crm = new Crm(db)) {
      crm.engine.grant(Grant.builder(SubjectId.of(7)).purpose("marketing").category("contact.email"));
      try (ProcessingScope scope = crm.engine.process(Crm.MARKETING); Connection c = crm.guarded.getConnection();
          PreparedStatement ps = c.prepareStatement(crm.sql("INSERT INTO $contact (id, email) VALUES (?, ?)"))) {
        ps.setLong(1, 7);
        ps.setString(2, "seven@example.org");
        ps.addBatch();
        ps.setObject(1, 8);
        ps.setString(2, "eight@example.org");
        ps.addBatch();
        assertRefused(ReasonCode.COLLECTION_NOT_PERMITTED, ps::executeBatch);
      }
      assertEquals(List.of(row(0)), crm.rawQuery("SELECT count(*) FROM $contact WHERE id >= 7"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aWriteWhoseSubjectCannotBeToldIsRefused(Database db) throws Exception {
    try (Crm crm = new Crm(db); ProcessingScope scope = crm.engine.process(Crm.MARKETING);
        Connection c = crm.guarded.getConnection(); Statement s = c.createStatement()) {
      for (String sql : List.of("INSERT INTO $contact (id, email) VALUES (3 + 4, 'x@example.org')",
          "INSERT INTO $contact VALUES (7, 'NL', 'x@example.org', NULL)",
          "INSERT INTO $contact (id, email) SELECT id, email FROM $export_list",
          "INSERT INTO $contact (country, email) VALUES ('NL', 'x@example.org')")) {
        assertRefused(ReasonCode.SUBJECT_UNKNOWN, () -> s.executeUpdate(crm.sql(sql)));
      }
      try (PreparedStatement ps = c.prepareStatement(crm.sql("INSERT INTO $contact (id, email) VALUES (?, ?)"))) {
        ps.setNull(1, Types.INTEGER);
        ps.setString(2, "x@example.org");
        assertRefused(ReasonCode.SUBJECT_UNKNOWN, ps::executeUpdate);
        ps.clearParameters();
        ps.setString(2, "x@example.org");
        assertRefused(ReasonCode.SUBJECT_UNKNOWN, ps::executeUpdate); // subject never set
      }
      assertEquals(List.of(row(0)), crm.rawQuery("SELECT count(*) FROM $contact WHERE id >= 7"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void underAnotherLegalBasisOnlyTheDeclaredCategoriesMayBeStored(Database db) throws Exception {
    try (Crm crm = new Crm(db); ProcessingScope scope = crm.engine.process(Crm.SUPPORT);
        Connection c = crm.guarded.getConnection(); Statement s = c.createStatement()) {
      // support (contract) declares contact.email, not contact.phone
      assertEquals(1, s.executeUpdate(crm.sql("INSERT INTO $contact (id, email) VALUES (9, 'nine@example.org')")));
      assertRefused(ReasonCode.COLLECTION_NOT_PERMITTED,
          () -> s.executeUpdate(crm.sql("INSERT INTO $contact (id, phone) VALUES (10, '+31 10')")));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void anUpdateStoresAPersonalColumnOnlyForSubjectsWhoConsentedToItsCategory(Database db) throws Exception {
    try (Crm crm = new Crm(db); ProcessingScope scope = crm.engine.process(Crm.MARKETING);
        Connection c = crm.guarded.getConnection(); Statement s = c.createStatement()) {
      // 2 granted contact.email, 3 only contact.phone, 5 nothing: only 2's row is written
      assertEquals(1, s.executeUpdate(crm.sql("UPDATE $contact SET email = 'changed@example.org'"
          + " WHERE id IN (2, 3, 5)")));
      assertEquals(List.of(row(2, "changed@example.org"), row(3, "c3@example.org"), row(5, "c5@example.org")),
          crm.rawQuery("SELECT id, email FROM $contact WHERE id IN (2, 3, 5) ORDER BY id"));
    }
  }
}
