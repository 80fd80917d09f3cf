package org.consent4j.jdbc.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.consent4j.jdbc.SchemaMapping;
import org.consent4j.jdbc.TableMapping;

/** Whatever a mapping holds, its JSON reads back to it, with the same version. */
final class SchemaMappingJsonProperties {

  @Property(tries = 300)
  void jsonRoundTripKeepsMappingAndVersion(@ForAll("mappings") SchemaMapping m) {
    SchemaMapping back = SchemaMapping.fromJson(m.toJson());
    assertEquals(m, back);
    assertEquals(m.version(), back.version());
    assertEquals(m.toJson(), back.toJson());
  }

  @Provide
  Arbitrary<SchemaMapping> mappings() {
    Arbitrary<List<String>> trusted = identifier().list().uniqueElements(n -> n.toLowerCase(Locale.ROOT)).ofMaxSize(3);
    return Combinators.combine(table().list().ofMaxSize(6), trusted).as((tables, names) -> {
      SchemaMapping.Builder b = SchemaMapping.builder();
      Set<String> seen = new HashSet<>();
      for (TableMapping t : tables) {
        if (seen.add(t.qualifiedName())) {
          b.table(t);
        }
      }
      names.forEach(b::trust);
      return b.build();
    });
  }

  private static Arbitrary<TableMapping> table() {
    Arbitrary<String> schema = identifier().injectNull(0.5);
    Arbitrary<List<String>> columns = identifier().list().uniqueElements(c -> c.toLowerCase(Locale.ROOT)).ofMinSize(1).ofMaxSize(8);
    Arbitrary<String> rowCategory = category().injectNull(0.5);
    return Combinators.combine(schema, identifier(), columns, Arbitraries.integers().between(1, 3), rowCategory,
        category().list().ofSize(8)).as((s, name, cols, subjects, row, cats) -> {
          TableMapping.Builder b = s == null ? TableMapping.builder(name) : TableMapping.builder(s, name);
          int n = Math.min(subjects, cols.size());
          b.subject(cols.subList(0, n).toArray(String[]::new));
          for (int i = n; i < cols.size(); i++) {
            b.column(cols.get(i), cats.get(i));
          }
          if (row != null) {
            b.rowCategory(row);
          }
          return b.build();
        });
  }

  /** Identifiers of every allowed shape: mixed case, underscores, dollars, up to 128 characters. */
  private static Arbitrary<String> identifier() {
    Arbitrary<Character> first = Arbitraries.chars().range('a', 'z').range('A', 'Z').with('_');
    Arbitrary<String> rest = Arbitraries.strings().withCharRange('a', 'z').withCharRange('A', 'Z')
        .withCharRange('0', '9').withChars('_', '$').ofMaxLength(127);
    return Combinators.combine(first, rest).as((f, r) -> f + r);
  }

  private static Arbitrary<String> category() {
    Arbitrary<String> segment = Combinators.combine(Arbitraries.chars().range('a', 'z'),
        Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9').withChars('_', '-').ofMaxLength(8))
        .as((f, r) -> f + r);
    return segment.list().ofMinSize(1).ofMaxSize(3).map(parts -> String.join(".", parts));
  }
}
