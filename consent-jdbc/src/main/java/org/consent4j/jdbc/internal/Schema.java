package org.consent4j.jdbc.internal;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The names of the store's tables under one table prefix. The prefix is the only part of any
 * SQL text that is not a constant, so it is validated here, once: lower-case letters, digits and
 * underscores, starting with a letter, at most 31 characters. Unquoted names, so H2 folds them to
 * upper case and PostgreSQL to lower case, consistently. Not API.
 *
 * @param prefix the validated table prefix
 */
public record Schema(String prefix) {

  /** The prefix used unless one is chosen. */
  public static final String DEFAULT_PREFIX = "consent4j_";

  private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9_]{0,30}");

  /** @throws IllegalArgumentException if the prefix is not a valid table prefix */
  public Schema {
    Objects.requireNonNull(prefix, "tablePrefix");
    if (!PREFIX.matcher(prefix).matches()) {
      throw new IllegalArgumentException("table prefix '" + prefix + "' is not valid: use 1 to 31 lower-case"
          + " letters, digits and underscores, starting with a letter (e.g. 'consent4j_' or 'tenant7_')");
    }
  }

  /** Every ledger record: its sequence number, subject, kind and recording time. */
  public String ledger() {
    return prefix + "ledger";
  }

  /** The grants, one row per grant. */
  public String grant() {
    return prefix + "grant";
  }

  /** A grant's purposes, one row each. */
  public String grantPurpose() {
    return prefix + "grant_purpose";
  }

  /** A grant's data categories, one row each. */
  public String grantCategory() {
    return prefix + "grant_category";
  }

  /** A grant's recipients, one row each. */
  public String grantRecipient() {
    return prefix + "grant_recipient";
  }

  /**
   * What a grant's consent was explicit about, one row each: {@code categories} (Art. 9(2)(a),
   * special categories) and {@code transfer} (Art. 49(1)(a), transfers without safeguards).
   */
  public String grantExplicit() {
    return prefix + "grant_explicit";
  }

  /**
   * Notifications of recipients (GDPR Art. 19) waiting to be delivered: one row per withdrawal or
   * erasure, written in the same transaction.
   */
  public String notification() {
    return prefix + "notification";
  }

  /** Which recipient each notification was delivered to, one row each. */
  public String notificationDelivery() {
    return prefix + "notification_delivery";
  }

  /** The withdrawals, one row each. */
  public String withdrawal() {
    return prefix + "withdrawal";
  }

  /** The withdrawals of one grant by its id, one row each (ledger kind {@code W}, like a withdrawal of a purpose). */
  public String grantWithdrawal() {
    return prefix + "grant_withdrawal";
  }

  /** The objections, one row each. */
  public String objection() {
    return prefix + "objection";
  }

  /**
   * The current consent state derived from the ledger: one row per grant, purpose, recipient and
   * category that no withdrawal voids for every purpose, kept in step with each append.
   */
  public String consentState() {
    return prefix + "consent_state";
  }

  /** One row per subject with a ledger, locked while an append refreshes that subject's state. */
  public String stateSubject() {
    return prefix + "state_subject";
  }

  /** The migrations applied, one row per version. */
  public String schemaVersion() {
    return prefix + "schema_version";
  }

  /** The audit records of the JDBC audit sink, one row each. */
  public String audit() {
    return prefix + "audit";
  }

  /** One row per append to the audit chain: its id and the sequences it stored. */
  public String auditAppend() {
    return prefix + "audit_append";
  }

  /** The head of the audit chain: one row, locked by every append. */
  public String auditHead() {
    return prefix + "audit_head";
  }

  /** PostgreSQL: the trigger function that notifies other nodes of a ledger append. */
  public String notifyFunction() {
    return prefix + "notify_change";
  }

  /** PostgreSQL: the LISTEN/NOTIFY channel of ledger appends. */
  public String changeChannel() {
    return prefix + "changes";
  }

  /** Every table of the store, children before parents (the order to drop them in). */
  public List<String> tables() {
    return List.of(consentState(), stateSubject(), notificationDelivery(), notification(), grantExplicit(),
        grantPurpose(), grantCategory(), grantRecipient(), grant(), withdrawal(), grantWithdrawal(), objection(), ledger(),
        audit(),
        auditAppend(), auditHead(), schemaVersion());
  }
}
