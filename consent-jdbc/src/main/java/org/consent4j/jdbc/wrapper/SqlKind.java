package org.consent4j.jdbc.wrapper;

/**
 * Which JDBC entry point an SQL string came through, as told to a {@link StatementInterceptor}.
 * The kind says what the application asked for, not what the SQL says: {@link #EXECUTE} may carry
 * a SELECT, and {@link #PREPARE} is told before any parameter is bound.
 */
public enum SqlKind {
  /** {@code Statement.executeQuery(String)}. */
  QUERY,
  /** {@code Statement.executeUpdate(String, ...)} and {@code executeLargeUpdate(String, ...)}. */
  UPDATE,
  /** {@code Statement.execute(String, ...)}. */
  EXECUTE,
  /** {@code Statement.addBatch(String)}. */
  BATCH,
  /** {@code Connection.prepareStatement(String, ...)}. */
  PREPARE,
  /** {@code Connection.prepareCall(String, ...)}. */
  CALL,
  /** {@code Connection.nativeSQL(String)}: the SQL is translated, not run. */
  NATIVE
}
