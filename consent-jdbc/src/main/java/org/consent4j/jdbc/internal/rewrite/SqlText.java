package org.consent4j.jdbc.internal.rewrite;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import org.consent4j.jdbc.internal.Dialect;

/**
 * What JSqlParser 5.1 mishandles in SQL that databases accept, made parseable before parsing
 * without changing what the statement means. Not API.
 *
 * <ul>
 *   <li>JSqlParser ends a statement at two empty lines ({@code \n\n\n}), and at a line holding
 *       only {@code /} or {@code GO}; the grammar has no option to turn this off (its maintainers
 *       advise stripping blank lines first). Between tokens, whitespace only separates them, so
 *       every run of whitespace that holds a line break becomes {@code "\n "}: still a line break
 *       (which ends a {@code --} comment and joins adjacent string literals as before), never a
 *       blank line, and never a line starting with {@code /} or {@code GO}; every other run
 *       becomes one space.
 *   <li>A quoted identifier (or MariaDB string in double quotes) with a line break in it does not
 *       parse: it is replaced by a placeholder identifier, the same for the same text, and put back
 *       in the rewritten SQL. Only names consent4j does not know are replaced (the rewriter never
 *       looks at them), so a statement naming a mapped table or column that way is still refused.
 *   <li>MariaDB's {@code LOCK IN SHARE MODE}, which JSqlParser does not parse, ending a statement
 *       is read as {@code FOR SHARE} and printed back as it was.
 * </ul>
 *
 * <p>String literals, quoted identifiers, dollar quotes and comments keep their exact text. The
 * text is split into them by the dialect's rules; where those rules leave a doubt (a backslash
 * inside quotes, which MariaDB reads as an escape unless its SQL mode says otherwise; {@code #} or
 * {@code //}, comments in some dialects and operators in others; dollar quotes outside PostgreSQL
 * and H2; a block comment inside a block comment), nothing is changed, and the parser refuses
 * what it refuses.
 */
final class SqlText {
  /** Starts every placeholder identifier; a statement that already holds it is left as it is. */
  static final String PLACEHOLDER = "c4j_ident_";

  /** The kinds of piece a statement's text is split into. */
  enum Kind { WHITESPACE, STRING, QUOTED_NAME, DOLLAR, COMMENT, OTHER }

  /** One piece of a statement's text, with its exact text. */
  record Token(Kind kind, String text) {}

  /**
   * A statement's text as the parser should see it.
   *
   * @param text what to parse
   * @param placeholders each placeholder identifier (with its quotes) and the text it stands for
   * @param lockInShareMode the statement ended with MariaDB's {@code LOCK IN SHARE MODE}, which
   *     {@code text} spells {@code FOR SHARE}
   */
  record Normalised(String text, Map<String, String> placeholders, boolean lockInShareMode) {
    /** {@code printed} (the parser's output for {@link #text}) with the placeholders put back. */
    String restore(String printed) {
      String out = printed;
      for (Map.Entry<String, String> e : placeholders.entrySet()) {
        out = out.replace(e.getKey(), e.getValue());
      }
      return out;
    }
  }

  private SqlText() {}

  /**
   * The text to parse for {@code sql}.
   *
   * @param knownName whether a (folded) name is one the rewriter looks at: such a quoted name is
   *     never replaced by a placeholder
   */
  static Normalised normalise(String sql, Dialect dialect, Predicate<String> knownName) {
    List<Token> tokens = tokens(sql, dialect);
    if (tokens == null || sql.toLowerCase(Locale.ROOT).contains(PLACEHOLDER)) {
      return new Normalised(sql, Map.of(), false);
    }
    Map<String, String> byOriginal = new LinkedHashMap<>();
    List<String> pieces = new ArrayList<>();
    for (Token t : tokens) {
      String text = t.text();
      if (t.kind() == Kind.WHITESPACE) {
        text = text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0 ? "\n " : " ";
      } else if (t.kind() == Kind.QUOTED_NAME && (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0)
          && !knownName.test(SqlRewriter.fold(unquote(text)))) {
        String original = text;
        char q = text.charAt(0);
        text = byOriginal.computeIfAbsent(original, k -> q + PLACEHOLDER + byOriginal.size() + "_" + q);
      }
      pieces.add(text);
    }
    boolean share = false;
    if (dialect == Dialect.MARIADB || dialect == Dialect.MYSQL) {
      share = lockInShareMode(tokens, pieces);
    }
    Map<String, String> placeholders = new LinkedHashMap<>();
    byOriginal.forEach((original, placeholder) -> placeholders.put(placeholder, original));
    return new Normalised(String.join("", pieces), placeholders, share);
  }

  /**
   * If the statement's last words are {@code LOCK IN SHARE MODE} (then at most a semicolon and
   * comments), spells them {@code FOR SHARE} in {@code pieces}.
   */
  private static boolean lockInShareMode(List<Token> tokens, List<String> pieces) {
    List<Integer> words = new ArrayList<>();
    for (int i = tokens.size() - 1; i >= 0 && words.size() < 4; i--) {
      Token t = tokens.get(i);
      if (t.kind() == Kind.WHITESPACE || t.kind() == Kind.COMMENT || (words.isEmpty() && t.text().equals(";"))) {
        continue;
      }
      if (t.kind() != Kind.OTHER) {
        return false;
      }
      words.add(0, i);
    }
    if (words.size() < 4) {
      return false;
    }
    String[] expected = {"lock", "in", "share", "mode"};
    for (int w = 0; w < 4; w++) {
      if (!tokens.get(words.get(w)).text().equalsIgnoreCase(expected[w])) {
        return false;
      }
    }
    pieces.set(words.get(0), "FOR");
    pieces.set(words.get(1), "");
    pieces.set(words.get(2), "SHARE");
    pieces.set(words.get(3), "");
    return true;
  }

  /**
   * The pieces of {@code sql} by {@code dialect}'s rules, or null when a rule leaves a doubt (see
   * the class comment). Joined, they are {@code sql} again. Words and single punctuation
   * characters are separate {@code OTHER} pieces.
   */
  static List<Token> tokens(String sql, Dialect dialect) {
    boolean mariadb = dialect == Dialect.MARIADB || dialect == Dialect.MYSQL;
    List<Token> out = new ArrayList<>();
    int n = sql.length();
    int i = 0;
    while (i < n) {
      char c = sql.charAt(i);
      int end;
      Kind kind;
      if (isSpace(c)) {
        end = i;
        while (end < n && isSpace(sql.charAt(end))) {
          end++;
        }
        kind = Kind.WHITESPACE;
      } else if (c == '\'' || c == '"' || (c == '`' && mariadb)) {
        end = closeQuote(sql, i, c);
        if (end < 0) {
          return null;
        }
        // MariaDB's double quotes hold a string by default and a name under ANSI_QUOTES: taken
        // for a name, such text is only ever replaced by a placeholder and put back.
        kind = c == '\'' ? Kind.STRING : Kind.QUOTED_NAME;
      } else if (c == '`' || c == '#' || (c == '/' && i + 1 < n && sql.charAt(i + 1) == '/')) {
        return null; // backquote outside MariaDB; '#' and '//' are comments in some dialects, operators in others
      } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        if (mariadb && (i + 2 >= n || !Character.isWhitespace(sql.charAt(i + 2)))) {
          return null; // MariaDB: "--" starts a comment only before whitespace
        }
        end = i;
        while (end < n && sql.charAt(end) != '\n' && sql.charAt(end) != '\r') {
          end++;
        }
        kind = Kind.COMMENT;
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        int close = sql.indexOf("*/", i + 2);
        if (close < 0 || sql.substring(i + 2, close).contains("/*")) {
          return null; // unterminated, or nested (PostgreSQL nests block comments, MariaDB does not)
        }
        end = close + 2;
        kind = Kind.COMMENT;
      } else if (c == '$' && dollarTagEnd(sql, i) > 0) {
        if (mariadb) {
          return null;
        }
        int tagEnd = dollarTagEnd(sql, i);
        String tag = sql.substring(i, tagEnd + 1);
        int close = sql.indexOf(tag, tagEnd + 1);
        if (close < 0) {
          return null;
        }
        end = close + tag.length();
        kind = Kind.DOLLAR;
      } else if (isWordChar(c)) {
        end = i;
        while (end < n && isWordChar(sql.charAt(end))) {
          end++;
        }
        kind = Kind.OTHER;
      } else {
        end = i + 1;
        kind = Kind.OTHER;
      }
      out.add(new Token(kind, sql.substring(i, end)));
      i = end;
    }
    return out;
  }

  /**
   * The index after the quoted run opened at {@code start}, where a doubled quote escapes one; -1
   * if it is not closed or holds a backslash (an escape in MariaDB's default mode, a plain
   * character elsewhere and under NO_BACKSLASH_ESCAPES: its end is in doubt).
   */
  private static int closeQuote(String sql, int start, char quote) {
    int n = sql.length();
    int i = start + 1;
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '\\') {
        return -1;
      }
      if (c == quote) {
        if (i + 1 < n && sql.charAt(i + 1) == quote) {
          i += 2;
        } else {
          return i + 1;
        }
      } else {
        i++;
      }
    }
    return -1;
  }

  private static String unquote(String quoted) {
    char q = quoted.charAt(0);
    return quoted.substring(1, quoted.length() - 1).replace(String.valueOf(q) + q, String.valueOf(q));
  }

  /** Whitespace as SQL has it (Java's also counts control characters that SQL does not). */
  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
  }

  private static boolean isWordChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '$';
  }

  /** For {@code $tag$} or {@code $$} at {@code i}: the index of the closing {@code $} of the tag; else -1. */
  private static int dollarTagEnd(String sql, int i) {
    if (i > 0 && isWordChar(sql.charAt(i - 1))) {
      return -1;
    }
    int j = i + 1;
    while (j < sql.length() && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_')) {
      j++;
    }
    return j < sql.length() && sql.charAt(j) == '$' && (j == i + 1 || !Character.isDigit(sql.charAt(i + 1))) ? j : -1;
  }
}
