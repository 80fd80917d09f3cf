package org.consent4j.jdbc.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
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
import org.consent4j.jdbc.JdbcConsentStore;
import org.consent4j.jdbc.SchemaMapping;
import org.consent4j.jdbc.TestDatabases;
import org.consent4j.jdbc.TestDatabases.Database;
import org.consent4j.jdbc.wrapper.ConsentDataSource;

/**
 * Writing back masked NULLs (issue 12, item 7), for all inputs: random grants (categories,
 * recipients, some withdrawn) and random full-column UPDATEs of one row, as an ORM writes them
 * ({@code SET country = ?, email = ?, phone = ?}), each personal value NULL or not, prepared or
 * literal, under random contexts. The stored table must equal a model built from the engine's
 * decisions: a row the context may not see is not changed; a non-NULL value into a column whose
 * category is not permitted leaves the row out; otherwise the row is updated, a permitted column
 * takes the value written (NULL too) and a column not permitted keeps its stored value. H2, one
 * database for the container, fresh tables per try.
 */
@SuppressWarnings("try") // scopes are opened for their effect on the thread
final class MaskedWriteBackProperties {
  static final Catalog CATALOG = Catalog.builder()
      .purpose("marketing", LegalBasis.CONSENT)
      .purpose("support", LegalBasis.CONTRACT, "contact.email")
      .categories("contact.email", "contact.phone")
      .recipient("quizlab")
      .build();
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-06-01T12:00:00Z"), ZoneOffset.UTC);
  static final List<DataCategory> CATEGORY_OF = List.of(DataCategory.of("contact.email"),
      DataCategory.of("contact.phone"));
  static final int ROWS = 5;

  static Database db;

  @BeforeContainer
  static void open() {
    db = TestDatabases.h2();
  }

  @AfterContainer
  static void close() throws SQLException {
    db.close();
  }

  record GrantA(int subject, Set<String> categories, Set<String> recipients, boolean withdrawn) {}

  /** An UPDATE of row {@code subject}: for email and phone, whether the value written is NULL. */
  record UpdateA(int subject, boolean emailNull, boolean phoneNull, boolean prepared, String purpose,
      String recipient) {}

  @Provide
  Arbitrary<List<GrantA>> grants() {
    return Combinators.combine(Arbitraries.integers().between(1, ROWS),
            Arbitraries.of("contact", "contact.email", "contact.phone").set().ofMinSize(1).ofMaxSize(2),
            Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, Arbitraries.just(Set.of("self"))),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("self", "quizlab").set().ofMinSize(1).ofMaxSize(2))),
            Arbitraries.integers().between(0, 6))
        .as((s, cs, rs, w) -> new GrantA(s, cs, rs, w == 0))
        .list().ofMinSize(2).ofMaxSize(8);
  }

  @Provide
  Arbitrary<List<UpdateA>> updates() {
    return Combinators.combine(Arbitraries.integers().between(1, ROWS + 1), Arbitraries.of(false, true),
            Arbitraries.of(false, true), Arbitraries.frequency(net.jqwik.api.Tuple.of(3, true),
                net.jqwik.api.Tuple.of(1, false)),
            Arbitraries.frequency(net.jqwik.api.Tuple.of(3, "marketing"), net.jqwik.api.Tuple.of(1, "support")),
            Arbitraries.frequency(net.jqwik.api.Tuple.of(4, "self"), net.jqwik.api.Tuple.of(1, "quizlab")))
        .as(UpdateA::new).list().ofMinSize(1).ofMaxSize(6);
  }

  @Property(tries = 60)
  void aWrittenBackNullKeepsAColumnWithoutConsentAndANonNullValueLeavesTheRowOut(
      @ForAll("grants") List<GrantA> grants, @ForAll("updates") List<UpdateA> updates) throws Exception {
    String p = db.newTablePrefix();
    String[][] model = new String[ROWS + 1][];
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE " + p + "contact (id INT PRIMARY KEY, country VARCHAR(2), email VARCHAR(50),"
          + " phone VARCHAR(20))");
      for (int i = 1; i <= ROWS; i++) {
        model[i] = new String[] {"NL", "e" + i, "p" + i};
        s.execute("INSERT INTO " + p + "contact VALUES (" + i + ", 'NL', 'e" + i + "', 'p" + i + "')");
      }
    }
    JdbcConsentStore store = JdbcConsentStore.builder(db.dataSource()).tablePrefix(db.newTablePrefix()).build();
    try (ConsentEngine engine = ConsentEngine.builder().catalog(CATALOG).store(store).clock(CLOCK).build()) {
      for (GrantA g : grants) {
        Grant.Builder b = Grant.builder(SubjectId.of(g.subject())).purpose("marketing");
        g.categories().forEach(b::category);
        g.recipients().forEach(b::recipient);
        engine.grant(b.grantedAt(CLOCK.instant().minusSeconds(60)));
        if (g.withdrawn()) {
          engine.withdraw(SubjectId.of(g.subject()), Purpose.of("marketing"));
        }
      }
      SchemaMapping mapping = SchemaMapping.fromJson("{ \"tables\": [ { \"table\": \"" + p + "contact\","
          + " \"subject\": \"id\", \"columns\": { \"email\": \"contact.email\", \"phone\": \"contact.phone\" } } ] }");
      ConsentDataSource guarded = ConsentDataSource.wrap(db.dataSource(), engine, mapping, store);
      int n = 0;
      for (UpdateA u : updates) {
        n++;
        AccessContext ctx = AccessContext.of("prop", u.purpose(), u.recipient());
        Decision d = engine.check(SubjectId.of(u.subject()), ctx, new java.util.TreeSet<>(CATEGORY_OF));
        String[] values = {"C" + (n % 10), u.emailNull() ? null : "e" + u.subject() + "." + n,
            u.phoneNull() ? null : "p" + u.subject() + "." + n};
        boolean[] permitted = {d.permittedCategories().contains(CATEGORY_OF.get(0)),
            d.permittedCategories().contains(CATEGORY_OF.get(1))};
        boolean exists = u.subject() <= ROWS;
        boolean reached = exists && d.subjectPermitted() && (values[1] == null || permitted[0])
            && (values[2] == null || permitted[1]);
        Statistics.label("row updated").collect(reached);
        int count;
        try (ProcessingScope scope = engine.process(ctx); Connection c = guarded.getConnection()) {
          count = update(c, p, u, values);
        }
        assertEquals(reached ? 1 : 0, count, () -> "update " + u + " after " + grants + ": decision " + d);
        if (reached) {
          model[u.subject()][0] = values[0];
          for (int k = 0; k < 2; k++) {
            if (permitted[k]) {
              model[u.subject()][k + 1] = values[k + 1];
            }
          }
        }
        assertEquals(expected(model), stored(p), () -> "rows after " + u + " with grants " + grants);
      }
    }
  }

  private static int update(Connection c, String p, UpdateA u, String[] values) throws SQLException {
    if (u.prepared()) {
      try (PreparedStatement ps = c.prepareStatement("update " + p + "contact set country=?,email=?,phone=?"
          + " where id=?")) {
        for (int k = 0; k < 3; k++) {
          if (values[k] == null) {
            ps.setNull(k + 1, Types.VARCHAR);
          } else {
            ps.setString(k + 1, values[k]);
          }
        }
        ps.setInt(4, u.subject());
        return ps.executeUpdate();
      }
    }
    StringBuilder sql = new StringBuilder("UPDATE " + p + "contact SET ");
    String[] names = {"country", "email", "phone"};
    for (int k = 0; k < 3; k++) {
      sql.append(k == 0 ? "" : ", ").append(names[k]).append(" = ")
          .append(values[k] == null ? "NULL" : "'" + values[k] + "'");
    }
    try (Statement s = c.createStatement()) {
      return s.executeUpdate(sql.append(" WHERE id = ").append(u.subject()).toString());
    }
  }

  private static List<List<String>> expected(String[][] model) {
    List<List<String>> out = new ArrayList<>();
    for (int i = 1; i <= ROWS; i++) {
      out.add(Arrays.asList(model[i].clone()));
    }
    return out;
  }

  private static List<List<String>> stored(String p) throws SQLException {
    List<List<String>> out = new ArrayList<>();
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT country, email, phone FROM " + p + "contact ORDER BY id")) {
      while (r.next()) {
        out.add(Arrays.asList(r.getString(1), r.getString(2), r.getString(3)));
      }
    }
    return out;
  }
}
