package org.consent4j.jdbc.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.consent4j.AccessContext;
import org.consent4j.Catalog;
import org.consent4j.Grant;
import org.consent4j.LegalBasis;
import org.consent4j.Purpose;
import org.consent4j.SubjectId;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.ConsentIndex;
import org.consent4j.core.ProcessingScope;
import org.consent4j.jdbc.AuditLevel;
import org.consent4j.jdbc.DefaultIndexRule;
import org.consent4j.jdbc.ReadForm;
import org.consent4j.jdbc.SchemaMapping;
import org.consent4j.jdbc.TestDatabases;
import org.consent4j.jdbc.TestDatabases.Database;
import org.consent4j.jdbc.spi.StatementObserver;
import org.consent4j.jdbc.wrapper.ConsentDataSource;
import org.consent4j.jdbc.wrapper.RewrittenSql;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ReadForm#AUTO}, the default: an eligible SELECT is post-filtered exactly while the
 * engine's consent index is in use, and keeps the pushdown otherwise (no index, index not usable),
 * statement by statement; the results are the pushdown's in every case. The index's condition is a
 * flag standing for a change feed's freshness.
 */
@SuppressWarnings("try") // scopes are opened for their effect on the thread
final class AutoReadFormTest {
  static final Catalog CATALOG = Catalog.builder()
      .purpose("marketing", LegalBasis.CONSENT)
      .categories("contact.email", "contact.phone")
      .build();
  static final AccessContext MARKETING = AccessContext.of("test", "marketing");
  static final String ELIGIBLE = "SELECT id, email, phone FROM $contact WHERE country = 'NL' ORDER BY id";
  /** An integer parameter: compared with a text column it could fail on H2 and MariaDB, and keep the pushdown. */
  static final String PREPARED = "SELECT id, email, phone FROM $contact WHERE id >= ? ORDER BY id";

  /** A database with contacts 1..6; 1 and 2 see everything, 3 only its email; 4..6 granted nothing. */
  private static final class Fixture implements AutoCloseable {
    final Database db;
    final String p;
    final AtomicBoolean fresh = new AtomicBoolean(true);
    /** The node under test: a change feed (the flag) attached, so its index is on by default. */
    final ConsentEngine indexed;
    /** Another node on the same store, without a feed: no index. */
    final ConsentEngine other;
    final SchemaMapping mapping;

    Fixture(Database db) throws Exception {
      this.db = db;
      this.p = db.newTablePrefix();
      try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE " + p + "contact (id INT PRIMARY KEY, country VARCHAR(2), email VARCHAR(100),"
            + " phone VARCHAR(30))");
        for (int i = 1; i <= 6; i++) {
          s.execute("INSERT INTO " + p + "contact VALUES (" + i + ", 'NL', 'e" + i + "', 'p" + i + "')");
        }
      }
      // The default rule decides both: off for a JDBC store without a feed, on with one.
      other = DefaultIndexRule.build(ConsentEngine.builder().catalog(CATALOG).store(db.newStore()));
      Instant before = Instant.now().minusSeconds(60);
      other.grant(Grant.builder(SubjectId.of(1)).purpose("marketing").category("contact").grantedAt(before));
      other.grant(Grant.builder(SubjectId.of(2)).purpose("marketing").category("contact").grantedAt(before));
      other.grant(Grant.builder(SubjectId.of(3)).purpose("marketing").category("contact.email").grantedAt(before));
      indexed = DefaultIndexRule.build(ConsentEngine.builder().catalog(CATALOG).store(db.newStore())
          .cacheTrustedWhile(fresh::get));
      mapping = SchemaMapping.fromJson("{ \"tables\": [ { \"table\": \"" + p + "contact\", \"subject\": \"id\","
          + " \"columns\": { \"email\": \"contact.email\", \"phone\": \"contact.phone\" } } ] }");
      awaitUsable();
    }

    ConsentIndex index() {
      return indexed.consentIndex().orElseThrow(() -> new AssertionError("a feed turns the index on by default"));
    }

    void awaitUsable() throws InterruptedException {
      ConsentIndex index = index();
      await(index::isUsable, "index usable"); // the first call that finds it fresh again starts the reload
    }

    ConsentDataSource wrap(ConsentEngine engine, ReadForm form) throws SQLException {
      return ConsentDataSource.wrap(db.dataSource(), engine, mapping, AuditLevel.STATEMENT, form);
    }

    String sql(String s) {
      return s.replace("$", p);
    }

    @Override
    public void close() throws Exception {
      try {
        indexed.close();
        other.close();
      } finally {
        db.close();
      }
    }
  }

  /** Records the form of every statement. */
  private static final class Forms implements StatementObserver {
    final ConcurrentLinkedQueue<Form> seen = new ConcurrentLinkedQueue<>();

    @Override
    public void onStatement(Form form) {
      seen.add(form);
    }

    Form last() {
      Form last = null;
      for (Form f : seen) {
        last = f;
      }
      return last;
    }
  }

  static List<String> rows(ConsentEngine engine, ConsentDataSource ds, String q) throws SQLException {
    try (ProcessingScope scope = engine.process(MARKETING); Connection c = ds.getConnection();
         Statement s = c.createStatement(); ResultSet rs = s.executeQuery(q)) {
      return read(rs);
    }
  }

  static List<String> read(ResultSet rs) throws SQLException {
    List<String> out = new ArrayList<>();
    int n = rs.getMetaData().getColumnCount();
    while (rs.next()) {
      StringBuilder b = new StringBuilder();
      for (int i = 1; i <= n; i++) {
        b.append(i == 1 ? "" : "|").append(rs.getString(i));
      }
      out.add(b.toString());
    }
    return out;
  }

  static final List<String> EXPECTED = List.of("1|e1|p1", "2|e2|p2", "3|e3|null");

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void eligibleSelectsArePostFilteredExactlyWhileTheIndexIsInUse(Database database) throws Exception {
    try (Fixture f = new Fixture(database)) {
      ConsentDataSource auto = f.wrap(f.indexed, ReadForm.AUTO);
      ConsentDataSource pushdown = f.wrap(f.indexed, ReadForm.PUSHDOWN);
      Forms forms = new Forms();
      auto.observe(forms);
      String q = f.sql(ELIGIBLE);

      RewrittenSql r = auto.explain(q, MARKETING);
      assertTrue(r.postFiltered(), "the index is in use: " + r.pushdownReason());
      assertEquals(EXPECTED, rows(f.indexed, auto, q));
      assertEquals(StatementObserver.Form.POST_FILTERED, forms.last());
      assertEquals(EXPECTED, rows(f.indexed, pushdown, q));
      // paging keeps the pushdown, index or not (measured: docs/BENCHMARKS.md, "Paging")
      String page = f.sql("SELECT id, email, phone FROM $contact ORDER BY id LIMIT 2 OFFSET 1");
      RewrittenSql paged = auto.explain(page, MARKETING);
      assertFalse(paged.postFiltered());
      assertTrue(paged.pushdownReason().matches(".*\\b(limit|offset)\\b.*"), paged.pushdownReason());
      assertEquals(List.of("2|e2|p2", "3|e3|null"), rows(f.indexed, auto, page));
      assertEquals(StatementObserver.Form.PUSHDOWN, forms.last());

      f.fresh.set(false); // the feed went stale: the index is not used
      r = auto.explain(q, MARKETING);
      assertFalse(r.postFiltered());
      assertTrue(r.pushdownReason().contains("consent index is not in use"), r.pushdownReason());
      assertTrue(r.sql().contains("consent_state"), "the pushdown form: " + r.sql());
      assertEquals(EXPECTED, rows(f.indexed, auto, q));
      assertEquals(StatementObserver.Form.PUSHDOWN, forms.last(), "a new execution switched to the pushdown");

      // meanwhile another node withdraws; the stale index never hears of it, the pushdown reads it
      f.other.withdraw(SubjectId.of(2), Purpose.of("marketing"));
      List<String> afterWithdrawal = List.of("1|e1|p1", "3|e3|null");
      assertEquals(afterWithdrawal, rows(f.indexed, auto, q));
      assertEquals(afterWithdrawal, rows(f.indexed, pushdown, q));

      f.fresh.set(true); // fresh again: used once it has reloaded (it may have missed changes)
      f.awaitUsable();
      assertTrue(auto.explain(q, MARKETING).postFiltered());
      assertEquals(afterWithdrawal, rows(f.indexed, auto, q));
      assertEquals(StatementObserver.Form.POST_FILTERED, forms.last());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void anEngineWithoutAnIndexKeepsThePushdownAndSaysWhy(Database database) throws Exception {
    try (Fixture f = new Fixture(database)) {
      assertFalse(f.other.consentIndex().isPresent(), "a JDBC store without a feed has no index by default");
      ConsentDataSource auto = f.wrap(f.other, ReadForm.AUTO);
      Forms forms = new Forms();
      auto.observe(forms);
      String q = f.sql(ELIGIBLE);
      RewrittenSql r = auto.explain(q, MARKETING);
      assertFalse(r.postFiltered());
      assertTrue(r.pushdownReason().startsWith("the engine's consent index is not in use"), r.pushdownReason());
      assertEquals(EXPECTED, rows(f.other, auto, q));
      assertEquals(StatementObserver.Form.PUSHDOWN, forms.last());
      assertEquals(EXPECTED, rows(f.indexed, f.wrap(f.indexed, ReadForm.POST_FILTER), q));

      // a shape that is never post-filtered says its own reason, not the index's
      RewrittenSql count = auto.explain(f.sql("SELECT COUNT(*) FROM $contact"), MARKETING);
      assertFalse(count.postFiltered());
      assertTrue(count.pushdownReason().contains("expression"), count.pushdownReason());
      RewrittenSql counted = f.wrap(f.indexed, ReadForm.AUTO).explain(f.sql("SELECT COUNT(*) FROM $contact"),
          MARKETING);
      assertFalse(counted.postFiltered(), "ineligible with the index in use too");
      assertTrue(counted.pushdownReason().contains("expression"), counted.pushdownReason());
    }
  }

  /**
   * A prepared statement keeps the form it was prepared in (its SQL text is the database's); both
   * are exact. Post-filtered with the index no longer usable, its rows are decided by the cache and
   * the store, which the engine does not trust the cache for while its feed is stale: a withdrawal
   * on another node shows at the next execution.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void aPreparedStatementKeepsItsFormAndStaysExact(Database database) throws Exception {
    try (Fixture f = new Fixture(database)) {
      ConsentDataSource auto = f.wrap(f.indexed, ReadForm.AUTO);
      Forms forms = new Forms();
      auto.observe(forms);
      try (ProcessingScope scope = f.indexed.process(MARKETING); Connection c = auto.getConnection();
           PreparedStatement post = c.prepareStatement(f.sql(PREPARED))) {
        assertEquals(StatementObserver.Form.POST_FILTERED, forms.last());
        post.setInt(1, 1);
        try (ResultSet rs = post.executeQuery()) {
          assertEquals(EXPECTED, read(rs));
        }
        f.fresh.set(false);
        f.other.withdraw(SubjectId.of(1), Purpose.of("marketing"));
        try (PreparedStatement pushed = c.prepareStatement(f.sql(PREPARED))) {
          assertEquals(StatementObserver.Form.PUSHDOWN, forms.last(), "prepared while the index is not in use");
          pushed.setInt(1, 1);
          List<String> expected = List.of("2|e2|p2", "3|e3|null");
          try (ResultSet rs = post.executeQuery()) {
            assertEquals(expected, read(rs), "post-filtered, decided by the store: exact");
          }
          try (ResultSet rs = pushed.executeQuery()) {
            assertEquals(expected, read(rs));
          }
          f.fresh.set(true);
          f.awaitUsable();
          try (ResultSet rs = pushed.executeQuery()) {
            assertEquals(expected, read(rs), "still the pushdown it was prepared in: exact");
          }
          try (ResultSet rs = post.executeQuery()) {
            assertEquals(expected, read(rs));
          }
        }
      }
    }
  }

  /**
   * A prepared statement whose names must be resolved again (the catalog changed since it was
   * prepared) is checked again in the form it was prepared in, so a change of form in the same
   * window does not refuse it.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void aPreparedStatementCheckedAgainAfterACatalogChangeKeepsItsForm(Database database) throws Exception {
    try (Fixture f = new Fixture(database)) {
      ConsentDataSource auto = f.wrap(f.indexed, ReadForm.AUTO).catalogCheckInterval(java.time.Duration.ZERO);
      Forms forms = new Forms();
      auto.observe(forms);
      try (ProcessingScope scope = f.indexed.process(MARKETING); Connection c = auto.getConnection();
           PreparedStatement post = c.prepareStatement(f.sql(PREPARED))) {
        assertEquals(StatementObserver.Form.POST_FILTERED, forms.last());
        post.setInt(1, 1);
        f.fresh.set(false); // the form would be the pushdown now
        try (Connection raw = f.db.dataSource().getConnection(); Statement s = raw.createStatement()) {
          s.execute("CREATE TABLE " + f.p + "unrelated (id INT)"); // the catalog changes
        }
        try (ResultSet rs = post.executeQuery()) {
          assertEquals(EXPECTED, read(rs), "checked again, post-filtered as prepared, decided by the store");
        }
        assertEquals(StatementObserver.Form.POST_FILTERED, forms.last(), "checked again in its own form");
      }
    }
  }

  /** Statements racing with the index's condition flipping: each one's rows are exact. */
  @Test
  void statementsRacingWithTheIndexConditionAllSeeTheSameRows() throws Exception {
    try (Fixture f = new Fixture(TestDatabases.h2())) {
      ConsentDataSource auto = f.wrap(f.indexed, ReadForm.AUTO);
      Forms forms = new Forms();
      auto.observe(forms);
      String q = f.sql(ELIGIBLE);
      int threads = 3;
      CountDownLatch start = new CountDownLatch(1);
      AtomicBoolean stop = new AtomicBoolean();
      ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
      try {
        List<Future<Integer>> readers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          readers.add(pool.submit(() -> {
            start.await();
            int n = 0;
            for (; n < 150; n++) {
              assertEquals(EXPECTED, rows(f.indexed, auto, q));
            }
            return n;
          }));
        }
        Future<?> flipper = pool.submit(() -> {
          start.await();
          while (!stop.get()) {
            f.fresh.set(!f.fresh.get());
            f.index().isUsable();
            Thread.sleep(1);
          }
          return null;
        });
        start.countDown();
        for (Future<Integer> r : readers) {
          assertEquals(150, r.get(60, TimeUnit.SECONDS));
        }
        stop.set(true);
        flipper.get(10, TimeUnit.SECONDS);
      } finally {
        pool.shutdownNow();
      }
      assertTrue(forms.seen.contains(StatementObserver.Form.PUSHDOWN), "some statements ran pushed down");
      f.fresh.set(true);
      f.awaitUsable();
      assertEquals(EXPECTED, rows(f.indexed, auto, q));
      assertEquals(StatementObserver.Form.POST_FILTERED, forms.last());
    }
  }

  @Test
  void wrapWithoutAReadFormPostFiltersWhereTheIndexIsInUse() throws Exception {
    String old = System.getProperty(ReadForm.PROPERTY);
    try (Fixture f = new Fixture(TestDatabases.h2())) {
      System.clearProperty(ReadForm.PROPERTY);
      assertEquals(ReadForm.AUTO, ReadForm.configuredDefault());
      ConsentDataSource indexed = ConsentDataSource.wrap(f.db.dataSource(), f.indexed, f.mapping);
      ConsentDataSource plain = ConsentDataSource.wrap(f.db.dataSource(), f.other, f.mapping);
      String q = f.sql(ELIGIBLE);
      assertTrue(indexed.explain(q, MARKETING).postFiltered(), "the index is in use");
      assertFalse(plain.explain(q, MARKETING).postFiltered(), "no index");
      assertEquals(EXPECTED, rows(f.indexed, indexed, q));
      assertEquals(EXPECTED, rows(f.other, plain, q));
    } finally {
      if (old == null) {
        System.clearProperty(ReadForm.PROPERTY);
      } else {
        System.setProperty(ReadForm.PROPERTY, old);
      }
    }
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting: " + what);
      Thread.sleep(10);
    }
  }
}
