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
 * Finds the views of a database that read mapped tables, directly or through other views, (H2)
 * the synonyms of mapped tables and of such views, and (PostgreSQL) the parent tables whose rows include a mapped table's through inheritance or
 * partitioning. Each is a second door to the same rows that the rewriter cannot see through, so
 * statements that name one are refused. A view whose definition cannot be read counts as one.
 * Not API.
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
    return readingMappedTables(c, dialect, mapped, Set.of());
  }

  /**
   * As {@link #readingMappedTables(Connection, Dialect, Set)}, except that the views named in
   * {@code trusted} (lower-case) are never counted, nor is a view counted for reading one.
   *
   * @throws SQLException if the catalog cannot be read
   */
  public static Set<String> readingMappedTables(Connection c, Dialect dialect, Set<String> mapped,
      Set<String> trusted) throws SQLException {
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
        if (!mapped.contains(name) && !trusted.contains(name)) {
          definitions.put(name, definition == null ? null : definition.toLowerCase(Locale.ROOT));
        }
      }
    }
    // H2: a synonym is another name for a table (or another synonym); count it like a view whose
    // definition names its target.
    if (dialect == Dialect.H2) {
      try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(
          "SELECT SYNONYM_NAME, SYNONYM_FOR FROM INFORMATION_SCHEMA.SYNONYMS")) {
        while (r.next()) {
          String name = r.getString(1).toLowerCase(Locale.ROOT);
          if (!mapped.contains(name) && !trusted.contains(name)) {
            String target = r.getString(2);
            definitions.put(name, target == null ? null : target.toLowerCase(Locale.ROOT));
          }
        }
      }
    }
    // PostgreSQL: a parent table's rows include its children's (inheritance, partitions).
    Map<String, Set<String>> children = new HashMap<>();
    if (dialect == Dialect.POSTGRESQL) {
      try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT p.relname, ch.relname FROM"
          + " pg_inherits i JOIN pg_class p ON p.oid = i.inhparent JOIN pg_class ch ON ch.oid = i.inhrelid")) {
        while (r.next()) {
          String parent = r.getString(1).toLowerCase(Locale.ROOT);
          if (!mapped.contains(parent) && !trusted.contains(parent)) {
            children.computeIfAbsent(parent, k -> new HashSet<>()).add(r.getString(2).toLowerCase(Locale.ROOT));
          }
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
      for (Map.Entry<String, Set<String>> p : children.entrySet()) {
        if (!unsafe.contains(p.getKey())
            && p.getValue().stream().anyMatch(ch -> mapped.contains(ch) || unsafe.contains(ch))) {
          unsafe.add(p.getKey());
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
    for (String word : words(text)) {
      if (names.contains(word)) {
        return true;
      }
    }
    return false;
  }

  /** The distinct words (identifier-like runs) of {@code text}, as written. */
  static Set<String> words(String text) {
    return new HashSet<>(java.util.Arrays.asList(text.split("[^\\p{L}\\p{N}_$]+")));
  }
}
