package org.consent4j.jdbc.wrapper;

import java.sql.SQLException;

/**
 * Sees every SQL string an application gives a {@link ConsentDataSource} connection before the
 * driver does, and decides what the driver runs instead, or refuses. This is where consent4j plugs
 * in its SQL rewriting and auditing; applications normally do not implement it.
 *
 * <p>Called for {@code execute*}, {@code executeQuery}, {@code executeUpdate}, {@code
 * executeLarge*}, {@code addBatch(String)}, {@code prepareStatement*}, {@code prepareCall*} and
 * {@code nativeSQL}, on the thread making that call, once per call. A prepared statement is
 * intercepted once, when it is prepared, not per execution.
 *
 * <p>Implementations must be thread-safe: one interceptor serves every connection of a data
 * source. A statement that lets SQL through unchanged should return {@link Interception#plain} so
 * that the wrapper costs nothing beyond the call.
 */
@FunctionalInterface
public interface StatementInterceptor {
  /**
   * Decides what to run for {@code sql}.
   *
   * @param sql the SQL text the application gave; never null
   * @param kind the JDBC entry point it came through
   * @return what to run instead; never null
   * @throws SQLException to refuse the statement (preferably a {@link
   *     org.consent4j.jdbc.ConsentSQLException}); nothing reaches the driver
   */
  Interception intercept(String sql, SqlKind kind) throws SQLException;

  /**
   * As {@link #intercept(String, SqlKind)}, with the driver's connection the statement will run
   * on, from which the interceptor may read session state that changes what a name means (the
   * current schema, PostgreSQL's {@code search_path}). The interceptor must not keep it, nor run
   * anything on it that changes its state. The wrapper calls this method; by default it ignores
   * the connection.
   *
   * @param session the driver's connection; never null when the wrapper calls
   * @throws SQLException to refuse the statement, or if the session cannot be read
   */
  default Interception intercept(String sql, SqlKind kind, java.sql.Connection session) throws SQLException {
    return intercept(sql, kind);
  }

  /**
   * As {@link #intercept(String, SqlKind, java.sql.Connection)}, for a prepared statement asked
   * again before it runs because its {@link #resolution} changed; it runs on only if the answer is
   * the same SQL text. {@code previous} is what it was prepared as, so that an interceptor whose
   * choices change over time for other reasons (consent4j's read form follows its consent index)
   * can make the same choice again. By default as {@code intercept(sql, kind, session)}.
   *
   * @param previous what the statement was prepared as
   * @throws SQLException to refuse the statement, or if the session cannot be read
   */
  default Interception interceptAgain(String sql, SqlKind kind, java.sql.Connection session, Interception previous)
      throws SQLException {
    return intercept(sql, kind, session);
  }

  /**
   * What the meaning of the names in {@code sql} depends on in {@code session}'s current state
   * (for consent4j: the search path, when the text names a table that objects of several schemas
   * are named like), or null when it depends on nothing the session can change. A prepared
   * statement records this when it is prepared and is refused at execution when it changed: the
   * database may then resolve the same text to other objects than the ones that were checked.
   * Null by default.
   *
   * @throws SQLException if the session's state cannot be read
   */
  default Object resolution(String sql, java.sql.Connection session) throws SQLException {
    return null;
  }

  /**
   * Reads again whatever the interceptor learned from the database when it was made (consent4j's
   * own: the mapped tables' columns and the views and functions that read them). Does nothing by
   * default.
   *
   * @throws SQLException if the database cannot be read
   */
  default void refresh() throws SQLException {}
}
