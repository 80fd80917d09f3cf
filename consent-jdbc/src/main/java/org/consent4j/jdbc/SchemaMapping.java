package org.consent4j.jdbc;

import java.io.InputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.consent4j.Catalog;
import org.consent4j.DataCategory;
import org.consent4j.jdbc.mapping.internal.Identifiers;
import org.consent4j.jdbc.mapping.internal.MappingJson;
import org.consent4j.jdbc.mapping.internal.MetadataCheck;

/**
 * Which tables of an existing database hold personal data, and how: a set of
 * {@link TableMapping}s, made with a builder or read from JSON (format in {@code docs/MAPPING.md}).
 * Tables not mapped are not personal data and pass untouched.
 *
 * <pre>{@code
 * SchemaMapping mapping = SchemaMapping.builder()
 *     .table("contact", t -> t.subject("id").column("email", "contact.email").column("phone", "contact.phone"))
 *     .table("friend", t -> t.subject("user_id", "friend_id").rowCategory("social.friendship"))
 *     .build();
 * mapping.validate(catalog);      // every category declared
 * mapping.validate(connection);   // every table and column exists
 * }</pre>
 *
 * <h2>Names</h2>
 * SQL identifiers are case-insensitive unless quoted. A mapping stores lower-case names and
 * matches references case-insensitively whether quoted or not: {@code CONTACT}, {@code contact},
 * {@code "contact"}, {@code `contact`} all match the mapping of {@code contact}. So does
 * {@code "Contact"}, although a database may hold it as a different table: a mixed-case quoted
 * table is treated as mapped too, which can only protect more than needed, never less.
 *
 * <h2>Schemas</h2>
 * An unqualified table in SQL refers to the connection's default schema, which the mapping does
 * not know, so matching is conservative (see {@link #find(String, String)}): a mapping without a
 * schema matches a table of that name in any schema; a mapping with a schema matches references
 * qualified with that schema and unqualified references.
 *
 * <h2>Trusted views and functions</h2>
 * A view or function that reads a mapped table is a second door to its rows that the rewriter
 * cannot see through, so statements using one are refused (see {@code docs/REWRITING.md}). Two
 * ways out: map the view itself like a table (its rows are then filtered and masked as a table's
 * are), or, for a view or function that returns no subject's personal data (an aggregate, a
 * count), {@linkplain Builder#trust(String) trust} it by name ({@code schema.name}, or a bare name
 * for every schema): statements using it are then not
 * refused, and the database runs it as written, unfiltered. Trusting is a decision the mapping's
 * author takes and answers for; it is part of the mapping's {@link #version()}.
 *
 * <p>Immutable and thread-safe. Two mappings with the same tables and trusted names are equal
 * and have the same {@link #version()}, however they were made.
 */
public final class SchemaMapping {
  private static final Comparator<TableMapping> ORDER =
      Comparator.comparing((TableMapping t) -> t.schema().orElse(""))
          .thenComparing(TableMapping::table);
  private static final SchemaMapping EMPTY = new SchemaMapping(List.of(), Set.of());

  private final List<TableMapping> tables;
  private final Map<String, List<TableMapping>> byTable;
  private final Set<String> tableNames;
  private final Set<String> trusted;
  private final String version;

  private SchemaMapping(Collection<TableMapping> tables, Set<String> trusted) {
    List<TableMapping> sorted = new ArrayList<>(tables);
    sorted.sort(ORDER);
    this.tables = List.copyOf(sorted);
    Map<String, List<TableMapping>> index = new HashMap<>();
    for (TableMapping t : this.tables) {
      index.computeIfAbsent(t.table(), k -> new ArrayList<>()).add(t);
    }
    index.replaceAll((k, v) -> List.copyOf(v));
    this.byTable = Map.copyOf(index);
    this.tableNames = Collections.unmodifiableSet(new TreeSet<>(index.keySet()));
    this.trusted = Collections.unmodifiableSet(new TreeSet<>(trusted));
    this.version = MappingJson.fingerprint(this);
  }

  /** Starts an empty mapping. */
  public static Builder builder() {
    return new Builder();
  }

  /** The mapping of no table: every table passes untouched. */
  public static SchemaMapping empty() {
    return EMPTY;
  }

  /**
   * Reads a mapping from its JSON form. Reading is strict: unknown properties, duplicate
   * properties or tables, missing subjects, invalid names and columns both subject and personal
   * are errors.
   *
   * @throws NullPointerException if {@code json} is null
   * @throws MappingException listing every problem found, each with its JSON path (for example
   *     {@code tables[1].columns.email}) or line and column
   */
  public static SchemaMapping fromJson(String json) {
    return MappingJson.read(Objects.requireNonNull(json, "json"));
  }

  /**
   * Reads a mapping from JSON in UTF-8 (or UTF-16/32, detected), to the end of the stream. The
   * stream is not closed.
   *
   * @throws NullPointerException if {@code in} is null
   * @throws MappingException as {@link #fromJson(String)}
   * @throws java.io.UncheckedIOException if the stream cannot be read
   */
  public static SchemaMapping fromJson(InputStream in) {
    return MappingJson.read(Objects.requireNonNull(in, "in"));
  }

  /**
   * Reads a mapping from a JSON file.
   *
   * @throws NullPointerException if {@code file} is null
   * @throws MappingException as {@link #fromJson(String)}, the message naming the file
   * @throws java.io.UncheckedIOException if the file cannot be read
   */
  public static SchemaMapping fromJson(Path file) {
    return MappingJson.read(Objects.requireNonNull(file, "file"));
  }

  /**
   * This mapping as JSON, in canonical form: tables ordered by schema and table, names in lower
   * case, subjects as arrays, personal columns in name order, absent schema and row category
   * left out. {@link #fromJson(String)} reads it back to an equal mapping.
   */
  public String toJson() {
    return MappingJson.write(this);
  }

  /**
   * The mapping that applies to a table reference met in SQL, if any.
   *
   * <p>Both names are taken as written in SQL: surrounding quotes ({@code "x"}, {@code `x`},
   * {@code [x]}, {@code U&"x"}) are removed and case is ignored. For a three-part name
   * {@code catalog.schema.table} pass the schema; the catalog is not compared.
   *
   * <ul>
   *   <li>Qualified ({@code schema} not null): a mapping of this table in that schema; else a
   *       mapping of this table without schema.
   *   <li>Unqualified ({@code schema} null): the mapping of this table, with or without schema,
   *       since the connection's default schema may be any of them. When several mappings
   *       with different contents match (say {@code crm.contact} and {@code archive.contact}),
   *       the reference is ambiguous and a {@link MappingException} asks to qualify it.
   * </ul>
   *
   * @param schemaOrNull the schema qualifying the reference, or null for an unqualified one
   * @param table the table name
   * @throws NullPointerException if {@code table} is null
   * @throws MappingException if an unqualified reference matches mappings that differ
   */
  public Optional<TableMapping> find(String schemaOrNull, String table) {
    Objects.requireNonNull(table, "table");
    String key = Identifiers.lookupKey(table);
    List<TableMapping> candidates = key == null ? null : byTable.get(key);
    if (candidates == null) {
      return Optional.empty();
    }
    if (schemaOrNull != null) {
      String schemaKey = Identifiers.lookupKey(schemaOrNull);
      TableMapping unqualified = null;
      for (TableMapping t : candidates) {
        if (t.schema().isEmpty()) {
          unqualified = t;
        } else if (t.schema().get().equals(schemaKey)) {
          return Optional.of(t);
        }
      }
      return Optional.ofNullable(unqualified);
    }
    TableMapping first = candidates.get(0);
    for (TableMapping t : candidates) {
      if (!sameContent(first, t)) {
        List<String> names = new ArrayList<>();
        candidates.forEach(c -> names.add(c.qualifiedName()));
        throw new MappingException("unqualified table '" + key + "' matches the mappings " + names
            + ", which differ, and the default schema could be any of them: qualify the table in"
            + " the SQL (schema." + key + ")");
      }
    }
    return Optional.of(first);
  }

  /**
   * The mapping that applies to an unqualified table reference, as {@code find(null, table)}.
   *
   * @throws NullPointerException if {@code table} is null
   * @throws MappingException if the reference matches mappings that differ
   */
  public Optional<TableMapping> find(String table) {
    return find(null, Objects.requireNonNull(table, "table"));
  }

  /** True when no table is mapped. */
  public boolean isEmpty() {
    return tables.isEmpty();
  }

  /** Every table mapping, ordered by schema (none first) and table. */
  public Collection<TableMapping> tables() {
    return tables;
  }

  /**
   * Where each data category is stored: {@code table.column} for personal columns and
   * {@code table (rows)} for row categories, qualified by schema where the mapping names one. For
   * the record of processing activities ({@code ProcessingRecords.Builder.storage}).
   */
  public java.util.SortedMap<DataCategory, java.util.SortedSet<String>> storageByCategory() {
    java.util.SortedMap<DataCategory, java.util.SortedSet<String>> out = new java.util.TreeMap<>();
    for (TableMapping t : tables()) {
      t.rowCategory().ifPresent(c -> out.computeIfAbsent(c, k -> new java.util.TreeSet<>())
          .add(t.qualifiedName() + " (rows)"));
      t.columns().forEach((column, c) -> out.computeIfAbsent(c, k -> new java.util.TreeSet<>())
          .add(t.qualifiedName() + "." + column));
    }
    return out;
  }

  /**
   * The mapped table names, in lower case and without schema. A statement none of whose
   * identifiers folds to one of these cannot touch a mapped table; see {@link #mayReference}.
   */
  public Set<String> tableNames() {
    return tableNames;
  }

  /**
   * A fast, conservative pre-check: false only when {@code sql} cannot reference a mapped table,
   * because no mapped table name occurs in its case-folded text and it holds no
   * {@code U&"..."} identifier with escapes. True does not mean it does.
   *
   * @throws NullPointerException if {@code sql} is null
   */
  public boolean mayReference(String sql) {
    Objects.requireNonNull(sql, "sql");
    if (tables.isEmpty()) {
      return false;
    }
    String folded = Identifiers.fold(sql);
    if (folded.contains("u&\"")) {
      return true;
    }
    for (String name : tableNames) {
      if (folded.contains(name)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The views and functions trusted by name (lower case, sorted): statements using them are not
   * refused although they may read mapped tables. See the class documentation.
   */
  public Set<String> trusted() {
    return trusted;
  }

  /**
   * A fingerprint of the content (SHA-256 of the canonical JSON, in hex): equal mappings have
   * equal versions however they were made. Caches of rewritten SQL key on it.
   */
  public String version() {
    return version;
  }

  /**
   * Checks that every row category and column category is declared in {@code catalog}.
   *
   * @return this mapping
   * @throws NullPointerException if {@code catalog} is null
   * @throws MappingException listing every undeclared category with the tables and columns using
   *     it
   */
  public SchemaMapping validate(Catalog catalog) {
    Objects.requireNonNull(catalog, "catalog");
    Map<DataCategory, List<String>> undeclared = new LinkedHashMap<>();
    for (TableMapping t : tables) {
      t.rowCategory().filter(c -> !catalog.categories().contains(c)).ifPresent(c ->
          undeclared.computeIfAbsent(c, k -> new ArrayList<>()).add("rows of " + t.qualifiedName()));
      t.columns().forEach((column, c) -> {
        if (!catalog.categories().contains(c)) {
          undeclared.computeIfAbsent(c, k -> new ArrayList<>()).add(t.qualifiedName() + "." + column);
        }
      });
    }
    if (!undeclared.isEmpty()) {
      List<String> problems = new ArrayList<>();
      undeclared.forEach((c, uses) -> problems.add("data category '" + c + "' (used by " + String.join(", ", uses)
          + ") is not declared in the catalog: declare it with Catalog.builder().category(\"" + c
          + "\") or fix the name"));
      throw new MappingException(problems);
    }
    return this;
  }

  /**
   * Checks this mapping against the live database, as {@link #validate(DatabaseMetaData)} on the
   * connection's metadata. The connection is not closed.
   *
   * @return this mapping
   * @throws NullPointerException if {@code connection} is null
   * @throws MappingException listing every missing table and column
   * @throws SQLException if the metadata cannot be read
   */
  public SchemaMapping validate(Connection connection) throws SQLException {
    return validate(Objects.requireNonNull(connection, "connection").getMetaData());
  }

  /**
   * Checks this mapping against the live database: every mapped table exists (in its schema, or
   * in the connection's current schema when it has none; on MariaDB/MySQL the schema is the
   * database), and has every subject and personal column. Names are compared case-insensitively,
   * whatever case the database folds to. A table present under several case variants is checked
   * in each.
   *
   * @return this mapping
   * @throws NullPointerException if {@code metaData} is null
   * @throws MappingException listing every missing table and column, with a hint to fix each
   * @throws SQLException if the metadata cannot be read
   */
  public SchemaMapping validate(DatabaseMetaData metaData) throws SQLException {
    Objects.requireNonNull(metaData, "metaData");
    List<String> problems = MetadataCheck.problems(this, metaData);
    if (!problems.isEmpty()) {
      throw new MappingException(problems);
    }
    return this;
  }

  private static boolean sameContent(TableMapping a, TableMapping b) {
    return a.subjectColumns().equals(b.subjectColumns())
        && a.rowCategory().equals(b.rowCategory())
        && a.columns().equals(b.columns());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SchemaMapping m && tables.equals(m.tables) && trusted.equals(m.trusted);
  }

  @Override
  public int hashCode() {
    return tables.hashCode() * 31 + trusted.hashCode();
  }

  @Override
  public String toString() {
    List<String> names = new ArrayList<>();
    tables.forEach(t -> names.add(t.qualifiedName()));
    return "SchemaMapping[version=" + version.substring(0, 16) + ", tables=" + names
        + (trusted.isEmpty() ? "" : ", trusted=" + trusted) + "]";
  }

  /**
   * Builds a {@link SchemaMapping}. Each method rejects a bad value, or a table mapped twice, at
   * once with a message naming it. Not thread-safe.
   */
  public static final class Builder {
    private final Map<String, TableMapping> tables = new LinkedHashMap<>();
    private final Set<String> trusted = new TreeSet<>();

    private Builder() {}

    /**
     * Trusts a view or function by name (case-insensitive): statements using it are no longer
     * refused for reading mapped tables, and the database runs it unfiltered. {@code name} is
     * either {@code schema.name}, which trusts that object only (on MariaDB/MySQL the schema is
     * the database), or a bare {@code name}, which trusts the objects of that name in every
     * schema; prefer the qualified form. Trust only what returns no subject's personal data, such
     * as an aggregate; map a view that returns rows about subjects as a table instead.
     *
     * @return this builder
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is not a plain SQL identifier, or two
     *     joined by a dot, or is already trusted
     */
    public Builder trust(String name) {
      Objects.requireNonNull(name, "trusted view or function");
      int dot = name.indexOf('.');
      String n = dot < 0 ? Identifiers.declared("trusted view or function", name)
          : Identifiers.declared("schema of a trusted view or function", name.substring(0, dot)) + "."
              + Identifiers.declared("trusted view or function", name.substring(dot + 1));
      if (!trusted.add(n)) {
        throw new IllegalArgumentException("'" + n + "' is trusted twice (names are case-insensitive)");
      }
      return this;
    }

    /**
     * Maps {@code table}, in whichever schema unqualified references resolve to.
     *
     * @param spec declares the subject and personal columns
     * @return this builder
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if a name is invalid, a column is both subject and
     *     personal, or the table is already mapped
     * @throws IllegalStateException if {@code spec} declares no subject column
     */
    public Builder table(String table, Consumer<TableMapping.Builder> spec) {
      TableMapping.Builder b = TableMapping.builder(Objects.requireNonNull(table, "table"));
      Objects.requireNonNull(spec, "spec").accept(b);
      return table(b.build());
    }

    /**
     * Maps {@code schema.table}.
     *
     * @param spec declares the subject and personal columns
     * @return this builder
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if a name is invalid, a column is both subject and
     *     personal, or the table is already mapped
     * @throws IllegalStateException if {@code spec} declares no subject column
     */
    public Builder table(String schema, String table, Consumer<TableMapping.Builder> spec) {
      TableMapping.Builder b = TableMapping.builder(
          Objects.requireNonNull(schema, "schema"), Objects.requireNonNull(table, "table"));
      Objects.requireNonNull(spec, "spec").accept(b);
      return table(b.build());
    }

    /**
     * Adds a table mapping.
     *
     * @return this builder
     * @throws NullPointerException if {@code table} is null
     * @throws IllegalArgumentException if its table (in the same schema, or both without) is
     *     already mapped
     */
    public Builder table(TableMapping table) {
      Objects.requireNonNull(table, "table");
      if (tables.putIfAbsent(table.qualifiedName(), table) != null) {
        throw new IllegalArgumentException("table '" + table.qualifiedName() + "' is mapped twice"
            + " (names are case-insensitive): merge the two mappings");
      }
      return this;
    }

    /** Builds the mapping; empty when no table was added. */
    public SchemaMapping build() {
      return tables.isEmpty() && trusted.isEmpty() ? EMPTY : new SchemaMapping(tables.values(), trusted);
    }
  }
}
