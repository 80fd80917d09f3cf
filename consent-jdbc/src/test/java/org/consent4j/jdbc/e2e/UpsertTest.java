package org.consent4j.jdbc.e2e;

import static org.consent4j.jdbc.e2e.GuardedDataSourceEndToEndTest.assertRefused;
import static org.consent4j.jdbc.e2e.GuardedDataSourceEndToEndTest.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Stream;
import org.consent4j.Grant;
import org.consent4j.SubjectId;
import org.consent4j.core.ProcessingScope;
import org.consent4j.jdbc.ConsentSQLException;
import org.consent4j.jdbc.ConsentSQLException.ReasonCode;
import org.consent4j.jdbc.TestDatabases;
import org.consent4j.jdbc.TestDatabases.Database;
import org.consent4j.jdbc.e2e.GuardedDataSourceEndToEndTest.Crm;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 12, item 10: upserts into mapped tables run with the INSERT check for every row (its
 * subject known and permitted, whatever it stores, plus the plain INSERT's check of what it
 * stores) and an update branch restricted like an UPDATE, when they can conflict only on a key
 * holding the subject column; so a hidden row is never changed, and an upsert with a hidden
 * subject's id is refused exactly as one with an id nobody uses. The CRM of {@link
 * GuardedDataSourceEndToEndTest}: under {@code marketing.email} subject 1 consented to {@code
 * contact}, 2 to {@code contact.email}, 3 to {@code contact.phone}; 5 to nothing (hidden); 6 does
 * not exist.
 *
 * <p>{@code ON CONFLICT} runs on PostgreSQL and {@code ON DUPLICATE KEY UPDATE} on MariaDB only:
 * H2 has neither outside its compatibility modes, and its upsert, {@code MERGE}, is refused on all
 * three databases ({@link #mergeIsRefusedWithItsReason}).
 */
@SuppressWarnings("try") // scopes are opened for their effect on the thread
final class UpsertTest {
  static Stream<Database> postgres() {
    return Stream.of(TestDatabases.postgres());
  }

  static Stream<Database> mariadb() {
    return Stream.of(TestDatabases.mariadb());
  }

  static Stream<Database> databases() {
    return TestDatabases.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("postgres")
  void onConflictDoUpdateUpdatesAVisibleRowWithinItsConsent(Database db) throws Exception {
    try (Crm crm = new Crm(db)) {
      try (ProcessingScope scope = crm.engine.process(Crm.MARKETING); Connection c = crm.guarded.getConnection()) {
        try (PreparedStatement ps = c.prepareStatement(crm.sql("INSERT INTO $contact (id, country, email)"
            + " VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET country = EXCLUDED.country, email = EXCLUDED.email"))) {
          ps.setInt(1, 2);
          ps.setString(2, "FR");
          ps.setString(3, "two@example.org");
          assertEquals(1, ps.executeUpdate());
        }
        try (Statement s = c.createStatement()) {
          // subject 2 did not consent to contact.phone: the update branch leaves the row alone
          assertEquals(0, s.executeUpdate(crm.sql("INSERT INTO $contact (id, country) VALUES (2, 'BE')"
              + " ON CONFLICT (id) DO UPDATE SET country = EXCLUDED.country, phone = '+32 2'")));
          // ... and a condition of the user's runs only on a row the context may see
          assertEquals(1, s.executeUpdate(crm.sql("INSERT INTO $contact AS x (id, country) VALUES (3, 'BE')"
              + " ON CONFLICT (id) DO UPDATE SET country = EXCLUDED.country WHERE x.country = 'NL'")));
          // DO NOTHING on a visible row
          assertEquals(0, s.executeUpdate(crm.sql("INSERT INTO $contact (id, country) VALUES (1, 'BE')"
              + " ON CONFLICT DO NOTHING")));
        }
      }
      assertEquals(List.of(row(1, "NL", "c1@example.org", "+31 1"), row(2, "FR", "two@example.org", "+31 2"),
          row(3, "BE", "c3@example.org", "+31 3")),
          crm.rawQuery("SELECT id, country, email, phone FROM $contact WHERE id IN (1, 2, 3) ORDER BY id"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("postgres")
  void onConflictWithTheIdOfAHiddenRowIsRefusedAsWithAnUnusedId(Database db) throws Exception {
    try (Crm crm = new Crm(db)) {
      try (ProcessingScope scope = crm.engine.process(Crm.MARKETING); Connection c = crm.guarded.getConnection();
          Statement s = c.createStatement()) {
        for (int id : new int[] {5, 6}) {
          for (String action : List.of("DO NOTHING", "DO UPDATE SET country = EXCLUDED.country")) {
            ConsentSQLException e = assertThrows(ConsentSQLException.class, () -> s.executeUpdate(crm.sql(
                "INSERT INTO $contact (id, country) VALUES (" + id + ", 'FR') ON CONFLICT (id) " + action)));
            assertEquals(ReasonCode.COLLECTION_NOT_PERMITTED, e.reasonCode(), e.getMessage());
          }
        }
      }
      assertEquals(List.of(row(5, "DE")), crm.rawQuery("SELECT id, country FROM $contact WHERE id >= 5"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("postgres")
  void onConflictOnAKeyWithoutTheSubjectIsRefused(Database db) throws Exception {
    try (Crm crm = new Crm(db)) {
      try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
        s.execute(crm.sql("CREATE UNIQUE INDEX $contact_email ON $contact (email)"));
      }
      crm.guarded.refreshSchema();
      try (ProcessingScope scope = crm.engine.process(Crm.SUPPORT); Connection c = crm.guarded.getConnection();
          Statement s = c.createStatement()) {
        for (String sql : List.of(
            "INSERT INTO $contact (id, email) VALUES (9, 'c5@example.org') ON CONFLICT (email) DO NOTHING",
            "INSERT INTO $contact (id, email) VALUES (9, 'c5@example.org') ON CONFLICT DO NOTHING",
            "INSERT INTO $contact (id, email) VALUES (9, 'c5@example.org') ON CONFLICT (email)"
                + " DO UPDATE SET country = 'FR'",
            "INSERT INTO $contact (id, email) VALUES (9, 'x@example.org') ON CONFLICT (id) DO UPDATE SET id = 10",
            "INSERT INTO $contact (id, email) VALUES (1, 'x@example.org') ON CONFLICT (id) DO UPDATE"
                + " SET country = 'FR' RETURNING *")) {
          assertRefused(ReasonCode.BYPASS_REFUSED, () -> s.executeUpdate(crm.sql(sql)));
        }
        assertRefused(ReasonCode.SUBJECT_UNKNOWN, () -> s.executeUpdate(crm.sql(
            "INSERT INTO $contact (id, country) SELECT id, 'FR' FROM $export_list ON CONFLICT (id) DO NOTHING")));
        // the subject's own key: allowed, under a contract purpose for any subject
        assertEquals(0, s.executeUpdate(crm.sql(
            "INSERT INTO $contact (id, country) VALUES (5, 'FR') ON CONFLICT (id) DO NOTHING")));
        assertEquals(1, s.executeUpdate(crm.sql(
            "INSERT INTO $contact (id, country) VALUES (5, 'FR') ON CONFLICT (id) DO UPDATE SET country = 'FR'")));
      }
      assertEquals(List.of(row(1, "NL"), row(5, "FR")),
          crm.rawQuery("SELECT id, country FROM $contact WHERE id IN (1, 5, 9, 10) ORDER BY id"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mariadb")
  void onDuplicateKeyUpdateUpdatesAVisibleRowWithinItsConsent(Database db) throws Exception {
    try (Crm crm = new Crm(db)) {
      crm.engine.grant(Grant.builder(SubjectId.of(7)).purpose("marketing").category("contact.email"));
      try (ProcessingScope scope = crm.engine.process(Crm.MARKETING); Connection c = crm.guarded.getConnection()) {
        try (PreparedStatement ps = c.prepareStatement(crm.sql("INSERT INTO $contact (id, country, email)"
            + " VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE country = VALUES(country), email = VALUES(email)"))) {
          ps.setInt(1, 2);
          ps.setString(2, "FR");
          ps.setString(3, "two@example.org");
          assertTrue(ps.executeUpdate() > 0);
          ps.setInt(1, 7); // a new row, of a consenting subject
          ps.setString(2, "NL");
          ps.setString(3, "seven@example.org");
          assertEquals(1, ps.executeUpdate());
        }
        try (Statement s = c.createStatement()) {
          // subject 2 did not consent to contact.phone: every assignment keeps the stored value
          s.executeUpdate(crm.sql("INSERT INTO $contact (id, country) VALUES (2, 'BE')"
              + " ON DUPLICATE KEY UPDATE country = VALUES(country), phone = '+32 2'"));
          // the existing row's masked email is not read into another column
          s.executeUpdate(crm.sql("INSERT INTO $contact (id, country) VALUES (3, 'BE')"
              + " ON DUPLICATE KEY UPDATE phone = email"));
        }
      }
      assertEquals(List.of(row(2, "FR", "two@example.org", "+31 2"), row(3, "NL", "c3@example.org", "+31 3"),
          row(7, "NL", "seven@example.org", null)),
          crm.rawQuery("SELECT id, country, email, phone FROM $contact WHERE id IN (2, 3, 7) ORDER BY id"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mariadb")
  void onDuplicateKeyUpdateWithAHiddenIdOrAKeyWithoutTheSubjectIsRefused(Database db) throws Exception {
    try (Crm crm = new Crm(db)) {
      try (ProcessingScope scope = crm.engine.process(Crm.MARKETING); Connection c = crm.guarded.getConnection();
          Statement s = c.createStatement()) {
        for (int id : new int[] {5, 6}) {
          assertRefused(ReasonCode.COLLECTION_NOT_PERMITTED, () -> s.executeUpdate(crm.sql(
              "INSERT INTO $contact (id, country) VALUES (" + id + ", 'FR') ON DUPLICATE KEY UPDATE country = 'FR'")));
          // INSERT IGNORE skips a conflicting row silently: its count would tell whether the id is in use
          assertRefused(ReasonCode.COLLECTION_NOT_PERMITTED, () -> s.executeUpdate(crm.sql(
              "INSERT IGNORE INTO $contact (id, country) VALUES (" + id + ", 'FR')")));
        }
      }
      try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
        s.execute(crm.sql("CREATE UNIQUE INDEX $contact_email ON $contact (email)"));
      }
      crm.guarded.refreshSchema();
      try (ProcessingScope scope = crm.engine.process(Crm.SUPPORT); Connection c = crm.guarded.getConnection();
          Statement s = c.createStatement()) {
        // the unique e-mail key could match another subject's row
        assertRefused(ReasonCode.BYPASS_REFUSED, () -> s.executeUpdate(crm.sql("INSERT INTO $contact (id, email)"
            + " VALUES (9, 'c5@example.org') ON DUPLICATE KEY UPDATE country = 'FR'")));
        assertRefused(ReasonCode.BYPASS_REFUSED, () -> s.executeUpdate(crm.sql("INSERT IGNORE INTO $contact"
            + " (id, email) VALUES (9, 'c5@example.org')")));
      }
      assertEquals(List.of(row(5, "DE")), crm.rawQuery("SELECT id, country FROM $contact WHERE id >= 5"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void mergeIsRefusedWithItsReason(Database db) throws Exception {
    try (Crm crm = new Crm(db); ProcessingScope scope = crm.engine.process(Crm.SUPPORT);
        Connection c = crm.guarded.getConnection(); Statement s = c.createStatement()) {
      ConsentSQLException e = assertThrows(ConsentSQLException.class, () -> s.executeUpdate(crm.sql(
          "MERGE INTO $contact t USING $export_list x ON (t.id = x.id) WHEN MATCHED THEN UPDATE SET email = x.email"
              + " WHEN NOT MATCHED THEN INSERT (id, email) VALUES (x.id, x.email)")));
      assertEquals(ReasonCode.BYPASS_REFUSED, e.reasonCode(), e.getMessage());
      assertTrue(e.getMessage().contains("MERGE on the mapped table"), e.getMessage());
    }
  }
}
