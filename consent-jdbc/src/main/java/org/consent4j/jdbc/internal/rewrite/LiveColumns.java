package org.consent4j.jdbc.internal.rewrite;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads a live table's columns, in order, from the database's metadata: the filtered view of a
 * mapped table must have exactly its columns, so that {@code SELECT *} keeps working. Not API.
 */
public final class LiveColumns {
  private static final Set<Integer> TEXT = Set.of(Types.CHAR, Types.VARCHAR, Types.LONGVARCHAR, Types.NCHAR,
      Types.NVARCHAR, Types.LONGNVARCHAR, Types.CLOB, Types.NCLOB);

  private static final Set<Integer> INTEGRAL = Set.of(Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT);

  private LiveColumns() {}

  /**
   * The columns of {@code table} in {@code schema} (the connection's current schema when null),
   * matched case-insensitively.
   *
   * @throws SQLException if the metadata cannot be read
   * @throws IllegalArgumentException if there is no such table
   */
  public static List<ProtectedTable.Column> read(Connection c, String schema, String table) throws SQLException {
    DatabaseMetaData md = c.getMetaData();
    String inSchema = schema != null ? schema : c.getSchema();
    List<ProtectedTable.Column> out = new ArrayList<>();
    String wanted = table.toLowerCase(Locale.ROOT);
    String wantedSchema = inSchema == null ? null : inSchema.toLowerCase(Locale.ROOT);
    boolean mariadb = md.getDatabaseProductName().toLowerCase(Locale.ROOT).contains("maria")
        || md.getDatabaseProductName().toLowerCase(Locale.ROOT).contains("mysql");
    // Databases fold unquoted names differently (H2 up, PostgreSQL down, MariaDB keeps them), so
    // ask for each spelling; the exact, case-insensitive match happens below. MariaDB reports
    // databases as catalogs and has no schemas.
    java.util.Set<String> spellings = new java.util.LinkedHashSet<>(
        List.of(table, table.toLowerCase(Locale.ROOT), table.toUpperCase(Locale.ROOT)));
    for (String spelling : spellings) {
      try (ResultSet r = mariadb ? md.getColumns(c.getCatalog(), null, spelling, "%")
          : md.getColumns(null, null, spelling, "%")) {
        read(r, mariadb, wanted, wantedSchema, out);
      }
      if (!out.isEmpty()) {
        break;
      }
    }
    if (out.isEmpty()) { // a quoted mixed-case name: look through every table
      try (ResultSet r = mariadb ? md.getColumns(c.getCatalog(), null, "%", "%") : md.getColumns(null, null, "%", "%")) {
        read(r, mariadb, wanted, wantedSchema, out);
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("mapped table " + table + " does not exist in schema " + inSchema);
    }
    return out;
  }

  /**
   * The primary key columns of {@code table} (in key order, as the database reports their names),
   * or an empty list when it has none; found as {@link #read} finds the table.
   *
   * @throws SQLException if the metadata cannot be read
   */
  public static List<String> primaryKey(Connection c, String schema, String table) throws SQLException {
    DatabaseMetaData md = c.getMetaData();
    String inSchema = schema != null ? schema : c.getSchema();
    String wanted = table.toLowerCase(Locale.ROOT);
    String wantedSchema = inSchema == null ? null : inSchema.toLowerCase(Locale.ROOT);
    boolean mariadb = md.getDatabaseProductName().toLowerCase(Locale.ROOT).contains("maria")
        || md.getDatabaseProductName().toLowerCase(Locale.ROOT).contains("mysql");
    java.util.Set<String> spellings = new java.util.LinkedHashSet<>(
        List.of(table, table.toLowerCase(Locale.ROOT), table.toUpperCase(Locale.ROOT)));
    for (String spelling : spellings) {
      java.util.SortedMap<Integer, String> key = new java.util.TreeMap<>();
      try (ResultSet r = mariadb ? md.getPrimaryKeys(c.getCatalog(), null, spelling)
          : md.getPrimaryKeys(null, null, spelling)) {
        while (r.next()) {
          String tableSchema = mariadb ? r.getString("TABLE_CAT") : r.getString("TABLE_SCHEM");
          if (!r.getString("TABLE_NAME").toLowerCase(Locale.ROOT).equals(wanted) || (!mariadb && wantedSchema != null
              && (tableSchema == null || !tableSchema.toLowerCase(Locale.ROOT).equals(wantedSchema)))) {
            continue;
          }
          key.put(r.getInt("KEY_SEQ"), r.getString("COLUMN_NAME"));
        }
      }
      if (!key.isEmpty()) {
        return List.copyOf(key.values());
      }
    }
    return List.of();
  }

  private static void read(ResultSet r, boolean mariadb, String wanted, String wantedSchema,
      List<ProtectedTable.Column> out) throws SQLException {
    while (r.next()) {
      String tableName = r.getString("TABLE_NAME");
      String tableSchema = mariadb ? r.getString("TABLE_CAT") : r.getString("TABLE_SCHEM");
      if (!tableName.toLowerCase(Locale.ROOT).equals(wanted)) {
        continue;
      }
      if (!mariadb && wantedSchema != null && (tableSchema == null
          || !tableSchema.toLowerCase(Locale.ROOT).equals(wantedSchema))) {
        continue;
      }
      int type = r.getInt("DATA_TYPE");
      // MariaDB reports BIGINT UNSIGNED as BIGINT; its values may not fit the numeric subject key.
      boolean unsigned = String.valueOf(r.getString("TYPE_NAME")).toUpperCase(Locale.ROOT).contains("UNSIGNED");
      out.add(new ProtectedTable.Column(r.getString("COLUMN_NAME"), TEXT.contains(type),
          INTEGRAL.contains(type) && !(unsigned && type == java.sql.Types.BIGINT),
          "YES".equalsIgnoreCase(r.getString("IS_AUTOINCREMENT")),
          "YES".equalsIgnoreCase(r.getString("IS_AUTOINCREMENT")) || r.getString("COLUMN_DEF") != null
              || "YES".equalsIgnoreCase(r.getString("IS_GENERATEDCOLUMN"))));
    }
  }

  /**
   * The foreign keys of {@code table} (found as {@link #read} finds its columns), with names
   * lower-case: an INSERT into a mapped table that refers to another mapped table's row must not
   * learn, from the database's reference check, whether a row it cannot see exists.
   *
   * @throws SQLException if the metadata cannot be read
   */
  public static List<ProtectedTable.Reference> references(Connection c, String schema, String table)
      throws SQLException {
    DatabaseMetaData md = c.getMetaData();
    String product = md.getDatabaseProductName().toLowerCase(Locale.ROOT);
    boolean mariadb = product.contains("maria") || product.contains("mysql");
    String inSchema = schema != null ? schema : c.getSchema();
    java.util.Map<String, List<String[]>> keys = new java.util.LinkedHashMap<>();
    java.util.Set<String> spellings = new java.util.LinkedHashSet<>(
        List.of(table, table.toLowerCase(Locale.ROOT), table.toUpperCase(Locale.ROOT)));
    for (String spelling : spellings) {
      java.util.Set<String> schemas = new java.util.LinkedHashSet<>();
      if (inSchema != null) {
        schemas.add(inSchema);
        schemas.add(inSchema.toLowerCase(Locale.ROOT));
        schemas.add(inSchema.toUpperCase(Locale.ROOT));
      } else {
        schemas.add(null);
      }
      for (String sc : schemas) {
        try (ResultSet r = mariadb ? md.getImportedKeys(c.getCatalog(), null, spelling)
            : md.getImportedKeys(null, sc, spelling)) {
          while (r.next()) {
            String name = r.getString("PKTABLE_NAME") + " " + r.getString("FK_NAME");
            keys.computeIfAbsent(name, k -> new ArrayList<>()).add(new String[] {
                r.getString("FKCOLUMN_NAME").toLowerCase(Locale.ROOT),
                r.getString("PKTABLE_NAME").toLowerCase(Locale.ROOT),
                r.getString("PKCOLUMN_NAME").toLowerCase(Locale.ROOT),
                Integer.toString(r.getInt("KEY_SEQ"))});
          }
        }
        if (!keys.isEmpty() || mariadb) {
          break;
        }
      }
      if (!keys.isEmpty()) {
        break;
      }
    }
    List<ProtectedTable.Reference> out = new ArrayList<>();
    for (List<String[]> parts : keys.values()) {
      parts.sort(java.util.Comparator.comparingInt(a -> Integer.parseInt(a[3])));
      List<String> cols = new ArrayList<>();
      List<String> parentCols = new ArrayList<>();
      for (String[] part : parts) {
        cols.add(part[0]);
        parentCols.add(part[2]);
      }
      out.add(new ProtectedTable.Reference(cols, parts.get(0)[1], parentCols));
    }
    return out;
  }
}
