package org.consent4j.jdbc.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.statistics.Statistics;
import org.consent4j.AccessContext;
import org.consent4j.Article9Condition;
import org.consent4j.Catalog;
import org.consent4j.DataCategory;
import org.consent4j.Decision;
import org.consent4j.Grant;
import org.consent4j.LegalBasis;
import org.consent4j.Notice;
import org.consent4j.Purpose;
import org.consent4j.PurposeDefinition;
import org.consent4j.Recipient;
import org.consent4j.SubjectId;
import org.consent4j.TransferSafeguard;
import org.consent4j.core.ConsentEngine;
import org.consent4j.jdbc.JdbcConsentStore;
import org.consent4j.jdbc.TestDatabases.Database;
import org.consent4j.jdbc.internal.Dialect;
import org.consent4j.jdbc.internal.Schema;
import org.consent4j.jdbc.internal.rewrite.LiveColumns;
import org.consent4j.jdbc.internal.rewrite.ProtectedTable;
import org.consent4j.jdbc.internal.rewrite.SqlRewriter;

/**
 * The rewriter against an oracle written in plain Java: random grants, withdrawals (of purposes
 * and of single grants by id) and objections over a small contact / friend / orders database,
 * random queries from a generator of shapes, and random contexts. The rewritten query on the mapped tables must return exactly what the ORIGINAL
 * query returns on unmapped copies of the tables from which Java removed the rows and masked the
 * values the engine's own decisions ({@link ConsentEngine#checkAll}) do not permit.
 *
 * <p>One database for the container: the data tables are refilled for every try, the consent
 * store's tables are emptied for every try, and the engine and the rewriter are new. The
 * properties run on H2 ({@link SqlRewriterH2Properties}), PostgreSQL
 * ({@link SqlRewriterPostgresProperties}) and MariaDB ({@link SqlRewriterMariaDbProperties}); each
 * concrete container opens its database with {@link #openDatabase} and closes it with
 * {@link #closeDatabase}.
 */
abstract class SqlRewriterProperties {
  static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  static final int SUBJECTS = 8;

  static final DataCategory EMAIL = DataCategory.of("contact.email");
  static final DataCategory PHONE = DataCategory.of("contact.phone");
  static final DataCategory ORDER = DataCategory.of("commerce.order");
  static final DataCategory NOTE = DataCategory.of("commerce.note");
  static final Set<DataCategory> ASKED = Set.of(EMAIL, PHONE, ORDER, NOTE);

  static final Catalog CATALOG = Catalog.builder()
      .purpose("marketing", LegalBasis.CONSENT)
      .purpose(PurposeDefinition.consent(Purpose.of("marketing.email")).withMinimumNotice(Notice.of("privacy", 2)))
      .purpose("research", LegalBasis.CONSENT)
      .purpose("support", LegalBasis.CONTRACT, "contact.email")
      .purpose(PurposeDefinition.of(Purpose.of("analytics"), LegalBasis.LEGITIMATE_INTERESTS,
              List.of(DataCategory.of("contact"), ORDER))
          .withRecipients(List.of(Recipient.FIRST_PARTY, Recipient.of("adnet"))))
      // commerce.note is special (Art. 9): care may read it under an Art. 9(2) condition
      .purpose(PurposeDefinition.of(Purpose.of("care"), LegalBasis.LEGAL_OBLIGATION, List.of(ORDER, NOTE))
          .withArticle9Condition(Article9Condition.HEALTH_OR_SOCIAL_CARE))
      .categories("contact.email", "contact.phone", "commerce.order").specialCategory("commerce.note")
      .recipient("quizlab")
      // adnet: a third country without adequacy or safeguards; cloudco: the same under SCCs
      .recipient("adnet", "US").recipient("cloudco", "US", TransferSafeguard.STANDARD_CONTRACTUAL_CLAUSES)
      .notice("privacy", 1).notice("privacy", 2).notice("privacy", 3).notice("terms", 3)
      .build();

  static final List<String> CONSENT_PURPOSES = List.of("marketing", "marketing.email", "research");
  static final List<String> PURPOSES =
      List.of("marketing", "marketing.email", "research", "support", "analytics", "care");
  static final List<String> GRANT_CATEGORIES =
      List.of("contact", "contact.email", "contact.phone", "commerce", "commerce.order", "commerce.note");
  static final List<String> RECIPIENTS = List.of("self", "quizlab", "adnet", "cloudco");

  // ------------------------------------------------------------------ the database, one per container

  static Database db;
  /** Prefix of the mapped tables (and of the unmapped {@code tag} table both sides read). */
  static String p;
  /** Prefix of the unmapped copies the Java oracle fills. */
  static String q;
  static Dialect dialect;
  static List<ProtectedTable> tables;
  /** Prefix of the consent store's tables, shared by every try (emptied before each). */
  static String storePrefix;

  static void openDatabase(Database database) throws SQLException {
    db = database;
    storePrefix = db.newTablePrefix();
    p = db.newTablePrefix();
    q = db.newTablePrefix();
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      for (String prefix : List.of(p, q)) {
        s.execute("CREATE TABLE " + prefix + "contact (id INT PRIMARY KEY, country VARCHAR(2), email VARCHAR(100),"
            + " phone VARCHAR(30))");
        s.execute("CREATE TABLE " + prefix + "friend (user_id INT NOT NULL, friend_id INT NOT NULL)");
        s.execute("CREATE TABLE " + prefix + "orders (id INT PRIMARY KEY, contact_id INT NOT NULL, amount INT,"
            + " note VARCHAR(100))");
      }
      s.execute("CREATE TABLE " + p + "tag (contact_id INT, label VARCHAR(10))");
      dialect = Dialect.fromProductName(c.getMetaData().getDatabaseProductName());
      tables = List.of(
          new ProtectedTable(Optional.empty(), p + "contact", LiveColumns.read(c, null, p + "contact"),
              List.of("id"), Optional.empty(), Map.of("email", EMAIL, "phone", PHONE)),
          new ProtectedTable(Optional.empty(), p + "friend", LiveColumns.read(c, null, p + "friend"),
              List.of("user_id", "friend_id"), Optional.empty(), Map.of()),
          new ProtectedTable(Optional.empty(), p + "orders", LiveColumns.read(c, null, p + "orders"),
              List.of("contact_id"), Optional.of(ORDER), Map.of("note", NOTE)));
    }
  }

  static void closeDatabase() throws SQLException {
    if (db != null) {
      db.close();
      db = null;
    }
  }

  // ------------------------------------------------------------------ data

  record Contact(int id, String country, String email, String phone) {}

  record Friend(int userId, int friendId) {}

  record Order(int id, int contactId, int amount, String note) {}

  record Tag(int contactId, String label) {}

  record Data(List<Contact> contacts, List<Friend> friends, List<Order> orders, List<Tag> tags) {
    /** The copy the oracle builds: rows and values the decisions do not permit are gone / NULL. */
    Data filtered(Map<SubjectId, Decision> d) {
      List<Contact> cs = new ArrayList<>();
      for (Contact c : contacts) {
        Decision x = d.get(SubjectId.of(c.id()));
        if (x.subjectPermitted()) {
          cs.add(new Contact(c.id(), c.country(), x.permits(EMAIL) ? c.email() : null,
              x.permits(PHONE) ? c.phone() : null));
        }
      }
      List<Friend> fs = new ArrayList<>();
      for (Friend f : friends) {
        if (d.get(SubjectId.of(f.userId())).subjectPermitted() && d.get(SubjectId.of(f.friendId())).subjectPermitted()) {
          fs.add(f);
        }
      }
      List<Order> os = new ArrayList<>();
      for (Order o : orders) {
        Decision x = d.get(SubjectId.of(o.contactId()));
        if (x.subjectPermitted() && x.permits(ORDER)) {
          os.add(new Order(o.id(), o.contactId(), o.amount(), x.permits(NOTE) ? o.note() : null));
        }
      }
      return new Data(cs, fs, os, tags);
    }

    void write(Connection c, String prefix, boolean withTags) throws SQLException {
      List<Object[]> rows = new ArrayList<>();
      contacts.forEach(x -> rows.add(new Object[] {x.id(), x.country(), x.email(), x.phone()}));
      replace(c, prefix + "contact", 4, rows);
      rows.clear();
      friends.forEach(x -> rows.add(new Object[] {x.userId(), x.friendId()}));
      replace(c, prefix + "friend", 2, rows);
      rows.clear();
      orders.forEach(x -> rows.add(new Object[] {x.id(), x.contactId(), x.amount(), x.note()}));
      replace(c, prefix + "orders", 4, rows);
      if (withTags) {
        rows.clear();
        tags.forEach(x -> rows.add(new Object[] {x.contactId(), x.label()}));
        replace(c, prefix + "tag", 2, rows);
      }
    }

    private static void replace(Connection c, String table, int columns, List<Object[]> rows) throws SQLException {
      try (Statement s = c.createStatement()) {
        s.executeUpdate("DELETE FROM " + table);
      }
      String marks = String.join(", ", java.util.Collections.nCopies(columns, "?"));
      try (PreparedStatement s = c.prepareStatement("INSERT INTO " + table + " VALUES (" + marks + ")")) {
        for (Object[] row : rows) {
          for (int i = 0; i < columns; i++) {
            s.setObject(i + 1, row[i]);
          }
          s.addBatch();
        }
        s.executeBatch();
      }
    }
  }

  // ------------------------------------------------------------------ the ledger

  sealed interface Action permits GrantA, WithdrawA, WithdrawGrantA, ObjectA {}

  /**
   * @param backdate how long before NOW the grant was given
   * @param expiry expiry relative to NOW (negative: already expired; zero: expires exactly now), or null
   */
  record GrantA(int subject, Set<String> purposes, Set<String> categories, Set<String> recipients, Notice notice,
      Duration backdate, Duration expiry, boolean explicit, boolean explicitTransfer) implements Action {
    /** A grant that records no explicit consent. */
    GrantA(int subject, Set<String> purposes, Set<String> categories, Set<String> recipients, Notice notice,
        Duration backdate, Duration expiry) {
      this(subject, purposes, categories, recipients, notice, backdate, expiry, false, false);
    }
  }

  record WithdrawA(int subject, String purpose, String recipient) implements Action {}

  /** Withdraws one grant by its id: the {@code pick}-th recorded so far (modulo their number), by its subject. */
  record WithdrawGrantA(int pick) implements Action {}

  record ObjectA(int subject) implements Action {}

  /** Records the ledger, all at the fixed clock, in order. */
  static void apply(ConsentEngine engine, List<Action> actions) {
    List<Grant> recorded = new ArrayList<>();
    for (Action a : actions) {
      if (a instanceof GrantA g) {
        Instant grantedAt = NOW.minus(g.backdate());
        Grant.Builder b = Grant.builder(SubjectId.of(g.subject()));
        g.purposes().forEach(b::purpose);
        g.categories().forEach(b::category);
        g.recipients().forEach(b::recipient);
        if (g.notice() != null) {
          b.notice(g.notice());
        }
        if (g.expiry() != null) {
          Instant expiresAt = NOW.plus(g.expiry());
          if (!expiresAt.isAfter(grantedAt)) {
            grantedAt = expiresAt.minus(Duration.ofHours(1));
          }
          b.expiresAt(expiresAt);
        }
        if (g.explicit()) {
          b.explicit();
        }
        if (g.explicitTransfer()) {
          b.explicitTransfer();
        }
        recorded.add(engine.grant(b.grantedAt(grantedAt)));
      } else if (a instanceof WithdrawGrantA w && !recorded.isEmpty()) {
        Grant g = recorded.get(w.pick() % recorded.size());
        engine.withdraw(g.subject(), g.id());
      } else if (a instanceof WithdrawA w) {
        if (w.recipient() == null) {
          engine.withdraw(SubjectId.of(w.subject()), Purpose.of(w.purpose()));
        } else {
          engine.withdraw(SubjectId.of(w.subject()), Purpose.of(w.purpose()), Recipient.of(w.recipient()));
        }
      } else if (a instanceof ObjectA o) {
        engine.object(SubjectId.of(o.subject()), Purpose.of("analytics"));
      }
    }
  }

  // ------------------------------------------------------------------ one world per try

  /** A fresh consent store, engine and rewriter over the container's tables, with the data written. */
  static final class World implements AutoCloseable {
    final Data data;
    final List<Action> ledger;
    final ConsentEngine engine;
    final SqlRewriter rewriter;

    World(Data data, List<Action> ledger) throws SQLException {
      this.data = data;
      this.ledger = ledger;
      JdbcConsentStore store = JdbcConsentStore.builder(db.dataSource()).tablePrefix(storePrefix).build();
      try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
        for (String table : new Schema(storePrefix).tables()) {
          if (!table.equals(new Schema(storePrefix).schemaVersion())) {
            s.executeUpdate("DELETE FROM " + table);
          }
        }
      }
      engine = ConsentEngine.builder().catalog(CATALOG).store(store).clock(CLOCK).build();
      rewriter = new SqlRewriter(tables, CATALOG, dialect, store.tablePrefix());
      try (Connection c = db.dataSource().getConnection()) {
        data.write(c, p, true);
      }
      apply(engine, ledger);
    }

    /** The engine's decisions for every subject under {@code ctx}. */
    Map<SubjectId, Decision> decisions(AccessContext ctx) {
      List<SubjectId> all = IntStream.rangeClosed(1, SUBJECTS).mapToObj(SubjectId::of).toList();
      return engine.checkAll(all, ctx, ASKED);
    }

    /** Fills the unmapped copies with what the engine's decisions let {@code ctx} see. */
    void prepareOracle(AccessContext ctx) throws SQLException {
      try (Connection c = db.dataSource().getConnection()) {
        Map<SubjectId, Decision> d = decisions(ctx);
        long visible = d.values().stream().filter(Decision::subjectPermitted).count();
        long partial = d.values().stream().filter(x -> x.subjectPermitted() && !x.permits(EMAIL)
            || x.subjectPermitted() && !x.permits(PHONE)).count();
        Statistics.label("visible subjects").collect(visible == 0 ? "none" : visible == SUBJECTS ? "all" : "some");
        Statistics.label("visible subjects with a masked contact column").collect(partial > 0);
        data.filtered(d).write(c, q, false);
      }
    }

    String rewritten(String template, AccessContext ctx) {
      return rewriter.rewrite(template.replace("$", p), Optional.of(ctx)).sql(NOW);
    }

    List<List<Object>> actual(String template, AccessContext ctx) throws SQLException {
      return run(rewritten(template, ctx));
    }

    static List<List<Object>> expected(String template) throws SQLException {
      return run(template.replace("$contact", q + "contact").replace("$friend", q + "friend")
          .replace("$orders", q + "orders").replace("$tag", p + "tag"));
    }

    /** Asserts the rewritten query equals the original on the oracle's copies (prepared for ctx). */
    void check(String template, AccessContext ctx) throws SQLException {
      List<List<Object>> expected = expected(template);
      String sql;
      try {
        sql = rewritten(template, ctx);
      } catch (RuntimeException e) {
        throw new AssertionError("rewriting failed: " + template + " under " + ctx, e);
      }
      List<List<Object>> actual;
      try {
        actual = run(sql);
      } catch (SQLException e) {
        throw new AssertionError("the rewritten query failed: " + template + " under " + ctx + "\n" + sql, e);
      }
      Statistics.label("result").collect(expected.isEmpty() ? "empty" : "rows");
      Statistics.label("context").collect(ctx.purpose() + "/" + ctx.recipient());
      assertEquals(expected, actual, () -> "query " + template + " under " + ctx + "\ndata " + data
          + "\nledger " + ledger + "\nrewritten: " + sql);
    }

    @Override
    public void close() {
      engine.close();
    }
  }

  static List<List<Object>> run(String sql) throws SQLException {
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      ResultSetMetaData md = r.getMetaData();
      List<List<Object>> rows = new ArrayList<>();
      while (r.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          row.add(normalize(r.getObject(i)));
        }
        rows.add(row);
      }
      // Order-independent: every shape's rows are compared as a sorted multiset.
      rows.sort(Comparator.comparing(Object::toString));
      return rows;
    }
  }

  private static Object normalize(Object v) {
    if (v instanceof BigDecimal b) {
      return b.stripTrailingZeros().toPlainString();
    }
    if (v instanceof Number n) {
      return n.longValue();
    }
    return v;
  }

  // ------------------------------------------------------------------ the property

  // Full shrinking: jqwik's default bounded shrinking gives up after 10 s and leaves the
  // shrinking thread running in the background, writing into the tables the next test reads.
  @Property(shrinking = ShrinkingMode.FULL)
  void rewrittenQueryEqualsTheOriginalOnJavaFilteredData(
      @ForAll("data") Data data,
      @ForAll("ledgers") List<Action> ledger,
      @ForAll("contexts") List<AccessContext> contexts,
      @ForAll("queries") List<String> queries) throws SQLException {
    try (World w = new World(data, ledger)) {
      for (AccessContext ctx : contexts) {
        w.prepareOracle(ctx);
        for (String query : queries) {
          w.check(query, ctx);
        }
      }
    }
  }

  // ------------------------------------------------------------------ generators

  @Provide
  Arbitrary<Data> data() {
    Arbitrary<String> country = Arbitraries.of("NL", "DE", "FR").injectNull(0.15);
    Arbitrary<String> email = Arbitraries.of("a1@x.org", "ann@y.org", "bob@x.org", "b@z.org", "carl@x.org")
        .injectNull(0.2);
    Arbitrary<String> phone = Arbitraries.of("+31 1", "+49 2", "555").injectNull(0.3);
    Arbitrary<List<Contact>> contacts = Combinators.combine(
            Arbitraries.integers().between(0, 99).list().ofSize(SUBJECTS),
            country.list().ofSize(SUBJECTS), email.list().ofSize(SUBJECTS), phone.list().ofSize(SUBJECTS))
        .as((present, cs, es, ps) -> {
          List<Contact> out = new ArrayList<>();
          for (int i = 0; i < SUBJECTS; i++) {
            if (present.get(i) < 85) {
              out.add(new Contact(i + 1, cs.get(i), es.get(i), ps.get(i)));
            }
          }
          return out;
        });
    Arbitrary<Integer> subject = Arbitraries.integers().between(1, SUBJECTS);
    Arbitrary<List<Friend>> friends = Combinators.combine(subject, subject).as(Friend::new).list().ofMaxSize(10);
    Arbitrary<List<Order>> orders = Combinators.combine(subject, Arbitraries.integers().between(1, 100),
            Arbitraries.of("gift", "urgent").injectNull(0.3))
        .as((s, amount, note) -> new Order(0, s, amount, note))
        .list().ofMaxSize(8)
        .map(list -> IntStream.range(0, list.size())
            .mapToObj(i -> new Order(i + 1, list.get(i).contactId(), list.get(i).amount(), list.get(i).note()))
            .toList());
    Arbitrary<List<Tag>> tags = Combinators.combine(Arbitraries.integers().between(1, SUBJECTS + 1),
        Arbitraries.of("t1", "t2", "t3")).as(Tag::new).list().ofMaxSize(5);
    return Combinators.combine(contacts, friends, orders, tags).as(Data::new);
  }

  @Provide
  Arbitrary<List<Action>> ledgers() {
    Arbitrary<Integer> subject = Arbitraries.integers().between(1, SUBJECTS);
    Arbitrary<Notice> notice = Arbitraries.of(Notice.of("privacy", 1), Notice.of("privacy", 2),
        Notice.of("privacy", 3), Notice.of("terms", 3)).injectNull(0.4);
    Arbitrary<Duration> backdate = Arbitraries.of(Duration.ZERO, Duration.ofHours(1), Duration.ofDays(2));
    Arbitrary<Duration> expiry = Arbitraries.of(Duration.ofMinutes(-30), Duration.ZERO, Duration.ofSeconds(1),
        Duration.ofHours(1)).injectNull(0.6);
    Arbitrary<Set<String>> recipients = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(2, Arbitraries.just(Set.<String>of())),
        net.jqwik.api.Tuple.of(1, Arbitraries.of(RECIPIENTS).set().ofMinSize(1)));
    Arbitrary<Action> grant = Combinators.combine(subject,
        Arbitraries.of(CONSENT_PURPOSES).set().ofMinSize(1).ofMaxSize(2),
        Arbitraries.of(GRANT_CATEGORIES).set().ofMinSize(1).ofMaxSize(3),
        recipients,
        notice, backdate, expiry,
        Arbitraries.integers().between(0, 3)) // bit 0: explicit; bit 1: explicit transfer
        .as((s, ps, cs, rs, n, back, exp, flags) -> new GrantA(s, ps, cs, rs, n, back, exp, (flags & 1) != 0,
            (flags & 2) != 0));
    Arbitrary<Action> withdraw = Combinators.combine(subject, Arbitraries.of(CONSENT_PURPOSES),
        Arbitraries.of(RECIPIENTS).injectNull(0.6)).as(WithdrawA::new);
    Arbitrary<Action> withdrawGrant = Arbitraries.integers().between(0, 15).map(WithdrawGrantA::new);
    Arbitrary<Action> object = subject.map(ObjectA::new);
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(8, grant), net.jqwik.api.Tuple.of(2, withdraw), net.jqwik.api.Tuple.of(2, withdrawGrant),
        net.jqwik.api.Tuple.of(1, object))
        .list().ofMinSize(2).ofMaxSize(16);
  }

  @Provide
  Arbitrary<List<AccessContext>> contexts() {
    return Combinators.combine(Arbitraries.of(PURPOSES), Arbitraries.frequency(
            net.jqwik.api.Tuple.of(3, "self"), net.jqwik.api.Tuple.of(1, "quizlab"), net.jqwik.api.Tuple.of(1, "adnet"),
            net.jqwik.api.Tuple.of(1, "cloudco")))
        .as((purpose, recipient) -> AccessContext.of("prop", purpose, recipient))
        .list().ofMinSize(1).ofMaxSize(3);
  }

  @Provide
  Arbitrary<List<String>> queries() {
    return Shapes.query().list().ofMinSize(1).ofMaxSize(4);
  }

  /**
   * Query shapes over {@code $contact}, {@code $friend}, {@code $orders} (mapped) and {@code $tag}
   * (unmapped). Results are compared as sorted multisets; a LIMIT comes only after an ORDER BY of a
   * unique key, so its rows are determined.
   */
  static final class Shapes {
    static final List<String> CONTACT_COLUMNS = List.of("id", "country", "email", "phone");
    static final List<String> CONTACT_PREDICATES = List.of("email LIKE 'a%'", "phone IS NULL", "email IS NOT NULL",
        "country = 'NL'", "phone LIKE '+%'", "email LIKE '%@x.org' OR phone IS NOT NULL", "1 = 1",
        "NOT (email LIKE 'b%')", "coalesce(email, 'none') = 'none'",
        // conditions that consent4j cannot prove safe on hidden rows: guarded or fenced (PredicateGuards)
        "abs(id) > 2", "(CASE WHEN country = 'NL' THEN id ELSE 0 END) > 3", "id IN (1, 2, 5) AND abs(id) < 5");

    static Arbitrary<String> predicate() {
      return Arbitraries.of(CONTACT_PREDICATES);
    }

    static Arbitrary<String> columns() {
      return Arbitraries.of(CONTACT_COLUMNS).list().ofMinSize(1).ofMaxSize(4).uniqueElements()
          .map(cs -> String.join(", ", cs));
    }

    /** Two-column (INT, VARCHAR) selects, for set operations. */
    static Arbitrary<String> pair() {
      return Arbitraries.oneOf(
          predicate().map(w -> "SELECT id, email FROM $contact WHERE " + w),
          Arbitraries.just("SELECT id, phone FROM $contact"),
          Arbitraries.just("SELECT contact_id, note FROM $orders"),
          Arbitraries.just("SELECT user_id, concat(friend_id, '') FROM $friend"),
          Arbitraries.just("SELECT contact_id, label FROM $tag"));
    }

    static Arbitrary<String> query() {
      return Arbitraries.oneOf(List.of(
          Arbitraries.just("SELECT * FROM $contact"),
          columns().map(cs -> "SELECT " + cs + " FROM $contact ORDER BY " + cs),
          Combinators.combine(columns(), predicate()).as((cs, w) -> "SELECT " + cs + " FROM $contact WHERE " + w),
          predicate().map(w -> "SELECT count(*), count(email), count(phone) FROM $contact WHERE " + w),
          Arbitraries.just("SELECT country, count(*), count(email), max(phone) FROM $contact GROUP BY country"),
          Arbitraries.just("SELECT count(DISTINCT country), count(DISTINCT email) FROM $contact"),
          Arbitraries.just("SELECT country, count(*) FROM $contact GROUP BY country"
              + " HAVING count(*) >= (SELECT count(*) FROM $orders WHERE amount > 50)"),
          Arbitraries.just("SELECT a.id, b.id, b.email FROM $contact a JOIN $contact b ON a.country = b.country"),
          Arbitraries.just("SELECT f.user_id, f.friend_id, c.email, c.phone FROM $friend f"
              + " JOIN $contact c ON c.id = f.friend_id"),
          Arbitraries.just("SELECT c.email FROM $friend f, $contact c WHERE c.id = f.user_id"),
          Arbitraries.just("SELECT t.contact_id, t.label, c.email, c.phone FROM $tag t"
              + " LEFT JOIN $contact c ON c.id = t.contact_id"),
          Arbitraries.just("SELECT c.id, o.amount, o.note FROM $contact c LEFT JOIN $orders o ON o.contact_id = c.id"),
          predicate().map(w -> "SELECT * FROM $friend WHERE friend_id IN (SELECT id FROM $contact WHERE " + w + ")"),
          Arbitraries.just("SELECT id FROM $contact WHERE id NOT IN (SELECT friend_id FROM $friend)"),
          Arbitraries.just("SELECT id, email FROM $contact c WHERE EXISTS"
              + " (SELECT 1 FROM $friend f WHERE f.user_id = c.id)"),
          Arbitraries.just("SELECT t.label FROM $tag t WHERE NOT EXISTS"
              + " (SELECT 1 FROM $contact c WHERE c.id = t.contact_id AND c.email IS NOT NULL)"),
          Arbitraries.just("SELECT f.user_id, (SELECT email FROM $contact c WHERE c.id = f.friend_id) FROM $friend f"),
          Arbitraries.just("SELECT t.label, (SELECT sum(amount) FROM $orders o WHERE o.contact_id = t.contact_id)"
              + " FROM $tag t"),
          predicate().map(w -> "SELECT d.id, d.email FROM (SELECT * FROM $contact WHERE " + w + ") d"),
          predicate().map(w -> "WITH x AS (SELECT id, email, phone FROM $contact WHERE " + w + ")"
              + " SELECT x.id, x.email, f.friend_id FROM x LEFT JOIN $friend f ON f.user_id = x.id"),
          // H2 does not stop a recursive UNION at a cycle, so the depth is bounded
          Arbitraries.just("WITH RECURSIVE r(id, depth) AS (SELECT id, 0 FROM $contact WHERE id <= 2 UNION ALL"
              + " SELECT f.friend_id, r.depth + 1 FROM r JOIN $friend f ON f.user_id = r.id WHERE r.depth < 3)"
              + " SELECT DISTINCT id FROM r"),
          Combinators.combine(pair(), pair()).as((a, b) -> a + " UNION ALL " + b),
          Combinators.combine(pair(), pair()).as((a, b) -> a + " EXCEPT " + b),
          Combinators.combine(pair(), pair()).as((a, b) -> a + " INTERSECT " + b),
          Arbitraries.just("SELECT * FROM $orders"),
          Arbitraries.just("SELECT c.country, sum(o.amount), count(o.note), count(*) FROM $orders o"
              + " JOIN $contact c ON c.id = o.contact_id GROUP BY c.country"),
          Arbitraries.just("SELECT contact_id, sum(amount) FROM $orders GROUP BY contact_id"),
          Arbitraries.just("SELECT * FROM $orders WHERE contact_id IN (SELECT friend_id FROM $friend"
              + " WHERE user_id IN (SELECT id FROM $contact WHERE email IS NOT NULL))"),
          Arbitraries.just("SELECT id, email, row_number() OVER (ORDER BY id) FROM $contact"),
          Arbitraries.just("SELECT id, email FROM $contact ORDER BY id LIMIT 3"),
          Arbitraries.just("SELECT DISTINCT country FROM $contact"),
          // unsafe conditions over derived tables, CTEs, set operations, outer joins and HAVING
          predicate().map(w -> "SELECT id, email FROM (SELECT * FROM $contact) d WHERE " + w),
          predicate().map(w -> "WITH x AS (SELECT * FROM $contact) SELECT id, phone FROM x WHERE " + w),
          Arbitraries.just("SELECT id FROM (SELECT id, email FROM $contact UNION ALL SELECT contact_id, note"
              + " FROM $orders) u WHERE abs(id) > 2"),
          Arbitraries.just("SELECT t.label, c.email FROM $tag t LEFT JOIN $contact c ON c.id = t.contact_id"
              + " AND abs(c.id) > 1"),
          Arbitraries.just("SELECT t.label, c.id FROM $tag t LEFT JOIN $contact c ON c.id = t.contact_id"
              + " WHERE abs(t.contact_id) >= 0"),
          Arbitraries.just("SELECT a.id, b.id FROM $contact a JOIN $contact b ON abs(a.id - b.id) = 1"),
          Arbitraries.just("SELECT country, count(*) FROM $contact GROUP BY country HAVING upper(country) = 'NL'"),
          Arbitraries.just("SELECT id FROM $contact c WHERE abs(c.id) > 1 AND EXISTS"
              + " (SELECT 1 FROM $orders o WHERE o.contact_id = c.id AND abs(o.amount) > 20)")));
    }
  }

  // ------------------------------------------------------------------ examples of the interesting edges

  static final AccessContext MARKETING = AccessContext.of("prop", "marketing", "self");
  static final AccessContext ANALYTICS = AccessContext.of("prop", "analytics", "self");

  static Data fixedData() {
    List<Contact> contacts = new ArrayList<>();
    for (int i = 1; i <= SUBJECTS; i++) {
      contacts.add(new Contact(i, i % 2 == 0 ? "NL" : "DE", "c" + i + "@x.org", "+31 " + i));
    }
    List<Order> orders = new ArrayList<>();
    for (int i = 1; i <= SUBJECTS; i++) {
      orders.add(new Order(i, i, 10 * i, "note " + i));
    }
    return new Data(contacts, List.of(new Friend(1, 2), new Friend(2, 1), new Friend(1, 7)), orders,
        List.of(new Tag(1, "t1"), new Tag(7, "t7")));
  }

  static List<Object> row(Object... values) {
    List<Object> out = new ArrayList<>();
    for (Object v : values) {
      out.add(normalize(v));
    }
    return out;
  }

  static final List<String> EXAMPLE_QUERIES = List.of(
      "SELECT * FROM $contact",
      "SELECT * FROM $friend",
      "SELECT * FROM $orders",
      "SELECT count(*), count(email), count(phone) FROM $contact",
      "SELECT t.contact_id, c.email FROM $tag t LEFT JOIN $contact c ON c.id = t.contact_id");

  static void checkAll(World w, AccessContext ctx) throws SQLException {
    w.prepareOracle(ctx);
    for (String query : EXAMPLE_QUERIES) {
      w.check(query, ctx);
    }
  }

  @Example
  void aGrantForEmailOnlyShowsTheRowWithThePhoneMasked() throws SQLException {
    try (World w = new World(fixedData(), List.of(
        new GrantA(1, Set.of("marketing"), Set.of("contact.email"), Set.of(), null, Duration.ZERO, null)))) {
      assertEquals(List.of(row(1, "DE", "c1@x.org", null)), w.actual("SELECT * FROM $contact", MARKETING));
      assertEquals(List.of(), w.actual("SELECT * FROM $orders", MARKETING)); // no commerce.order grant
      checkAll(w, MARKETING);
    }
  }

  @Example
  void aWithdrawnThenRegrantedSubjectIsVisibleButAnImportedOldGrantDoesNotUndoTheWithdrawal() throws SQLException {
    Set<String> contact = Set.of("contact");
    try (World w = new World(fixedData(), List.of(
        new GrantA(2, Set.of("marketing"), contact, Set.of(), null, Duration.ofDays(2), null),
        new WithdrawA(2, "marketing", null),
        new GrantA(2, Set.of("marketing"), contact, Set.of(), null, Duration.ZERO, null),
        new GrantA(3, Set.of("marketing"), contact, Set.of(), null, Duration.ofDays(2), null),
        new WithdrawA(3, "marketing", null),
        new GrantA(3, Set.of("marketing"), contact, Set.of(), null, Duration.ofHours(1), null),
        // withdrawn for quizlab only: still visible to the first party
        new GrantA(4, Set.of("marketing"), contact, Set.of("self", "quizlab"), null, Duration.ofDays(2), null),
        new WithdrawA(4, "marketing", "quizlab")))) {
      assertEquals(List.of(row(2, "NL", "c2@x.org", "+31 2"), row(4, "NL", "c4@x.org", "+31 4")),
          w.actual("SELECT * FROM $contact", MARKETING));
      assertEquals(List.of(), w.actual("SELECT * FROM $contact", AccessContext.of("prop", "marketing", "quizlab")));
      checkAll(w, MARKETING);
      checkAll(w, AccessContext.of("prop", "marketing", "quizlab"));
    }
  }

  @Example
  void anExpiredGrantHidesTheRowAtTheExactInstant() throws SQLException {
    Set<String> contact = Set.of("contact");
    try (World w = new World(fixedData(), List.of(
        new GrantA(4, Set.of("marketing"), contact, Set.of(), null, Duration.ofDays(2), Duration.ofMinutes(-30)),
        new GrantA(5, Set.of("marketing"), contact, Set.of(), null, Duration.ofDays(2), Duration.ZERO),
        new GrantA(6, Set.of("marketing"), contact, Set.of(), null, Duration.ofDays(2), Duration.ofSeconds(1))))) {
      assertEquals(List.of(row(6)), w.actual("SELECT id FROM $contact", MARKETING));
      checkAll(w, MARKETING);
    }
  }

  @Example
  void anObjectionHidesTheSubjectUnderLegitimateInterestsOnly() throws SQLException {
    try (World w = new World(fixedData(), List.of(
        new GrantA(7, Set.of("marketing"), Set.of("contact", "commerce"), Set.of(), null, Duration.ZERO, null, true,
            false),
        new ObjectA(7)))) {
      assertEquals(List.of(row(1), row(2), row(3), row(4), row(5), row(6), row(8)),
          w.actual("SELECT id FROM $contact", ANALYTICS));
      assertEquals(List.of(row(1, 2), row(2, 1)), w.actual("SELECT * FROM $friend", ANALYTICS));
      assertEquals(List.of(row(7, 7, 70, "note 7")), w.actual("SELECT * FROM $orders", MARKETING));
      assertEquals(List.of(row(7L)), w.actual("SELECT count(*) FROM $orders", ANALYTICS));
      checkAll(w, ANALYTICS);
      checkAll(w, MARKETING);
    }
  }

  @Example
  void aSpecialCategoryNeedsAnExplicitGrantAndATransferWithoutSafeguardsAnExplicitTransferConsent()
      throws SQLException {
    Set<String> all = Set.of("contact", "commerce");
    AccessContext adnet = AccessContext.of("prop", "marketing", "adnet");
    AccessContext cloudco = AccessContext.of("prop", "marketing", "cloudco");
    try (World w = new World(fixedData(), List.of(
        new GrantA(1, Set.of("marketing"), all, Set.of("self", "adnet", "cloudco"), null, Duration.ZERO, null),
        new GrantA(2, Set.of("marketing"), all, Set.of("self", "adnet", "cloudco"), null, Duration.ZERO, null, true,
            true),
        new GrantA(3, Set.of("marketing"), all, Set.of("adnet"), null, Duration.ZERO, null, false, true)))) {
      // the note (special) only for the explicit grant
      assertEquals(List.of(row(1, 1, 10, null), row(2, 2, 20, "note 2")), w.actual("SELECT * FROM $orders", MARKETING));
      // adnet: only the subjects who explicitly consented to the transfer
      assertEquals(List.of(row(2), row(3)), w.actual("SELECT id FROM $contact", adnet));
      // cloudco has safeguards: no transfer consent needed
      assertEquals(List.of(row(1), row(2)), w.actual("SELECT id FROM $contact", cloudco));
      // under a legal basis: care has an Art. 9(2) condition, analytics may not send to adnet at all
      assertEquals(8, w.actual("SELECT note FROM $orders", AccessContext.of("prop", "care", "self")).stream()
          .filter(r -> r.get(0) != null).count());
      assertEquals(List.of(), w.actual("SELECT id FROM $contact", AccessContext.of("prop", "analytics", "adnet")));
      checkAll(w, MARKETING);
      checkAll(w, adnet);
      checkAll(w, cloudco);
      checkAll(w, AccessContext.of("prop", "care", "self"));
      checkAll(w, AccessContext.of("prop", "analytics", "adnet"));
    }
  }

  @Example
  void aNoticeBelowThePurposesMinimumDoesNotCount() throws SQLException {
    Set<String> contact = Set.of("contact");
    AccessContext email = AccessContext.of("prop", "marketing.email", "self");
    try (World w = new World(fixedData(), List.of(
        new GrantA(1, Set.of("marketing"), contact, Set.of(), Notice.of("privacy", 1), Duration.ZERO, null),
        new GrantA(2, Set.of("marketing"), contact, Set.of(), Notice.of("privacy", 3), Duration.ZERO, null),
        new GrantA(3, Set.of("marketing"), contact, Set.of(), Notice.of("terms", 3), Duration.ZERO, null)))) {
      assertEquals(List.of(row(2)), w.actual("SELECT id FROM $contact", email));
      assertEquals(List.of(row(1), row(2), row(3)), w.actual("SELECT id FROM $contact", MARKETING));
      checkAll(w, email);
    }
  }
}
