package org.consent4j.jdbc.mapping.internal;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * SQL identifiers as the schema mapping sees them. Declared names are validated and stored in
 * lower case; names met in SQL or in database metadata are folded the same way before they are
 * compared, whatever their quoting or case. Folding is deliberately broader than any database's:
 * a reference that some database might resolve to a mapped table must match its mapping (the
 * cost of a false match is a table filtered that did not need to be).
 */
public final class Identifiers {
  /** The longest identifier accepted in a mapping. */
  public static final int MAX_LENGTH = 128;

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*");

  private Identifiers() {}

  /**
   * Validates a name declared in a mapping and returns it in lower case.
   *
   * @param kind what the name is, for the message ({@code "table"}, {@code "column"} ...)
   * @throws IllegalArgumentException if it is not {@code [A-Za-z_][A-Za-z0-9_$]*} of at most
   *     {@value #MAX_LENGTH} characters
   */
  public static String declared(String kind, String name) {
    Objects.requireNonNull(name, kind);
    if (name.isEmpty() || name.length() > MAX_LENGTH || !IDENTIFIER.matcher(name).matches()) {
      throw new IllegalArgumentException(kind + " name '" + shorten(name) + "' is not valid: use a plain SQL"
          + " identifier [A-Za-z_][A-Za-z0-9_$]* of at most " + MAX_LENGTH + " characters, without quotes");
    }
    return name.toLowerCase(Locale.ROOT);
  }

  /**
   * The key under which a name met in SQL or metadata is looked up: surrounding white space and
   * one level of quoting ({@code "x"}, {@code `x`}, {@code [x]}, PostgreSQL's {@code U&"x"}) are
   * removed, and the case is folded with {@link #fold}. Returns {@code null} when the result
   * cannot be a declared name (it holds a space, a dot, a quote ...), so cannot match a mapping.
   */
  public static String lookupKey(String reference) {
    String s = reference.strip();
    if (s.length() >= 3 && (s.charAt(0) == 'U' || s.charAt(0) == 'u') && s.charAt(1) == '&' && s.charAt(2) == '"') {
      s = unescapeUnicode(unquote(s.substring(2), '"', '"'));
    } else if (s.length() >= 2 && s.charAt(0) == '"') {
      s = unquote(s, '"', '"');
    } else if (s.length() >= 2 && s.charAt(0) == '`') {
      s = unquote(s, '`', '`');
    } else if (s.length() >= 2 && s.charAt(0) == '[') {
      s = unquote(s, '[', ']');
    }
    if (s == null) {
      return null;
    }
    String folded = fold(s);
    return folded.length() <= MAX_LENGTH && IDENTIFIER.matcher(folded).matches() ? folded : null;
  }

  /**
   * Folds case the way that can only over-match: upper-cased and then lower-cased in the root
   * locale, so that for example {@code frıend} (dotless i), which H2 upper-cases to {@code FRIEND},
   * folds to {@code friend} as well.
   */
  public static String fold(CharSequence s) {
    int n = s.length();
    boolean ascii = true;
    for (int i = 0; i < n && ascii; i++) {
      ascii = s.charAt(i) < 0x80;
    }
    if (ascii) {
      return s.toString().toLowerCase(Locale.ROOT);
    }
    return s.toString().toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
  }

  /** Shortens a name for an error message. */
  public static String shorten(String name) {
    return name.length() <= MAX_LENGTH + 8 ? name : name.substring(0, MAX_LENGTH) + "...";
  }

  private static String unquote(String s, char open, char close) {
    if (s.length() < 2 || s.charAt(0) != open || s.charAt(s.length() - 1) != close) {
      return null;
    }
    String inner = s.substring(1, s.length() - 1);
    return open == close ? inner.replace(String.valueOf(close) + close, String.valueOf(close)) : inner;
  }

  /** Decodes PostgreSQL's {@code \XXXX} and {@code \+XXXXXX} escapes (default escape character). */
  private static String unescapeUnicode(String s) {
    if (s == null) {
      return null;
    }
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\\') {
        out.append(c);
        continue;
      }
      try {
        if (i + 1 < s.length() && s.charAt(i + 1) == '\\') {
          out.append('\\');
          i++;
        } else if (i + 1 < s.length() && s.charAt(i + 1) == '+') {
          out.appendCodePoint(Integer.parseInt(s.substring(i + 2, i + 8), 16));
          i += 7;
        } else {
          out.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
          i += 4;
        }
      } catch (RuntimeException e) {
        return null;
      }
    }
    return out.toString();
  }
}
