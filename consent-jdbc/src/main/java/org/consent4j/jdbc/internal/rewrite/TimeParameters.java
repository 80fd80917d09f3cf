package org.consent4j.jdbc.internal.rewrite;

import java.time.Instant;
import java.util.Optional;
import java.util.SortedMap;

/**
 * A rewritten statement for {@code prepareStatement}: the engine clock's time goes in as JDBC
 * parameters instead of literals, so that the SQL text is the same on every execution and the
 * driver and database can reuse its parse and plan (PostgreSQL server-prepares a statement text
 * used five times on a connection, and then may keep a generic plan). With literals, every
 * execution is a new text, parsed and planned again: for a consent-checked point lookup the plan
 * costs several times the execution. The application's placeholders keep their numbers: the
 * wrapper binds the time parameters itself and shifts the application's indexes past them.
 *
 * <p>Built only when every placeholder of the text can be located for certain; otherwise the
 * statement keeps its literals ({@link #of} is empty). Immutable. Not API.
 *
 * <p>The same text may hold NULL flags ({@link MaskedWriteBack}): placeholders the wrapper binds
 * to 1 when the value the application binds to another parameter is NULL, and to 0 otherwise.
 *
 * @param sql the SQL with a {@code ?} at each time marker and NULL flag
 * @param positions the 1-based position among all the placeholders of each time parameter, in order
 * @param nanos for each time parameter, true when it takes the nanosecond, false for the second
 * @param flagPositions the 1-based position among all the placeholders of each NULL flag, in order
 * @param flagSources for each NULL flag, the 1-based index of the application's parameter it reports on
 */
public record TimeParameters(String sql, int[] positions, boolean[] nanos, int[] flagPositions, int[] flagSources) {

  /** Time parameters only. */
  public TimeParameters(String sql, int[] positions, boolean[] nanos) {
    this(sql, positions, nanos, new int[0], new int[0]);
  }

  /** The prepared form of {@code r}, or empty when it has no time marker or its placeholders are uncertain. */
  public static Optional<TimeParameters> of(RewrittenStatement r) {
    if (r.parts().size() == 1) {
      return Optional.empty();
    }
    StringBuilder sb = new StringBuilder();
    int[] markerOffsets = new int[r.parts().size() - 1];
    sb.append(r.parts().get(0));
    for (int i = 1; i < r.parts().size(); i++) {
      markerOffsets[i - 1] = sb.length();
      sb.append('?').append(r.parts().get(i));
    }
    String sql = sb.toString();
    int[] ordinals = placeholderOrdinals(sql);
    if (ordinals == null) {
      return Optional.empty();
    }
    int flags = (int) r.nullFlags().stream().filter(f -> f != 0).count();
    int[] positions = new int[markerOffsets.length - flags];
    boolean[] nanos = new boolean[positions.length];
    int[] flagPositions = new int[flags];
    int[] flagSources = new int[flags];
    int t = 0;
    int f = 0;
    for (int i = 0; i < markerOffsets.length; i++) {
      int position = ordinals[markerOffsets[i]];
      if (position == 0) {
        return Optional.empty(); // the marker stood inside a quoted text or comment
      }
      if (r.nullFlags().get(i) != 0) {
        flagPositions[f] = position;
        flagSources[f++] = r.nullFlags().get(i);
      } else {
        positions[t] = position;
        nanos[t++] = r.nanos().get(i);
      }
    }
    return Optional.of(new TimeParameters(sql, positions, nanos, flagPositions, flagSources));
  }

  /**
   * The NULL flags, by 1-based position among all placeholders: the 1-based index of the
   * application's parameter each reports on.
   */
  public SortedMap<Integer, Integer> nullFlags() {
    java.util.TreeMap<Integer, Integer> out = new java.util.TreeMap<>();
    for (int i = 0; i < flagPositions.length; i++) {
      out.put(flagPositions[i], flagSources[i]);
    }
    return java.util.Collections.unmodifiableSortedMap(out);
  }

  /** The values to bind at {@code now}, by 1-based parameter position. */
  public SortedMap<Integer, Long> values(Instant now) {
    // Immutable, and backed by this statement's arrays: one small object per execution.
    return new TimeBindings(positions, nanos, now.getEpochSecond(), now.getNano());
  }

  /**
   * For each character offset of {@code sql} holding a JDBC placeholder, its 1-based ordinal
   * (0 elsewhere); null when some construct makes the count uncertain for one of the supported
   * drivers: a backslash in a quoted text (MariaDB and PostgreSQL E'' escapes), dollar quoting,
   * {@code #} comments, nested comments, or a doubled {@code ??} (PostgreSQL's escaped operator).
   */
  static int[] placeholderOrdinals(String sql) {
    int[] out = new int[sql.length()];
    int n = 0;
    int i = 0;
    while (i < sql.length()) {
      char c = sql.charAt(i);
      switch (c) {
        case '\'', '"', '`' -> {
          int end = i + 1;
          while (true) {
            if (end >= sql.length()) {
              return null;
            }
            char d = sql.charAt(end);
            if (d == '\\') {
              return null;
            }
            if (d == c) {
              if (end + 1 < sql.length() && sql.charAt(end + 1) == c) {
                end += 2;
                continue;
              }
              break;
            }
            end++;
          }
          i = end + 1;
        }
        case '-' -> {
          if (i + 1 < sql.length() && sql.charAt(i + 1) == '-') {
            int eol = sql.indexOf('\n', i);
            i = eol < 0 ? sql.length() : eol + 1;
          } else {
            i++;
          }
        }
        case '/' -> {
          if (i + 1 < sql.length() && sql.charAt(i + 1) == '*') {
            int end = sql.indexOf("*/", i + 2);
            if (end < 0 || sql.substring(i + 2, end).contains("/*")) {
              return null;
            }
            i = end + 2;
          } else {
            i++;
          }
        }
        case '$', '#' -> {
          return null;
        }
        case '?' -> {
          if (i + 1 < sql.length() && (sql.charAt(i + 1) == '?' || sql.charAt(i + 1) == '|'
              || sql.charAt(i + 1) == '&')) {
            return null;
          }
          out[i] = ++n;
          i++;
        }
        default -> i++;
      }
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TimeParameters t && sql.equals(t.sql) && java.util.Arrays.equals(positions, t.positions)
        && java.util.Arrays.equals(nanos, t.nanos) && java.util.Arrays.equals(flagPositions, t.flagPositions)
        && java.util.Arrays.equals(flagSources, t.flagSources);
  }

  @Override
  public int hashCode() {
    return sql.hashCode() * 31 + java.util.Arrays.hashCode(positions);
  }

  @Override
  public String toString() {
    return "TimeParameters" + java.util.Arrays.toString(positions)
        + (flagPositions.length == 0 ? "" : " flags " + java.util.Arrays.toString(flagPositions));
  }
}
