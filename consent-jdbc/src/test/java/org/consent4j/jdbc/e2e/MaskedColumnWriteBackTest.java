package org.consent4j.jdbc.e2e;

import static org.consent4j.jdbc.e2e.GuardedDataSourceEndToEndTest.row;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Types;
import java.util.List;
import org.consent4j.core.ProcessingScope;
import org.consent4j.jdbc.TestDatabases.Database;
import org.consent4j.jdbc.e2e.GuardedDataSourceEndToEndTest.Crm;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 12, item 7: an ORM's dirty-checking UPDATE writes every column back, including the NULL a
 * masked column read as. Writing NULL into a column whose category the row's subject did not
 * consent to leaves the stored value untouched (the row is still updated, so the update count is
 * 1 and Hibernate sees no optimistic-lock failure); a non-NULL value written into such a column is
 * never stored: the row is left out, as before. The statements have exactly the shape Hibernate 6
 * and 7 emit for a full-column update ({@code update contact set country=?,email=?,phone=? where
 * id=?}). In the CRM of {@link GuardedDataSourceEndToEndTest}, under {@code marketing.email},
 * subject 2 consented to {@code contact.email} only, 3 to {@code contact.phone} only, and 5 to
 * nothing (its row is hidden).
 */
@SuppressWarnings("try") // scopes are opened for their effect on the thread
final class MaskedColumnWriteBackTest {
  static final String HIBERNATE_UPDATE = "update $contact set country=?,email=?,phone=? where id=?";

  static java.util.stream.Stream<Database> databases() {
    return org.consent4j.jdbc.TestDatabases.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void writingBackTheMaskedNullOfAColumnLeavesItsStoredValueAndUpdatesTheRow(Database db) throws Exception {
    try (Crm crm = new Crm(db)) {
      try (ProcessingScope scope = crm.engine.process(Crm.MARKETING); Connection c = crm.guarded.getConnection();
          PreparedStatement ps = c.prepareStatement(crm.sql(HIBERNATE_UPDATE))) {
        // subject 2 as the entity was read: phone masked to NULL
        ps.setString(1, "FR");
        ps.setString(2, "c2@example.org");
        ps.setNull(3, Types.VARCHAR);
        ps.setInt(4, 2);
        assertEquals(1, ps.executeUpdate());
        // subject 3: email masked; the same statement, executed again
        ps.setString(1, "BE");
        ps.setNull(2, Types.VARCHAR);
        ps.setString(3, "+31 333");
        ps.setInt(4, 3);
        assertEquals(1, ps.executeUpdate());
        // a hidden row stays out of reach
        ps.setString(1, "FR");
        ps.setNull(2, Types.VARCHAR);
        ps.setNull(3, Types.VARCHAR);
        ps.setInt(4, 5);
        assertEquals(0, ps.executeUpdate());
      }
      assertEquals(List.of(row(2, "FR", "c2@example.org", "+31 2"), row(3, "BE", "c3@example.org", "+31 333"),
          row(5, "DE", "c5@example.org", "+49 5")),
          crm.rawQuery("SELECT id, country, email, phone FROM $contact WHERE id IN (2, 3, 5) ORDER BY id"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aNonNullValueIntoAColumnWithoutConsentIsNeverStoredAndTheRowIsLeftOut(Database db) throws Exception {
    try (Crm crm = new Crm(db)) {
      try (ProcessingScope scope = crm.engine.process(Crm.MARKETING); Connection c = crm.guarded.getConnection();
          PreparedStatement ps = c.prepareStatement(crm.sql(HIBERNATE_UPDATE))) {
        ps.setString(1, "FR");
        ps.setString(2, "c2@example.org");
        ps.setString(3, "+31 999"); // subject 2 did not consent to contact.phone
        ps.setInt(4, 2);
        assertEquals(0, ps.executeUpdate());
        // a consented column set to NULL is cleared
        ps.setString(1, "FR");
        ps.setNull(2, Types.VARCHAR);
        ps.setNull(3, Types.VARCHAR);
        ps.setInt(4, 2);
        assertEquals(1, ps.executeUpdate());
      }
      assertEquals(List.of(row(2, "FR", null, "+31 2")),
          crm.rawQuery("SELECT id, country, email, phone FROM $contact WHERE id = 2"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aBatchOfWriteBacksJudgesEachEntrysNulls(Database db) throws Exception {
    try (Crm crm = new Crm(db)) {
      try (ProcessingScope scope = crm.engine.process(Crm.MARKETING); Connection c = crm.guarded.getConnection();
          PreparedStatement ps = c.prepareStatement(crm.sql(HIBERNATE_UPDATE))) {
        ps.setString(1, "FR");
        ps.setString(2, "two@example.org");
        ps.setNull(3, Types.VARCHAR);
        ps.setInt(4, 2);
        ps.addBatch();
        ps.setString(1, "BE");
        ps.setString(2, "three@example.org"); // 3 did not consent to contact.email: left out
        ps.setString(3, "+31 333");
        ps.setInt(4, 3);
        ps.addBatch();
        assertArrayEquals(new int[] {1, 0}, ps.executeBatch());
      }
      assertEquals(List.of(row(2, "FR", "two@example.org", "+31 2"), row(3, "NL", "c3@example.org", "+31 3")),
          crm.rawQuery("SELECT id, country, email, phone FROM $contact WHERE id IN (2, 3) ORDER BY id"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aLiteralNullIntoAColumnWithoutConsentLeavesItAndUpdatesTheRow(Database db) throws Exception {
    try (Crm crm = new Crm(db)) {
      try (ProcessingScope scope = crm.engine.process(Crm.MARKETING); Connection c = crm.guarded.getConnection();
          Statement s = c.createStatement()) {
        assertEquals(1, s.executeUpdate(crm.sql("UPDATE $contact SET country = 'BE', phone = NULL WHERE id = 2")));
        assertEquals(0, s.executeUpdate(crm.sql("UPDATE $contact SET country = 'BE', phone = '+1' WHERE id = 2")));
      }
      assertEquals(List.of(row(2, "BE", "c2@example.org", "+31 2")),
          crm.rawQuery("SELECT id, country, email, phone FROM $contact WHERE id = 2"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void underAContractPurposeAnUndeclaredColumnWrittenBackAsNullIsLeftUntouched(Database db) throws Exception {
    // support (contract) declares contact.email, not contact.phone: phone reads as NULL for everyone
    try (Crm crm = new Crm(db)) {
      try (ProcessingScope scope = crm.engine.process(Crm.SUPPORT); Connection c = crm.guarded.getConnection();
          PreparedStatement ps = c.prepareStatement(crm.sql(HIBERNATE_UPDATE))) {
        ps.setString(1, "FR");
        ps.setString(2, "five@example.org");
        ps.setNull(3, Types.VARCHAR);
        ps.setInt(4, 5);
        assertEquals(1, ps.executeUpdate());
        ps.setString(3, "+49 555");
        assertEquals(0, ps.executeUpdate());
      }
      assertEquals(List.of(row(5, "FR", "five@example.org", "+49 5")),
          crm.rawQuery("SELECT id, country, email, phone FROM $contact WHERE id = 5"));
    }
  }
}
