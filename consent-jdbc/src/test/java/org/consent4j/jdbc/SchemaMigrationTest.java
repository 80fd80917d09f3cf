package org.consent4j.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.consent4j.DataCategory;
import org.consent4j.Grant;
import org.consent4j.LedgerEntry;
import org.consent4j.Purpose;
import org.consent4j.SubjectId;
import org.consent4j.Withdrawal;
import org.consent4j.jdbc.TestDatabases.Database;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

final class SchemaMigrationTest {
  static final SubjectId ALICE = SubjectId.of("c-1");
  static final Instant T0 = Instant.parse("2026-03-01T09:00:00Z");

  private static List<Integer> versions(Database db, String prefix) throws Exception {
    List<Integer> versions = new ArrayList<>();
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT version FROM " + prefix + "schema_version ORDER BY version")) {
      while (r.next()) {
        versions.add(r.getInt(1));
      }
    }
    return versions;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void creatingTwiceKeepsTheLedgerAndRecordsVersionOnce(Database db) throws Exception {
    JdbcConsentStore first = db.newStore();
    LedgerEntry e = first.append(Grant.of(ALICE, Purpose.of("marketing"), DataCategory.of("contact"), T0), T0);

    JdbcConsentStore second = db.newStore();

    assertEquals(List.of(e), second.history(ALICE));
    assertEquals(List.of(1, 2, 3, 4, 5), versions(db, db.tablePrefix()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void storesCreatedConcurrentlyOnAnEmptyDatabaseAllSucceed(Database db) throws Exception {
    int threads = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<JdbcConsentStore>> stores = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      stores.add(pool.submit(() -> {
        start.await();
        return JdbcConsentStore.builder(db.dataSource()).tablePrefix(db.tablePrefix()).build();
      }));
    }
    start.countDown();
    List<JdbcConsentStore> created = new ArrayList<>();
    for (Future<JdbcConsentStore> f : stores) {
      created.add(f.get(120, TimeUnit.SECONDS));
    }
    pool.shutdown();

    assertEquals(List.of(1, 2, 3, 4, 5), versions(db, db.tablePrefix()));
    LedgerEntry e = created.get(0).append(Grant.of(ALICE, Purpose.of("marketing"), DataCategory.of("contact"), T0), T0);
    for (JdbcConsentStore s : created) {
      assertEquals(List.of(e), s.history(ALICE));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void storesUnderDifferentPrefixesShareNothing(Database db) {
    JdbcConsentStore tenantA = db.newStore();
    JdbcConsentStore tenantB = JdbcConsentStore.builder(db.dataSource()).tablePrefix(db.newTablePrefix()).build();
    LedgerEntry a = tenantA.append(Grant.of(ALICE, Purpose.of("marketing"), DataCategory.of("contact"), T0), T0);

    assertEquals(List.of(), tenantB.history(ALICE));
    LedgerEntry b = tenantB.append(Grant.of(ALICE, Purpose.of("analytics"), DataCategory.of("usage"), T0), T0);
    assertEquals(1, b.sequence(), "each prefix numbers its own ledger");
    assertEquals(List.of(a), tenantA.history(ALICE));
    assertEquals(List.of(b), tenantB.history(ALICE));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void userAllowedOnlySelectAndInsertRunsTheStoreButCannotRewriteTheLedger(Database db) throws Exception {
    JdbcConsentStore migrated = db.newStore();
    LedgerEntry granted = migrated.append(Grant.of(ALICE, Purpose.of("marketing"), DataCategory.of("contact"), T0), T0);
    String user = db.tablePrefix() + "app";
    List<String> tables = Stream.of("ledger", "grant", "grant_purpose", "grant_category", "grant_recipient",
        "grant_explicit", "notification", "notification_delivery", "withdrawal", "grant_withdrawal", "objection",
        "schema_version").map(t -> db.tablePrefix() + t).toList();
    // the derived state tables are rewritten on every append (DELETE) and locked (FOR UPDATE)
    List<String> derived = Stream.of("consent_state", "state_subject").map(t -> db.tablePrefix() + t).toList();
    List<String> setUp = new ArrayList<>();
    switch (db.name()) {
      case "H2" -> {
        setUp.add("CREATE USER " + user + " PASSWORD 'pw'");
        setUp.add("GRANT SELECT, INSERT ON " + String.join(", ", tables) + " TO " + user);
        setUp.add("GRANT SELECT, INSERT, UPDATE, DELETE ON " + String.join(", ", derived) + " TO " + user);
      }
      case "PostgreSQL" -> {
        setUp.add("CREATE ROLE " + user + " LOGIN PASSWORD 'pw'");
        setUp.add("GRANT SELECT, INSERT ON " + String.join(", ", tables) + " TO " + user);
        setUp.add("GRANT SELECT, INSERT, UPDATE, DELETE ON " + String.join(", ", derived) + " TO " + user);
      }
      default -> {
        setUp.add("CREATE USER '" + user + "'@'%' IDENTIFIED BY 'pw'");
        tables.forEach(t -> setUp.add("GRANT SELECT, INSERT ON " + t + " TO '" + user + "'@'%'"));
        derived.forEach(t -> setUp.add("GRANT SELECT, INSERT, UPDATE, DELETE ON " + t + " TO '" + user + "'@'%'"));
      }
    }
    List<String> tearDown = switch (db.name()) {
      case "H2" -> List.of("DROP USER " + user);
      case "PostgreSQL" -> List.of("DROP OWNED BY " + user, "DROP ROLE " + user);
      default -> List.of("DROP USER '" + user + "'@'%'");
    };
    execute(db, setUp);
    try {
      DataSource app = db.dataSourceAs(user, "pw");
      JdbcConsentStore store = JdbcConsentStore.builder(app).tablePrefix(db.tablePrefix()).build();
      LedgerEntry withdrawn = store.append(Withdrawal.of(ALICE, Purpose.of("marketing"), T0), T0);
      assertEquals(List.of(granted, withdrawn), store.history(ALICE));
      try (Connection c = app.getConnection(); Statement s = c.createStatement()) {
        for (String sql : List.of("DELETE FROM " + db.tablePrefix() + "ledger",
            "UPDATE " + db.tablePrefix() + "grant SET grant_id = 'forged'")) {
          SQLException refused = assertThrows(SQLException.class, () -> s.executeUpdate(sql), sql);
          assertTrue(refused.getMessage().toLowerCase().matches("(?s).*(denied|not enough rights|command denied).*"),
              refused.getMessage());
        }
      }
      assertEquals(List.of(granted, withdrawn), migrated.history(ALICE));
    } finally {
      execute(db, tearDown);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void aDatabaseAtVersion4MigratesToVersion5KeepingItsLedgerAndThenTakesWithdrawalsOfOneGrant(Database db)
      throws Exception {
    JdbcConsentStore old = db.newStore();
    Grant kept = Grant.of(ALICE, Purpose.of("marketing"), DataCategory.of("contact"), T0);
    Grant withdrawn = Grant.of(ALICE, Purpose.of("marketing"), DataCategory.of("contact.email"), T0);
    LedgerEntry a = old.append(kept, T0);
    LedgerEntry b = old.append(withdrawn, T0);
    LedgerEntry c = old.append(Withdrawal.of(ALICE, Purpose.of("marketing.sms"), T0), T0);
    // what a release before V5 left behind: no grant_withdrawal table, versions 1 to 4
    execute(db, List.of("DROP TABLE " + db.tablePrefix() + "grant_withdrawal",
        "DELETE FROM " + db.tablePrefix() + "schema_version WHERE version = 5"));
    assertEquals(List.of(1, 2, 3, 4), versions(db, db.tablePrefix()));

    JdbcConsentStore migrated = db.newStore();
    assertEquals(List.of(1, 2, 3, 4, 5), versions(db, db.tablePrefix()));
    assertEquals(List.of(a, b, c), migrated.history(ALICE));
    LedgerEntry d = migrated.append(org.consent4j.GrantWithdrawal.of(ALICE, withdrawn.id(), T0), T0);
    assertEquals(List.of(a, b, c, d), migrated.history(ALICE));
    assertEquals(ConsentStateTest.expected(List.of(migrated.history(ALICE))),
        ConsentStateTest.stateRows(db, db.dataSource()));
  }

  private static void execute(Database db, List<String> statements) throws Exception {
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void schemaCreatesEveryTableWithItsSubjectIndexes(Database db) throws Exception {
    JdbcConsentStore store = db.newStore();
    assertTrue(store.toString().contains(db.tablePrefix()), store.toString());
    try (Connection c = db.dataSource().getConnection()) {
      for (String table : List.of("ledger", "grant", "withdrawal", "grant_withdrawal", "objection")) {
        List<String> indexed = new ArrayList<>();
        String name = db.tablePrefix() + table;
        String stored = c.getMetaData().storesUpperCaseIdentifiers() ? name.toUpperCase() : name;
        try (ResultSet r = c.getMetaData().getIndexInfo(c.getCatalog(), c.getSchema(), stored, false, false)) {
          while (r.next()) {
            String column = r.getString("COLUMN_NAME");
            if (r.getShort("ORDINAL_POSITION") == 1 && column != null) {
              indexed.add(column.toLowerCase());
            }
          }
        }
        assertTrue(indexed.contains("subject_id"), "an index leads with subject_id on " + name + ": " + indexed);
      }
    }
  }
}
