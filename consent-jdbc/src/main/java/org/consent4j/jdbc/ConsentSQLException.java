package org.consent4j.jdbc;

import java.sql.SQLException;
import java.util.Objects;

/**
 * consent4j refused a JDBC operation. Inside JDBC methods a refusal can only surface as an {@link
 * SQLException}; this subclass says why, in a machine-readable {@link ReasonCode}, and how to fix
 * it, in the message.
 *
 * <p><b>SQLState.</b> Refusals carry {@code 42501} ("insufficient privilege", the state PostgreSQL
 * uses for "permission denied"): the statement is well formed but the caller may not do this.
 * {@link ReasonCode#CONSENT_STORE_UNAVAILABLE} and {@link ReasonCode#AUDIT_UNAVAILABLE} carry
 * {@code 58000} ("system error"): the caller may be allowed, but consent4j cannot check or record
 * it right now. {@link ReasonCode#WRITE_CONFLICT} carries {@code 23000} (integrity constraint
 * violation), as the database's own error would. None of these states is in class {@code 08} or equals {@code 0A000}, because connection
 * pools such as HikariCP treat those as a broken connection and evict it, although the connection
 * is fine. {@link #getErrorCode() The vendor code} is always 0, so that translators keyed on a
 * database's vendor codes (Spring's {@code SQLErrorCodeSQLExceptionTranslator}) do not mistake a
 * refusal for a database error.
 *
 * <p><b>Messages</b> name tables, columns, purposes, classes and methods, never bound values, row
 * values or the full SQL text, which may contain personal data in literals.
 *
 * <p>Instances are immutable apart from the {@link Throwable} machinery (suppressed exceptions,
 * next exception).
 */
public class ConsentSQLException extends SQLException {
  private static final long serialVersionUID = 1L;

  /** The SQLState of every refusal: insufficient privilege. */
  public static final String SQL_STATE_REFUSED = "42501";

  /** The SQLState when consent4j itself cannot check or record an access: system error. */
  public static final String SQL_STATE_UNAVAILABLE = "58000";

  /** The SQLState of {@link ReasonCode#WRITE_CONFLICT}: integrity constraint violation, no subclass. */
  public static final String SQL_STATE_CONSTRAINT = "23000";

  /** Why consent4j refused. Stable: applications may switch on it. */
  public enum ReasonCode {
    /** A statement touches personal data but no processing context (purpose, actor) is active. */
    NO_CONTEXT,
    /** The processing context names a purpose the catalog does not declare. */
    UNKNOWN_PURPOSE,
    /** The SQL could not be parsed or fully analysed, so it cannot be proven safe. */
    UNANALYSABLE_SQL,
    /**
     * The operation would reach data around the consent filter: DDL copying mapped tables, COPY,
     * procedure calls, {@code REF} dereferencing, and similar.
     */
    BYPASS_REFUSED,
    /** An updatable result set over data protected by consent4j was asked for or written to. */
    UPDATABLE_RESULT_REFUSED,
    /** {@code unwrap} asked for the driver's own object, which would bypass consent4j. */
    WRAPPER_UNWRAP_REFUSED,
    /** A write would store a masked (NULL-for-lack-of-consent) value back into a mapped column. */
    MASKED_WRITE_REFUSED,
    /** The consent store could not be read; nothing is passed through unchecked meanwhile. */
    CONSENT_STORE_UNAVAILABLE,
    /** The audit trail could not record the access; nothing is passed through unrecorded. */
    AUDIT_UNAVAILABLE,
    /** The consent rules deny the operation outright. */
    DENIED,
    /**
     * A write would store personal data the subject has not consented to under the purpose, or
     * that the purpose does not declare (no passive collection, GDPR Art. 5(1)(b), 25).
     */
    COLLECTION_NOT_PERMITTED,
    /**
     * A write stores personal data, but the subject cannot be told from the statement (an
     * expression or a query instead of a literal or a parameter, no column list, an unsupported
     * parameter setter); refused, since its consent cannot be checked.
     */
    SUBJECT_UNKNOWN,
    /**
     * The database refused a write on protected data for an integrity constraint (a duplicate key
     * or unique value, a reference, a check, a NOT NULL): which constraint, and which row, are not
     * said, since the conflicting row may be one the context cannot see. Carries SQLState {@value
     * #SQL_STATE_CONSTRAINT}, so that translators still see an integrity violation.
     */
    WRITE_CONFLICT;

    /**
     * The SQLState an exception with this reason carries: {@value #SQL_STATE_UNAVAILABLE} for the
     * two "unavailable" reasons, {@value #SQL_STATE_CONSTRAINT} for {@link #WRITE_CONFLICT},
     * {@value #SQL_STATE_REFUSED} for all others.
     */
    public String sqlState() {
      return this == CONSENT_STORE_UNAVAILABLE || this == AUDIT_UNAVAILABLE
          ? SQL_STATE_UNAVAILABLE
          : this == WRITE_CONFLICT ? SQL_STATE_CONSTRAINT : SQL_STATE_REFUSED;
    }
  }

  /** Why the statement was refused. */
  private final ReasonCode reasonCode;

  /**
   * A refusal for {@code reasonCode}, with the SQLState that reason carries.
   *
   * @param reasonCode why
   * @param message what was refused and how to fix it; never personal data or bound values
   * @throws NullPointerException if {@code reasonCode} or {@code message} is null
   */
  public ConsentSQLException(ReasonCode reasonCode, String message) {
    this(reasonCode, message, null);
  }

  /**
   * A refusal for {@code reasonCode} caused by {@code cause}, with the SQLState that reason
   * carries.
   *
   * @param reasonCode why
   * @param message what was refused and how to fix it; never personal data or bound values
   * @param cause the underlying failure, or null
   * @throws NullPointerException if {@code reasonCode} or {@code message} is null
   */
  public ConsentSQLException(ReasonCode reasonCode, String message, Throwable cause) {
    super(
        Objects.requireNonNull(message, "message"),
        Objects.requireNonNull(reasonCode, "reasonCode").sqlState(),
        0,
        cause);
    this.reasonCode = reasonCode;
  }

  /** Why consent4j refused; never null. */
  public ReasonCode reasonCode() {
    return reasonCode;
  }
}
