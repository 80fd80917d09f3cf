package org.consent4j.jdbc.internal.rewrite;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;
import org.consent4j.jdbc.internal.Dialect;

/**
 * Finds, by bare name, the views of a database that read mapped tables, directly or through
 * other views, (H2) the synonyms of mapped tables and of such views, (PostgreSQL) the parent
 * tables whose rows include a mapped table's through inheritance or partitioning, and the other
 * objects {@link DatabaseObjects} counts as unsafe. Each is a second door to the same rows that
 * the rewriter cannot see through, so statements that name one are refused. A view whose
 * definition cannot be read counts as one. The rewriter itself works on {@link DatabaseObjects},
 * by qualified name. Not API.
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
    java.util.List<DatabaseObjects.MappedName> names = new java.util.ArrayList<>();
    for (String m : mapped) {
      names.add(new DatabaseObjects.MappedName(java.util.Optional.empty(), m));
    }
    return DatabaseObjects.read(c, dialect, names, trusted).unsafeNames();
  }

  /** The distinct words (identifier-like runs) of {@code text}, as written. */
  static Set<String> words(String text) {
    return new HashSet<>(java.util.Arrays.asList(text.split("[^\\p{L}\\p{N}_$]+")));
  }
}
