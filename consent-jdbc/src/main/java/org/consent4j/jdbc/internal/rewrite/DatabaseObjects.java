package org.consent4j.jdbc.internal.rewrite;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.consent4j.jdbc.internal.Dialect;
import org.consent4j.jdbc.mapping.internal.Identifiers;

/**
 * The relations of a live database, by qualified name, as the rewriter needs to know them: which
 * object a table reference names, whether that object is a mapped table, and whether it is a
 * second door to a mapped table's rows that the rewriter cannot see through. Not API.
 *
 * <p>Read from the catalog of every schema (on MariaDB/MySQL every database) but the system
 * ones: base tables, views and (PostgreSQL) materialized views, (H2) synonyms, foreign and linked
 * tables ((PostgreSQL) foreign tables, (H2) linked tables and tables of other table engines, (MariaDB) FEDERATED,
 * CONNECT, SPIDER and MERGE tables), and (PostgreSQL) inheritance and partitioning. An object is
 * <em>unsafe</em>, and statements naming it are refused, when it is not itself mapped and not
 * trusted, and
 *
 * <ul>
 *   <li>it is a view or synonym whose definition names a mapped table, an unsafe object or a
 *       function that may read mapped tables (by bare name, whatever the schema: a match in the
 *       wrong schema only over-protects), or whose definition cannot be read;
 *   <li>it is a foreign or linked table (what it reads cannot be seen);
 *   <li>it is a parent whose rows include a mapped or unsafe child's (inheritance, partitions), or
 *       a child (a partition) of a mapped table.
 * </ul>
 *
 * <p>Temporary schemas ({@code pg_temp_*}) are not read: their objects belong to one session and
 * come and go; a mapped table is therefore always read through its qualified name (see {@link
 * TableResolver}), so that a temporary object cannot stand in for it.
 *
 * <p>Immutable and thread-safe.
 */
public final class DatabaseObjects {
  /** What kind of object a relation is. */
  enum Kind { TABLE, VIEW, SYNONYM, FOREIGN }

  /**
   * One relation of the database.
   *
   * @param schemaKey the folded schema name (on MariaDB, the database)
   * @param schema the schema name as the database reports it
   * @param name the relation name as the database reports it
   * @param kind what it is
   * @param mapped whether a table mapping applies to it
   * @param unsafe whether it is a second door to mapped rows (see the class documentation)
   */
  record Obj(String schemaKey, String schema, String name, Kind kind, boolean mapped, boolean unsafe) {
    String nameKey() {
      return Identifiers.fold(name);
    }
  }

  /**
   * A table mapping, as far as classifying the catalog needs it.
   *
   * @param schema the folded schema it names, if any
   * @param name the folded table name
   */
  public record MappedName(Optional<String> schema, String name) {}

  private static final DatabaseObjects NONE = new DatabaseObjects(null, null, Map.of(), Set.of(), false);

  private final Dialect dialect;
  private final String homeSchema;
  /** Folded bare name, then folded schema: the relation. */
  private final Map<String, Map<String, Obj>> byName;
  /** Bare names of unsafe objects, also when the catalog was not read (given by name). */
  private final Set<String> unsafeNames;
  private final boolean known;

  private DatabaseObjects(Dialect dialect, String homeSchema, Map<String, Map<String, Obj>> byName,
      Set<String> unsafeNames, boolean known) {
    this.dialect = dialect;
    this.homeSchema = homeSchema;
    this.byName = byName;
    this.unsafeNames = Set.copyOf(unsafeNames);
    this.known = known;
  }

  /** No knowledge of the catalog: references are matched against the mapping by name only. */
  public static DatabaseObjects none() {
    return NONE;
  }

  /**
   * Knowledge by bare name only, as consent4j had it before it read qualified names: the objects
   * named in {@code unsafeNames} (lower case, any schema) are refused unless the name is mapped.
   */
  public static DatabaseObjects ofUnsafeNames(Set<String> unsafeNames) {
    return new DatabaseObjects(null, null, Map.of(), unsafeNames, false);
  }

  /**
   * Reads the catalog behind {@code c}.
   *
   * @param mapped the table mappings
   * @param trusted trusted names, lower case: {@code name} (any schema) or {@code schema.name}
   * @throws SQLException if the catalog cannot be read
   */
  public static DatabaseObjects read(Connection c, Dialect dialect, Collection<MappedName> mapped,
      Set<String> trusted) throws SQLException {
    return read(c, dialect, mapped, trusted, Set.of());
  }

  /**
   * As {@link #read(Connection, Dialect, Collection, Set)}, where a view whose definition names
   * one of {@code unsafeFunctions} (bare, lower case: functions that may read mapped tables, see
   * {@link LiveRoutines}) is unsafe too.
   *
   * @throws SQLException if the catalog cannot be read
   */
  public static DatabaseObjects read(Connection c, Dialect dialect, Collection<MappedName> mapped,
      Set<String> trusted, Set<String> unsafeFunctions) throws SQLException {
    String home = fold(currentSchema(c, dialect));
    Map<Key, Kind> kinds = new LinkedHashMap<>();
    Map<Key, String[]> actual = new HashMap<>();
    Map<Key, String> definitions = new HashMap<>();
    Map<Key, Set<Key>> children = new HashMap<>();
    switch (dialect) {
      case POSTGRESQL -> {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT n.nspname, c.relname,"
            + " c.relkind, CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END FROM pg_class c"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')"
            + " AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'"
            + " AND n.nspname NOT LIKE 'pg_temp%'")) {
          while (r.next()) {
            String kind = r.getString(3);
            Key k = add(kinds, actual, r.getString(1), r.getString(2), switch (kind) {
              case "v", "m" -> Kind.VIEW;
              case "f" -> Kind.FOREIGN;
              default -> Kind.TABLE;
            });
            if (kind.equals("v") || kind.equals("m")) {
              definitions.put(k, r.getString(4));
            }
          }
        }
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT pn.nspname, p.relname,"
            + " cn.nspname, ch.relname FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent"
            + " JOIN pg_namespace pn ON pn.oid = p.relnamespace JOIN pg_class ch ON ch.oid = i.inhrelid"
            + " JOIN pg_namespace cn ON cn.oid = ch.relnamespace")) {
          while (r.next()) {
            children.computeIfAbsent(new Key(fold(r.getString(1)), fold(r.getString(2))), x -> new HashSet<>())
                .add(new Key(fold(r.getString(3)), fold(r.getString(4))));
          }
        }
      }
      case H2 -> {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT TABLE_SCHEMA, TABLE_NAME,"
            + " TABLE_TYPE, TABLE_CLASS FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA <> 'INFORMATION_SCHEMA'")) {
          while (r.next()) {
            String type = String.valueOf(r.getString(3));
            // H2 reports linked tables (CREATE LINKED TABLE) and tables of other engines as BASE
            // TABLE: only its own storage's class is a table whose rows are its own.
            boolean stored = "org.h2.mvstore.db.MVTable".equals(r.getString(4));
            add(kinds, actual, r.getString(1), r.getString(2), switch (type) {
              case "VIEW" -> Kind.VIEW;
              case "BASE TABLE", "GLOBAL TEMPORARY", "LOCAL TEMPORARY" -> stored ? Kind.TABLE : Kind.FOREIGN;
              default -> Kind.FOREIGN; // whatever a later version adds
            });
          }
        }
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT TABLE_SCHEMA, TABLE_NAME,"
            + " VIEW_DEFINITION FROM INFORMATION_SCHEMA.VIEWS WHERE TABLE_SCHEMA <> 'INFORMATION_SCHEMA'")) {
          while (r.next()) {
            definitions.put(add(kinds, actual, r.getString(1), r.getString(2), Kind.VIEW), r.getString(3));
          }
        }
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(
            "SELECT SYNONYM_SCHEMA, SYNONYM_NAME, SYNONYM_FOR_SCHEMA, SYNONYM_FOR FROM INFORMATION_SCHEMA.SYNONYMS")) {
          while (r.next()) {
            // a synonym is another name for its target: a view whose definition names it
            definitions.put(add(kinds, actual, r.getString(1), r.getString(2), Kind.SYNONYM),
                r.getString(4) == null ? null : r.getString(3) + "." + r.getString(4));
          }
        }
      }
      case MARIADB, MYSQL -> {
        String system = " NOT IN ('information_schema', 'performance_schema', 'mysql', 'sys')";
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT TABLE_SCHEMA, TABLE_NAME,"
            + " TABLE_TYPE, ENGINE FROM information_schema.TABLES WHERE TABLE_SCHEMA" + system)) {
          while (r.next()) {
            String type = String.valueOf(r.getString(3)).toUpperCase(java.util.Locale.ROOT);
            String engine = String.valueOf(r.getString(4)).toUpperCase(java.util.Locale.ROOT);
            Kind kind = type.equals("VIEW") ? Kind.VIEW
                : Set.of("FEDERATED", "CONNECT", "SPIDER", "MRG_MYISAM", "MERGE").contains(engine) ? Kind.FOREIGN
                : Kind.TABLE;
            add(kinds, actual, r.getString(1), r.getString(2), kind);
          }
        }
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT TABLE_SCHEMA, TABLE_NAME,"
            + " VIEW_DEFINITION FROM information_schema.VIEWS WHERE TABLE_SCHEMA" + system)) {
          while (r.next()) {
            definitions.put(add(kinds, actual, r.getString(1), r.getString(2), Kind.VIEW), r.getString(3));
          }
        }
      }
    }
    Set<String> mappedBare = new HashSet<>();
    mapped.forEach(m -> mappedBare.add(m.name()));
    Set<Key> isMapped = new HashSet<>();
    Set<Key> skip = new HashSet<>();
    for (Map.Entry<Key, Kind> e : kinds.entrySet()) {
      Key k = e.getKey();
      if (mapped(mapped, k, e.getValue(), home)) {
        isMapped.add(k);
        skip.add(k);
      } else if (trusted.contains(k.name()) || trusted.contains(k.schema() + "." + k.name())) {
        skip.add(k);
      }
    }
    Set<Key> unsafe = new HashSet<>();
    Set<String> unsafeBare = new HashSet<>();
    boolean grew = true;
    while (grew) {
      grew = false;
      for (Map.Entry<Key, Kind> e : kinds.entrySet()) {
        Key k = e.getKey();
        if (skip.contains(k) || unsafe.contains(k)) {
          continue;
        }
        boolean bad = switch (e.getValue()) {
          case FOREIGN -> true;
          case VIEW, SYNONYM -> {
            String d = definitions.get(k);
            yield d == null || d.isBlank() || mentionsAny(d, mappedBare) || mentionsAny(d, unsafeBare)
                || mentionsAny(d, unsafeFunctions);
          }
          case TABLE -> false;
        };
        // a parent's rows include its children's; a child's rows are its mapped parent's
        Set<Key> kids = children.getOrDefault(k, Set.of());
        bad |= kids.stream().anyMatch(ch -> isMapped.contains(ch) || unsafe.contains(ch));
        for (Map.Entry<Key, Set<Key>> p : children.entrySet()) {
          bad |= p.getValue().contains(k) && isMapped.contains(p.getKey());
        }
        if (bad) {
          unsafe.add(k);
          unsafeBare.add(k.name());
          grew = true;
        }
      }
    }
    Map<String, Map<String, Obj>> byName = new HashMap<>();
    for (Map.Entry<Key, Kind> e : kinds.entrySet()) {
      Key k = e.getKey();
      String[] names = actual.get(k);
      byName.computeIfAbsent(k.name(), x -> new LinkedHashMap<>()).put(k.schema(),
          new Obj(k.schema(), names[0], names[1], e.getValue(), isMapped.contains(k), unsafe.contains(k)));
    }
    byName.replaceAll((n, m) -> Map.copyOf(m));
    return new DatabaseObjects(dialect, home, Map.copyOf(byName), unsafeBare, true);
  }

  private record Key(String schema, String name) {}

  private static Key add(Map<Key, Kind> kinds, Map<Key, String[]> actual, String schema, String name, Kind kind) {
    Key k = new Key(fold(schema), fold(name));
    kinds.put(k, kind);
    actual.put(k, new String[] {schema, name});
    return k;
  }

  /**
   * Whether a mapping applies to the object: one naming its schema, or one naming none when the
   * object is a base table (in any schema) or lives in the schema the mapping was checked in.
   */
  private static boolean mapped(Collection<MappedName> mapped, Key k, Kind kind, String home) {
    for (MappedName m : mapped) {
      if (m.name().equals(k.name()) && (m.schema().isPresent() ? m.schema().get().equals(k.schema())
          : kind == Kind.TABLE || k.schema().equals(home))) {
        return true;
      }
    }
    return false;
  }

  private static String fold(String name) {
    return name == null ? null : Identifiers.fold(name);
  }

  private static boolean mentionsAny(String text, Set<String> names) {
    if (names.isEmpty()) {
      return false;
    }
    for (String word : LiveViews.words(Identifiers.fold(text))) {
      if (names.contains(word)) {
        return true;
      }
    }
    return false;
  }

  /** The schema unqualified names resolve in first, as the database reports it; null if none. */
  static String currentSchema(Connection c, Dialect dialect) throws SQLException {
    return switch (dialect) {
      case MARIADB, MYSQL -> single(c, "SELECT DATABASE()");
      case POSTGRESQL -> single(c, "SELECT current_schema()");
      case H2 -> c.getSchema();
    };
  }

  private static String single(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      return r.next() ? r.getString(1) : null;
    }
  }

  /**
   * The schemas, folded and in order, where the database looks up an unqualified table name on
   * {@code c} now. A {@code null} last element means that more schemas may follow which cannot
   * be read (H2's {@code SCHEMA_SEARCH_PATH}).
   *
   * @throws SQLException if the session cannot be asked
   */
  List<String> searchPath(Connection c) throws SQLException {
    List<String> out = new ArrayList<>();
    switch (dialect) {
      case POSTGRESQL -> {
        // current_schemas(true) includes the implicit ones, pg_temp_N and pg_catalog, in lookup order
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(
            "SELECT s FROM unnest(current_schemas(true)) WITH ORDINALITY AS t(s, i) ORDER BY i")) {
          while (r.next()) {
            out.add(fold(r.getString(1)));
          }
        }
      }
      case MARIADB, MYSQL -> {
        String db = single(c, "SELECT DATABASE()");
        if (db != null) {
          out.add(fold(db));
        }
      }
      case H2 -> {
        String schema = c.getSchema();
        if (schema != null) {
          out.add(fold(schema));
        }
        out.add(null);
      }
    }
    return out;
  }

  /** Whether the catalog was read; if not, only {@link #unsafeNames()} is known. */
  boolean known() {
    return known;
  }

  /** The dialect the catalog was read from, or null when it was not. */
  Dialect dialect() {
    return dialect;
  }

  /** The folded schema that was current when the catalog was read, or null. */
  String homeSchema() {
    return homeSchema;
  }

  /** The bare, lower-case names of the unsafe objects, whatever their schema. */
  public Set<String> unsafeNames() {
    return unsafeNames;
  }

  /** The object {@code schema.name} (both folded), if the catalog has it. */
  Optional<Obj> get(String schema, String name) {
    Map<String, Obj> m = byName.get(name);
    return m == null ? Optional.empty() : Optional.ofNullable(m.get(schema));
  }

  /** Every object named {@code name} (folded), in any schema. */
  Collection<Obj> named(String name) {
    Map<String, Obj> m = byName.get(name);
    return m == null ? List.of() : m.values();
  }

  /** Every folded bare name the catalog holds. */
  Set<String> names() {
    return byName.keySet();
  }
}
