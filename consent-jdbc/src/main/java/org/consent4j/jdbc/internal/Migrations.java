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
      new Migration(2, "explicit consent of grants (GDPR Art. 9, 49); recipient notification outbox (Art. 19)",
          Migrations::v2),
      new Migration(3, "audit trail: hash-chained events and chain head; change notification", Migrations::v3),
      new Migration(4, "current consent state", Migrations::v4, (c, d, s) -> new ConsentState(d, s).rebuild(c)),
      new Migration(5, "withdrawal of one grant by its id", Migrations::v5));

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
    schema.storedName().ifPresent(n -> out.add(dialect.createSchema(schema.qualifier())));
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
        createSchemaIfMissing(c, dialect, schema);
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

  /**
   * Creates the store's named schema (a database on MariaDB/MySQL) when it does not exist yet.
   * Asks first, so that a user allowed to create tables in a schema a DBA created, but not to
   * create schemas, can migrate (PostgreSQL checks that right even for an existing schema).
   */
  private static void createSchemaIfMissing(Connection c, Dialect dialect, Schema schema) throws SQLException {
    if (schema.storedName().isEmpty()) {
      return;
    }
    String sql = dialect == Dialect.POSTGRESQL ? "SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = ?"
        : "SELECT 1 FROM INFORMATION_SCHEMA.SCHEMATA WHERE SCHEMA_NAME = ?";
    try (PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, schema.storedName().get());
      try (ResultSet r = s.executeQuery()) {
        if (r.next()) {
          return;
        }
      }
    }
    execute(c, List.of(dialect.createSchema(schema.qualifier())));
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
        List.of(new Index(s.indexName(d, p + "ix_ledger_subject"), "subject_id, seq"))));
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
        List.of(new Index(s.indexName(d, p + "ix_grant_subject"), "subject_id, seq"))));
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
        List.of(new Index(s.indexName(d, p + "ix_withdrawal_subject"), "subject_id, seq"))));
    out.addAll(d.createTable(s.objection(), List.of(
        "seq BIGINT NOT NULL PRIMARY KEY",
        "subject_id VARCHAR(256) NOT NULL",
        "purpose VARCHAR(128) NOT NULL",
        "objected_at_sec BIGINT NOT NULL",
        "objected_at_nano INT NOT NULL",
        "evidence_method VARCHAR(32) NOT NULL",
        "evidence_ref VARCHAR(512) NOT NULL",
        "CONSTRAINT " + p + "fk_objection_ledger FOREIGN KEY (seq) REFERENCES " + s.ledger() + " (seq)"),
        List.of(new Index(s.indexName(d, p + "ix_objection_subject"), "subject_id, seq"))));
    return out;
  }

  /**
   * V2: what a grant's consent was explicit about ({@code categories}: Art. 9(2)(a);
   * {@code transfer}: Art. 49(1)(a)), one row each; grants recorded before it have none, so they
   * count as not explicit. And the outbox of recipient notifications (Art. 19): one row per
   * withdrawal or erasure ({@code kind} W or E), written with it, and one row per recipient it was
   * delivered to. Self-contained: new tables only, nothing else changed.
   */
  private static List<String> v2(Dialect d, Schema s) {
    String p = s.prefix();
    List<String> out = new ArrayList<>(d.createTable(s.grantExplicit(), List.of(
        "seq BIGINT NOT NULL",
        "scope VARCHAR(16) NOT NULL",
        "PRIMARY KEY (seq, scope)",
        "CONSTRAINT " + p + "ck_grant_explicit_scope CHECK (scope IN ('categories', 'transfer'))",
        "CONSTRAINT " + p + "fk_grant_explicit FOREIGN KEY (seq) REFERENCES " + s.grant() + " (seq)"), List.of()));
    out.addAll(d.createTable(s.notification(), List.of(
        d.identityPrimaryKey("id"),
        "subject_id VARCHAR(256) NOT NULL",
        "kind CHAR(1) NOT NULL",
        "purpose VARCHAR(128)",
        "recipient VARCHAR(128)",
        "created_at_sec BIGINT NOT NULL",
        "created_at_nano INT NOT NULL",
        "done INT DEFAULT 0 NOT NULL",
        "attempts INT DEFAULT 0 NOT NULL",
        "last_failure VARCHAR(200)",
        "CONSTRAINT " + p + "ck_notification_kind CHECK (kind IN ('W', 'E'))"),
        List.of(new Index(s.indexName(d, p + "ix_notification_done"), "done, id"))));
    out.addAll(d.createTable(s.notificationDelivery(), List.of(
        "notification_id BIGINT NOT NULL",
        "recipient VARCHAR(128) NOT NULL",
        "delivered_at_sec BIGINT NOT NULL",
        "delivered_at_nano INT NOT NULL",
        "PRIMARY KEY (notification_id, recipient)",
        "CONSTRAINT " + p + "fk_notification_delivery FOREIGN KEY (notification_id) REFERENCES " + s.notification()
            + " (id)"), List.of()));
    return out;
  }

  /**
   * V3: the JDBC audit sink's tables and, on PostgreSQL, the change notification.
   *
   * <p>{@code audit} holds one row per sealed record: the chain columns ({@code seq},
   * {@code prev_hash}, {@code hash}), the event's scalar fields as columns (so auditors can query
   * them), and its lists and details as JSON text; only the primary key is indexed, to keep
   * appends fast. {@code audit_head} has one row, the head of the chain, locked by every append so
   * that appenders in every process take turns. {@code audit_append} has one row per append (a
   * batch): its id and the sequences it stored, so that a retried append is stored exactly once.
   *
   * <p>On PostgreSQL a trigger on the ledger sends {@code NOTIFY <prefix>changes, '<seq>:<subject>'}
   * for every appended record; PostgreSQL delivers it to listeners when (and only if) the append
   * commits.
   */
  private static List<String> v3(Dialect d, Schema s) {
    String p = s.prefix();
    String text = d.longText();
    List<String> out = new ArrayList<>();
    out.addAll(d.createTable(s.auditHead(), List.of(
        "id INT NOT NULL PRIMARY KEY",
        "seq BIGINT NOT NULL",
        "hash CHAR(64) NOT NULL",
        "CONSTRAINT " + p + "ck_audit_head_id CHECK (id = 1)"), List.of()));
    out.addAll(d.createTable(s.audit(), List.of(
        "seq BIGINT NOT NULL PRIMARY KEY",
        "prev_hash CHAR(64) NOT NULL",
        "hash CHAR(64) NOT NULL",
        "event_sec BIGINT NOT NULL",
        "event_nano INT NOT NULL",
        "actor VARCHAR(128) NOT NULL",
        "purpose VARCHAR(128) NOT NULL",
        "recipient VARCHAR(128) NOT NULL",
        "operation VARCHAR(512) NOT NULL",
        "subjects " + text + " NOT NULL",
        "categories " + text + " NOT NULL",
        "outcome VARCHAR(16) NOT NULL",
        "reason VARCHAR(128) NOT NULL",
        "state_version BIGINT NOT NULL",
        "details " + text + " NOT NULL"), List.of()));
    out.addAll(d.createTable(s.auditAppend(), List.of(
        "append_id VARCHAR(64) NOT NULL PRIMARY KEY",
        "first_seq BIGINT NOT NULL",
        "last_seq BIGINT NOT NULL"), List.of()));
    if (d == Dialect.POSTGRESQL) {
      out.add("CREATE OR REPLACE FUNCTION " + s.notifyFunction() + "() RETURNS trigger LANGUAGE plpgsql AS $c4j$"
          + " BEGIN PERFORM pg_notify('" + s.changeChannel() + "', NEW.seq || ':' || NEW.subject_id); RETURN NULL; END"
          + " $c4j$");
      out.add("DROP TRIGGER IF EXISTS " + p + "tr_ledger_notify ON " + s.ledger());
      out.add("CREATE TRIGGER " + p + "tr_ledger_notify AFTER INSERT ON " + s.ledger()
          + " FOR EACH ROW EXECUTE PROCEDURE " + s.notifyFunction() + "()");
    }
    return out;
  }

  /**
   * V4: the current consent state ({@link ConsentState}), filled from the ledger. Narrow rows,
   * indexed by typed subject key first (an integer subject column probes {@code subject_num}
   * without a cast) and by text, each followed by the purpose and recipient that every check
   * names. No foreign key: the rows are derived, deleted and rewritten on every append of the
   * subject, while the ledger itself stays append-only.
   */
  private static List<String> v4(Dialect d, Schema s) {
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
        List.of(new Index(s.indexName(d, p + "ix_state_num"), "subject_num, purpose, recipient"),
            new Index(s.indexName(d, p + "ix_state_subject"), "subject_id, purpose, recipient"))));
    return out;
  }

  /**
   * V5: withdrawals of one grant by its id ({@code org.consent4j.GrantWithdrawal}). The ledger row
   * has kind {@code W}, as a withdrawal of a purpose has, so the ledger's CHECK constraint stays as
   * it is; which of the two tables holds the detail row tells them apart. Self-contained: one new
   * table, nothing else changed, and no state to fill (no such withdrawal existed before it). A node
   * still running the code of V4 reads such a row as a withdrawal without its detail row and fails
   * closed (the store reports an invalid ledger) rather than ignoring it.
   */
  private static List<String> v5(Dialect d, Schema s) {
    String p = s.prefix();
    return d.createTable(s.grantWithdrawal(), List.of(
        "seq BIGINT NOT NULL PRIMARY KEY",
        "subject_id VARCHAR(256) NOT NULL",
        "grant_id VARCHAR(64) NOT NULL",
        "withdrawn_at_sec BIGINT NOT NULL",
        "withdrawn_at_nano INT NOT NULL",
        "evidence_method VARCHAR(32) NOT NULL",
        "evidence_ref VARCHAR(512) NOT NULL",
        "CONSTRAINT " + p + "fk_grant_withdrawal_ledger FOREIGN KEY (seq) REFERENCES " + s.ledger() + " (seq)",
        "CONSTRAINT " + p + "ck_grant_withdrawal_nano CHECK (withdrawn_at_nano BETWEEN 0 AND 999999999)"),
        List.of(new Index(s.indexName(d, p + "ix_grant_withdrawal_subject"), "subject_id, seq")));
  }

  private static List<String> grantSet(Dialect d, String table, String column, String fk, Schema s) {
    return d.createTable(table, List.of(
        "seq BIGINT NOT NULL",
        column + " VARCHAR(128) NOT NULL",
        "PRIMARY KEY (seq, " + column + ")",
        "CONSTRAINT " + fk + " FOREIGN KEY (seq) REFERENCES " + s.grant() + " (seq)"), List.of());
  }
}
