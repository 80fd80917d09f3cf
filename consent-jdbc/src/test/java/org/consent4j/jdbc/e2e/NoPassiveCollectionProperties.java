package org.consent4j.jdbc.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
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
import org.consent4j.jdbc.TestDatabases;
import org.consent4j.jdbc.TestDatabases.Database;
import org.consent4j.jdbc.wrapper.ConsentDataSource;

/**
 * No passive collection, for all inputs: random grants (categories, recipients, explicit or not,
 * some withdrawn) and random INSERTs (subject, which personal columns are written — none at all,
 * some — and which of them are NULL, as a literal or bound with {@code setNull}, {@code
 * setObject(i, null)} or {@code setString(i, null)}; literal or bound parameter) under random
 * contexts. An INSERT is stored exactly when the engine permits its subject (the row is one the
 * context could see) and every category it stores (a NULL stores none), and is otherwise refused
 * with {@code COLLECTION_NOT_PERMITTED} and stores nothing. H2, one database for the container,
 * fresh tables per try.
 */
@SuppressWarnings("try") // scopes are opened for their effect on the thread
final class NoPassiveCollectionProperties {
  static final Catalog CATALOG = Catalog.builder()
      .purpose("marketing", LegalBasis.CONSENT)
      .purpose("support", LegalBasis.CONTRACT, "contact.email")
      .categories("contact.email", "contact.phone").specialCategory("profile.health")
      .recipient("quizlab").recipient("adnet", "US")
      .build();
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-06-01T12:00:00Z"), ZoneOffset.UTC);
  static final List<String> COLUMNS = List.of("email", "phone", "health");
  static final List<DataCategory> CATEGORY_OF = List.of(DataCategory.of("contact.email"),
      DataCategory.of("contact.phone"), DataCategory.of("profile.health"));

  static Database db;

  @BeforeContainer
  static void open() {
    db = TestDatabases.h2();
  }

  @AfterContainer
  static void close() throws SQLException {
    db.close();
  }

  record GrantA(int subject, Set<String> categories, Set<String> recipients, boolean explicit, boolean transfer,
      boolean withdrawn) {}

  /**
   * An INSERT: subject, which columns (bit i: COLUMNS[i]) are written, which of those are NULL,
   * whether it is prepared, and how a prepared NULL is bound (0 setNull, 1 setObject, 2 setString).
   */
  record InsertA(int subject, int columns, int nulls, boolean prepared, String purpose, String recipient,
      int nullStyle) {}

  @Provide
  Arbitrary<List<GrantA>> grants() {
    return Combinators.combine(Arbitraries.integers().between(1, 4),
            Arbitraries.of("contact", "contact", "contact.email", "contact.phone", "profile", "profile",
                "profile.health").set().ofMinSize(1).ofMaxSize(3),
            Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, Arbitraries.just(Set.of("self"))),
                net.jqwik.api.Tuple.of(2, Arbitraries.of("self", "quizlab", "adnet").set().ofMinSize(1).ofMaxSize(3))),
            Arbitraries.of(false, true), Arbitraries.of(false, true), Arbitraries.integers().between(0, 15))
        .as((s, cs, rs, ex, tr, w) -> new GrantA(s, cs, rs, ex, tr, w == 0))
        .list().ofMinSize(3).ofMaxSize(10);
  }

  @Provide
  Arbitrary<List<InsertA>> inserts() {
    return Combinators.combine(Arbitraries.integers().between(1, 5),
            Arbitraries.of(0, 0, 1, 1, 2, 2, 3, 3, 4, 5, 6, 7),
            Arbitraries.frequency(net.jqwik.api.Tuple.of(3, 0), net.jqwik.api.Tuple.of(1, 1),
                net.jqwik.api.Tuple.of(1, 2), net.jqwik.api.Tuple.of(1, 4), net.jqwik.api.Tuple.of(1, 7)),
            Arbitraries.of(false, true), Arbitraries.frequency(net.jqwik.api.Tuple.of(3, "marketing"),
                net.jqwik.api.Tuple.of(1, "support")),
            Arbitraries.frequency(net.jqwik.api.Tuple.of(4, "self"), net.jqwik.api.Tuple.of(1, "quizlab"),
                net.jqwik.api.Tuple.of(1, "adnet")),
            Arbitraries.integers().between(0, 2))
        .as((s, cols, nulls, prep, purpose, recipient, style) -> new InsertA(s, cols, nulls & cols, prep, purpose,
            recipient, style))
        .list().ofMinSize(1).ofMaxSize(6);
  }

  @Property(tries = 60)
  void anInsertIsStoredExactlyWhenTheEnginePermitsEveryCategoryItStores(
      @ForAll("grants") List<GrantA> grants, @ForAll("inserts") List<InsertA> inserts) throws Exception {
    String p = db.newTablePrefix();
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE " + p + "contact (id INT NOT NULL, email VARCHAR(50), phone VARCHAR(20),"
          + " health VARCHAR(20))");
    }
    JdbcConsentStore store = JdbcConsentStore.builder(db.dataSource()).tablePrefix(db.newTablePrefix()).build();
    try (ConsentEngine engine = ConsentEngine.builder().catalog(CATALOG).store(store).clock(CLOCK).build()) {
      for (GrantA g : grants) {
        Grant.Builder b = Grant.builder(SubjectId.of(g.subject())).purpose("marketing");
        g.categories().forEach(b::category);
        g.recipients().forEach(b::recipient);
        if (g.explicit()) {
          b.explicit();
        }
        if (g.transfer()) {
          b.explicitTransfer();
        }
        engine.grant(b.grantedAt(CLOCK.instant().minusSeconds(60)));
        if (g.withdrawn()) {
          engine.withdraw(SubjectId.of(g.subject()), Purpose.of("marketing"));
        }
      }
      SchemaMapping mapping = SchemaMapping.fromJson("{ \"tables\": [ { \"table\": \"" + p + "contact\","
          + " \"subject\": \"id\", \"columns\": { \"email\": \"contact.email\", \"phone\": \"contact.phone\","
          + " \"health\": \"profile.health\" } } ] }");
      ConsentDataSource guarded = ConsentDataSource.wrap(db.dataSource(), engine, mapping, store);
      int stored = 0;
      for (InsertA i : inserts) {
        AccessContext ctx = AccessContext.of("prop", i.purpose(), i.recipient());
        TreeSet<DataCategory> categories = new TreeSet<>();
        List<String> cols = new ArrayList<>(List.of("id"));
        List<Boolean> isNull = new ArrayList<>(List.of(false));
        for (int k = 0; k < COLUMNS.size(); k++) {
          if ((i.columns() & (1 << k)) != 0) {
            cols.add(COLUMNS.get(k));
            boolean nul = (i.nulls() & (1 << k)) != 0;
            isNull.add(nul);
            if (!nul) {
              categories.add(CATEGORY_OF.get(k)); // a NULL stores nothing
            }
          }
        }
        Decision d = engine.check(SubjectId.of(i.subject()), ctx, categories);
        boolean permitted = d.subjectPermitted() && d.permittedCategories().equals(categories);
        Statistics.label("permitted").collect(permitted);
        Statistics.label("stores personal data").collect(!categories.isEmpty());
        boolean refused = false;
        try (ProcessingScope scope = engine.process(ctx); Connection c = guarded.getConnection()) {
          insert(c, p, i, cols, isNull);
        } catch (ConsentSQLException e) {
          assertEquals(ConsentSQLException.ReasonCode.COLLECTION_NOT_PERMITTED, e.reasonCode(), e.getMessage());
          refused = true;
        }
        assertEquals(!permitted, refused, () -> "insert " + i + " after " + grants + ": decision " + d);
        stored += permitted ? 1 : 0;
        assertEquals(stored, count(p), () -> "rows after " + i);
      }
    }
  }

  private static void insert(Connection c, String p, InsertA i, List<String> cols, List<Boolean> isNull)
      throws SQLException {
    StringBuilder sql = new StringBuilder("INSERT INTO " + p + "contact (" + String.join(", ", cols) + ") VALUES (");
    if (i.prepared()) {
      sql.append(String.join(", ", java.util.Collections.nCopies(cols.size(), "?"))).append(')');
      try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
        ps.setInt(1, i.subject());
        for (int k = 2; k <= cols.size(); k++) {
          if (!isNull.get(k - 1)) {
            ps.setString(k, "v" + k);
          } else if (i.nullStyle() == 0) {
            ps.setNull(k, java.sql.Types.VARCHAR);
          } else if (i.nullStyle() == 1) {
            ps.setObject(k, null);
          } else {
            ps.setString(k, null);
          }
        }
        ps.executeUpdate();
      }
    } else {
      sql.append(i.subject());
      for (int k = 2; k <= cols.size(); k++) {
        sql.append(isNull.get(k - 1) ? ", NULL" : ", 'v" + k + "'");
      }
      try (Statement s = c.createStatement()) {
        s.executeUpdate(sql.append(')').toString());
      }
    }
  }

  private static int count(String p) throws SQLException {
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM " + p + "contact")) {
      r.next();
      return r.getInt(1);
    }
  }
}
