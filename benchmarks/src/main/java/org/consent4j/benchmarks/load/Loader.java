package org.consent4j.benchmarks.load;

import static org.consent4j.benchmarks.load.LoadHarness.FRIENDS;
import static org.consent4j.benchmarks.load.LoadHarness.ORDERS;
import static org.consent4j.benchmarks.load.LoadHarness.RLS_PASSWORD;
import static org.consent4j.benchmarks.load.LoadHarness.RLS_ROLE;
import static org.consent4j.benchmarks.load.LoadHarness.STORE;
import static org.consent4j.benchmarks.load.LoadHarness.T;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.consent4j.LedgerEntry;
import org.consent4j.SubjectId;
import org.consent4j.jdbc.JdbcConsentStore;
import org.consent4j.jdbc.internal.ConsentState;

/**
 * Creates the CRM tables and fills them with set-based SQL ({@code INSERT ... SELECT} over
 * {@code generate_series}), and writes the consents into the tables of a real
 * {@link JdbcConsentStore} exactly as its appends would have: a ledger row, a grant row and its
 * purpose, category and recipient rows for each consenting subject, a later withdrawal for some of
 * them, and the current consent state rows those records leave. A sample of subjects is then read
 * back through the store and checked against {@link ConsentState#rows}, so the bulk load cannot
 * drift from what the store writes.
 *
 * <p>About 55% of the subjects grant {@code marketing} (covering {@code marketing.email}) for the
 * categories {@code contact}, {@code social.friendship} and {@code commerce.order}; a tenth of
 * those withdraw it again, which leaves about half of the subjects consenting.
 */
final class Loader {
  /** Seconds since the epoch of the grants (2026-01-01) and of the withdrawals a month later. */
  static final long GRANTED = 1_767_225_600L;
  static final long WITHDRAWN = GRANTED + 30 * 86_400L;

  private final DataSource admin;
  private final long rows;
  private final PrintStream out;

  Loader(DataSource admin, long rows, PrintStream out) {
    this.admin = admin;
    this.rows = rows;
    this.out = out;
  }

  /** Which subjects grant: a hash of the id, so that consent is independent of segment and friends. */
  static String grants(String id) {
    return "mod(abs(hashint8(" + id + ")::bigint), 100) < 55";
  }

  /** Which of the granting subjects withdraw again. */
  static String withdraws(String id) {
    return "mod(abs(hashint8(" + id + " + 7777777)::bigint), 100) < 10";
  }

  void load() throws SQLException {
    long start = System.nanoTime();
    try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
      for (String t : List.of("contact", "friend", "orders")) {
        s.execute("DROP TABLE IF EXISTS " + T + t + " CASCADE");
      }
      try (ResultSet r = s.executeQuery("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
          + " AND tablename LIKE '" + STORE.replace("_", "\\_") + "%'")) {
        List<String> tables = new ArrayList<>();
        while (r.next()) {
          tables.add(r.getString(1));
        }
        for (String t : tables) {
          try (Statement d = c.createStatement()) {
            d.execute("DROP TABLE IF EXISTS " + t + " CASCADE");
          }
        }
      }
      step(s, "contacts", "CREATE TABLE " + T + "contact (id BIGINT PRIMARY KEY, name TEXT NOT NULL, email TEXT,"
          + " phone TEXT, segment INT NOT NULL)",
          "INSERT INTO " + T + "contact SELECT i, 'Contact ' || i, 'c' || i || '@example.org', '+31 6' || lpad(i::text, 8,"
              + " '0'), mod(i * 7, 100)::int FROM generate_series(1, " + rows + "::bigint) i",
          "CREATE INDEX " + T + "contact_segment ON " + T + "contact (segment)");
      // each contact befriends the next FRIENDS contacts (a ring), so every contact has friends both ways
      step(s, "friends", "CREATE TABLE " + T + "friend (user_id BIGINT NOT NULL, friend_id BIGINT NOT NULL)",
          "INSERT INTO " + T + "friend SELECT i, 1 + mod(i - 1 + k * 7919, " + rows + ") FROM generate_series(1, " + rows
              + ") i, generate_series(1, " + FRIENDS + ") k",
          "ALTER TABLE " + T + "friend ADD PRIMARY KEY (user_id, friend_id)",
          "CREATE INDEX " + T + "friend_friend ON " + T + "friend (friend_id)");
      step(s, "orders", "CREATE TABLE " + T + "orders (id BIGINT PRIMARY KEY, contact_id BIGINT NOT NULL, amount INT"
          + " NOT NULL)",
          "INSERT INTO " + T + "orders SELECT i, 1 + mod(i * 48271, " + rows + "), 1 + mod(i * 31, 500)::int"
              + " FROM generate_series(1, " + (rows * ORDERS) + "::bigint) i",
          "CREATE INDEX " + T + "orders_contact ON " + T + "orders (contact_id)");
    }
    JdbcConsentStore.builder(admin).tablePrefix(STORE).build(); // the store's own tables, at its current version
    try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
      String g = grants("i");
      String w = withdraws("i");
      String series = " FROM generate_series(1, " + rows + "::bigint) i WHERE " + g;
      step(s, "consent ledger",
          "INSERT INTO " + STORE + "ledger (seq, subject_id, kind, recorded_at_sec, recorded_at_nano) OVERRIDING SYSTEM"
              + " VALUE SELECT i, i::text, 'G', " + GRANTED + ", 0" + series,
          "INSERT INTO " + STORE + "grant (seq, grant_id, subject_id, granted_at_sec, granted_at_nano, evidence_method,"
              + " evidence_ref) SELECT i, 'g-' || i, i::text, " + GRANTED + ", 0, 'API', 'bench'" + series,
          "INSERT INTO " + STORE + "grant_purpose SELECT i, 'marketing'" + series,
          "INSERT INTO " + STORE + "grant_recipient SELECT i, 'self'" + series,
          "INSERT INTO " + STORE + "grant_category SELECT i, c FROM generate_series(1, " + rows + "::bigint) i,"
              + " (VALUES ('contact'), ('social.friendship'), ('commerce.order')) v(c) WHERE " + g,
          "INSERT INTO " + STORE + "ledger (seq, subject_id, kind, recorded_at_sec, recorded_at_nano) OVERRIDING SYSTEM"
              + " VALUE SELECT " + rows + " + i, i::text, 'W', " + WITHDRAWN + ", 0" + series + " AND " + w,
          "INSERT INTO " + STORE + "withdrawal (seq, subject_id, purpose, withdrawn_at_sec, withdrawn_at_nano,"
              + " evidence_method, evidence_ref) SELECT " + rows + " + i, i::text, 'marketing', " + WITHDRAWN
              + ", 0, 'API', 'bench'" + series + " AND " + w,
          "SELECT setval(pg_get_serial_sequence('" + STORE + "ledger', 'seq'), " + (2 * rows + 1) + ")",
          // the state the store's appends leave: a withdrawn marketing grant leaves no row
          "INSERT INTO " + STORE + "consent_state (grant_seq, subject_id, subject_num, purpose, recipient, category,"
              + " granted_at_sec, granted_at_nano) SELECT i, i::text, i, 'marketing', 'self', c, " + GRANTED + ", 0"
              + " FROM generate_series(1, " + rows + "::bigint) i, (VALUES ('contact'), ('social.friendship'),"
              + " ('commerce.order')) v(c) WHERE " + g + " AND NOT (" + w + ")",
          "INSERT INTO " + STORE + "state_subject SELECT i::text" + series);
      rowLevelSecurity(s);
      step(s, "statistics", "VACUUM ANALYZE");
    }
    verifySample();
    out.printf(Locale.ROOT, "loaded %,d contacts in %.1f s%n", rows, (System.nanoTime() - start) / 1e9);
    try (Connection c = admin.getConnection(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT (SELECT count(DISTINCT subject_num) FROM " + STORE + "consent_state),"
            + " pg_size_pretty(pg_database_size(current_database()))")) {
      r.next();
      out.printf(Locale.ROOT, "%,d of %,d subjects consent; database size %s%n", r.getLong(1), rows, r.getString(2));
    }
  }

  private void rowLevelSecurity(Statement s) throws SQLException {
    boolean exists;
    try (ResultSet r = s.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + RLS_ROLE + "'")) {
      exists = r.next();
    }
    if (!exists) {
      s.execute("CREATE ROLE " + RLS_ROLE + " LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '" + RLS_PASSWORD + "'");
    }
    List<String> ddl = new ArrayList<>();
    for (String t : List.of("contact", "friend", "orders")) {
      ddl.add("GRANT SELECT, UPDATE ON " + T + t + " TO " + RLS_ROLE);
      ddl.add("ALTER TABLE " + T + t + " ENABLE ROW LEVEL SECURITY");
    }
    for (String t : List.of("grant", "grant_purpose", "grant_recipient", "withdrawal")) {
      ddl.add("GRANT SELECT ON " + STORE + t + " TO " + RLS_ROLE);
    }
    ddl.add("CREATE POLICY consent ON " + T + "contact USING (" + LoadHarness.Sql.policy("id") + ")");
    ddl.add("CREATE POLICY consent ON " + T + "friend USING (" + LoadHarness.Sql.policy("user_id") + " AND "
        + LoadHarness.Sql.policy("friend_id") + ")");
    ddl.add("CREATE POLICY consent ON " + T + "orders USING (" + LoadHarness.Sql.policy("contact_id") + ")");
    step(s, "row-level security", ddl.toArray(String[]::new));
  }

  private void step(Statement s, String what, String... sql) throws SQLException {
    long t0 = System.nanoTime();
    for (String q : sql) {
      s.execute(q);
    }
    out.printf(Locale.ROOT, "  %-20s %8.1f s%n", what, (System.nanoTime() - t0) / 1e9);
  }

  /**
   * Reads 2,000 random subjects (and the first 50) back through the store and checks that the
   * state rows the bulk load wrote are exactly those the store derives from their ledgers.
   */
  private void verifySample() throws SQLException {
    JdbcConsentStore store = JdbcConsentStore.builder(admin).tablePrefix(STORE).build();
    Random random = new Random(42);
    List<SubjectId> sample = new ArrayList<>();
    for (int i = 1; i <= Math.min(50, rows); i++) {
      sample.add(SubjectId.of(Long.toString(i)));
    }
    for (int i = 0; i < 2_000; i++) {
      sample.add(SubjectId.of(Long.toString(1 + (long) (random.nextDouble() * rows))));
    }
    TreeSet<String> expected = new TreeSet<>();
    for (var e : store.histories(sample).entrySet()) {
      List<LedgerEntry> history = e.getValue();
      for (ConsentState.Row row : ConsentState.rows(history)) {
        expected.add(row.grantSeq() + "|" + row.subject().value() + "|" + row.purpose().name() + "|"
            + row.recipient().id() + "|" + row.category().name() + "|" + row.grantedAt().getEpochSecond());
      }
    }
    TreeSet<String> actual = new TreeSet<>();
    try (Connection c = admin.getConnection(); PreparedStatement s = c.prepareStatement("SELECT grant_seq, subject_id,"
        + " purpose, recipient, category, granted_at_sec, subject_num FROM " + STORE + "consent_state"
        + " WHERE subject_id = ANY (?)")) {
      s.setArray(1, c.createArrayOf("text", sample.stream().map(SubjectId::value).distinct().toArray()));
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          if (r.getLong(7) != Long.parseLong(r.getString(2))) {
            throw new IllegalStateException("state row of subject " + r.getString(2) + " has a wrong numeric key");
          }
          actual.add(r.getLong(1) + "|" + r.getString(2) + "|" + r.getString(3) + "|" + r.getString(4) + "|"
              + r.getString(5) + "|" + r.getLong(6));
        }
      }
    }
    if (!expected.equals(actual)) {
      throw new IllegalStateException("the bulk-loaded consent state differs from what the store derives for a"
          + " sample of " + sample.size() + " subjects: " + expected.size() + " rows expected, " + actual.size()
          + " loaded");
    }
    out.printf(Locale.ROOT, "  verified the state of %,d sampled subjects (%,d rows) against the store%n",
        sample.size(), actual.size());
  }
}
