package org.consent4j.jdbc.internal.rewrite;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.consent4j.jdbc.internal.Dialect;

/**
 * Finds the views of a database that read mapped tables, directly or through other views. A view
 * is a second door to the same rows, and the rewriter cannot see through it, so statements that
 * name such a view are refused. A view whose definition cannot be read counts as one. Not API.
 */
public final class LiveViews {
  private LiveViews() {}

  /**
   * The lower-case names of the views that read a table of {@code mapped} (lower-case names),
   * mapped views themselves excluded.
   *
   * @throws SQLException if the catalog cannot be read
   */
  public static Set<String> readingMappedTables(Connection c, Dialect dialect, Set<String> mapped) throws SQLException {
    String sql = switch (dialect) {
      case POSTGRESQL -> "SELECT viewname, definition FROM pg_views WHERE schemaname NOT IN ('pg_catalog',"
          + " 'information_schema') UNION ALL SELECT matviewname, definition FROM pg_matviews";
      case H2 -> "SELECT TABLE_NAME, VIEW_DEFINITION FROM INFORMATION_SCHEMA.VIEWS"
          + " WHERE TABLE_SCHEMA <> 'INFORMATION_SCHEMA'";
      case MARIADB, MYSQL -> "SELECT TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS"
          + " WHERE TABLE_SCHEMA = DATABASE()";
    };
    Map<String, String> definitions = new HashMap<>();
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      while (r.next()) {
        String name = r.getString(1).toLowerCase(Locale.ROOT);
        String definition = r.getString(2);
        if (!mapped.contains(name)) {
          definitions.put(name, definition == null ? null : definition.toLowerCase(Locale.ROOT));
        }
      }
    }
    Set<String> unsafe = new HashSet<>();
    boolean grew = true;
    while (grew) {
      grew = false;
      for (Map.Entry<String, String> v : definitions.entrySet()) {
        if (!unsafe.contains(v.getKey()) && (v.getValue() == null || v.getValue().isBlank()
            || mentionsAny(v.getValue(), mapped) || mentionsAny(v.getValue(), unsafe))) {
          unsafe.add(v.getKey());
          grew = true;
        }
      }
    }
    return unsafe;
  }

  private static boolean mentionsAny(String text, Set<String> names) {
    if (names.isEmpty()) {
      return false;
    }
    for (String word : text.split("[^\\p{L}\\p{N}_$]+")) {
      if (names.contains(word)) {
        return true;
      }
    }
    return false;
  }
}
