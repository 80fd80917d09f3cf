package org.consent4j.jdbc.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.consent4j.AccessContext;
import org.consent4j.Catalog;
import org.consent4j.Grant;
import org.consent4j.LegalBasis;
import org.consent4j.Notice;
import org.consent4j.Purpose;
import org.consent4j.PurposeDefinition;
import org.consent4j.SubjectId;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.ProcessingScope;
import org.consent4j.jdbc.AuditLevel;
import org.consent4j.jdbc.JdbcConsentStore;
import org.consent4j.jdbc.ReadForm;
import org.consent4j.jdbc.SchemaMapping;
import org.consent4j.jdbc.TestDatabases.Database;
import org.consent4j.jdbc.internal.Schema;
import org.consent4j.jdbc.wrapper.ConsentDataSource;

/**
 * Post-filtered reads are the pushdown, for all inputs (issue 13, item 3): random ledgers (grants
 * that start or expire later, withdrawals of purposes and of single grants, objections, notice
 * versions, a special category and a third-country recipient with and without explicit consent,
 * a table with a row category and one with two subjects and a NULL subject), random
 * statements from a generator of the shapes the post-filtered form takes (single tables, joins of
 * mapped tables, a mapped table joined to itself, comma joins, a join to an unmapped table, {@code
 * *} and {@code t.*}, literals and parameters in the select list, safe WHERE and ON conditions,
 * ORDER BY of non-personal columns, plain and prepared statements), random contexts, and several
 * instants (fixed ones and each grant's start and expiry, exactly and one nanosecond either
 * side). Through two data sources over one engine, one {@link ReadForm#PUSHDOWN} and one {@link
 * ReadForm#POST_FILTER}, the result must be the same multiset of rows, masks included, with the
 * same column labels; and every statement the generator marks as post-filterable must have run in
 * that form (explain says so), so that the property cannot pass by both sides taking the pushdown.
 *
 * <p>One database for the container, as {@link SqlRewriterProperties}: data tables filled once, the
 * consent store emptied for every try. Runs on H2 ({@link PostFilterH2Properties}), PostgreSQL
 * ({@link PostFilterPostgresProperties}) and MariaDB ({@link PostFilterMariaDbProperties}).
 */
@SuppressWarnings("try") // scopes are opened for their effect on the thread
abstract class PostFilterProperties {
  static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  static final int SUBJECTS = 7;

  static final Catalog CATALOG = Catalog.builder()
      .purpose("marketing", LegalBasis.CONSENT)
      .purpose(PurposeDefinition.consent(Purpose.of("marketing.email")).withMinimumNotice(Notice.of("privacy", 2)))
      .purpose("research", LegalBasis.CONSENT)
      .purpose("support", LegalBasis.CONTRACT, "contact.email")
      .purpose(PurposeDefinition.of(Purpose.of("analytics"), LegalBasis.LEGITIMATE_INTERESTS,
          List.of(org.consent4j.DataCategory.of("contact"))))
      .categories("contact.email", "contact.phone", "commerce.order").specialCategory("commerce.note")
      .recipient("quizlab")
      // a third country without adequacy or safeguards: a transfer needs explicit consent
      .recipient("adnet", "US")
      .notice("privacy", 1).notice("privacy", 2).notice("privacy", 3)
      .build();

  static final List<String> GRANT_PURPOSES = List.of("marketing", "marketing.email", "research");
  static final List<String> CATEGORIES =
      List.of("contact", "contact.email", "contact.phone", "commerce", "commerce.order", "commerce.note");

  static Database db;
  static String p;
  static String storePrefix;
  static String mapping;

  static void openDatabase(Database database) throws SQLException {
    db = database;
    p = db.newTablePrefix();
    storePrefix = db.newTablePrefix();
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE " + p + "contact (id INT PRIMARY KEY, country VARCHAR(2), email VARCHAR(100),"
          + " phone VARCHAR(30))");
      s.execute("CREATE TABLE " + p + "friend (user_id INT NOT NULL, friend_id INT, since INT)");
      s.execute("CREATE TABLE " + p + "orders (id INT PRIMARY KEY, contact_id INT NOT NULL, amount INT,"
          + " note VARCHAR(100))");
      s.execute("CREATE TABLE " + p + "tag (contact_id INT, label VARCHAR(10))");
      String[] countries = {"NL", "FR", null, "NL", "DE", "FR", "NL"};
      for (int i = 1; i <= SUBJECTS; i++) {
        String country = countries[i - 1] == null ? "NULL" : "'" + countries[i - 1] + "'";
        s.execute("INSERT INTO " + p + "contact VALUES (" + i + ", " + country + ", "
            + (i == 4 ? "NULL" : "'e" + i + "@example.org'") + ", '+31 " + i + "')");
        s.execute("INSERT INTO " + p + "orders VALUES (" + i + ", " + i + ", " + (i * 10) + ", 'n" + i + "')");
        s.execute("INSERT INTO " + p + "orders VALUES (" + (i + 10) + ", " + (i % 3 + 1) + ", " + (i * 7) + ", NULL)");
        s.execute("INSERT INTO " + p + "tag VALUES (" + i + ", 't" + (i % 2) + "')");
        s.execute("INSERT INTO " + p + "friend VALUES (" + i + ", " + (i % SUBJECTS + 1) + ", " + i + ")");
      }
      // text subjects: ids that equal a subject's only under a collation that ignores case or
      // trailing spaces, or pads, next to exact ones (the pushdown compares them by the database)
      s.execute("CREATE TABLE " + p + "note (subject VARCHAR(20), body VARCHAR(50))");
      for (String id : new String[] {"1", "2", "3 ", " 4", "05", "6", "x7", "7"}) {
        s.execute("INSERT INTO " + p + "note VALUES ('" + id + "', 'b" + id.trim() + "')");
      }
      s.execute("INSERT INTO " + p + "note VALUES (NULL, 'none')");
      s.execute("INSERT INTO " + p + "friend VALUES (2, NULL, 9)");
      s.execute("INSERT INTO " + p + "friend VALUES (3, 1, 10)");
    }
    mapping = "{ \"tables\": ["
        + " { \"table\": \"" + p + "contact\", \"subject\": \"id\","
        + "   \"columns\": { \"email\": \"contact.email\", \"phone\": \"contact.phone\" } },"
        + " { \"table\": \"" + p + "friend\", \"subject\": [\"user_id\", \"friend_id\"] },"
        + " { \"table\": \"" + p + "orders\", \"subject\": \"contact_id\", \"rowCategory\": \"commerce.order\","
        + "   \"columns\": { \"note\": \"commerce.note\" } },"
        + " { \"table\": \"" + p + "note\", \"subject\": \"subject\", \"columns\": { \"body\": \"contact.email\" } } ] }";
  }

  static void closeDatabase() throws SQLException {
    if (db != null) {
      db.close();
      db = null;
    }
  }

  // ------------------------------------------------------------------ ledgers

  /**
   * One ledger entry. A grant starts {@code startsAt} seconds before it is recorded (the engine
   * records none ahead of its time) and may expire {@code expiresAt} seconds from {@link #NOW},
   * before or after the instants queried.
   */
  sealed interface Action permits GrantA, WithdrawA, WithdrawGrantA, ObjectA {}

  record GrantA(int subject, String purpose, List<String> categories, String recipient, int notice, int startsAt,
      Optional<Integer> expiresAt, boolean explicit) implements Action {}

  record WithdrawA(int subject, String purpose) implements Action {}

  /** Withdraws the {@code index}-th grant recorded so far (modulo), if any. */
  record WithdrawGrantA(int index) implements Action {}

  record ObjectA(int subject) implements Action {}

  @Provide
  Arbitrary<List<Action>> ledgers() {
    Arbitrary<GrantA> grant = Combinators.combine(Arbitraries.integers().between(1, SUBJECTS),
            Arbitraries.of(GRANT_PURPOSES), Arbitraries.of(CATEGORIES).list().uniqueElements().ofMinSize(1)
                .ofMaxSize(3),
            Arbitraries.frequency(net.jqwik.api.Tuple.of(6, "self"), net.jqwik.api.Tuple.of(1, "quizlab"),
                net.jqwik.api.Tuple.of(1, "adnet")),
            Arbitraries.integers().between(1, 3),
            Arbitraries.integers().between(0, 100),
            Arbitraries.integers().between(-50, 150).optional(0.4),
            Arbitraries.of(false, true))
        .as(GrantA::new);
    Arbitrary<Action> other = Arbitraries.oneOf(
        Combinators.combine(Arbitraries.integers().between(1, SUBJECTS), Arbitraries.of(GRANT_PURPOSES))
            .as(WithdrawA::new),
        Arbitraries.integers().between(0, 20).map(WithdrawGrantA::new),
        Arbitraries.integers().between(1, SUBJECTS).map(ObjectA::new));
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(5, grant), net.jqwik.api.Tuple.of(1, other))
        .list().ofMinSize(3).ofMaxSize(18);
  }

  /**
   * Records the ledger, every entry before {@link #NOW} (at increasing instants): the statements
   * run after it, as statements run after the changes they see. Returns the instants worth
   * querying at: fixed ones, and each expiry from {@code NOW} on, exactly and 1 ns either side.
   */
  static List<Instant> record(ConsentEngine engine, MovableClock clock, List<Action> ledger) {
    List<Grant> grants = new ArrayList<>();
    TreeSet<Instant> instants = new TreeSet<>(List.of(NOW, NOW.plusSeconds(45), NOW.plusSeconds(200)));
    int step = 0;
    for (Action a : ledger) {
      clock.set(NOW.minusSeconds(250 - 10L * step++));
      if (a instanceof GrantA g) {
        Grant.Builder b = Grant.builder(SubjectId.of(g.subject())).purpose(g.purpose()).recipient(g.recipient())
            .notice("privacy", g.notice());
        g.categories().forEach(b::category);
        if (g.explicit()) { // explicit consent to the special category, and to the transfer where there is one
          b.explicit();
          if (g.recipient().equals("adnet")) {
            b.explicitTransfer();
          }
        }
        Instant start = clock.instant().minusSeconds(g.startsAt()); // the engine records no grant ahead of time
        b.grantedAt(start);
        g.expiresAt().ifPresent(e -> b.expiresAt(NOW.plusSeconds(e)));
        Grant made = engine.grant(b);
        grants.add(made);
        for (Instant edge : new Instant[] {made.grantedAt(), made.expiresAt().orElse(null)}) {
          if (edge != null && !edge.isBefore(NOW)) {
            instants.add(edge);
            instants.add(edge.minusNanos(1));
            instants.add(edge.plusNanos(1));
          }
        }
      } else if (a instanceof WithdrawA w) {
        engine.withdraw(SubjectId.of(w.subject()), Purpose.of(w.purpose()));
      } else if (a instanceof WithdrawGrantA w) {
        if (!grants.isEmpty()) {
          Grant g = grants.get(w.index() % grants.size());
          engine.withdraw(g.subject(), g.id());
        }
      } else if (a instanceof ObjectA o) {
        engine.object(SubjectId.of(o.subject()), Purpose.of("analytics"));
      }
    }
    return List.copyOf(instants);
  }

  // ------------------------------------------------------------------ statements

  /**
   * A statement: its SQL with {@code $} for the tables' prefix, its parameters (ints), and whether
   * the post-filtered form must take it on every database.
   */
  record Query(String sql, List<Integer> parameters, boolean postFilterable) {}

  private static final List<String> CONTACT_COLUMNS = List.of("c.id", "c.country", "c.email", "c.phone", "email",
      "phone", "country", "'lit'", "7", "NULL");
  private static final List<String> CONTACT_WHERE = List.of("c.country = 'NL'", "c.id > 2", "c.id IN (1, 3, 5, 7)",
      "c.country IS NOT NULL", "c.id BETWEEN 2 AND 5", "c.country <> 'FR' OR c.id < 3", "NOT (c.id = 4)",
      "c.country LIKE 'N%'", "c.id = ?", "c.id >= ?");

  @Provide
  Arbitrary<Query> queries() {
    Arbitrary<Query> single = Combinators.combine(Arbitraries.of(CONTACT_COLUMNS)
            .list().ofMinSize(1).ofMaxSize(4), Arbitraries.of(CONTACT_WHERE).optional(0.7),
            Arbitraries.of(" ORDER BY c.id", " ORDER BY c.country, c.id DESC", "").optional(0.5),
            Arbitraries.integers().between(1, SUBJECTS))
        .as((cols, where, order, param) -> {
          String w = where.map(x -> " WHERE " + x).orElse("");
          List<Integer> params = w.contains("?") ? List.of(param) : List.of();
          return new Query("SELECT " + String.join(", ", cols) + " FROM $contact c" + w + order.orElse(""), params,
              true);
        });
    Arbitrary<Query> fixed = Arbitraries.of(
        new Query("SELECT * FROM $contact", List.of(), true),
        new Query("SELECT c.* FROM $contact c WHERE c.id <> 3", List.of(), true),
        new Query("SELECT c.id, c.email, o.id, o.amount, o.note FROM $contact c JOIN $orders o ON o.contact_id = c.id",
            List.of(), true),
        new Query("SELECT o.note, c.phone FROM $orders o INNER JOIN $contact c ON c.id = o.contact_id"
            + " WHERE o.amount > 20 ORDER BY o.id", List.of(), true),
        new Query("SELECT c.email, o.* FROM $contact c, $orders o WHERE o.contact_id = c.id AND c.country = 'NL'",
            List.of(), true),
        new Query("SELECT f.user_id, f.friend_id, f.since, c.email FROM $friend f JOIN $contact c ON c.id ="
            + " f.friend_id", List.of(), true),
        new Query("SELECT f.user_id, f.friend_id FROM $friend f", List.of(), true),
        new Query("SELECT * FROM $friend", List.of(), true),
        new Query("SELECT a.id, a.email, b.id, b.phone FROM $contact a JOIN $contact b ON a.country = b.country",
            List.of(), true),
        new Query("SELECT a.email, b.email FROM $contact a CROSS JOIN $contact b WHERE a.id < b.id", List.of(), true),
        new Query("SELECT c.id, c.phone, ? FROM $contact c WHERE c.id <= ?", List.of(5, 6), true),
        new Query("SELECT c.id, c.email, t.label FROM $contact c JOIN $tag t ON t.contact_id = c.id", List.of(),
            false),
        // an unmapped table's column types are not known: on H2 and MariaDB its comparisons are guarded
        new Query("SELECT c.id, c.email, t.label FROM $contact c, $tag t WHERE t.label = 't1' AND c.id = 2",
            List.of(), false),
        new Query("SELECT c.id AS k, c.email AS mail FROM $contact c ORDER BY k", List.of(), true),
        // a text subject column keeps the pushdown (docs/REWRITING.md, "Post-filtered reads")
        new Query("SELECT n.subject, n.body FROM $note n", List.of(), false),
        new Query("SELECT n.body, c.email FROM $note n JOIN $contact c ON c.id = 2", List.of(), false),
        // shapes that keep the pushdown: both sides must still agree
        new Query("SELECT c.id, c.email FROM $contact c WHERE c.email LIKE 'e%'", List.of(), false),
        new Query("SELECT c.id FROM $contact c ORDER BY c.email", List.of(), false),
        new Query("SELECT COUNT(*) FROM $contact c", List.of(), false),
        new Query("SELECT c.id, c.phone FROM $contact c ORDER BY c.id LIMIT 3", List.of(), false),
        new Query("SELECT c.id, o.note FROM $contact c LEFT JOIN $orders o ON o.contact_id = c.id", List.of(), false));
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(2, single), net.jqwik.api.Tuple.of(3, fixed));
  }

  @Provide
  Arbitrary<AccessContext> contexts() {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, Arbitraries.of(GRANT_PURPOSES).flatMap(purpose -> Arbitraries.frequency(
            net.jqwik.api.Tuple.of(4, "self"), net.jqwik.api.Tuple.of(1, "quizlab"), net.jqwik.api.Tuple.of(1, "adnet"))
            .map(r -> AccessContext.of("prop", purpose, r)))),
        net.jqwik.api.Tuple.of(1, Arbitraries.of(AccessContext.of("prop", "support"),
            AccessContext.of("prop", "analytics"))));
  }

  // ------------------------------------------------------------------ the property

  @Property
  void thePostFilteredResultIsThePushdownResult(@ForAll("ledgers") List<Action> ledger,
      @ForAll("contexts") AccessContext ctx,
      @ForAll("queries") Query query, @ForAll("queries") Query second, @ForAll boolean prepared,
      @ForAll boolean indexed) throws Exception {
    JdbcConsentStore store = JdbcConsentStore.builder(db.dataSource()).tablePrefix(storePrefix).build();
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      for (String table : new Schema(storePrefix).tables()) {
        if (!table.equals(new Schema(storePrefix).schemaVersion())) {
          s.executeUpdate("DELETE FROM " + table);
        }
      }
    }
    MovableClock clock = new MovableClock(NOW);
    // With the consent index, post-filtered rows are decided by its decider; without, by decideAll.
    try (ConsentEngine engine = ConsentEngine.builder().catalog(CATALOG).store(store).clock(clock)
        .consentIndex(indexed).build()) {
      if (indexed) {
        awaitUsable(engine);
      }
      List<Instant> instants = record(engine, clock, ledger);
      SchemaMapping m = SchemaMapping.fromJson(mapping);
      ConsentDataSource pushdown = ConsentDataSource.wrap(db.dataSource(), engine, m, AuditLevel.STATEMENT,
          ReadForm.PUSHDOWN);
      ConsentDataSource post = ConsentDataSource.wrap(db.dataSource(), engine, m, AuditLevel.STATEMENT,
          ReadForm.POST_FILTER);
      for (Query q : List.of(query, second)) {
        String sql = q.sql().replace("$", p);
        boolean consent = CATALOG.require(ctx).basis() == LegalBasis.CONSENT;
        boolean taken = post.explain(sql, ctx).postFiltered();
        if (consent) {
          assertEquals(indexed, engine.decider(ctx, java.util.Set.of(), NOW).isPresent(),
              "the rows are decided by the index's decider exactly when the index is on");
        }
        Statistics.label("form").collect(taken ? "post-filtered" : "pushdown");
        if (q.postFilterable() && consent) {
          assertTrue(taken, () -> "expected the post-filtered form for " + sql + ": " + explainReason(post, sql, ctx));
        }
        if (!q.postFilterable() && !sql.contains(p + "tag")) {
          assertTrue(!taken, () -> "expected the pushdown form for " + sql);
        }
        for (Instant at : instants) {
          clock.set(at);
          Result expected = run(pushdown, engine, ctx, sql, q.parameters(), prepared);
          Result actual = run(post, engine, ctx, sql, q.parameters(), prepared);
          assertEquals(expected.labels(), actual.labels(), sql);
          assertEquals(expected.rows(), actual.rows(), () -> sql + " at " + at + " under " + ctx);
          Statistics.label("rows").collect(expected.rows().isEmpty() ? "none" : "some");
        }
      }
    }
  }

  private static void awaitUsable(ConsentEngine engine) throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!engine.consentIndex().orElseThrow().isUsable()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the consent index did not load within 30 s");
      }
      Thread.sleep(5);
    }
  }

  private static String explainReason(ConsentDataSource ds, String sql, AccessContext ctx) {
    try {
      return ds.explain(sql, ctx).pushdownReason();
    } catch (SQLException e) {
      return e.getMessage();
    }
  }

  /** Column labels (lower-case) and rows, each row its values as text, sorted: a multiset. */
  record Result(List<String> labels, List<String> rows) {}

  static Result run(ConsentDataSource ds, ConsentEngine engine, AccessContext ctx, String sql, List<Integer> params,
      boolean prepared) throws SQLException {
    try (ProcessingScope scope = engine.process(ctx); Connection c = ds.getConnection()) {
      if (prepared || !params.isEmpty()) {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
          for (int i = 0; i < params.size(); i++) {
            ps.setInt(i + 1, params.get(i));
          }
          try (ResultSet rs = ps.executeQuery()) {
            return read(rs);
          }
        }
      }
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
        return read(rs);
      }
    }
  }

  static Result read(ResultSet rs) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    int n = md.getColumnCount();
    List<String> labels = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      labels.add(md.getColumnLabel(i).toLowerCase(java.util.Locale.ROOT));
    }
    List<String> rows = new ArrayList<>();
    while (rs.next()) {
      StringBuilder row = new StringBuilder();
      for (int i = 1; i <= n; i++) {
        Object byIndex = rs.getObject(i);
        boolean wasNull = rs.wasNull();
        String text = rs.getString(i);
        if ((byIndex == null) != wasNull || (text == null) != wasNull) {
          throw new AssertionError("getObject, getString and wasNull disagree on column " + i);
        }
        row.append(i == 1 ? "" : " | ").append(wasNull ? "NULL" : text);
      }
      rows.add(row.toString());
    }
    rows.sort(null);
    return new Result(labels, rows);
  }

  /** A clock the test moves. */
  static final class MovableClock extends Clock {
    private volatile Instant now;

    MovableClock(Instant now) {
      this.now = now;
    }

    void set(Instant at) {
      now = at;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
