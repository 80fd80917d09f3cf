package org.consent4j.jdbc;

/** How much a guarded {@code DataSource} writes to the audit trail for each statement. */
public enum AuditLevel {
  /**
   * One event before the statement runs and one with its row count: context, mapped tables,
   * categories and a fingerprint of the statement, no subject ids. The default.
   */
  STATEMENT,
  /**
   * As {@link #STATEMENT}, and the completion event also names the subjects whose rows the
   * application actually read, collected as the result set is read. Collected for plain queries
   * whose rows are rows of mapped tables (no DISTINCT, GROUP BY, aggregate or window function,
   * set operation); for others the event says {@code subjects=not-collected}. Costs one hidden
   * column per subject column and memory for the distinct subject ids of one result set.
   */
  SUBJECT
}
