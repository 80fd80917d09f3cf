package org.consent4j.jdbc.internal.rewrite;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Resolves a table reference met in SQL to the object the database will use, and says what the
 * rewriter must do with it: filter it as a mapped table, refuse it, or leave it alone. Not API.
 *
 * <p>A qualified reference {@code s.t} names the object {@code t} of schema {@code s} (on
 * MariaDB/MySQL, of database {@code s}; a catalog in front is not compared). An unqualified one
 * is looked up along the session's search path, given per statement: PostgreSQL's {@code
 * current_schemas(true)}, MariaDB's current database, H2's current schema (followed by schemas
 * that cannot be read). Without a search path, or when it ends in what cannot be read, every
 * object of that name in any schema is a candidate, and the answer is the most protective: refused
 * if any is refused, else filtered if any is mapped.
 *
 * <p>A mapped table found in the catalog is read through its qualified name as the database
 * reports it ({@link Resolution#from()}), so the consent filter is applied to that table and
 * nothing else, whatever a temporary object or a later schema on the path is named.
 *
 * <p>Immutable and thread-safe.
 */
final class TableResolver {
  /**
   * What a reference resolves to.
   *
   * @param table the mapped table, if the reference names one
   * @param object the catalog's object, if known
   * @param refusal why the reference is refused, or null
   */
  record Resolution(Optional<ProtectedTable> table, Optional<DatabaseObjects.Obj> object, String refusal) {
    static final Resolution PLAIN = new Resolution(Optional.empty(), Optional.empty(), null);

    static Resolution refused(String why) {
      return new Resolution(Optional.empty(), Optional.empty(), why);
    }
  }

  private final Map<String, List<ProtectedTable>> byName;
  private final DatabaseObjects objects;
  private final Set<String> ambiguous;

  TableResolver(Map<String, List<ProtectedTable>> byName, DatabaseObjects objects) {
    this.byName = byName;
    this.objects = objects;
    Set<String> amb = new HashSet<>();
    if (objects.known()) {
      for (String name : objects.names()) {
        Set<String> treatments = new HashSet<>();
        int mapped = 0;
        for (DatabaseObjects.Obj o : objects.named(name)) {
          treatments.add(o.unsafe() ? "refused" : o.mapped() ? "mapped:" + mappingOf(o).map(this::id).orElse("?")
              : "plain");
          mapped += o.mapped() ? 1 : 0;
        }
        // Several mapped tables of one name (a mapping without schema, the table in two schemas)
        // need the path too: the view then reads the one the database would, by its qualified name.
        if (treatments.size() > 1 || mapped > 1) {
          amb.add(name);
        }
      }
    }
    this.ambiguous = Set.copyOf(amb);
  }

  private String id(ProtectedTable p) {
    return p.schema().orElse("") + "." + p.name();
  }

  /**
   * The bare, folded names whose objects in different schemas are treated differently, or that
   * several mapped tables bear: an unqualified reference to one needs the session's search path.
   */
  Set<String> ambiguousNames() {
    return ambiguous;
  }

  /** The catalog this resolver knows. */
  DatabaseObjects objects() {
    return objects;
  }

  /**
   * Resolves {@code schema.name} (folded; schema null when unqualified) along {@code path}
   * (folded schemas in lookup order, a null element for "and maybe more"; null if not known).
   */
  Resolution resolve(String schema, String name, List<String> path) {
    if (!objects.known()) {
      return byMapping(schema, name);
    }
    if (schema != null) {
      return in(schema, name);
    }
    if (path != null && !path.isEmpty()) {
      for (String s : path) {
        if (s == null) {
          return anywhere(name); // the rest of the path cannot be read
        }
        if (s.startsWith("pg_temp")) {
          continue; // not read from the catalog; a mapped table is read by its qualified name
        }
        if (objects.get(s, name).isPresent()) {
          return in(s, name);
        }
      }
      // Not on the path: the database will not find it unless it was created since the catalog was
      // read; answer as for an unknown path (the most protective candidate).
    }
    return anywhere(name);
  }

  /** The object {@code schema.name}. */
  private Resolution in(String schema, String name) {
    boolean protectedName = byName.containsKey(name) || objects.unsafeNames().contains(name);
    if (schema.startsWith("pg_temp") && protectedName) {
      // A temporary object is not in the catalog consent4j read, and one named like a protected
      // table was made around consent4j (a guarded connection cannot make it).
      return Resolution.refused("the temporary relation " + schema + "." + name + " is named like a protected table"
          + " or view; consent4j does not know what it reads: query the table itself");
    }
    Optional<DatabaseObjects.Obj> o = objects.get(schema, name);
    if (o.isPresent()) {
      DatabaseObjects.Obj obj = o.get();
      if (obj.mapped()) {
        return new Resolution(mappingOf(obj), o, null);
      }
      return obj.unsafe() ? Resolution.refused(unsafe(obj)) : Resolution.PLAIN;
    }
    Resolution m = byMapping(schema, name);
    if (m.table().isPresent() || m.refusal() != null) {
      return m;
    }
    if (protectedName) {
      return Resolution.refused("the relation " + schema + "." + name + " is not known to consent4j, but is named"
          + " like a protected table or view of another schema; if it was created after the data source was"
          + " wrapped, call ConsentDataSource.refreshSchema()");
    }
    return Resolution.PLAIN;
  }

  /** An unqualified name whose schema is not known: the most protective of its candidates. */
  private Resolution anywhere(String name) {
    Collection<DatabaseObjects.Obj> candidates = objects.named(name);
    if (candidates.isEmpty()) {
      return byMapping(null, name);
    }
    List<DatabaseObjects.Obj> mapped = new ArrayList<>();
    for (DatabaseObjects.Obj o : candidates) {
      if (o.unsafe()) {
        return Resolution.refused(unsafe(o) + " (the name is not qualified and the session's schema is not known,"
            + " so it may mean this one: qualify it with its schema)");
      }
      if (o.mapped()) {
        mapped.add(o);
      }
    }
    if (mapped.size() == 1) {
      return new Resolution(mappingOf(mapped.get(0)), Optional.of(mapped.get(0)), null);
    }
    if (!mapped.isEmpty()) {
      return byMapping(null, name); // several mapped tables: read as written, the database picks one
    }
    return Resolution.PLAIN;
  }

  private static String unsafe(DatabaseObjects.Obj o) {
    String what = switch (o.kind()) {
      case VIEW -> "view";
      case SYNONYM -> "synonym";
      case FOREIGN -> "foreign or linked table";
      case TABLE -> "parent or child table";
    };
    return "the " + what + " " + o.schema() + "." + o.name() + " reads mapped tables (or cannot be analysed), and"
        + " consent4j cannot filter through it: query the mapped tables directly, map it itself in the schema"
        + " mapping, or, if it returns no subject's personal data, trust it by name (\"trusted\")";
  }

  /** The mapping that applies to a catalog object known to be mapped. */
  private Optional<ProtectedTable> mappingOf(DatabaseObjects.Obj o) {
    List<ProtectedTable> candidates = byName.get(o.nameKey());
    if (candidates == null) {
      return Optional.empty();
    }
    ProtectedTable anySchema = null;
    for (ProtectedTable p : candidates) {
      if (p.schema().isEmpty()) {
        anySchema = p;
      } else if (p.schema().get().equals(o.schemaKey())) {
        return Optional.of(p);
      }
    }
    return Optional.ofNullable(anySchema);
  }

  /**
   * By the mapping alone, as before the catalog was read: a mapping for the schema, or one that
   * names none; an unqualified name matches any. A name the catalog knows only as unsafe is
   * refused.
   */
  private Resolution byMapping(String schema, String name) {
    List<ProtectedTable> candidates = byName.get(name);
    if (candidates != null) {
      ProtectedTable anySchema = null;
      for (ProtectedTable p : candidates) {
        if (p.schema().isEmpty()) {
          anySchema = p;
        } else if (schema == null || p.schema().get().equals(schema)) {
          // An unqualified name may resolve to this schema through the search path: protect it.
          return new Resolution(Optional.of(p), Optional.empty(), null);
        }
      }
      if (anySchema != null) {
        return new Resolution(Optional.of(anySchema), Optional.empty(), null);
      }
    }
    if (objects.unsafeNames().contains(name)) {
      return Resolution.refused("the view or parent table " + name + " reads mapped tables, and consent4j cannot"
          + " filter through it: query the mapped tables directly, or map it itself in the schema mapping");
    }
    return Resolution.PLAIN;
  }
}
