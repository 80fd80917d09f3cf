package org.consent4j.jdbc.internal.rewrite;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The shape of a statement for the audit: its text with every value a user could have written
 * blanked — string literals in single quotes (with doubled quotes or backslash escapes), double
 * quotes (strings in MariaDB), backquotes, PostgreSQL dollar quotes, numbers — and comments
 * dropped, then hashed. Two statements that differ only in such values have the same
 * fingerprint, so the audit trail never lets a guessed value be confirmed. Quoted identifiers are
 * blanked too: over-blanking only merges fingerprints. Not API.
 */
public final class StatementShape {
  private StatementShape() {}

  /** The statement's text with values blanked to {@code ?} and comments dropped. */
  public static String of(String sql) {
    StringBuilder out = new StringBuilder(sql.length());
    int n = sql.length();
    int i = 0;
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '\'' || c == '"' || c == '`') {
        i = skipQuoted(sql, i, c);
        out.append('?');
      } else if (c == '$' && dollarTagEnd(sql, i) > 0) {
        int tagEnd = dollarTagEnd(sql, i);
        String tag = sql.substring(i, tagEnd + 1);
        int close = sql.indexOf(tag, tagEnd + 1);
        i = close < 0 ? n : close + tag.length();
        out.append('?');
      } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        int nl = sql.indexOf('\n', i);
        i = nl < 0 ? n : nl;
      } else if (c == '#' ) {
        int nl = sql.indexOf('\n', i);
        i = nl < 0 ? n : nl;
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        int end = sql.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
      } else if (Character.isDigit(c) && (i == 0 || !isWordChar(sql.charAt(i - 1)))) {
        while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '.'
            || ((sql.charAt(i) == '+' || sql.charAt(i) == '-') && (sql.charAt(i - 1) == 'e' || sql.charAt(i - 1) == 'E')))) {
          i++;
        }
        out.append('?');
      } else if (Character.isWhitespace(c)) {
        if (out.length() > 0 && out.charAt(out.length() - 1) != ' ') {
          out.append(' ');
        }
        i++;
      } else {
        out.append(Character.toLowerCase(c));
        i++;
      }
    }
    return out.toString().trim();
  }

  /** The first 16 hex digits of the SHA-256 of the statement's shape. */
  public static String fingerprint(String sql) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(of(sql).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  private static boolean isWordChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '$';
  }

  /** The index after a quoted run starting at {@code start}; doubled quotes and backslashes escape. */
  private static int skipQuoted(String sql, int start, char quote) {
    int n = sql.length();
    int i = start + 1;
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '\\' && quote != '`') {
        i += 2;
      } else if (c == quote) {
        if (i + 1 < n && sql.charAt(i + 1) == quote) {
          i += 2;
        } else {
          return i + 1;
        }
      } else {
        i++;
      }
    }
    return n;
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
