package org.consent4j.jdbc.internal;

import java.sql.SQLException;

/**
 * A ledger row that does not form a valid record: the tables were changed outside the store.
 * Not API.
 */
public final class InvalidLedgerException extends SQLException {
  private static final long serialVersionUID = 1L;

  private final long sequence;

  InvalidLedgerException(long sequence, String problem, Throwable cause) {
    super("ledger row " + sequence + " is not a valid record: " + problem, "XX001", cause);
    this.sequence = sequence;
  }

  /** The sequence number of the row. */
  public long sequence() {
    return sequence;
  }
}
