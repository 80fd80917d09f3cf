package org.consent4j.jdbc.internal.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import org.consent4j.jdbc.internal.Dialect;

/**
 * {@link SqlText#normalise} changes nothing but whitespace between tokens and line breaks in
 * unknown quoted names (which it puts back): string literals, quoted names, dollar quotes and
 * comments keep their exact text, a whitespace run keeps whether it breaks the line, and what
 * the parser reads is what the statement says.
 */
final class SqlTextProperties {

  @Property(tries = 300)
  void normalisingChangesNoTokenOutsideWhitespace(@ForAll("statements") Statement st) {
    String sql = st.text();
    List<SqlText.Token> before = SqlText.tokens(sql, st.dialect());
    assertNotNull(before, () -> "generated SQL must lex without doubt: " + sql);
    assertEquals(sql, join(before), "the tokens are the text");
    SqlText.Normalised n = SqlText.normalise(sql, st.dialect(), name -> false);
    List<SqlText.Token> normalised = SqlText.tokens(n.text(), st.dialect());
    assertNotNull(normalised);
    List<SqlText.Token> after = SqlText.tokens(n.restore(n.text()), st.dialect());
    assertEquals(significant(before), significant(after), "only whitespace may change");
    List<SqlText.Token> spacesBefore = before.stream().filter(t -> t.kind() == SqlText.Kind.WHITESPACE).toList();
    List<SqlText.Token> spacesAfter = after.stream().filter(t -> t.kind() == SqlText.Kind.WHITESPACE).toList();
    assertEquals(spacesBefore.size(), spacesAfter.size());
    for (int i = 0; i < spacesBefore.size(); i++) {
      assertEquals(breaksLine(spacesBefore.get(i).text()), breaksLine(spacesAfter.get(i).text()),
          "a line break stays a line break (it ends a -- comment, joins string literals)");
    }
    for (SqlText.Token t : normalised) {
      if (t.kind() == SqlText.Kind.WHITESPACE) {
        assertTrue(t.text().equals(" ") || t.text().equals("\n "), () -> "whitespace left as " + t);
      }
      if (t.kind() == SqlText.Kind.QUOTED_NAME) {
        assertFalse(breaksLine(t.text()), "a quoted name with a line break is a placeholder for the parser");
      }
    }
  }

  @Property(tries = 200)
  void theParserReadsWhatTheStatementSaysWhateverItsWhitespace(@ForAll("selects") List<String> tokens,
      @ForAll("whitespaceLists") List<String> spaces) throws Exception {
    StringBuilder messy = new StringBuilder();
    for (int i = 0; i < tokens.size(); i++) {
      messy.append(tokens.get(i)).append(spaces.get(i % spaces.size()));
    }
    String plain = String.join(" ", tokens);
    assertEquals(read(plain), read(messy.toString()), messy::toString);
  }

  /** What JSqlParser makes of the normalised text, printed, with the placeholders put back. */
  private static String read(String sql) throws Exception {
    SqlText.Normalised n = SqlText.normalise(sql, Dialect.POSTGRESQL, name -> false);
    return n.restore(CCJSqlParserUtil.parseStatements(n.text()).toString());
  }

  /** A generated statement: tokens and whitespace, for one dialect. */
  record Statement(Dialect dialect, String text) {}

  @Provide
  Arbitrary<Statement> statements() {
    return Arbitraries.of(Dialect.H2, Dialect.POSTGRESQL, Dialect.MARIADB).flatMap(d -> Combinators.combine(
        token(d).list().ofMaxSize(25), whitespace().list().ofMinSize(1).ofMaxSize(25)).as((ts, ws) -> {
          StringBuilder sb = new StringBuilder();
          for (int i = 0; i < ts.size(); i++) {
            String t = ts.get(i);
            sb.append(t);
            String w = ws.get(i % ws.size());
            // a line comment runs to the end of its line
            sb.append(t.startsWith("--") && !breaksLine(w) ? "\n" + w : w);
          }
          return new Statement(d, sb.toString());
        }));
  }

  private static Arbitrary<String> token(Dialect d) {
    Arbitrary<String> text = Arbitraries.of("a", " ", "\n", "\r\n", "\n\n\n", "/", "GO", "x y", "--", "*")
        .list().ofMaxSize(6).map(l -> String.join("", l));
    List<Arbitrary<String>> kinds = new ArrayList<>(List.of(
        Arbitraries.of("SELECT", "FROM", "GO", "go", "WHERE", "id", "c4", "x_1", "42", "/", ",", "(", ")", "=", "+",
            ";", "*", "<", ">"),
        text.map(s -> "'" + s.replace("'", "''") + "'"),
        text.map(s -> "\"" + s.replace("\"", "\"\"") + "\""),
        text.map(s -> "-- " + s.replace("\n", " ").replace("\r", " ")),
        text.map(s -> "/* " + s.replace("*", "x") + " */")));
    if (d == Dialect.MARIADB) {
      kinds.add(text.map(s -> "`" + s.replace("`", "``") + "`"));
    } else {
      kinds.add(text.map(s -> "$$" + s.replace("$", "s") + "$$"));
    }
    return Arbitraries.oneOf(kinds);
  }

  private static Arbitrary<String> whitespace() {
    return Arbitraries.of(" ", "\n", "\r\n", "\t", "\n\n\n", "\n \n\n", "\f", "  \n\n\n\n  ", "\r\r\r", "\n\t\n\n")
        .list().ofMinSize(1).ofMaxSize(3).map(l -> String.join("", l));
  }

  @Provide
  Arbitrary<List<String>> whitespaceLists() {
    return whitespace().list().ofMinSize(1).ofMaxSize(12);
  }

  @Provide
  Arbitrary<List<String>> selects() {
    Arbitrary<String> literal = Arbitraries.of("a", " ", "\n", "\n\n\n", "/", "GO", "''").list().ofMaxSize(5)
        .map(l -> "'" + String.join("", l) + "'");
    Arbitrary<String> name = Arbitraries.of("a", "\n", "b c", "\n\n\n").list().ofMinSize(1).ofMaxSize(4)
        .map(l -> "\"" + String.join("", l) + "\"");
    return Combinators.combine(literal, name, literal, Arbitraries.integers().between(0, 99)).as((l1, n, l2, k) ->
        List.of("SELECT", "id", ",", l1, "AS", n, ",", "10", "/", "2", "FROM", "contact", "WHERE", "id", "=",
            Integer.toString(k), "AND", "email", "<>", l2, "AND", "go", "=", "1"));
  }

  private static boolean breaksLine(String s) {
    return s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0;
  }

  private static String join(List<SqlText.Token> tokens) {
    StringBuilder sb = new StringBuilder();
    tokens.forEach(t -> sb.append(t.text()));
    return sb.toString();
  }

  private static List<SqlText.Token> significant(List<SqlText.Token> tokens) {
    return tokens.stream().filter(t -> t.kind() != SqlText.Kind.WHITESPACE).toList();
  }
}
