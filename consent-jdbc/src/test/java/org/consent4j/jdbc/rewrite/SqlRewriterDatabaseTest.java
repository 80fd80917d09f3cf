package org.consent4j.jdbc.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.consent4j.AccessContext;
import org.consent4j.Catalog;
import org.consent4j.DataCategory;
import org.consent4j.Grant;
import org.consent4j.LegalBasis;
import org.consent4j.Purpose;
import org.consent4j.SubjectId;
import org.consent4j.core.ConsentEngine;
import org.consent4j.jdbc.JdbcConsentStore;
import org.consent4j.jdbc.TestDatabases;
import org.consent4j.jdbc.TestDatabases.Database;
import org.consent4j.jdbc.internal.Dialect;
import org.consent4j.jdbc.internal.rewrite.LiveColumns;
import org.consent4j.jdbc.internal.rewrite.ProtectedTable;
import org.consent4j.jdbc.internal.rewrite.RewriteRefusedException;
import org.consent4j.jdbc.internal.rewrite.RewriteRefusedException.Why;
import org.consent4j.jdbc.internal.rewrite.SqlRewriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rewriter on real databases: grants recorded through the engine into the JDBC store, SQL
 * rewritten and run with plain JDBC, exact rows asserted. H2 always; PostgreSQL and MariaDB when
 * their URLs are set.
 */
final class SqlRewriterDatabaseTest {
  static final Catalog CATALOG = Catalog.builder()
      .purpose("marketing", LegalBasis.CONSENT)
      .purpose("marketing.email", LegalBasis.CONSENT)
      .purpose("support", LegalBasis.CONTRACT, "contact.email")
      .categories("contact.email", "contact.phone")
      .recipient("quizlab")
      .build();

  static Stream<Database> databases() {
    return TestDatabases.all();
  }

  /** One database with a small CRM under a unique prefix, and an engine on its consent tables. */
  static final class Crm implements AutoCloseable {
    final Database db;
    final String p;
    final ConsentEngine engine;
    final SqlRewriter rewriter;
    final String storePrefix;
    final Clock clock = Clock.fixed(Instant.parse("2026-06-01T12:00:00Z"), ZoneOffset.UTC);

    Crm(Database db) throws SQLException {
      this.db = db;
      JdbcConsentStore store = db.newStore();
      this.p = db.newTablePrefix();
      try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE " + p + "contact (id INT PRIMARY KEY, country VARCHAR(2), email VARCHAR(100),"
            + " phone VARCHAR(30))");
        s.execute("CREATE TABLE " + p + "friend (user_id INT NOT NULL, friend_id INT NOT NULL)");
        s.execute("CREATE TABLE " + p + "note (contact_id INT, body VARCHAR(100))");
        s.execute("CREATE TABLE " + p + "export_list (id INT, email VARCHAR(100))");
        s.execute("CREATE TABLE " + p + "account (login VARCHAR(20), email VARCHAR(100))");
        for (int i = 1; i <= 4; i++) {
          s.execute("INSERT INTO " + p + "contact VALUES (" + i + ", 'NL', 'c" + i + "@example.org', '+31 " + i + "')");
          s.execute("INSERT INTO " + p + "note VALUES (" + i + ", 'note " + i + "')");
          s.execute("INSERT INTO " + p + "account VALUES ('" + i + "', 'a" + i + "@example.org')");
        }
        for (int[] f : new int[][] {{1, 2}, {1, 3}, {2, 1}, {1, 4}}) {
          s.execute("INSERT INTO " + p + "friend VALUES (" + f[0] + ", " + f[1] + ")");
        }
      }
      engine = ConsentEngine.builder().catalog(CATALOG).store(store).clock(Clock.offset(clock,
          java.time.Duration.ofDays(-1))).build();
      engine.grant(Grant.builder(SubjectId.of(1)).purpose("marketing").category("contact").recipient("self")
          .recipient("quizlab"));
      engine.grant(Grant.builder(SubjectId.of(2)).purpose("marketing").category("contact.email"));
      engine.grant(Grant.builder(SubjectId.of(4)).purpose("marketing").category("contact"));
      engine.withdraw(SubjectId.of(4), Purpose.of("marketing"));
      Dialect dialect;
      List<ProtectedTable> tables = new ArrayList<>();
      try (Connection c = db.dataSource().getConnection()) {
        dialect = Dialect.fromProductName(c.getMetaData().getDatabaseProductName());
        tables.add(new ProtectedTable(Optional.empty(), p + "contact", LiveColumns.read(c, null, p + "contact"),
            List.of("id"), Optional.empty(),
            Map.of("email", DataCategory.of("contact.email"), "phone", DataCategory.of("contact.phone"))));
        tables.add(new ProtectedTable(Optional.empty(), p + "friend", LiveColumns.read(c, null, p + "friend"),
            List.of("user_id", "friend_id"), Optional.empty(), Map.of()));
        tables.add(new ProtectedTable(Optional.empty(), p + "account", LiveColumns.read(c, null, p + "account"),
            List.of("login"), Optional.empty(), Map.of("email", DataCategory.of("contact.email"))));
      }
      rewriter = new SqlRewriter(tables, CATALOG, dialect, store.tablePrefix());
      storePrefix = store.tablePrefix();
    }

    List<List<Object>> query(String sql, AccessContext ctx, Object... params) throws SQLException {
      String rewritten = rewriter.rewrite(sql.replace("$", p), Optional.of(ctx)).sql(clock.instant());
      try (Connection c = db.dataSource().getConnection(); PreparedStatement s = c.prepareStatement(rewritten)) {
        for (int i = 0; i < params.length; i++) {
          s.setObject(i + 1, params[i]);
        }
        List<List<Object>> rows = new ArrayList<>();
        try (ResultSet r = s.executeQuery()) {
          ResultSetMetaData md = r.getMetaData();
          while (r.next()) {
            List<Object> row = new ArrayList<>();
            for (int i = 1; i <= md.getColumnCount(); i++) {
              Object v = r.getObject(i);
              row.add(v instanceof Number n ? n.longValue() : v);
            }
            rows.add(row);
          }
        }
        return rows;
      }
    }

    int update(String sql, AccessContext ctx) throws SQLException {
      String rewritten = rewriter.rewrite(sql.replace("$", p), Optional.of(ctx)).sql(clock.instant());
      try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
        return s.executeUpdate(rewritten);
      }
    }

    @Override
    public void close() throws SQLException {
      engine.close();
      db.close();
    }
  }

  static final AccessContext MARKETING = AccessContext.of("campaign", "marketing.email");
  static final AccessContext SUPPORT = AccessContext.of("helpdesk", "support");
  static final AccessContext QUIZLAB = AccessContext.of("quiz", "marketing", "quizlab");

  static List<Object> row(Object... values) {
    List<Object> out = new ArrayList<>();
    for (Object v : values) {
      out.add(v instanceof Integer i ? Long.valueOf(i) : v);
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void rowsOfSubjectsWithoutConsentDisappearAndUncoveredColumnsReadAsNull(Database db) throws SQLException {
    try (Crm crm = new Crm(db)) {
      assertEquals(List.of(row("c1@example.org"), row("c2@example.org")),
          crm.query("SELECT x.email FROM $contact x ORDER BY x.id", MARKETING));
      assertEquals(List.of(row(1, "NL", "c1@example.org", "+31 1"), row(2, "NL", "c2@example.org", null)),
          crm.query(db.name().equals("MariaDB") // table names are case-sensitive there
              ? "SELECT * FROM $contact ORDER BY 1" : "SELECT * FROM $CONTACT ORDER BY 1", MARKETING));
      String quoted = switch (db.name()) {
        case "MariaDB" -> "`" + crm.p + "contact`";
        case "H2" -> "\"" + (crm.p + "contact").toUpperCase(java.util.Locale.ROOT) + "\"";
        default -> "\"" + crm.p + "contact\"";
      };
      assertEquals(List.of(row(1), row(2)), crm.query("SELECT id FROM " + quoted + " ORDER BY 1", MARKETING));
      assertEquals(List.of(row(2L)), crm.query("SELECT count(*) FROM $contact", MARKETING));
      assertEquals(List.of(row("c1@example.org", "+31 1"), row("c2@example.org", null)),
          crm.query("SELECT lower(email), upper(phone) FROM $contact ORDER BY id", MARKETING));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void everyPositionIsFiltered(Database db) throws SQLException {
    try (Crm crm = new Crm(db)) {
      // both subjects of a friendship must have consented
      assertEquals(List.of(row(1, 2), row(2, 1)),
          crm.query("SELECT user_id, friend_id FROM $friend ORDER BY 1, 2", MARKETING));
      assertEquals(List.of(row(1, "c2@example.org"), row(2, "c1@example.org")),
          crm.query("SELECT f.user_id, (SELECT email FROM $contact c WHERE c.id = f.friend_id) FROM $friend f"
              + " ORDER BY 1", MARKETING));
      assertEquals(List.of(row(1, 3)), crm.query("SELECT n.contact_id, 3 FROM $note n WHERE n.contact_id IN"
          + " (SELECT id FROM $contact WHERE email LIKE 'c1@%') ORDER BY 1", MARKETING).subList(0, 1));
      assertEquals(List.of(row(1), row(2)), crm.query("SELECT id FROM (SELECT * FROM $contact) t ORDER BY id",
          MARKETING));
      // a CTE named like a mapped table: databases disagree on what the name means, so it is refused
      RewriteRefusedException shadow = assertThrows(RewriteRefusedException.class, () -> crm.query(
          "WITH $friend AS (SELECT * FROM $contact) SELECT id FROM $friend ORDER BY id", MARKETING));
      assertEquals(Why.UNANALYSABLE_SQL, shadow.why());
      assertEquals(List.of(row(1), row(2)),
          crm.query("WITH cte AS (SELECT * FROM $contact) SELECT id FROM cte ORDER BY id", MARKETING));
      assertEquals(List.of(row("c1@example.org"), row("c1@example.org"), row("c2@example.org")),
          crm.query("SELECT email FROM $contact WHERE id = ? UNION ALL SELECT email FROM $contact ORDER BY 1",
              MARKETING, 1));
      assertEquals(List.of(row("c1@example.org"), row("c2@example.org")),
          crm.query("SELECT email FROM $contact WHERE id = ? UNION ALL SELECT email FROM $contact ORDER BY 1",
              MARKETING, 3));
      assertEquals(List.of(row("c2@example.org"), row("c1@example.org")),
          crm.query("SELECT c.email FROM $friend f, $contact c WHERE c.id = f.friend_id ORDER BY f.user_id",
              MARKETING));
      // the unmapped side of an outer join keeps its rows; the mapped side reads as NULL
      assertEquals(List.of(row(1, "c1@example.org"), row(2, "c2@example.org"), row(3, null), row(4, null)),
          crm.query("SELECT n.contact_id, c.email FROM $note n LEFT JOIN $contact c ON c.id = n.contact_id"
              + " ORDER BY 1", MARKETING));
      assertEquals(List.of(row(1, 1), row(2, 2)), crm.query(
          "SELECT a.id, b.id FROM $contact a JOIN $contact b ON a.id = b.id ORDER BY 1", MARKETING));
    }
  }

  /**
   * On PostgreSQL a statement that reads a whole mapped table gets the view that aggregates the
   * consent state once (GROUP BY subject, joined), one that restricts it the view that probes per
   * row (LATERAL); both answer alike, for an integer and for a text subject column.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aWholeTableReadAndARestrictedReadAnswerAlike(Database db) throws SQLException {
    try (Crm crm = new Crm(db)) {
      String whole = "SELECT id, email, phone FROM $contact";
      String restricted = "SELECT id, email, phone FROM $contact WHERE id > ?";
      List<List<Object>> expected = List.of(row(1, "c1@example.org", "+31 1"), row(2, "c2@example.org", null));
      assertEquals(expected, sorted(crm.query(whole, MARKETING)));
      assertEquals(expected, sorted(crm.query(restricted, MARKETING, 0)));
      assertEquals(List.of(row(1, "c1@example.org", "+31 1")), sorted(crm.query(whole, QUIZLAB)));
      assertEquals(List.of(row(2L)), crm.query("SELECT count(*) FROM $contact", MARKETING));
      // a text subject column: '1' and '2' consented, '4' withdrew, '3' never granted
      String accounts = "SELECT login, email FROM $account";
      List<List<Object>> expectedAccounts = List.of(row("1", "a1@example.org"), row("2", "a2@example.org"));
      assertEquals(expectedAccounts, sorted(crm.query(accounts, MARKETING)));
      assertEquals(expectedAccounts, sorted(crm.query(accounts + " WHERE login <> ?", MARKETING, "x")));
      if (db.name().equals("PostgreSQL")) {
        for (String sql : List.of(whole, accounts)) {
          String view = crm.rewriter.rewrite(sql.replace("$", crm.p), Optional.of(MARKETING)).sql(crm.clock.instant());
          assertTrue(view.contains(" GROUP BY g.subject_") && !view.contains("LATERAL"), view);
        }
        for (String sql : List.of(restricted, accounts + " WHERE login <> ?",
            "SELECT c.id, c.email FROM $contact c JOIN $friend f ON f.user_id = c.id")) {
          String view = crm.rewriter.rewrite(sql.replace("$", crm.p), Optional.of(MARKETING)).sql(crm.clock.instant());
          assertTrue(view.contains("CROSS JOIN LATERAL") && !view.contains("GROUP BY"), view);
        }
      }
    }
  }

  private static List<List<Object>> sorted(List<List<Object>> rows) {
    List<List<Object>> out = new ArrayList<>(rows);
    out.sort(java.util.Comparator.comparing(r -> String.valueOf(r.get(0))));
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void theSameQueryGivesEachPurposeAndRecipientItsOwnAnswer(Database db) throws SQLException {
    try (Crm crm = new Crm(db)) {
      String sql = "SELECT id, email, phone FROM $contact ORDER BY id";
      assertEquals(List.of(row(1, "c1@example.org", "+31 1"), row(2, "c2@example.org", null)),
          crm.query(sql, MARKETING));
      assertEquals(List.of(row(1, "c1@example.org", null), row(2, "c2@example.org", null),
          row(3, "c3@example.org", null), row(4, "c4@example.org", null)), crm.query(sql, SUPPORT));
      assertEquals(List.of(row(1, "c1@example.org", "+31 1")), crm.query(sql, QUIZLAB));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aWriteByKeyComparesTheKeyBeforeTheConsentCheckAndTheRestAfter(Database db) throws SQLException {
    try (Crm crm = new Crm(db)) {
      // the key comparison stays outside the CASE, where the planner can use an index; the rest of
      // the condition still runs only on rows that pass the consent check
      String byKey = crm.rewriter.rewrite(("UPDATE $contact SET phone = '1' WHERE id = 1 AND email LIKE 'c%'")
          .replace("$", crm.p), Optional.of(MARKETING)).sql(crm.clock.instant());
      assertTrue(byKey.contains("WHERE (id = 1) AND CASE WHEN "), byKey);
      assertTrue(byKey.contains("THEN (email LIKE 'c%') ELSE (1 = 0) END"), byKey);
      String personalFirst = crm.rewriter.rewrite(("UPDATE $contact SET phone = '1' WHERE email = 'x' AND id = 1")
          .replace("$", crm.p), Optional.of(MARKETING)).sql(crm.clock.instant());
      assertTrue(personalFirst.contains("WHERE CASE WHEN "), "a personal column is never compared first: " + personalFirst);
      String byParameter = crm.rewriter.rewrite(("UPDATE $contact SET phone = ? WHERE id = ?")
          .replace("$", crm.p), Optional.of(MARKETING)).sql(crm.clock.instant());
      assertTrue(byParameter.contains("WHERE (id = ?) AND ("), byParameter);

      assertEquals(1, crm.update("UPDATE $contact SET phone = '+31 9' WHERE id = 1", MARKETING));
      assertEquals(0, crm.update("UPDATE $contact SET phone = '+31 9' WHERE id = 2", MARKETING)); // phone masked
      assertEquals(0, crm.update("UPDATE $contact SET phone = '+31 9' WHERE id = 4", MARKETING)); // withdrawn
      assertEquals(1, crm.update("DELETE FROM $contact WHERE id = 1 AND phone = '+31 9'", MARKETING));
      assertEquals(List.of(row(2), row(3), row(4)), crm.query("SELECT id FROM $contact ORDER BY id", SUPPORT));
      assertEquals(1, crm.update("UPDATE $contact SET email = 'x@example.org' WHERE id = 2 AND email LIKE 'c%'", SUPPORT));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void writesReachOnlyRowsWhoseValuesTheContextMaySee(Database db) throws SQLException {
    try (Crm crm = new Crm(db)) {
      assertEquals(2, crm.update("UPDATE $contact SET email = upper(email)", MARKETING));
      assertEquals(List.of(row(1, "C1@EXAMPLE.ORG"), row(2, "C2@EXAMPLE.ORG"), row(3, "c3@example.org"),
          row(4, "c4@example.org")), crm.query("SELECT id, email FROM $contact ORDER BY id", SUPPORT));
      // phone is masked for subject 2, so it is neither read nor overwritten there
      assertEquals(1, crm.update("UPDATE $contact SET phone = concat(phone, '0')", MARKETING));
      assertEquals(1, crm.update("DELETE FROM $contact WHERE phone LIKE '%0'", MARKETING));
      // the deleted row is gone; support sees the three left
      assertEquals(3, crm.update("INSERT INTO $export_list SELECT id, email FROM $contact", SUPPORT));

    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void statementsThatWouldBypassTheFilterAreRefused(Database db) throws SQLException {
    try (Crm crm = new Crm(db)) {
      Map<String, Why> refused = Map.of(
          "CREATE TABLE $copy AS SELECT * FROM $contact", Why.BYPASS_REFUSED,
          "SELECT * INTO $copy FROM $contact", Why.BYPASS_REFUSED,
          "CALL some_procedure()", Why.BYPASS_REFUSED,
          "EXPLAIN SELECT * FROM $contact", Why.BYPASS_REFUSED,
          "INSERT INTO $contact SELECT * FROM $contact", Why.MASKED_WRITE_REFUSED,
          "SELECT FROM WHERE $contact ((", Why.UNANALYSABLE_SQL,
          "DELETE FROM $friend USING $contact WHERE $friend.user_id = $contact.id", Why.UNANALYSABLE_SQL);
      Map<String, Why> more = Map.of(
          "INSERT INTO $contact (id) VALUES (9) ON CONFLICT (id) DO UPDATE SET email = 'x'", Why.BYPASS_REFUSED,
          "INSERT INTO $contact (id) VALUES (9) ON DUPLICATE KEY UPDATE email = 'x'", Why.BYPASS_REFUSED,
          "MERGE INTO $contact c USING $note n ON (c.id = n.contact_id) WHEN MATCHED THEN UPDATE SET c.email = n.body",
          Why.BYPASS_REFUSED,
          "COPY $contact TO STDOUT", Why.BYPASS_REFUSED,
          "TRUNCATE TABLE $contact", Why.BYPASS_REFUSED,
          "SELECT id FROM $note; DROP TABLE $contact", Why.BYPASS_REFUSED);
      // (FOR UPDATE OF a mapped table is a locking read of its view now: see LockingReadsTest)
      refused = new java.util.HashMap<>(refused);
      refused.putAll(more);
      for (Map.Entry<String, Why> e : refused.entrySet()) {
        RewriteRefusedException ex = assertThrows(RewriteRefusedException.class,
            () -> crm.rewriter.rewrite(e.getKey().replace("$", crm.p), Optional.of(MARKETING)), e.getKey());
        assertEquals(e.getValue(), ex.why(), e.getKey() + ": " + ex.getMessage());
        assertTrue(!ex.getMessage().contains("example.org"));
      }
      // several statements in one string: each is rewritten
      String two = crm.rewriter.rewrite(("SELECT id FROM $contact; SELECT user_id FROM $friend").replace("$", crm.p),
          Optional.of(MARKETING)).sql(crm.clock.instant());
      assertEquals(2, java.util.regex.Pattern.compile("FROM \\w+ c4j_t\\b").matcher(two).results().count(), two);
      RewriteRefusedException none = assertThrows(RewriteRefusedException.class,
          () -> crm.rewriter.rewrite("SELECT email FROM " + crm.p + "contact", Optional.empty()));
      assertEquals(Why.NO_CONTEXT, none.why());
      assertEquals("SELECT body FROM " + crm.p + "note", crm.rewriter.rewrite("SELECT body FROM " + crm.p + "note",
          Optional.empty()).sql(Instant.EPOCH));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void viewsThatReadMappedTablesAreRefusedAndOthersPass(Database db) throws SQLException {
    try (Crm crm = new Crm(db)) {
      java.util.Set<String> unsafe;
      try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
        s.execute("CREATE VIEW " + crm.p + "v_contact AS SELECT id, email FROM " + crm.p + "contact");
        s.execute("CREATE VIEW " + crm.p + "v_of_v AS SELECT id FROM " + crm.p + "v_contact");
        s.execute("CREATE VIEW " + crm.p + "v_note AS SELECT body FROM " + crm.p + "note");
        unsafe = org.consent4j.jdbc.internal.rewrite.LiveViews.readingMappedTables(c,
            Dialect.fromProductName(c.getMetaData().getDatabaseProductName()),
            java.util.Set.of(crm.p + "contact", crm.p + "friend"));
        for (String view : List.of("v_of_v", "v_contact", "v_note")) {
          s.execute("DROP VIEW " + crm.p + view); // views are not dropped with the test's tables
        }
      }
      assertTrue(unsafe.contains(crm.p + "v_contact"), unsafe.toString());
      assertTrue(unsafe.contains(crm.p + "v_of_v"), unsafe.toString());
      assertTrue(!unsafe.contains(crm.p + "v_note"), unsafe.toString());
      SqlRewriter guarded = new SqlRewriter(List.of(), unsafe, java.util.Set.of(), CATALOG, Dialect.H2, "consent4j_", false);
      for (String view : List.of("v_contact", "v_of_v")) {
        RewriteRefusedException e = assertThrows(RewriteRefusedException.class,
            () -> guarded.rewrite("SELECT * FROM " + crm.p + view, Optional.of(MARKETING)));
        assertEquals(Why.BYPASS_REFUSED, e.why());
      }
      assertEquals("SELECT body FROM " + crm.p + "v_note",
          guarded.rewrite("SELECT body FROM " + crm.p + "v_note", Optional.empty()).sql(Instant.EPOCH));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void functionsThatMayReadMappedTablesAreRefused(Database db) throws SQLException {
    try (Crm crm = new Crm(db)) {
      String reads = crm.p + "email_of";
      String pure = crm.p + "twice";
      java.util.Set<String> unsafe;
      try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
        switch (db.name()) {
          case "PostgreSQL" -> {
            s.execute("CREATE FUNCTION " + reads + "(i INT) RETURNS VARCHAR AS $$ SELECT email FROM " + crm.p
                + "contact WHERE id = i $$ LANGUAGE sql");
            s.execute("CREATE FUNCTION " + pure + "(i INT) RETURNS INT AS $$ SELECT i * 2 + i - i $$ LANGUAGE sql");
          }
          case "MariaDB" -> {
            s.execute("CREATE FUNCTION " + reads + "(i INT) RETURNS VARCHAR(100) READS SQL DATA RETURN (SELECT email"
                + " FROM " + crm.p + "contact WHERE id = i)");
            s.execute("CREATE FUNCTION " + pure + "(i INT) RETURNS INT DETERMINISTIC RETURN i * 2 + i - i");
          }
          default -> s.execute("CREATE ALIAS " + reads + " FOR 'java.lang.Math.abs(int)'");
        }
        Dialect dialect = Dialect.fromProductName(c.getMetaData().getDatabaseProductName());
        try {
          unsafe = org.consent4j.jdbc.internal.rewrite.LiveRoutines.readingMappedTables(c, dialect,
              java.util.Set.of(crm.p + "contact", crm.p + "friend"), java.util.Set.of());
        } finally {
          if (!db.name().equals("H2")) { // functions are not dropped with the test's tables
            s.execute("DROP FUNCTION " + reads + (db.name().equals("PostgreSQL") ? "(INT)" : ""));
            s.execute("DROP FUNCTION " + pure + (db.name().equals("PostgreSQL") ? "(INT)" : ""));
          }
        }
      }
      // H2's Java aliases cannot be scanned, so they count as reading mapped tables
      assertTrue(unsafe.contains(reads), unsafe.toString());
      assertTrue(!unsafe.contains(pure), unsafe.toString());
      SqlRewriter guarded = new SqlRewriter(List.of(), java.util.Set.of(), unsafe, CATALOG, Dialect.H2, "consent4j_", false);
      RewriteRefusedException e = assertThrows(RewriteRefusedException.class,
          () -> guarded.rewrite("SELECT " + reads + "(id) FROM " + crm.p + "note", Optional.of(MARKETING)));
      assertEquals(Why.BYPASS_REFUSED, e.why());
      assertEquals("SELECT abs(contact_id) FROM " + crm.p + "note", guarded.rewrite("SELECT abs(contact_id) FROM "
          + crm.p + "note", Optional.empty()).sql(Instant.EPOCH));
    }
  }

  /** Bypasses an independent review found; each must stay closed. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void reviewedBypassesStayClosed(Database db) throws SQLException {
    try (Crm crm = new Crm(db)) {
      String p = crm.p;
      // the consent store's own tables: reading them tells who consented; writing them forges consent
      for (String sql : List.of("SELECT subject_id FROM " + crm.storePrefix + "grant",
          "DELETE FROM " + crm.storePrefix + "withdrawal", "INSERT INTO " + crm.storePrefix + "grant_purpose VALUES (1, 'x')")) {
        assertThrows(RewriteRefusedException.class, () -> crm.rewriter.rewrite(sql, Optional.of(MARKETING)), sql);
        assertThrows(RewriteRefusedException.class, () -> crm.rewriter.rewrite(sql, Optional.empty()), sql);
      }
      // functions and commands that run SQL text, dump tables or reach files
      for (String sql : List.of("SCRIPT", "SELECT CSVWRITE('/tmp/x.csv', 'SELECT * FROM ' || 'cont' || 'act')",
          "SELECT query_to_xml('select * from con' || 'tact', true, false, '')",
          "SELECT LOAD_FILE('/etc/hostname')", "SELECT 1 AS x /*!, phone FROM " + p + "contact */")) {
        assertThrows(RewriteRefusedException.class, () -> crm.rewriter.rewrite(sql, Optional.of(MARKETING)), sql);
      }
      // UPDATE/DELETE ... RETURNING on a mapped table would return masked values
      assertThrows(RewriteRefusedException.class, () -> crm.rewriter.rewrite(
          "UPDATE " + p + "contact SET country = country RETURNING *", Optional.of(MARKETING)));
      // CTEs named like a mapped table, quoted or recursive: refused whatever the dialect would make of them
      for (String sql : List.of(
          "WITH \"" + p + "contact\" AS (SELECT 1 AS x) SELECT id FROM " + p + "contact ORDER BY id",
          "WITH RECURSIVE " + p + "contact(id, email, phone) AS (SELECT id, email, phone FROM " + p + "contact)"
              + " SELECT id FROM " + p + "contact ORDER BY id")) {
        assertThrows(RewriteRefusedException.class, () -> crm.rewriter.rewrite(sql, Optional.of(MARKETING)), sql);
      }
      if (db.name().equals("H2")) {
        // H2 folds the dotless i to I: frıend is friend
        assertEquals(List.of(row(1, 2), row(2, 1)),
            crm.query("SELECT user_id, friend_id FROM $fr\u0131end ORDER BY 1, 2", MARKETING));
      }
      // a write's correlated subquery must not read a masked value: subject 2's phone is masked
      assertEquals(0, crm.update("UPDATE $contact SET country = country WHERE id = 2 AND EXISTS (SELECT 1 FROM $note"
          + " WHERE phone = '+31 2')", MARKETING));
      assertEquals(0, crm.update("UPDATE $contact SET email = (SELECT phone FROM $note WHERE contact_id = 2)"
          + " WHERE id = 2", MARKETING));
      assertEquals(List.of(row("C2@EXAMPLE.ORG".toLowerCase(java.util.Locale.ROOT))),
          crm.query("SELECT email FROM $contact WHERE id = 2", MARKETING));
      if (db.name().equals("PostgreSQL")) {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
          s.execute("CREATE TABLE " + p + "base (id INT, country VARCHAR(2), email VARCHAR(100), phone VARCHAR(30))");
          s.execute("ALTER TABLE " + p + "contact INHERIT " + p + "base");
          java.util.Set<String> unsafe = org.consent4j.jdbc.internal.rewrite.LiveViews.readingMappedTables(c,
              Dialect.POSTGRESQL, java.util.Set.of(p + "contact"));
          assertTrue(unsafe.contains(p + "base"), unsafe.toString());
        }
      }
    }
  }
}
