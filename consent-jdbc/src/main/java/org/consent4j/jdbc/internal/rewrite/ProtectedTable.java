package org.consent4j.jdbc.internal.rewrite;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.consent4j.DataCategory;

/**
 * A mapped table as the rewriter needs it: the mapping (subjects, row category, personal columns)
 * joined with the live table's columns in their order, so that a filtered, masked view of it has
 * exactly the columns of the table. Names are as the database reports them. Not API.
 *
 * @param schema the schema the mapping names, lower-case, or empty for any schema
 * @param name the table name, lower-case
 * @param columns every column of the live table, in order
 * @param subjectColumns the columns naming the subjects of a row, lower-case
 * @param rowCategory the category of the row's existence, if any
 * @param personal the category of each personal column, keyed by lower-case column name
 * @param uniqueKeys the table's unique keys (primary key, unique indexes and constraints, and on
 *     PostgreSQL exclusion constraints, as keys without columns), read from the live database; empty
 *     when they were not read, which refuses every upsert into the table (see {@link UpsertCheck})
 * @param references the foreign keys of the table, as the database reports them (an INSERT's
 *     reference to another mapped table's row is checked like the row itself)
 * @param keyColumns the live table's primary key columns, as the database reports them, or empty
 *     when it has none (or it is not known): a locking read locks the visible rows by them
 */
public record ProtectedTable(
    Optional<String> schema,
    String name,
    List<Column> columns,
    List<String> subjectColumns,
    Optional<DataCategory> rowCategory,
    Map<String, DataCategory> personal,
    Optional<List<UniqueKey>> uniqueKeys,
    List<Reference> references,
    List<String> keyColumns) {

  /**
   * A unique key of the live table.
   *
   * @param name the index or constraint name, lower-case
   * @param columns its columns, lower-case; an expression or an exclusion constraint has a
   *     name here that is not a column of the table, or none
   */
  public record UniqueKey(String name, List<String> columns) {
    /** Copies the columns. */
    public UniqueKey {
      Objects.requireNonNull(name, "name");
      columns = List.copyOf(columns);
    }
  }

  /**
   * A table whose unique keys were not read (upserts into it are refused), whose foreign keys
   * are not known (none are checked) and whose primary key is not known.
   */
  public ProtectedTable(Optional<String> schema, String name, List<Column> columns, List<String> subjectColumns,
      Optional<DataCategory> rowCategory, Map<String, DataCategory> personal) {
    this(schema, name, columns, subjectColumns, rowCategory, personal, Optional.empty(), List.of(), List.of());
  }

  /**
   * A foreign key: {@code columns} of this table refer to {@code parentColumns} of {@code parent}.
   *
   * @param columns the referring columns, lower-case, in key order
   * @param parent the referenced table's name, lower-case
   * @param parentColumns the referenced columns, lower-case, in key order
   */
  public record Reference(List<String> columns, String parent, List<String> parentColumns) {
    /** Copies and validates. */
    public Reference {
      columns = List.copyOf(columns);
      Objects.requireNonNull(parent, "parent");
      parentColumns = List.copyOf(parentColumns);
      if (columns.isEmpty() || columns.size() != parentColumns.size()) {
        throw new IllegalArgumentException("a reference needs as many columns as it refers to");
      }
    }
  }

  /**
   * A column of the live table.
   *
   * @param name the name as the database reports it
   * @param textual true when its SQL type is character data (no cast needed to compare with a subject id)
   * @param integral true when its SQL type is a signed integer of at most 64 bits (compared with
   *     the state table's numeric subject key, without a cast)
   * @param autoIncrement true when it is an identity, serial or auto-increment column
   * @param defaulted true when the database fills it in when an INSERT leaves it out (an
   *     auto-increment column, or one with a default value)
   */
  public record Column(String name, boolean textual, boolean integral, boolean autoIncrement, boolean defaulted) {
    /** Validates the name. */
    public Column {
      Objects.requireNonNull(name, "name");
    }

    /** A column without a default. */
    public Column(String name, boolean textual, boolean integral) {
      this(name, textual, integral, false, false);
    }

    /** A column that is not an integer. */
    public Column(String name, boolean textual) {
      this(name, textual, false);
    }

    /** The name, lower-case, for matching. */
    public String key() {
      return name.toLowerCase(Locale.ROOT);
    }
  }

  /** Copies and validates. */
  public ProtectedTable {
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(name, "name");
    columns = List.copyOf(columns);
    subjectColumns = List.copyOf(subjectColumns);
    Objects.requireNonNull(rowCategory, "rowCategory");
    personal = Map.copyOf(personal);
    uniqueKeys = Objects.requireNonNull(uniqueKeys, "uniqueKeys").map(List::copyOf);
    references = List.copyOf(references);
    keyColumns = List.copyOf(keyColumns);
    for (String k : keyColumns) {
      find(columns, k).orElseThrow(() -> new IllegalArgumentException("key column " + k + " is not a column of "
          + name));
    }
    if (subjectColumns.isEmpty()) {
      throw new IllegalArgumentException("table " + name + " needs at least one subject column");
    }
    for (String s : subjectColumns) {
      find(columns, s).orElseThrow(() -> new IllegalArgumentException("subject column " + s + " is not a column of "
          + name));
    }
    for (String p : personal.keySet()) {
      find(columns, p).orElseThrow(() -> new IllegalArgumentException("personal column " + p + " is not a column of "
          + name));
    }
  }

  /** The live column with this name, matched case-insensitively. */
  public Optional<Column> column(String key) {
    return find(columns, key);
  }

  private static Optional<Column> find(List<Column> columns, String key) {
    String k = key.toLowerCase(Locale.ROOT);
    for (Column c : columns) {
      if (c.key().equals(k)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }
}
