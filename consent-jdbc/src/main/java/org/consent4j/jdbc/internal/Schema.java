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

  /** The withdrawals, one row each. */
  public String withdrawal() {
    return prefix + "withdrawal";
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

  /** Every table of the store, children before parents (the order to drop them in). */
  public List<String> tables() {
    return List.of(consentState(), stateSubject(), grantPurpose(), grantCategory(), grantRecipient(), grant(), withdrawal(), objection(),
        ledger(), schemaVersion());
  }
}
