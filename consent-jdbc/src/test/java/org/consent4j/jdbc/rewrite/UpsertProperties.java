package org.consent4j.jdbc.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.consent4j.AccessContext;
import org.consent4j.Catalog;
import org.consent4j.DataCategory;
import org.consent4j.Decision;
import org.consent4j.Grant;
import org.consent4j.LegalBasis;
import org.consent4j.Purpose;
import org.consent4j.SubjectId;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.ProcessingScope;
import org.consent4j.jdbc.ConsentSQLException;
import org.consent4j.jdbc.JdbcConsentStore;
import org.consent4j.jdbc.SchemaMapping;
import org.consent4j.jdbc.TestDatabases.Database;
import org.consent4j.jdbc.wrapper.ConsentDataSource;

/**
 * Upserts never reveal a hidden row (issue 12, item 10), for all inputs: random grants (some
 * withdrawn), a random context, and random upserts of contacts 1 to 7 (rows 1 to 5 exist) that do
 * nothing or update the country, and perhaps store and update the e-mail. Each upsert runs on two
 * tables: one with every row, and one without the rows the context may not see. Its outcome (the
 * refusal's reason or the update count) must be the same on both, the rows the context may not
 * see must be unchanged, and what it stores must be what the engine's decisions say: refused
 * ({@code COLLECTION_NOT_PERMITTED}) when the subject, or the e-mail it stores, is not permitted;
 * otherwise the row is inserted, or its country (and e-mail) updated, or left alone for DO
 * NOTHING. Run on PostgreSQL ({@code ON CONFLICT}) and MariaDB ({@code ON DUPLICATE KEY UPDATE},
 * {@code INSERT IGNORE}); H2 has neither.
 */
@SuppressWarnings("try") // scopes are opened for their effect on the thread
abstract class UpsertProperties {
  static final Catalog CATALOG = Catalog.builder()
      .purpose("marketing", LegalBasis.CONSENT)
      .purpose("support", LegalBasis.CONTRACT, "contact.email")
      .categories("contact.email", "contact.phone")
      .build();
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-06-01T12:00:00Z"), ZoneOffset.UTC);
  static final DataCategory EMAIL = DataCategory.of("contact.email");
  static final int ROWS = 5;

  static Database db;

  static void openDatabase(Database database) {
    db = database;
  }

  static void closeDatabase() throws SQLException {
    db.close();
  }

  record GrantA(int subject, Set<String> categories, boolean withdrawn) {}

  /** An upsert of contact {@code id}: whether it updates, and whether it stores the e-mail. */
  record UpsertA(int id, String country, boolean updates, boolean email) {}

  @Provide
  Arbitrary<List<GrantA>> grants() {
    return Combinators.combine(Arbitraries.integers().between(1, 7),
            Arbitraries.of("contact", "contact.email", "contact.phone").set().ofMinSize(1).ofMaxSize(2),
            Arbitraries.integers().between(0, 5))
        .as((s, cs, w) -> new GrantA(s, cs, w == 0))
        .list().ofMinSize(1).ofMaxSize(7);
  }

  @Provide
  Arbitrary<List<UpsertA>> upserts() {
    return Combinators.combine(Arbitraries.integers().between(1, 7), Arbitraries.of("NL", "FR"),
            Arbitraries.of(false, true), Arbitraries.of(false, true))
        .as(UpsertA::new).list().ofMinSize(1).ofMaxSize(5);
  }

  @Provide
  Arbitrary<String> purposes() {
    return Arbitraries.frequency(net.jqwik.api.Tuple.of(3, "marketing"), net.jqwik.api.Tuple.of(1, "support"));
  }

  /** The upsert's SQL on the table {@code table}, in this database's dialect. */
  abstract String sql(String table, UpsertA u);

  @Property(tries = 25)
  void anUpsertBehavesAsIfTheRowsTheContextMayNotSeeDidNotExist(@ForAll("grants") List<GrantA> grants,
      @ForAll("upserts") List<UpsertA> upserts, @ForAll("purposes") String purpose) throws Exception {
    String p = db.newTablePrefix();
    JdbcConsentStore store = JdbcConsentStore.builder(db.dataSource()).tablePrefix(db.newTablePrefix()).build();
    try (ConsentEngine engine = ConsentEngine.builder().catalog(CATALOG).store(store).clock(CLOCK).build()) {
      for (GrantA g : grants) {
        Grant.Builder b = Grant.builder(SubjectId.of(g.subject())).purpose("marketing");
        g.categories().forEach(b::category);
        engine.grant(b.grantedAt(CLOCK.instant().minusSeconds(60)));
        if (g.withdrawn()) {
          engine.withdraw(SubjectId.of(g.subject()), Purpose.of("marketing"));
        }
      }
      AccessContext ctx = AccessContext.of("prop", purpose);
      Map<Integer, Decision> decisions = new TreeMap<>();
      for (int id = 1; id <= 7; id++) {
        decisions.put(id, engine.check(SubjectId.of(id), ctx, Set.of(EMAIL)));
      }
      // the model: the rows the context may see, as stored; the hidden ones apart
      Map<Integer, List<String>> visible = new TreeMap<>();
      Map<Integer, List<String>> hidden = new TreeMap<>();
      try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
        for (String t : List.of("full", "seen")) {
          s.execute("CREATE TABLE " + p + t + " (id INT PRIMARY KEY, country VARCHAR(2), email VARCHAR(50),"
              + " phone VARCHAR(20))");
        }
        for (int id = 1; id <= ROWS; id++) {
          List<String> row = Arrays.asList("NL", "e" + id, "p" + id);
          boolean seen = decisions.get(id).subjectPermitted();
          (seen ? visible : hidden).put(id, row);
          for (String t : seen ? List.of("full", "seen") : List.of("full")) {
            s.execute("INSERT INTO " + p + t + " VALUES (" + id + ", 'NL', 'e" + id + "', 'p" + id + "')");
          }
        }
      }
      String columns = "\"subject\": \"id\", \"columns\": { \"email\": \"contact.email\", \"phone\": \"contact.phone\" }";
      SchemaMapping mapping = SchemaMapping.fromJson("{ \"tables\": [ { \"table\": \"" + p + "full\", " + columns
          + " }, { \"table\": \"" + p + "seen\", " + columns + " } ] }");
      ConsentDataSource guarded = ConsentDataSource.wrap(db.dataSource(), engine, mapping, store);
      for (UpsertA u : upserts) {
        Decision d = decisions.get(u.id());
        boolean refused = !d.subjectPermitted() || (u.email() && !d.permittedCategories().contains(EMAIL));
        Statistics.label("outcome").collect(refused ? "refused" : visible.containsKey(u.id()) ? "conflict" : "insert");
        String onFull = run(guarded, engine, ctx, sql(p + "full", u));
        String onSeen = run(guarded, engine, ctx, sql(p + "seen", u));
        assertEquals(onSeen, onFull, () -> "the outcome of " + u + " tells the hidden rows " + hidden.keySet());
        assertEquals(refused, onFull.equals("refused COLLECTION_NOT_PERMITTED"),
            () -> u + " under " + purpose + ": " + onFull + ", decision " + d);
        if (!refused) {
          List<String> existing = visible.get(u.id());
          if (existing == null) {
            visible.put(u.id(), Arrays.asList(u.country(), u.email() ? "n" + u.id() : null, null));
          } else if (u.updates()) {
            existing.set(0, u.country());
            if (u.email()) {
              existing.set(1, "n" + u.id());
            }
          }
        }
        assertEquals(visible, stored(p + "seen"), () -> "after " + u);
        Map<Integer, List<String>> all = new TreeMap<>(visible);
        all.putAll(hidden);
        assertEquals(all, stored(p + "full"), () -> "after " + u);
      }
    }
  }

  private static String run(ConsentDataSource guarded, ConsentEngine engine, AccessContext ctx, String sql)
      throws SQLException {
    try (ProcessingScope scope = engine.process(ctx); Connection c = guarded.getConnection();
        Statement s = c.createStatement()) {
      int count = s.executeUpdate(sql);
      return "count " + count;
    } catch (ConsentSQLException e) {
      return "refused " + e.reasonCode();
    }
  }

  private static Map<Integer, List<String>> stored(String table) throws SQLException {
    Map<Integer, List<String>> out = new TreeMap<>();
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT id, country, email, phone FROM " + table)) {
      while (r.next()) {
        out.put(r.getInt(1), new ArrayList<>(Arrays.asList(r.getString(2), r.getString(3), r.getString(4))));
      }
    }
    return out;
  }
}
