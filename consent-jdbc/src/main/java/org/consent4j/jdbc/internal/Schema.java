package org.consent4j.jdbc.internal;

import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The names of the store's tables under one table prefix, optionally in a named schema (on
 * MariaDB/MySQL, a database). The prefix and the schema name are the only parts of any SQL text
 * that are not constants, so they are validated here, once: lower-case letters, digits and
 * underscores, starting with a letter, at most 31 characters for the prefix and 63 for the
 * schema. Table names are unquoted, so H2 folds them to upper case and PostgreSQL to lower case,
 * consistently. The schema name is quoted ({@code "..."}, or {@code `...`} on MariaDB/MySQL), so
 * that a reserved word works too, in the case the database folds unquoted names to: the quoted
 * name then means what the unquoted one would. Every table, function and (on H2) index name this
 * record gives is qualified with it; index and constraint names are not where the database
 * forbids it. Not API.
 *
 * @param prefix the validated table prefix
 * @param name the validated schema name, or empty for the connection's current schema
 * @param qualifier what precedes every table name: empty without a schema, else the quoted
 *     schema name and a dot
 */
public record Schema(String prefix, Optional<String> name, String qualifier) {

  /** The prefix used unless one is chosen. */
  public static final String DEFAULT_PREFIX = "consent4j_";

  private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9_]{0,30}");
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");

  /** @throws IllegalArgumentException if the prefix or the schema name is not valid */
  public Schema {
    Objects.requireNonNull(prefix, "tablePrefix");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(qualifier, "qualifier");
    if (!PREFIX.matcher(prefix).matches()) {
      throw new IllegalArgumentException("table prefix '" + prefix + "' is not valid: use 1 to 31 lower-case"
          + " letters, digits and underscores, starting with a letter (e.g. 'consent4j_' or 'tenant7_')");
    }
    name.ifPresent(Schema::validName);
    boolean quotesName = name.map(n -> qualifier.equals("\"" + n + "\".")
        || qualifier.equals("\"" + n.toUpperCase(Locale.ROOT) + "\".") || qualifier.equals("`" + n + "`."))
        .orElse(qualifier.isEmpty());
    if (!quotesName) {
      throw new IllegalArgumentException("schema qualifier '" + qualifier + "' does not quote schema " + name);
    }
  }

  /** The tables under {@code prefix} in the connection's current schema. */
  public Schema(String prefix) {
    this(prefix, Optional.empty(), "");
  }

  /**
   * The tables under {@code prefix} in schema {@code name} (when present) of a database of this
   * dialect, quoted as its metadata says it stores unquoted names.
   *
   * @throws SQLException if the metadata cannot be read
   */
  public static Schema of(String prefix, Optional<String> name, Dialect dialect, DatabaseMetaData metadata)
      throws SQLException {
    if (name.isEmpty()) {
      return new Schema(prefix);
    }
    String n = validName(name.get());
    String folded = metadata.storesUpperCaseIdentifiers() ? n.toUpperCase(Locale.ROOT) : n;
    String quote = dialect == Dialect.MARIADB || dialect == Dialect.MYSQL ? "`" : "\"";
    return new Schema(prefix, name, quote + folded + quote + ".");
  }

  /**
   * Checks a schema name.
   *
   * @return the name
   * @throws IllegalArgumentException naming it if it is not 1 to 63 lower-case letters, digits and
   *     underscores starting with a letter
   */
  public static String validName(String name) {
    Objects.requireNonNull(name, "schema");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("schema name '" + name + "' is not valid: use 1 to 63 lower-case"
          + " letters, digits and underscores, starting with a letter (e.g. 'consent')");
    }
    return name;
  }

  /** The schema name as the database stores it (folded like an unquoted name), if there is one. */
  public Optional<String> storedName() {
    return qualifier.isEmpty() ? Optional.empty() : Optional.of(qualifier.substring(1, qualifier.length() - 2));
  }

  /** "tables consent4j_*" or "tables consent4j_* in schema consent", for messages. */
  public String describe() {
    return prefix + "*" + name.map(n -> " in schema " + n).orElse("");
  }

  /** The name of an index as CREATE INDEX takes it: qualified on H2 (which wants it in the table's schema). */
  String indexName(Dialect dialect, String index) {
    return dialect == Dialect.H2 ? qualifier + index : index;
  }

  /** Every ledger record: its sequence number, subject, kind and recording time. */
  public String ledger() {
    return qualifier + prefix + "ledger";
  }

  /** The grants, one row per grant. */
  public String grant() {
    return qualifier + prefix + "grant";
  }

  /** A grant's purposes, one row each. */
  public String grantPurpose() {
    return qualifier + prefix + "grant_purpose";
  }

  /** A grant's data categories, one row each. */
  public String grantCategory() {
    return qualifier + prefix + "grant_category";
  }

  /** A grant's recipients, one row each. */
  public String grantRecipient() {
    return qualifier + prefix + "grant_recipient";
  }

  /**
   * What a grant's consent was explicit about, one row each: {@code categories} (Art. 9(2)(a),
   * special categories) and {@code transfer} (Art. 49(1)(a), transfers without safeguards).
   */
  public String grantExplicit() {
    return qualifier + prefix + "grant_explicit";
  }

  /**
   * Notifications of recipients (GDPR Art. 19) waiting to be delivered: one row per withdrawal or
   * erasure, written in the same transaction.
   */
  public String notification() {
    return qualifier + prefix + "notification";
  }

  /** Which recipient each notification was delivered to, one row each. */
  public String notificationDelivery() {
    return qualifier + prefix + "notification_delivery";
  }

  /** The withdrawals, one row each. */
  public String withdrawal() {
    return qualifier + prefix + "withdrawal";
  }

  /** The withdrawals of one grant by its id, one row each (ledger kind {@code W}, like a withdrawal of a purpose). */
  public String grantWithdrawal() {
    return qualifier + prefix + "grant_withdrawal";
  }

  /** The objections, one row each. */
  public String objection() {
    return qualifier + prefix + "objection";
  }

  /**
   * The current consent state derived from the ledger: one row per grant, purpose, recipient and
   * category that no withdrawal voids for every purpose, kept in step with each append.
   */
  public String consentState() {
    return qualifier + prefix + "consent_state";
  }

  /** One row per subject with a ledger, locked while an append refreshes that subject's state. */
  public String stateSubject() {
    return qualifier + prefix + "state_subject";
  }

  /** The migrations applied, one row per version. */
  public String schemaVersion() {
    return qualifier + prefix + "schema_version";
  }

  /** The audit records of the JDBC audit sink, one row each. */
  public String audit() {
    return qualifier + prefix + "audit";
  }

  /** One row per append to the audit chain: its id and the sequences it stored. */
  public String auditAppend() {
    return qualifier + prefix + "audit_append";
  }

  /** The head of the audit chain: one row, locked by every append. */
  public String auditHead() {
    return qualifier + prefix + "audit_head";
  }

  /** PostgreSQL: the trigger function that notifies other nodes of a ledger append. */
  public String notifyFunction() {
    return qualifier + prefix + "notify_change";
  }

  /**
   * PostgreSQL: the LISTEN/NOTIFY channel of ledger appends. Channels are database-wide, so a store
   * in a named schema adds a hash of the name (at most 46 characters, below the 63 of a channel).
   */
  public String changeChannel() {
    if (name.isEmpty()) {
      return prefix + "changes";
    }
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(name.get().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return prefix + "changes_" + Long.toHexString(crc.getValue());
  }

  /** Every table of the store without its schema: the names a statement may use for them. */
  public List<String> bareTables() {
    List<String> out = new ArrayList<>();
    for (String t : tables()) {
      out.add(t.substring(qualifier.length()));
    }
    return out;
  }

  /** Every table of the store, qualified, children before parents (the order to drop them in). */
  public List<String> tables() {
    return List.of(consentState(), stateSubject(), notificationDelivery(), notification(), grantExplicit(),
        grantPurpose(), grantCategory(), grantRecipient(), grant(), withdrawal(), grantWithdrawal(), objection(), ledger(),
        audit(),
        auditAppend(), auditHead(), schemaVersion());
  }
}
