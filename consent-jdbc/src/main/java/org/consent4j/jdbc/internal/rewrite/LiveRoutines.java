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
 * Finds the user-defined functions of a database that may read mapped tables: like a view, a
 * function is a door the rewriter cannot see through. A function counts as one when its body
 * names a mapped table, a view that reads one, or another such function; when its body builds
 * SQL at run time ({@code EXECUTE}, {@code PREPARE}); when its body cannot be read; and when it
 * is written in a language whose body cannot be scanned (H2's Java aliases, PL/Python, ...).
 * Functions written in C or built into the server are not scanned and count as safe. Functions of
 * every schema (on MariaDB/MySQL, every database) are read; a function counts by its bare name,
 * whatever schema a call names (a name shared with an unsafe function of another schema is refused
 * too: over-protection only). A trusted name is {@code name} (any schema) or {@code schema.name}.
 * Not API.
 */
public final class LiveRoutines {
  private LiveRoutines() {}

  /**
   * The lower-case names of the functions that may read a table of {@code mapped} or a view of
   * {@code unsafeViews}.
   *
   * @throws SQLException if the catalog cannot be read
   */
  public static Set<String> readingMappedTables(Connection c, Dialect dialect, Set<String> mapped,
      Set<String> unsafeViews) throws SQLException {
    return readingMappedTables(c, dialect, mapped, unsafeViews, Set.of());
  }

  /**
   * As {@link #readingMappedTables(Connection, Dialect, Set, Set)}, except that the functions
   * named in {@code trusted} (lower-case) are never counted, nor is a function counted for
   * calling one.
   *
   * @throws SQLException if the catalog cannot be read
   */
  public static Set<String> readingMappedTables(Connection c, Dialect dialect, Set<String> mapped,
      Set<String> unsafeViews, Set<String> trusted) throws SQLException {
    String sql = switch (dialect) {
      case POSTGRESQL -> "SELECT p.proname, p.prosrc, l.lanname, n.nspname FROM pg_proc p"
          + " JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang"
          + " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'";
      case H2 -> "SELECT ROUTINE_NAME, ROUTINE_DEFINITION, 'java', ROUTINE_SCHEMA FROM INFORMATION_SCHEMA.ROUTINES"
          + " WHERE ROUTINE_SCHEMA <> 'INFORMATION_SCHEMA'";
      // every database: a function of another one is called as db.f()
      case MARIADB, MYSQL -> "SELECT ROUTINE_NAME, ROUTINE_DEFINITION, 'sql', ROUTINE_SCHEMA FROM"
          + " information_schema.ROUTINES WHERE ROUTINE_SCHEMA NOT IN ('information_schema', 'performance_schema',"
          + " 'mysql', 'sys')";
    };
    Map<String, String> bodies = new HashMap<>();
    Set<String> unsafe = new HashSet<>();
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      while (r.next()) {
        String name = r.getString(1).toLowerCase(Locale.ROOT);
        String body = r.getString(2);
        String language = r.getString(3).toLowerCase(Locale.ROOT);
        String schema = String.valueOf(r.getString(4)).toLowerCase(Locale.ROOT);
        if (language.equals("c") || language.equals("internal") || trusted.contains(name)
            || trusted.contains(schema + "." + name)) {
          continue;
        }
        if (body == null || body.isBlank() || !(language.equals("sql") || language.equals("plpgsql"))) {
          unsafe.add(name);
        } else {
          bodies.merge(name, body.toLowerCase(Locale.ROOT), (a, b) -> a + "\n" + b); // overloads
        }
      }
    }
    Set<String> doors = new HashSet<>(mapped);
    doors.addAll(unsafeViews);
    boolean grew = true;
    while (grew) {
      grew = false;
      for (Map.Entry<String, String> f : bodies.entrySet()) {
        if (!unsafe.contains(f.getKey())) {
          Set<String> words = LiveViews.words(f.getValue());
          if (words.contains("execute") || words.contains("prepare") || intersects(words, doors)
              || intersects(words, unsafe)) {
            unsafe.add(f.getKey());
            grew = true;
          }
        }
      }
    }
    return unsafe;
  }

  private static boolean intersects(Set<String> words, Set<String> names) {
    for (String n : names) {
      if (words.contains(n)) {
        return true;
      }
    }
    return false;
  }
}
