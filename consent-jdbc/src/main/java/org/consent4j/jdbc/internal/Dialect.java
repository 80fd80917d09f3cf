package org.consent4j.jdbc.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32;

/**
 * What differs between the databases the store runs on: identity columns, table options,
 * index DDL, and how schema migrations are serialised between concurrent processes. Everything
 * else is portable SQL. Not API.
 */
public enum Dialect {
  /**
   * H2 2.x. H2 has no advisory lock, and concurrent {@code CREATE INDEX IF NOT EXISTS} can fail
   * with a general error: migrations are serialised per JVM (where embedded H2 lives) and retried
   * when another process got there first.
   */
  H2("H2"),
  /** PostgreSQL 10 or later. Migrations run in one transaction under {@code pg_advisory_xact_lock}. */
  POSTGRESQL("PostgreSQL"),
  /**
   * MariaDB 10.3 or later. Migrations run under {@code GET_LOCK}; text columns use the binary,
   * no-pad collation so that subject ids compare exactly (case and trailing blanks count).
   */
  MARIADB("MariaDB"),
  /**
   * MySQL 8. As MariaDB, but with the {@code utf8mb4_bin} collation (which pads trailing blanks;
   * the store compares subject ids exactly in Java as well).
   */
  MYSQL("MySQL");

  /** How long a migration waits for another process's migration to finish. */
  static final int LOCK_TIMEOUT_SECONDS = 60;

  /**
   * SQL states that mean "someone else created it first": unique violation, duplicate table,
   * index or object, across H2, PostgreSQL and MariaDB/MySQL.
   */
  private static final Set<String> ALREADY_EXISTS =
      Set.of("23505", "23000", "42P07", "42710", "42S01", "42S11", "42101", "42111", "42P06");

  /** H2's migration locks, per database and table prefix, for this JVM. */
  private static final ConcurrentMap<String, ReentrantLock> H2_LOCKS = new ConcurrentHashMap<>();

  private final String productName;

  Dialect(String productName) {
    this.productName = productName;
  }

  /**
   * The dialect of a database, from {@link java.sql.DatabaseMetaData#getDatabaseProductName()}.
   *
   * @throws IllegalArgumentException naming the product if it is not supported
   */
  public static Dialect fromProductName(String product) {
    String p = product == null ? "" : product.toLowerCase(Locale.ROOT);
    if (p.equals("h2")) {
      return H2;
    }
    if (p.contains("postgresql")) {
      return POSTGRESQL;
    }
    if (p.contains("mariadb")) {
      return MARIADB;
    }
    if (p.contains("mysql")) {
      return MYSQL;
    }
    throw new IllegalArgumentException("the JDBC consent store supports H2, PostgreSQL and MariaDB/MySQL,"
        + " but the DataSource connects to '" + product + "'; use one of those databases for the consent"
        + " ledger, or implement org.consent4j.spi.ConsentStore for this one");
  }

  /** The product name as users know it. */
  public String productName() {
    return productName;
  }

  /** The definition of an identity primary-key column: the database numbers the rows. */
  String identityPrimaryKey(String column) {
    return switch (this) {
      case H2, POSTGRESQL -> column + " BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY";
      case MARIADB, MYSQL -> column + " BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY";
    };
  }

  /**
   * {@code CREATE TABLE IF NOT EXISTS} and its indexes, idempotent on every dialect: MariaDB and
   * MySQL declare the indexes inline (MySQL has no {@code CREATE INDEX IF NOT EXISTS}).
   */
  List<String> createTable(String table, List<String> columnsAndConstraints, List<Index> indexes) {
    StringJoiner body = new StringJoiner(",\n  ", "CREATE TABLE IF NOT EXISTS " + table + " (\n  ", "\n)");
    columnsAndConstraints.forEach(body::add);
    switch (this) {
      case H2, POSTGRESQL -> {
        List<String> out = new java.util.ArrayList<>();
        out.add(body.toString());
        for (Index i : indexes) {
          out.add("CREATE INDEX IF NOT EXISTS " + i.name() + " ON " + table + " (" + i.columns() + ")");
        }
        return out;
      }
      case MARIADB, MYSQL -> {
        for (Index i : indexes) {
          body.add("INDEX " + i.name() + " (" + i.columns() + ")");
        }
        String collation = this == MARIADB ? "utf8mb4_nopad_bin" : "utf8mb4_bin";
        return List.of(body + " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=" + collation);
      }
      default -> throw new AssertionError(this);
    }
  }

  /**
   * {@code CREATE SCHEMA IF NOT EXISTS} (a database on MariaDB/MySQL, with the store's collation).
   *
   * @param qualifier the quoted schema name followed by a dot, as {@link Schema#qualifier()} gives it
   */
  String createSchema(String qualifier) {
    String quoted = qualifier.substring(0, qualifier.length() - 1);
    return switch (this) {
      case H2, POSTGRESQL -> "CREATE SCHEMA IF NOT EXISTS " + quoted;
      case MARIADB -> "CREATE DATABASE IF NOT EXISTS " + quoted + " CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin";
      case MYSQL -> "CREATE DATABASE IF NOT EXISTS " + quoted + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin";
    };
  }

  /** A column type for text of any length (JSON lists of subjects, for instance). */
  String longText() {
    return switch (this) {
      case H2 -> "CHARACTER LARGE OBJECT";
      case POSTGRESQL -> "TEXT";
      case MARIADB, MYSQL -> "LONGTEXT";
    };
  }

  /** An index: its (prefixed) name and its comma-separated columns. */
  record Index(String name, String columns) {}

  /** True when the failure means another process created the object or row first. */
  boolean isAlreadyExists(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && s.getSQLState() != null && ALREADY_EXISTS.contains(s.getSQLState())) {
        return true;
      }
      // H2 reports a lost CREATE ... IF NOT EXISTS race as "General error: ... object already exists".
      if (this == H2 && t instanceof SQLException s && s.getErrorCode() == 50000
          && String.valueOf(s.getMessage()).contains("already exists")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Takes the migration lock for this table prefix, on dialects that have one. On PostgreSQL the
   * connection must be in a transaction (the lock is released by its commit or rollback).
   */
  void lockMigrations(Connection c, Schema schema) throws SQLException {
    switch (this) {
      case POSTGRESQL -> {
        try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
          s.setLong(1, lockKey(schema));
          s.execute();
        }
      }
      case MARIADB, MYSQL -> {
        try (PreparedStatement s = c.prepareStatement("SELECT GET_LOCK(?, ?)")) {
          s.setString(1, lockName(c, schema));
          s.setInt(2, LOCK_TIMEOUT_SECONDS);
          try (ResultSet r = s.executeQuery()) {
            if (!r.next() || r.getInt(1) != 1) {
              throw new SQLTimeoutException("waited " + LOCK_TIMEOUT_SECONDS + " s for another process to finish"
                  + " migrating the tables " + schema.describe() + "; is a migration stuck?");
            }
          }
        }
      }
      case H2 -> {
        ReentrantLock lock = H2_LOCKS.computeIfAbsent(h2LockKey(c, schema), k -> new ReentrantLock());
        try {
          if (!lock.tryLock(LOCK_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new SQLTimeoutException("waited " + LOCK_TIMEOUT_SECONDS + " s for another thread to finish"
                + " migrating the tables " + schema.describe() + "; is a migration stuck?");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new SQLException("interrupted while waiting to migrate the tables " + schema.describe(), e);
        }
      }
      default -> throw new AssertionError(this);
    }
  }

  /** Releases a lock taken by {@link #lockMigrations}, where it is not bound to the transaction. */
  void unlockMigrations(Connection c, Schema schema) throws SQLException {
    if (this == H2) {
      H2_LOCKS.get(h2LockKey(c, schema)).unlock();
    } else if (this == MARIADB || this == MYSQL) {
      try (PreparedStatement s = c.prepareStatement("SELECT RELEASE_LOCK(?)")) {
        s.setString(1, lockName(c, schema));
        s.execute();
      }
    }
  }

  /** True when DDL takes part in transactions, so that a migration commits or rolls back whole. */
  boolean hasTransactionalDdl() {
    return this == POSTGRESQL;
  }

  private static String h2LockKey(Connection c, Schema schema) throws SQLException {
    return c.getCatalog() + "/" + schema.qualifier() + schema.prefix();
  }

  private static long lockKey(Schema schema) {
    // "c4jm" in the high half keeps clear of other applications' advisory locks.
    return (0x63346a6dL << 32) | crc32("consent4j:" + schema.qualifier() + schema.prefix());
  }

  private static String lockName(Connection c, Schema schema) throws SQLException {
    // GET_LOCK names are server-wide (64 characters at most): qualify by database (the store's
    // own, when it names one), hashed.
    String database = schema.storedName().orElse(String.valueOf(c.getCatalog()));
    return "consent4j_migrate_" + schema.prefix() + Long.toHexString(crc32(database));
  }

  private static long crc32(String s) {
    CRC32 crc = new CRC32();
    crc.update(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return crc.getValue();
  }
}
