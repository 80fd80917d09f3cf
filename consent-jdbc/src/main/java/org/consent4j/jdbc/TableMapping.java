package org.consent4j.jdbc;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.consent4j.DataCategory;
import org.consent4j.jdbc.mapping.internal.Identifiers;

/**
 * How one table of an existing database holds personal data: the column(s) naming the subject(s)
 * a row is about, the data category of the row's very existence (optional), and the data
 * category of each personal column.
 *
 * <pre>{@code
 * TableMapping contact = TableMapping.builder("crm", "contact")
 *     .subject("id")
 *     .column("email", "contact.email")
 *     .column("phone", "contact.phone")
 *     .build();
 * TableMapping friend = TableMapping.builder("friend")
 *     .subject("user_id", "friend_id")     // a row about two subjects: visible only if both consented
 *     .rowCategory("social.friendship")    // the row's existence is itself personal data
 *     .build();
 * }</pre>
 *
 * <p>Subject columns and columns not mapped are not personal: they are seen with their row. A
 * column cannot be both a subject column and a personal column.
 *
 * <p>Names are SQL identifiers {@code [A-Za-z_][A-Za-z0-9_$]*} of at most 128 characters, given
 * without quotes; they are stored in lower case and matched case-insensitively, quoted or not (see
 * {@link SchemaMapping#find(String, String)}). Subject columns keep the order they were declared
 * in; personal columns are kept in name order.
 *
 * <p>Immutable and thread-safe; equal when schema, table, subject columns (in order), row
 * category and personal columns are equal.
 */
public final class TableMapping {
  private final String schema;
  private final String table;
  private final List<String> subjectColumns;
  private final DataCategory rowCategory;
  private final SortedMap<String, DataCategory> columns;
  private final ErasurePolicy erasure;

  private TableMapping(Builder b) {
    this.erasure = b.erasure;
    this.schema = b.schema;
    this.table = b.table;
    this.subjectColumns = List.copyOf(b.subjectColumns);
    this.rowCategory = b.rowCategory;
    this.columns = Collections.unmodifiableSortedMap(new TreeMap<>(b.columns));
  }

  /**
   * Starts the mapping of {@code table}, in whichever schema an unqualified reference resolves to
   * (see {@link SchemaMapping#find(String, String)}).
   *
   * @throws NullPointerException if {@code table} is null
   * @throws IllegalArgumentException if it is not a valid identifier
   */
  public static Builder builder(String table) {
    return new Builder(null, Identifiers.declared("table", table));
  }

  /**
   * Starts the mapping of {@code schema.table}. On MariaDB/MySQL the schema is the database.
   *
   * @throws NullPointerException if either is null
   * @throws IllegalArgumentException if either is not a valid identifier
   */
  public static Builder builder(String schema, String table) {
    String s = Identifiers.declared("schema", schema);
    return new Builder(s, Identifiers.declared("table", table));
  }

  /** The schema, in lower case; empty when the mapping applies to the table in any schema. */
  public Optional<String> schema() {
    return Optional.ofNullable(schema);
  }

  /** The table name, in lower case. */
  public String table() {
    return table;
  }

  /** {@code schema.table}, or {@code table} when there is no schema; lower case. */
  public String qualifiedName() {
    return schema == null ? table : schema + "." + table;
  }

  /**
   * The columns naming the subjects a row is about, in lower case and declared order; never empty.
   * A row is about every one of them.
   */
  public List<String> subjectColumns() {
    return subjectColumns;
  }

  /** The category of a row's existence, when the existence is itself personal data. */
  public Optional<DataCategory> rowCategory() {
    return Optional.ofNullable(rowCategory);
  }

  /** The personal columns (lower-case name to category), in name order; may be empty. */
  public SortedMap<String, DataCategory> columns() {
    return columns;
  }

  /**
   * The category of a column as named in SQL ({@code EMAIL}, {@code "email"} ...), when it is a
   * personal column of this table.
   *
   * @throws NullPointerException if {@code column} is null
   */
  public Optional<DataCategory> category(String column) {
    String key = Identifiers.lookupKey(Objects.requireNonNull(column, "column"));
    return key == null ? Optional.empty() : Optional.ofNullable(columns.get(key));
  }

  /**
   * Whether a column as named in SQL is one of the subject columns.
   *
   * @throws NullPointerException if {@code column} is null
   */
  public boolean isSubjectColumn(String column) {
    String key = Identifiers.lookupKey(Objects.requireNonNull(column, "column"));
    return key != null && subjectColumns.contains(key);
  }

  /** Every category this table uses: its row category and those of its personal columns. */
  public SortedSet<DataCategory> categories() {
    TreeSet<DataCategory> all = new TreeSet<>(columns.values());
    if (rowCategory != null) {
      all.add(rowCategory);
    }
    return Collections.unmodifiableSortedSet(all);
  }

  /** What erasing a subject does to this table's rows (GDPR Art. 17), if declared. */
  public Optional<ErasurePolicy> erasure() {
    return Optional.ofNullable(erasure);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TableMapping t
        && Objects.equals(erasure, t.erasure)
        && Objects.equals(schema, t.schema)
        && table.equals(t.table)
        && subjectColumns.equals(t.subjectColumns)
        && Objects.equals(rowCategory, t.rowCategory)
        && columns.equals(t.columns);
  }

  @Override
  public int hashCode() {
    return Objects.hash(schema, table, subjectColumns, rowCategory, columns, erasure);
  }

  @Override
  public String toString() {
    return "TableMapping[" + qualifiedName() + ", subject=" + subjectColumns
        + (rowCategory == null ? "" : ", rowCategory=" + rowCategory) + ", columns=" + columns
        + (erasure == null ? "" : ", erasure=" + erasure.jsonName()) + "]";
  }

  /**
   * Builds a {@link TableMapping}. Each method rejects a bad or conflicting value at once, with a
   * message naming it. Not thread-safe.
   */
  public static final class Builder {
    private final String schema;
    private final String table;
    private final List<String> subjectColumns = new ArrayList<>();
    private DataCategory rowCategory;
    private final Map<String, DataCategory> columns = new TreeMap<>();
    private ErasurePolicy erasure;

    private Builder(String schema, String table) {
      this.schema = schema;
      this.table = table;
    }

    /**
     * Adds subject columns: each names the subject (a {@link org.consent4j.SubjectId}) a row is
     * about. With several, a row is about all of them and is visible only if each is.
     *
     * @return this builder
     * @throws NullPointerException if {@code columns} is or holds null
     * @throws IllegalArgumentException if none is given, one is not a valid identifier, or one is
     *     already a subject or personal column
     */
    public Builder subject(String... columns) {
      Objects.requireNonNull(columns, "columns");
      if (columns.length == 0) {
        throw new IllegalArgumentException("table '" + where() + "': subject needs at least one column");
      }
      for (String c : columns) {
        String name = Identifiers.declared("subject column", c);
        if (subjectColumns.contains(name)) {
          throw new IllegalArgumentException("table '" + where() + "': subject column '" + name
              + "' is declared twice");
        }
        if (this.columns.containsKey(name)) {
          throw new IllegalArgumentException("table '" + where() + "': column '" + name
              + "' cannot be both a subject column and a personal column: remove it from one of them");
        }
        subjectColumns.add(name);
      }
      return this;
    }

    /**
     * Declares that a row's existence is itself personal data of this category (a friendship, an
     * order), replacing any row category set before.
     *
     * @return this builder
     * @throws NullPointerException if {@code category} is null
     * @throws IllegalArgumentException if it is not a valid category name
     */
    public Builder rowCategory(String category) {
      return rowCategory(DataCategory.of(Objects.requireNonNull(category, "category")));
    }

    /**
     * Declares that a row's existence is itself personal data of this category, replacing any row
     * category set before.
     *
     * @return this builder
     * @throws NullPointerException if {@code category} is null
     */
    public Builder rowCategory(DataCategory category) {
      this.rowCategory = Objects.requireNonNull(category, "category");
      return this;
    }

    /**
     * Maps a personal column to its data category.
     *
     * @return this builder
     * @throws NullPointerException if either is null
     * @throws IllegalArgumentException if the column is not a valid identifier, is already mapped
     *     or is a subject column, or the category is not a valid name
     */
    public Builder column(String column, String category) {
      Objects.requireNonNull(column, "column");
      return column(column, DataCategory.of(Objects.requireNonNull(category, "category")));
    }

    /**
     * Maps a personal column to its data category.
     *
     * @return this builder
     * @throws NullPointerException if either is null
     * @throws IllegalArgumentException if the column is not a valid identifier, is already mapped
     *     or is a subject column
     */
    public Builder column(String column, DataCategory category) {
      String name = Identifiers.declared("column", column);
      Objects.requireNonNull(category, "category");
      if (subjectColumns.contains(name)) {
        throw new IllegalArgumentException("table '" + where() + "': column '" + name
            + "' cannot be both a subject column and a personal column: remove it from one of them");
      }
      if (columns.containsKey(name)) {
        throw new IllegalArgumentException("table '" + where() + "': column '" + name
            + "' is mapped twice (names are case-insensitive)");
      }
      columns.put(name, category);
      return this;
    }

    /**
     * Declares what erasing a subject does to this table's rows (GDPR Art. 17).
     *
     * @return this builder
     * @throws NullPointerException if {@code policy} is null
     */
    public Builder erasure(ErasurePolicy policy) {
      this.erasure = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Builds the mapping.
     *
     * @throws IllegalStateException if no subject column was declared, or the erasure policy is
     *     {@code nullify} on a table with a row category or without personal columns
     */
    public TableMapping build() {
      if (subjectColumns.isEmpty()) {
        throw new IllegalStateException("table '" + where() + "' declares no subject column: add"
            + " .subject(\"<column holding the subject id>\")");
      }
      if (erasure == ErasurePolicy.NULLIFY && (rowCategory != null || columns.isEmpty())) {
        throw new IllegalStateException("table '" + where() + "': erasure 'nullify' would leave personal data, since "
            + (rowCategory != null ? "its rows are personal data themselves (row category " + rowCategory + ")"
            : "it has no personal columns to null") + ": use \"erasure\": \"delete\"");
      }
      return new TableMapping(this);
    }

    private String where() {
      return schema == null ? table : schema + "." + table;
    }
  }
}
