package org.consent4j.jdbc.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.consent4j.AccessContext;
import org.consent4j.AuditEvent;
import org.consent4j.AuditRecord;
import org.consent4j.Catalog;
import org.consent4j.DataCategory;
import org.consent4j.Grant;
import org.consent4j.LedgerEntry;
import org.consent4j.LegalBasis;
import org.consent4j.Reason;
import org.consent4j.SubjectId;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.ProcessingScope;
import org.consent4j.core.audit.InMemoryAuditSink;
import org.consent4j.jdbc.JdbcConsentStore;
import org.consent4j.jdbc.SchemaMapping;
import org.consent4j.jdbc.TestDatabases.Database;
import org.consent4j.jdbc.wrapper.ConsentDataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * GDPR Art. 9 and 44–49 through the guarded DataSource and the JDBC consent store: the quiz app
 * abroad asking for friends' psychological profiles, explicit consent persisted by the store, and
 * a store created before explicit consent existed upgraded in place. H2 always; PostgreSQL and
 * MariaDB when their URLs are set.
 *
 * <pre>
 * person  grant (purpose quiz; categories contact, profile)
 *   1     quizlab-us + quizlab-eu, explicit, explicit transfer   (the user)
 *   2     quizlab-us + quizlab-eu, neither
 *   3     quizlab-eu, explicit
 *   4     quizlab-us + quizlab-eu, explicit transfer only
 * friend  (1,2) (1,3) (1,4)
 * </pre>
 */
@SuppressWarnings("try") // scopes are opened for their effect on the thread
final class SpecialCategoriesAndTransfersJdbcTest {
  static final Catalog CATALOG = Catalog.builder()
      .purpose("quiz", LegalBasis.CONSENT)
      .categories("contact.email").specialCategory("profile.psychographic")
      .recipient("quizlab-us", "US").recipient("quizlab-eu", "IE")
      .build();
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-06-01T12:00:00Z"), ZoneOffset.UTC);
  static final String FRIENDS_PROFILES = "SELECT p.id, p.email, p.psych FROM $friend f JOIN $person p"
      + " ON p.id = f.friend_id WHERE f.user_id = 1 ORDER BY p.id";

  static java.util.stream.Stream<Database> databases() {
    return org.consent4j.jdbc.TestDatabases.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void quizAppAbroadSeesOnlyFriendsWhoExplicitlyConsentedToTheTransferAndTheProfileOnlyWhenExplicit(Database db)
      throws Exception {
    String p = db.newTablePrefix();
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE " + p + "person (id INT PRIMARY KEY, email VARCHAR(100), psych VARCHAR(100))");
      s.execute("CREATE TABLE " + p + "friend (user_id INT NOT NULL, friend_id INT NOT NULL)");
      for (int i = 1; i <= 4; i++) {
        s.execute("INSERT INTO " + p + "person VALUES (" + i + ", 'p" + i + "@example.org', 'openness 0." + i + "')");
      }
      for (int f = 2; f <= 4; f++) {
        s.execute("INSERT INTO " + p + "friend VALUES (1, " + f + ")");
      }
    }
    JdbcConsentStore store = db.newStore();
    try (ConsentEngine engine = ConsentEngine.builder().catalog(CATALOG).store(store).clock(CLOCK).build()) {
      grant(engine, 1, true, true, "quizlab-us", "quizlab-eu");
      grant(engine, 2, false, false, "quizlab-us", "quizlab-eu");
      grant(engine, 3, true, false, "quizlab-eu");
      grant(engine, 4, false, true, "quizlab-us", "quizlab-eu");
      SchemaMapping mapping = SchemaMapping.fromJson("""
          { "tables": [
            { "table": "$person", "subject": "id",
              "columns": { "email": "contact.email", "psych": "profile.psychographic" } },
            { "table": "$friend", "subject": ["user_id", "friend_id"] } ] }
          """.replace("$", p));
      ConsentDataSource guarded = ConsentDataSource.wrap(db.dataSource(), engine, mapping, store);

      AccessContext us = AccessContext.of("quiz-app", "quiz", "quizlab-us");
      AccessContext eu = AccessContext.of("quiz-app", "quiz", "quizlab-eu");
      // abroad without safeguards: friend 2 (no transfer consent) and 3 (not named) vanish;
      // friend 4 consented to the transfer but not explicitly to the profile: masked
      assertEquals(List.of(List.of(4, "p4@example.org", "null")), query(guarded, engine, us, FRIENDS_PROFILES, p));
      // in the EEA: every friend who named quizlab-eu; the profile only where the consent was explicit
      assertEquals(List.of(List.of(2, "p2@example.org", "null"), List.of(3, "p3@example.org", "openness 0.3"),
          List.of(4, "p4@example.org", "null")), query(guarded, engine, eu, FRIENDS_PROFILES, p));

      // the engine answers the same, and names both reasons for friend 2 abroad
      var d = engine.checkAll(List.of(SubjectId.of(2), SubjectId.of(4)), us,
          Set.of(DataCategory.of("profile.psychographic")), "check");
      assertEquals(Reason.TRANSFER_NOT_SAFEGUARDED, d.get(SubjectId.of(2)).subjectReason());
      assertEquals(Reason.EXPLICIT_CONSENT_REQUIRED, d.get(SubjectId.of(2)).reason(DataCategory.of("profile.psychographic")));
      assertEquals(Reason.EXPLICIT_CONSENT_REQUIRED, d.get(SubjectId.of(4)).reason(DataCategory.of("profile.psychographic")));

      // the SQL audit event names the rules the statement was rewritten under
      engine.audit().flush();
      AuditEvent executed = ((InMemoryAuditSink) engine.audit().sink()).records().stream().map(AuditRecord::event)
          .filter(e -> e.operation().startsWith("sql") && e.recipient().id().equals("quizlab-us")).findFirst()
          .orElseThrow();
      assertEquals("explicit-consent-required", executed.details().get("transfer"));
      assertEquals("profile.psychographic", executed.details().get("special-categories"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void theStoreKeepsWhatAGrantWasExplicitAbout(Database db) {
    JdbcConsentStore store = db.newStore();
    try (ConsentEngine engine = ConsentEngine.builder().catalog(CATALOG).store(store).clock(CLOCK).build()) {
      Grant both = grant(engine, 1, true, true, "quizlab-us");
      Grant neither = grant(engine, 2, false, false, "quizlab-us");
      Grant transferOnly = grant(engine, 3, false, true, "quizlab-us");
      JdbcConsentStore reopened = JdbcConsentStore.builder(db.dataSource()).tablePrefix(db.tablePrefix()).build();
      assertEquals(both, only(reopened.history(SubjectId.of(1))));
      assertEquals(neither, only(reopened.history(SubjectId.of(2))));
      assertEquals(transferOnly, only(reopened.history(SubjectId.of(3))));
      assertTrue(both.explicit() && both.explicitTransfer());
      assertFalse(transferOnly.explicit());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aStoreFromBeforeExplicitConsentIsUpgradedAndItsGrantsCountAsNotExplicit(Database db) throws SQLException {
    JdbcConsentStore old = db.newStore();
    Grant before = Grant.builder(SubjectId.of(7)).purpose("quiz").category("profile").grantedAt(CLOCK.instant())
        .build();
    old.append(before, CLOCK.instant());
    // back to version 1: the table of migration 2 and its version row gone
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("DROP TABLE " + db.tablePrefix() + "grant_explicit");
      s.execute("DELETE FROM " + db.tablePrefix() + "schema_version WHERE version = 2");
    }
    JdbcConsentStore upgraded = JdbcConsentStore.builder(db.dataSource()).tablePrefix(db.tablePrefix()).build();
    assertEquals(before, only(upgraded.history(SubjectId.of(7))));
    try (ConsentEngine engine = ConsentEngine.builder().catalog(CATALOG).store(upgraded).clock(CLOCK).build()) {
      assertEquals(Reason.EXPLICIT_CONSENT_REQUIRED, engine.check(SubjectId.of(7), AccessContext.of("a", "quiz"),
          Set.of(DataCategory.of("profile.psychographic"))).reason(DataCategory.of("profile.psychographic")));
      Grant explicit = grant(engine, 7, true, false, "self");
      assertEquals(explicit, upgraded.history(SubjectId.of(7)).get(1).record());
    }
  }

  static Grant grant(ConsentEngine engine, int subject, boolean explicit, boolean transfer, String... recipients) {
    Grant.Builder b = Grant.builder(SubjectId.of(subject)).purpose("quiz").category("contact").category("profile");
    for (String r : recipients) {
      b.recipient(r);
    }
    if (explicit) {
      b.explicit();
    }
    if (transfer) {
      b.explicitTransfer();
    }
    return engine.grant(b);
  }

  static Grant only(List<LedgerEntry> history) {
    assertEquals(1, history.size());
    return (Grant) history.get(0).record();
  }

  static List<List<Object>> query(ConsentDataSource guarded, ConsentEngine engine, AccessContext ctx, String sql,
      String p) throws SQLException {
    try (ProcessingScope scope = engine.process(ctx); Connection c = guarded.getConnection();
        Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql.replace("$", p))) {
      ResultSetMetaData md = r.getMetaData();
      List<List<Object>> rows = new ArrayList<>();
      while (r.next()) {
        List<Object> row = new ArrayList<>();
        row.add(r.getInt(1));
        for (int i = 2; i <= md.getColumnCount(); i++) {
          row.add(String.valueOf(r.getString(i)));
        }
        rows.add(row);
      }
      return rows;
    }
  }
}
