package org.consent4j.jdbc.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.consent4j.jdbc.internal.Dialect.Index;

/**
 * The versioned schema of the store and the code that brings a database up to it.
 *
 * <p>Each migration is a version number and dialect-specific DDL, recorded in
 * {@code <prefix>schema_version} once applied. Running them is idempotent and safe when several
 * processes start at once:
 * <ul>
 *   <li>a database already at the latest version is only read (no DDL, no lock), so an
 *       application user with SELECT and INSERT rights only can start once a DBA has migrated;
 *   <li>otherwise the migrations run under a lock per table prefix ({@code pg_advisory_xact_lock}
 *       in one transaction on PostgreSQL, {@code GET_LOCK} on MariaDB/MySQL; H2 serialises DDL
 *       itself), and every statement is {@code IF NOT EXISTS};
 *   <li>a failure that means "another process got there first" (duplicate table, index or
 *       version row) is retried from the start, which then finds the work done.
 * </ul>
 *
 * <p>The only part of the DDL that is not constant is the validated table prefix. Not API.
 */
public final class Migrations {

  /** One schema version: its number, what it does, its DDL, and the data it fills in after the DDL. */
  record Migration(int version, String description, Ddl ddl, Data data) {
    Migration(int version, String description, Ddl ddl) {
      this(version, description, ddl, (c, d, s) -> {});
    }
  }

  @FunctionalInterface
  interface Ddl {
    List<String> statements(Dialect dialect, Schema schema);
  }

  /** Fills new tables from existing ones; runs after the DDL, under the same lock. */
  @FunctionalInterface
  interface Data {
    void fill(Connection c, Dialect dialect, Schema schema) throws SQLException;
  }

  private static final List<Migration> ALL = List.of(
      new Migration(1, "consent ledger: grants, withdrawals, objections", Migrations::v1),
      new Migration(2, "current consent state", Migrations::v2, (c, d, s) -> new ConsentState(d, s).rebuild(c)));

  private static final int ATTEMPTS = 3;

  private Migrations() {}

  /** The version the code of this release expects. */
  public static int latestVersion() {
    return ALL.get(ALL.size() - 1).version();
  }

  /**
   * Brings the database up to {@link #latestVersion()}. The connection is left in auto-commit
   * mode.
   *
   * @throws SQLException if a migration fails for another reason than a concurrent one
   */
  public static void migrate(Connection c, Dialect dialect, Schema schema) throws SQLException {
    c.setAutoCommit(true);
    if (appliedVersionsIfReadable(c, schema).containsAll(allVersions())) {
      return;
    }
    for (int attempt = 1; ; attempt++) {
      try {
        migrateUnderLock(c, dialect, schema);
        return;
      } catch (SQLException e) {
        if (attempt >= ATTEMPTS || !dialect.isAlreadyExists(e)) {
          throw e;
        }
      }
    }
  }

  /** The DDL of every migration, in order, for documentation and DBAs who apply it by hand. */
  public static List<String> ddl(Dialect dialect, Schema schema) {
    List<String> out = new ArrayList<>();
    out.add(schemaVersionTable(dialect, schema).get(0));
    for (Migration m : ALL) {
      out.addAll(m.ddl().statements(dialect, schema));
    }
    return out;
  }

  private static void migrateUnderLock(Connection c, Dialect dialect, Schema schema) throws SQLException {
    boolean transactional = dialect.hasTransactionalDdl();
    if (transactional) {
      c.setAutoCommit(false);
    }
    try {
      dialect.lockMigrations(c, schema);
      try {
        execute(c, schemaVersionTable(dialect, schema));
        Set<Integer> applied = appliedVersions(c, schema);
        for (Migration m : ALL) {
          if (!applied.contains(m.version())) {
            execute(c, m.ddl().statements(dialect, schema));
            m.data().fill(c, dialect, schema);
            recordVersion(c, schema, m);
          }
        }
      } finally {
        if (!transactional) {
          dialect.unlockMigrations(c, schema);
        }
      }
      if (transactional) {
        c.commit();
      }
    } catch (SQLException | RuntimeException e) {
      if (transactional) {
        try {
          c.rollback();
        } catch (SQLException r) {
          e.addSuppressed(r);
        }
      }
      throw e;
    } finally {
      if (transactional) {
        c.setAutoCommit(true);
      }
    }
  }

  private static Set<Integer> allVersions() {
    Set<Integer> all = new TreeSet<>();
    ALL.forEach(m -> all.add(m.version()));
    return all;
  }

  /** The versions applied, or none when the version table cannot be read (not created yet). */
  private static Set<Integer> appliedVersionsIfReadable(Connection c, Schema schema) {
    try {
      return appliedVersions(c, schema);
    } catch (SQLException e) {
      // Absent table: the locked path creates it, and reports any other failure itself.
      return Set.of();
    }
  }

  private static Set<Integer> appliedVersions(Connection c, Schema schema) throws SQLException {
    Set<Integer> versions = new TreeSet<>();
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT version FROM " + schema.schemaVersion())) {
      while (r.next()) {
        versions.add(r.getInt(1));
      }
    }
    return versions;
  }

  private static void recordVersion(Connection c, Schema schema, Migration m) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(
        "INSERT INTO " + schema.schemaVersion() + " (version, description) VALUES (?, ?)")) {
      s.setInt(1, m.version());
      s.setString(2, m.description());
      s.executeUpdate();
    }
  }

  private static void execute(Connection c, List<String> statements) throws SQLException {
    try (Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }

  private static List<String> schemaVersionTable(Dialect d, Schema s) {
    return d.createTable(s.schemaVersion(), List.of(
        "version INT NOT NULL PRIMARY KEY",
        "description VARCHAR(200) NOT NULL",
        "applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL"), List.of());
  }

  /**
   * V1: the ledger. Every instant is two columns, {@code *_sec BIGINT} (seconds since the epoch,
   * UTC) and {@code *_nano INT} (0 to 999,999,999), which hold every {@link java.time.Instant}
   * exactly on every database, with no time-zone conversion. Rows are normalised (one row per
   * purpose, category and recipient) and indexed by subject, so that a consent check can run as
   * an indexed semi-join in SQL.
   */
  private static List<String> v1(Dialect d, Schema s) {
    String p = s.prefix();
    List<String> out = new ArrayList<>();
    out.addAll(d.createTable(s.ledger(), List.of(
        d.identityPrimaryKey("seq"),
        "subject_id VARCHAR(256) NOT NULL",
        "kind CHAR(1) NOT NULL",
        "recorded_at_sec BIGINT NOT NULL",
        "recorded_at_nano INT NOT NULL",
        "CONSTRAINT " + p + "ck_ledger_kind CHECK (kind IN ('G', 'W', 'O'))",
        "CONSTRAINT " + p + "ck_ledger_nano CHECK (recorded_at_nano BETWEEN 0 AND 999999999)"),
        List.of(new Index(p + "ix_ledger_subject", "subject_id, seq"))));
    out.addAll(d.createTable(s.grant(), List.of(
        "seq BIGINT NOT NULL PRIMARY KEY",
        "grant_id VARCHAR(64) NOT NULL",
        "subject_id VARCHAR(256) NOT NULL",
        "granted_at_sec BIGINT NOT NULL",
        "granted_at_nano INT NOT NULL",
        "expires_at_sec BIGINT",
        "expires_at_nano INT",
        "notice_id VARCHAR(128)",
        "notice_version INT",
        "evidence_method VARCHAR(32) NOT NULL",
        "evidence_ref VARCHAR(512) NOT NULL",
        "CONSTRAINT " + p + "fk_grant_ledger FOREIGN KEY (seq) REFERENCES " + s.ledger() + " (seq)",
        "CONSTRAINT " + p + "ck_grant_expiry CHECK ((expires_at_sec IS NULL) = (expires_at_nano IS NULL))",
        "CONSTRAINT " + p + "ck_grant_notice CHECK ((notice_id IS NULL) = (notice_version IS NULL))"),
        List.of(new Index(p + "ix_grant_subject", "subject_id, seq"))));
    out.addAll(grantSet(d, s.grantPurpose(), "purpose", p + "fk_grant_purpose", s));
    out.addAll(grantSet(d, s.grantCategory(), "category", p + "fk_grant_category", s));
    out.addAll(grantSet(d, s.grantRecipient(), "recipient", p + "fk_grant_recipient", s));
    out.addAll(d.createTable(s.withdrawal(), List.of(
        "seq BIGINT NOT NULL PRIMARY KEY",
        "subject_id VARCHAR(256) NOT NULL",
        "purpose VARCHAR(128) NOT NULL",
        "recipient VARCHAR(128)",
        "withdrawn_at_sec BIGINT NOT NULL",
        "withdrawn_at_nano INT NOT NULL",
        "evidence_method VARCHAR(32) NOT NULL",
        "evidence_ref VARCHAR(512) NOT NULL",
        "CONSTRAINT " + p + "fk_withdrawal_ledger FOREIGN KEY (seq) REFERENCES " + s.ledger() + " (seq)"),
        List.of(new Index(p + "ix_withdrawal_subject", "subject_id, seq"))));
    out.addAll(d.createTable(s.objection(), List.of(
        "seq BIGINT NOT NULL PRIMARY KEY",
        "subject_id VARCHAR(256) NOT NULL",
        "purpose VARCHAR(128) NOT NULL",
        "objected_at_sec BIGINT NOT NULL",
        "objected_at_nano INT NOT NULL",
        "evidence_method VARCHAR(32) NOT NULL",
        "evidence_ref VARCHAR(512) NOT NULL",
        "CONSTRAINT " + p + "fk_objection_ledger FOREIGN KEY (seq) REFERENCES " + s.ledger() + " (seq)"),
        List.of(new Index(p + "ix_objection_subject", "subject_id, seq"))));
    return out;
  }

  /**
   * V2: the current consent state ({@link ConsentState}), filled from the ledger. Narrow rows,
   * indexed by typed subject key first (an integer subject column probes {@code subject_num}
   * without a cast) and by text, each followed by the purpose and recipient that every check
   * names. No foreign key: the rows are derived, deleted and rewritten on every append of the
   * subject, while the ledger itself stays append-only.
   */
  private static List<String> v2(Dialect d, Schema s) {
    String p = s.prefix();
    List<String> out = new ArrayList<>();
    out.addAll(d.createTable(s.stateSubject(), List.of(
        "subject_id VARCHAR(256) NOT NULL PRIMARY KEY"), List.of()));
    out.addAll(d.createTable(s.consentState(), List.of(
        "grant_seq BIGINT NOT NULL",
        "subject_id VARCHAR(256) NOT NULL",
        "subject_num BIGINT",
        "purpose VARCHAR(128) NOT NULL",
        "recipient VARCHAR(128) NOT NULL",
        "category VARCHAR(128) NOT NULL",
        "granted_at_sec BIGINT NOT NULL",
        "granted_at_nano INT NOT NULL",
        "expires_at_sec BIGINT",
        "expires_at_nano INT",
        "notice_id VARCHAR(128)",
        "notice_version INT",
        "voided_purposes VARCHAR(4000)",
        "PRIMARY KEY (grant_seq, purpose, recipient, category)"),
        List.of(new Index(p + "ix_state_num", "subject_num, purpose, recipient"),
            new Index(p + "ix_state_subject", "subject_id, purpose, recipient"))));
    return out;
  }

  private static List<String> grantSet(Dialect d, String table, String column, String fk, Schema s) {
    return d.createTable(table, List.of(
        "seq BIGINT NOT NULL",
        column + " VARCHAR(128) NOT NULL",
        "PRIMARY KEY (seq, " + column + ")",
        "CONSTRAINT " + fk + " FOREIGN KEY (seq) REFERENCES " + s.grant() + " (seq)"), List.of());
  }
}
