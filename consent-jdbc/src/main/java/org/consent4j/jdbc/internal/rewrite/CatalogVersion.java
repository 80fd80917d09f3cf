package org.consent4j.jdbc.internal.rewrite;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;
import org.consent4j.jdbc.internal.Dialect;

/**
 * A fingerprint of what the rewriter reads from a database's catalog ({@link DatabaseObjects},
 * {@link LiveRoutines}): every relation's schema, name and kind (and engine, on MariaDB/MySQL),
 * every view's and routine's definition (or, on PostgreSQL, the version of the catalog row that
 * holds it), inheritance links and schemas. Two reads give the same fingerprint unless an object
 * was created, dropped, renamed, moved or redefined in between (or, with odds of about 2^-60 per
 * change, a change left the sum of the rows' hashes as it was). One query, no parsing; PostgreSQL
 * and MariaDB return one row, H2's rows are hashed here. Temporary objects are left out (the rewriter does not read them either), and so is
 * what does not change a name's meaning, such as a table's rows, statistics, indexes or
 * {@code TRUNCATE}. Not API.
 */
public final class CatalogVersion {
  // PostgreSQL and MariaDB hash and sum the rows themselves (order does not matter), so that
  // one row crosses the wire however large the catalog.
  private static final String POSTGRESQL = "SELECT count(*) || ':' || coalesce(sum(hashtextextended(x, 0)), 0)"
      + " FROM ("
      + "SELECT 'c' || c.oid || ':' || c.relname || ':' || c.relnamespace || ':' || c.relkind::text AS x"
      + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')"
      + " AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'"
      + " AND n.nspname NOT LIKE 'pg_temp%'"
      // a view's definition is its rule: CREATE OR REPLACE VIEW writes a new version of the row
      + " UNION ALL SELECT 'w' || r.ev_class || ':' || r.xmin::text FROM pg_rewrite r"
      + " JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace"
      + " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_temp%'"
      + " UNION ALL SELECT 'p' || p.oid || ':' || p.xmin::text FROM pg_proc p"
      + " JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')"
      + " AND n.nspname NOT LIKE 'pg_temp%'"
      + " UNION ALL SELECT 'i' || i.inhrelid || ':' || i.inhparent FROM pg_inherits i"
      + " UNION ALL SELECT 'n' || n.oid || ':' || n.nspname FROM pg_namespace n"
      + " WHERE n.nspname NOT LIKE 'pg_temp%' AND n.nspname NOT LIKE 'pg_toast%') v";
  private static final String H2 = "SELECT x FROM ("
      + "SELECT 't' || TABLE_SCHEMA || '.' || TABLE_NAME || ':' || TABLE_TYPE || ':' || COALESCE(TABLE_CLASS, '') AS x"
      + " FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA <> 'INFORMATION_SCHEMA'"
      + " AND TABLE_TYPE NOT IN ('LOCAL TEMPORARY')"
      + " UNION ALL SELECT 'v' || TABLE_SCHEMA || '.' || TABLE_NAME || ':' || COALESCE(VIEW_DEFINITION, '')"
      + " FROM INFORMATION_SCHEMA.VIEWS WHERE TABLE_SCHEMA <> 'INFORMATION_SCHEMA'"
      + " UNION ALL SELECT 's' || SYNONYM_SCHEMA || '.' || SYNONYM_NAME || ':' || COALESCE(SYNONYM_FOR_SCHEMA, '')"
      + " || '.' || COALESCE(SYNONYM_FOR, '') FROM INFORMATION_SCHEMA.SYNONYMS"
      + " UNION ALL SELECT 'r' || ROUTINE_SCHEMA || '.' || ROUTINE_NAME || ':' || COALESCE(ROUTINE_DEFINITION, '')"
      + " || ':' || COALESCE(EXTERNAL_NAME, '') FROM INFORMATION_SCHEMA.ROUTINES"
      + " WHERE ROUTINE_SCHEMA <> 'INFORMATION_SCHEMA'"
      + " UNION ALL SELECT 'n' || SCHEMA_NAME FROM INFORMATION_SCHEMA.SCHEMATA) v ORDER BY x";
  private static final String SYSTEM = " NOT IN ('information_schema', 'performance_schema', 'mysql', 'sys')";
  private static final String MARIADB = "SELECT CONCAT(COUNT(*), ':',"
      + " COALESCE(SUM(CAST(CONV(LEFT(MD5(x), 15), 16, 10) AS UNSIGNED)), 0)) FROM ("
      + "SELECT CONCAT('t', TABLE_SCHEMA, '.', TABLE_NAME, ':', TABLE_TYPE, ':', COALESCE(ENGINE, '')) AS x"
      + " FROM information_schema.TABLES WHERE TABLE_SCHEMA" + SYSTEM + " AND TABLE_TYPE <> 'TEMPORARY'"
      + " UNION ALL SELECT CONCAT('v', TABLE_SCHEMA, '.', TABLE_NAME, ':', MD5(COALESCE(VIEW_DEFINITION, '')))"
      + " FROM information_schema.VIEWS WHERE TABLE_SCHEMA" + SYSTEM
      + " UNION ALL SELECT CONCAT('r', ROUTINE_SCHEMA, '.', ROUTINE_NAME, ':', ROUTINE_TYPE, ':',"
      + " MD5(COALESCE(ROUTINE_DEFINITION, '')), ':', COALESCE(LAST_ALTERED, ''))"
      + " FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA" + SYSTEM + ") v";

  private CatalogVersion() {}

  /**
   * The fingerprint of {@code c}'s catalog as {@code c} sees it now.
   *
   * @throws SQLException if the catalog cannot be read
   */
  public static String read(Connection c, Dialect dialect) throws SQLException {
    String sql = switch (dialect) {
      case POSTGRESQL -> POSTGRESQL;
      case H2 -> H2;
      case MARIADB, MYSQL -> MARIADB;
    };
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
    // prepared, so that drivers that cache statements per connection (PostgreSQL's) plan it once
    try (java.sql.PreparedStatement s = c.prepareStatement(sql); ResultSet r = s.executeQuery()) {
      while (r.next()) {
        String row = r.getString(1);
        digest.update(String.valueOf(row).getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
