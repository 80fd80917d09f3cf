package org.consent4j.jdbc.internal.rewrite;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a live table's unique keys from the database's metadata: an upsert is safe only when every
 * row it can conflict with belongs to the subjects it names (see {@link UpsertCheck}). On
 * PostgreSQL exclusion constraints, which {@code ON CONFLICT DO NOTHING} also absorbs, are added as
 * keys without columns. Not API.
 */
public final class LiveKeys {
  private LiveKeys() {}

  /**
   * The unique keys of {@code table} in {@code schema} (the connection's current schema when
   * null), names matched case-insensitively.
   *
   * @throws SQLException if the metadata cannot be read
   */
  public static List<ProtectedTable.UniqueKey> read(Connection c, String schema, String table) throws SQLException {
    DatabaseMetaData md = c.getMetaData();
    String product = md.getDatabaseProductName().toLowerCase(Locale.ROOT);
    boolean mariadb = product.contains("maria") || product.contains("mysql");
    String inSchema = schema != null ? schema : c.getSchema();
    Map<String, List<String>> keys = new LinkedHashMap<>();
    // Spelled as each database folds it, as LiveColumns does; MariaDB's databases are catalogs.
    for (String spelling : new LinkedHashSet<>(List.of(table, table.toLowerCase(Locale.ROOT),
        table.toUpperCase(Locale.ROOT)))) {
      for (String s : mariadb ? java.util.Collections.<String>singletonList(null) : schemaSpellings(inSchema)) {
        try (ResultSet r = mariadb ? md.getIndexInfo(c.getCatalog(), null, spelling, true, false)
            : md.getIndexInfo(null, s, spelling, true, false)) {
          while (r.next()) {
            if (r.getBoolean("NON_UNIQUE") || r.getShort("TYPE") == DatabaseMetaData.tableIndexStatistic) {
              continue;
            }
            String index = String.valueOf(r.getString("INDEX_NAME")).toLowerCase(Locale.ROOT);
            String column = r.getString("COLUMN_NAME");
            // an expression key keeps its text, which names no column: it never holds the subject
            keys.computeIfAbsent(index, k -> new ArrayList<>())
                .add(column == null ? "(expression)" : unquoted(column).toLowerCase(Locale.ROOT));
          }
        }
      }
      if (!keys.isEmpty()) {
        break;
      }
    }
    List<ProtectedTable.UniqueKey> out = new ArrayList<>();
    keys.forEach((name, columns) -> out.add(new ProtectedTable.UniqueKey(name, columns)));
    if (product.contains("postgres")) {
      String sql = "SELECT k.conname FROM pg_constraint k JOIN pg_class r ON r.oid = k.conrelid"
          + " JOIN pg_namespace n ON n.oid = r.relnamespace WHERE k.contype = 'x' AND lower(r.relname) = ?"
          + (schema == null ? "" : " AND lower(n.nspname) = ?");
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setString(1, table.toLowerCase(Locale.ROOT));
        if (schema != null) {
          ps.setString(2, schema.toLowerCase(Locale.ROOT));
        }
        try (ResultSet r = ps.executeQuery()) {
          while (r.next()) {
            out.add(new ProtectedTable.UniqueKey("exclusion " + r.getString(1).toLowerCase(Locale.ROOT), List.of()));
          }
        }
      }
    }
    return out;
  }

  private static List<String> schemaSpellings(String schema) {
    if (schema == null) {
      return java.util.Collections.singletonList(null);
    }
    return new ArrayList<>(new LinkedHashSet<>(List.of(schema, schema.toLowerCase(Locale.ROOT),
        schema.toUpperCase(Locale.ROOT))));
  }

  private static String unquoted(String column) {
    return column.length() >= 2 && column.startsWith("\"") && column.endsWith("\"")
        ? column.substring(1, column.length() - 1) : column;
  }
}
