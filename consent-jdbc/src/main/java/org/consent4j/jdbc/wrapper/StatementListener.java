package org.consent4j.jdbc.wrapper;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Told what became of one intercepted statement that {@linkplain
 * Interception#touchesProtectedData() touches protected data}; the interception point for auditing.
 * Statements that do not touch protected data have no listener called at all. All methods do
 * nothing by default.
 *
 * <p>A listener method that throws makes the JDBC call that triggered it throw (the audit trail
 * fails closed): from {@code next()} the application sees the exception instead of the row; from
 * {@code close()} the result set is closed first and the exception is thrown afterwards.
 *
 * <p>Calls for one result set come from the thread using it, except that {@link
 * #onResultSetClosed} may come from a thread that closes the connection or statement. A listener
 * shared by several statements must be thread-safe.
 */
public interface StatementListener {
  /** A listener that ignores everything. */
  StatementListener NONE = new StatementListener() {};

  /**
   * Called before each execution of a statement whose interception touches protected data: every
   * {@code execute*} of a prepared statement, and every {@code execute*} or batch entry of a plain
   * one. Throwing refuses that execution; nothing reaches the driver.
   *
   * @throws SQLException to refuse the execution
   */
  default void beforeExecute() throws SQLException {}

  /**
   * Called before each {@code execute}, {@code executeQuery}, {@code executeUpdate} and {@code
   * executeLargeUpdate} of a prepared statement whose interception has {@linkplain
   * Interception#boundParameters() parameters of its own}, before {@link #checkParameters} and
   * {@link #beforeExecute()}: the values to bind to those parameters for this execution, with the
   * same indexes, or an empty map to keep the values bound so far. A batch is not asked: its
   * entries keep the values bound when they were added. This is how a statement that binds the
   * clock's time stays correct when it runs long after it was prepared.
   *
   * @throws SQLException to refuse the execution
   */
  default java.util.SortedMap<Integer, Long> boundParametersForExecution() throws SQLException {
    return java.util.Collections.emptySortedMap();
  }

  /**
   * Called before {@link #beforeExecute()} for each execution of a prepared statement, with the
   * values bound to its parameters: one map for {@code execute*}, one per entry for a batch. A
   * value set through a setter whose value is not recorded (streams, arrays, ...) is {@link
   * #UNRECORDED}; a parameter not set is absent. Throwing refuses the execution.
   *
   * @param parameterSets parameter index (1-based) to value, per execution
   * @throws SQLException to refuse the execution
   */
  default void checkParameters(java.util.List<java.util.Map<Integer, Object>> parameterSets) throws SQLException {}

  /**
   * False when {@link #checkParameters} checks nothing, so that the wrapper need not copy the
   * bound values for each execution to call it; true (the default) calls it every time.
   *
   * @return whether {@link #checkParameters} is to be called
   */
  default boolean checksParameters() {
    return true;
  }

  /**
   * Called after an INSERT whose interception has {@linkplain Interception#generatedSubjectColumns()
   * generated subject columns} ran, before its work may stand: with the values bound (one map per
   * execution or batch entry; one empty map for a plain statement) and the generated keys the
   * driver returned for all of them. Throwing rolls back what the statement wrote (to a savepoint
   * taken just before it, or the wrapper's own transaction under auto-commit) and makes the
   * execution throw.
   *
   * @param parameterSets parameter index (1-based) to value, per execution
   * @param keys the generated keys, one row per inserted row
   * @throws SQLException to refuse the execution and roll back its work
   */
  default void afterGeneratedKeys(java.util.List<java.util.Map<Integer, Object>> parameterSets, GeneratedKeys keys)
      throws SQLException {}

  /** The value recorded for a parameter set through a setter whose value is not kept. */
  Object UNRECORDED = new Object() {
    @Override
    public String toString() {
      return "<unrecorded>";
    }
  };

  /**
   * The cursor of a result set of the statement has moved onto a row ({@code next}, {@code
   * previous}, {@code first}, {@code last}, {@code absolute}, {@code relative} returned true),
   * which is the point at which the row's values are delivered to the application.
   *
   * @param row the result set wrapper, positioned on the row; read it, do not move its cursor
   * @throws SQLException to refuse the row; the cursor call throws it
   */
  default void onResultSetRow(ResultSet row) throws SQLException {}

  /**
   * Called when a result set of the statement opens, before any row is read: the filter that
   * decides which of its rows the application sees and which values read as NULL (a statement in
   * the post-filtered form), or null when the driver's rows are shown as they are (the default).
   */
  default RowFilter rowFilter() {
    return null;
  }

  /**
   * A result set of the statement was closed: by the application, by the statement or connection
   * closing, by re-executing the statement, or by {@code getMoreResults}. Called exactly once per
   * result set (unless the application never closes it, nor its statement, nor its connection).
   *
   * @param rows how many times the cursor moved onto a row (for a forward-only result set: the
   *     rows read)
   * @throws SQLException thrown by {@code close()} after the result set was closed
   */
  default void onResultSetClosed(long rows) throws SQLException {}

  /**
   * The statement (or one entry of a batch) reported an update count.
   *
   * @param count rows inserted, updated or deleted; {@link java.sql.Statement#SUCCESS_NO_INFO} or
   *     {@link java.sql.Statement#EXECUTE_FAILED} for batch entries whose driver reports those
   * @throws SQLException thrown by the execution method after the update happened
   */
  default void onUpdateCount(long count) throws SQLException {}

  /**
   * Executing the statement, or reading its results, failed in the driver.
   *
   * @param failure what the driver threw; it is thrown on to the application afterwards
   * @throws SQLException added to {@code failure} as suppressed
   */
  default void onFailure(SQLException failure) throws SQLException {}
}
