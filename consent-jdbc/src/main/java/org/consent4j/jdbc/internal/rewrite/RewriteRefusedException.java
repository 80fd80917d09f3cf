package org.consent4j.jdbc.internal.rewrite;

/**
 * The rewriter refused a statement. The JDBC layer turns it into a {@code ConsentSQLException}
 * with the same reason. The message names tables and statement kinds, never values. Not API.
 */
public final class RewriteRefusedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why a statement was refused. */
  public enum Why {
    /** A mapped table was used with no processing context. */
    NO_CONTEXT,
    /** The SQL could not be parsed or fully analysed. */
    UNANALYSABLE_SQL,
    /** The statement would copy or expose mapped data around the filtered view. */
    BYPASS_REFUSED,
    /** The statement would store masked values into a mapped table. */
    MASKED_WRITE_REFUSED,
    /** A write stores personal data, but whose it is cannot be told from the statement. */
    SUBJECT_UNKNOWN
  }

  private final Why why;

  RewriteRefusedException(Why why, String message) {
    super(message, null, false, false);
    this.why = why;
  }

  /** Why it was refused. */
  public Why why() {
    return why;
  }
}
