package org.consent4j.jdbc.mapping.internal;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.consent4j.DataCategory;
import org.consent4j.jdbc.SchemaMapping;
import org.consent4j.jdbc.TableMapping;

/**
 * Compares a {@link SchemaMapping} with a live database's metadata. Names are never passed to the
 * driver as search patterns built from the mapping, since whether the database stores
 * {@code contact}, {@code CONTACT} or {@code Contact} depends on the product and its settings
 * (MariaDB's {@code lower_case_table_names}); tables are listed and compared case-insensitively
 * instead, and columns are read for the exact names the database returned.
 */
public final class MetadataCheck {
  private static final int MAX_COLUMNS_LISTED = 40;

  private MetadataCheck() {}

  /** A table as the database names it; the namespace is the schema, or the catalog where schemas do not exist. */
  private record Found(String catalog, String schema, String name) {
    String namespace() {
      return schema != null ? schema : catalog;
    }

    String display() {
      return namespace() == null ? name : namespace() + "." + name;
    }
  }

  /** Every problem found, each naming the table and column and how to fix it; empty when none. */
  public static List<String> problems(SchemaMapping mapping, DatabaseMetaData md) throws SQLException {
    if (mapping.isEmpty()) {
      return List.of();
    }
    String current = currentNamespace(md.getConnection());
    List<Found> found = new ArrayList<>();
    try (ResultSet rs = md.getTables(null, null, "%", null)) {
      while (rs.next()) {
        String name = rs.getString("TABLE_NAME");
        if (name != null && mapping.tableNames().contains(Identifiers.fold(name))) {
          found.add(new Found(rs.getString("TABLE_CAT"), rs.getString("TABLE_SCHEM"), name));
        }
      }
    }
    List<String> problems = new ArrayList<>();
    for (TableMapping t : mapping.tables()) {
      List<Found> named = new ArrayList<>();
      for (Found f : found) {
        if (Identifiers.fold(f.name()).equals(t.table())) {
          named.add(f);
        }
      }
      String wanted = t.schema().orElse(current == null ? null : Identifiers.fold(current));
      List<Found> matches = new ArrayList<>();
      for (Found f : named) {
        if (wanted == null || (f.namespace() != null && Identifiers.fold(f.namespace()).equals(wanted))) {
          matches.add(f);
        }
      }
      if (matches.isEmpty()) {
        problems.add(missingTable(t, current, named));
        continue;
      }
      for (Found f : matches) {
        checkColumns(md, t, f, problems);
      }
    }
    return problems;
  }

  private static String missingTable(TableMapping t, String current, List<Found> elsewhere) {
    StringBuilder sb = new StringBuilder("table '").append(t.qualifiedName()).append("' not found");
    if (t.schema().isPresent()) {
      sb.append(" in schema '").append(t.schema().get()).append('\'');
    } else {
      sb.append(" in the connection's current schema '").append(current).append('\'');
    }
    Set<String> namespaces = new TreeSet<>();
    elsewhere.forEach(f -> namespaces.add(String.valueOf(f.namespace())));
    if (!namespaces.isEmpty()) {
      sb.append(", though schema(s) ").append(String.join(", ", namespaces)).append(" have a table of that")
          .append(" name: set \"schema\" in the mapping to the right one");
      if (t.schema().isEmpty()) {
        sb.append(", or connect with that schema as the default");
      }
    } else {
      sb.append(": create the table, or fix or remove its mapping (names are compared case-insensitively)");
    }
    return sb.toString();
  }

  private static void checkColumns(DatabaseMetaData md, TableMapping t, Found f, List<String> problems)
      throws SQLException {
    Set<String> present = new LinkedHashSet<>();
    List<String> asNamed = new ArrayList<>();
    try (ResultSet rs = md.getColumns(f.catalog(), f.schema(), f.name(), "%")) {
      while (rs.next()) {
        // Patterns may match more than the exact table ('_' is a wildcard): keep exact names only.
        if (f.name().equals(rs.getString("TABLE_NAME"))
            && (f.schema() == null || f.schema().equals(rs.getString("TABLE_SCHEM")))) {
          String column = rs.getString("COLUMN_NAME");
          if (present.add(Identifiers.fold(column))) {
            asNamed.add(column);
          }
        }
      }
    }
    List<String> missing = new ArrayList<>();
    for (String s : t.subjectColumns()) {
      if (!present.contains(s)) {
        missing.add("subject column '" + s + "'");
      }
    }
    for (Map.Entry<String, DataCategory> e : t.columns().entrySet()) {
      if (!present.contains(e.getKey())) {
        missing.add("column '" + e.getKey() + "' (" + e.getValue() + ")");
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    String inDatabase = f.display().equalsIgnoreCase(t.qualifiedName()) ? "" : " (" + f.display() + " in the database)";
    List<String> listed = asNamed.size() <= MAX_COLUMNS_LISTED ? asNamed : asNamed.subList(0, MAX_COLUMNS_LISTED);
    for (String m : missing) {
      problems.add("table '" + t.qualifiedName() + "'" + inDatabase + ": " + m + " not found; the table has "
          + (asNamed.isEmpty() ? "no column visible to this connection"
              : "columns " + String.join(", ", listed) + (listed.size() < asNamed.size() ? ", ..." : ""))
          + ": fix the column name in the mapping (names are compared case-insensitively)");
    }
  }

  /** The schema unqualified names resolve to: the schema where the product has them, else the catalog. */
  private static String currentNamespace(Connection c) throws SQLException {
    if (c == null) {
      return null;
    }
    String schema = null;
    try {
      schema = c.getSchema();
    } catch (SQLFeatureNotSupportedException | AbstractMethodError e) {
      // Pre-JDBC-4.1 drivers: fall back to the catalog.
    }
    return schema != null ? schema : c.getCatalog();
  }
}
