package org.consent4j.jdbc.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.consent4j.AccessContext;
import org.consent4j.core.ProcessingScope;
import org.consent4j.jdbc.TestDatabases;
import org.consent4j.jdbc.e2e.GuardedDataSourceEndToEndTest.Crm;

/**
 * For all queries of the shapes below and every way of writing each column reference — bare,
 * qualified with the table, with schema and table, with catalog, schema and table, quoted or not
 * — and of writing the table itself, the guarded result is the one the table-qualified form gives.
 * On H2, the one database that accepts all of these spellings; {@link QualifiedColumnReferencesTest}
 * runs the schema-qualified forms on PostgreSQL and MariaDB.
 */
@SuppressWarnings("try")
final class QualifiedColumnReferenceProperties {
  private static final List<String> SHAPES = List.of(
      "SELECT {c}id, {c}email FROM {CT} WHERE {c}country = 'NL' ORDER BY {c}id",
      "SELECT {c}id, {f}friend_id FROM {CT} JOIN {FT} ON {c}id = {f}user_id ORDER BY {c}id, {f}friend_id",
      "SELECT {c}id FROM {CT} WHERE {c}id IN (SELECT {f}friend_id FROM {FT} WHERE {f}user_id = 1) ORDER BY {c}id",
      "SELECT {c}id, (SELECT count(*) FROM {FT} WHERE {f}user_id = {c}id) FROM {CT} ORDER BY {c}id",
      "SELECT {c}country, count({c}email), max({c}phone) FROM {CT} GROUP BY {c}country ORDER BY {c}country",
      "SELECT {c}* FROM {CT} WHERE {c}id <= 3 ORDER BY {c}id");
  private static final List<AccessContext> CONTEXTS = List.of(Crm.MARKETING, Crm.SUPPORT, Crm.QUIZLAB);

  private static TestDatabases.Database db;
  private static Crm crm;
  private static String catalog;

  @BeforeContainer
  static void open() throws SQLException {
    db = TestDatabases.h2();
    crm = new Crm(db);
    try (Connection c = db.dataSource().getConnection()) {
      catalog = c.getCatalog();
    }
  }

  @AfterContainer
  static void close() throws SQLException {
    crm.close();
    db.close();
  }

  @Property(tries = 60)
  void qualifyingAColumnWithItsTablesSchemaOrCatalogNeverChangesTheResult(@ForAll("shapes") int shape,
      @ForAll("spellings") List<Integer> spellings, @ForAll("tableSpellings") int tableSpelling,
      @ForAll("contexts") int context) throws SQLException {
    String template = SHAPES.get(shape);
    boolean star = template.contains("{c}*");
    String reference = render(template, List.of(1), 1);
    String written = render(template, star ? spellings.stream().map(s -> Math.max(s, 1)).toList() : spellings,
        tableSpelling);
    try (Connection c = crm.guarded.getConnection(); ProcessingScope scope = crm.engine.process(CONTEXTS.get(context))) {
      assertEquals(crm.statementQuery(c, reference), crm.statementQuery(c, written), written);
    }
  }

  @Provide
  Arbitrary<Integer> shapes() {
    return Arbitraries.integers().between(0, SHAPES.size() - 1);
  }

  /** 0 bare, 1 table, 2 schema and table, 3 catalog, schema and table, 4 quoted schema and table. */
  @Provide
  Arbitrary<List<Integer>> spellings() {
    return Arbitraries.integers().between(0, 4).list().ofMinSize(1).ofMaxSize(8);
  }

  /** 0 bare, 1 schema, 2 catalog and schema. */
  @Provide
  Arbitrary<Integer> tableSpellings() {
    return Arbitraries.integers().between(0, 2);
  }

  @Provide
  Arbitrary<Integer> contexts() {
    return Arbitraries.integers().between(0, CONTEXTS.size() - 1);
  }

  /** The template with each column qualifier spelled by the next of {@code spellings}, in turn. */
  private static String render(String template, List<Integer> spellings, int tableSpelling) {
    String contact = crm.sql("$contact").toUpperCase(Locale.ROOT);
    String friend = crm.sql("$friend").toUpperCase(Locale.ROOT);
    String table = switch (tableSpelling) {
      case 0 -> "";
      case 1 -> "PUBLIC.";
      default -> catalog + ".PUBLIC.";
    };
    String out = template.replace("{CT}", table + contact).replace("{FT}", table + friend);
    StringBuilder sb = new StringBuilder();
    int next = 0;
    int i = 0;
    while (i < out.length()) {
      if (out.startsWith("{c}", i) || out.startsWith("{f}", i)) {
        String t = out.charAt(i + 1) == 'c' ? contact : friend;
        sb.append(switch (spellings.get(next++ % spellings.size())) {
          case 0 -> "";
          case 1 -> t + ".";
          case 2 -> "PUBLIC." + t + ".";
          case 3 -> catalog + ".PUBLIC." + t + ".";
          default -> "\"PUBLIC\".\"" + t + "\".";
        });
        i += 3;
      } else {
        sb.append(out.charAt(i++));
      }
    }
    return sb.toString();
  }
}
