package org.consent4j.jdbc.wrapper;

import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.net.URL;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Date;
import java.sql.NClob;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.Ref;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLType;
import java.sql.SQLXML;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.Calendar;

/**
 * A prepared statement handed out by consent4j. Its SQL was intercepted once, when it was prepared
 * ({@link #preparedAs}); every execution runs that, and its result sets are protected if that
 * interception touches protected data. Parameters are bound as the application binds them: they
 * never pass through the interceptor, so the rewritten SQL keeps the placeholders' positions. The
 * interceptor may add placeholders of its own (the engine clock's time), which {@link
 * BoundParameters} binds and skips in the application's numbering.
 *
 * <p>Threading as for {@link StatementWrapper}.
 */
sealed class PreparedStatementWrapper extends StatementWrapper implements PreparedStatement
    permits CallableStatementWrapper {
  private final PreparedStatement prepared;
  /** What the SQL of this statement became when it was prepared. */
  final Interception preparedAs;

  /** The values bound so far, for a listener that checks them; kept only for protected statements. */
  private final java.util.Map<Integer, Object> parameters = new java.util.HashMap<>();
  /** What the application asked of generated keys when it prepared the statement. */
  GeneratedSubjects.Asked keysAsked = GeneratedSubjects.Asked.NONE;

  /** The SQL as the application prepared it, when its meaning depends on the session's state. */
  private String pinnedSql;
  /** What its names resolved under when it was prepared (see {@link StatementInterceptor#resolution}). */
  private Object pinnedResolution;

  /** The bound values of each batch entry added so far. */
  private final java.util.List<java.util.Map<Integer, Object>> batchParameters = new java.util.ArrayList<>();

  PreparedStatementWrapper(
      ConnectionWrapper connection, PreparedStatement prepared, Interception preparedAs) throws SQLException {
    this(connection, BoundParameters.wrap(prepared, preparedAs), preparedAs, true);
  }

  /** With {@code prepared} already binding the interception's own parameters, if it has any. */
  PreparedStatementWrapper(
      ConnectionWrapper connection, PreparedStatement prepared, Interception preparedAs, boolean bound) {
    super(connection, prepared);
    this.prepared = prepared;
    this.preparedAs = preparedAs;
    this.current = preparedAs;
  }

  private void parameter(int index, Object value) {
    if (preparedAs.touchesProtectedData()) {
      parameters.put(index, value);
    }
  }

  /**
   * Binds the interception's own parameters as its listener wants them for this execution (the
   * clock's time, say); before the application's values are checked and anything runs. Not while
   * batch entries are pending: they keep the values they were added with, and the listener judges
   * the statement by those.
   */
  private void rebind() throws SQLException {
    requireSameResolution();
    BoundParameters binder = preparedAs.touchesProtectedData() && batchParameters.isEmpty()
        ? BoundParameters.of(prepared) : null;
    if (binder != null) {
      java.util.SortedMap<Integer, Long> values = preparedAs.listener().boundParametersForExecution();
      if (!values.isEmpty()) {
        binder.rebind(values);
      }
    }
  }

  /** Records that this statement's names resolved under {@code resolution} of the session. */
  void pin(String sql, Object resolution) {
    this.pinnedSql = sql;
    this.pinnedResolution = resolution;
  }

  /**
   * Decides again when what its names were resolved under when it was prepared has changed (the
   * session's search path, or the database's catalog: a view, function or table created, replaced
   * or dropped since): the database may now resolve the same text to other objects than the ones
   * the interceptor checked. It runs on only if the interceptor, asked again now, runs the same
   * text; otherwise it is refused (or the interceptor refuses it).
   */
  private void requireSameResolution() throws SQLException {
    if (pinnedResolution == null) {
      return;
    }
    Object now = connection.resolution(pinnedSql);
    if (pinnedResolution.equals(now)) {
      return;
    }
    Interception again = connection.interceptAgain(pinnedSql, SqlKind.PREPARE, preparedAs);
    if (!again.sql().equals(preparedAs.sql())) {
      throw new org.consent4j.jdbc.ConsentSQLException(org.consent4j.jdbc.ConsentSQLException.ReasonCode.BYPASS_REFUSED,
          "the session's search path or the database's schema changed after this statement was prepared, and its"
              + " table names may now mean other objects than the ones consent4j checked; prepare the statement"
              + " again");
    }
    pinnedResolution = now;
  }

  /** Lets the listener check the bound values before anything runs. */
  private void checkParameters() throws SQLException {
    if (preparedAs.touchesProtectedData() && preparedAs.listener().checksParameters()) {
      preparedAs.listener().checkParameters(boundValues());
    }
  }

  private java.util.List<java.util.Map<Integer, Object>> boundValues() {
    return java.util.List.of(java.util.Collections.unmodifiableMap(new java.util.HashMap<>(parameters)));
  }

  @Override
  public ResultSet executeQuery() throws SQLException {
    rebind();
    checkParameters();
    begin(preparedAs);
    if (returning(preparedAs)) {
      return returned(preparedAs, boundValues(), prepared::execute);
    }
    try {
      return result(prepared.executeQuery(), preparedAs);
    } catch (SQLException e) {
      throw failed(preparedAs, e);
    }
  }

  @Override
  public int executeUpdate() throws SQLException {
    rebind();
    checkParameters();
    begin(preparedAs);
    if (returning(preparedAs)) {
      return returnedCount(returned(preparedAs, boundValues(), prepared::execute));
    }
    if (generating(preparedAs)) {
      int generatedCount = generated(preparedAs, keysAsked, boundValues(), prepared::executeUpdate);
      updated(preparedAs, generatedCount);
      return generatedCount;
    }
    int count;
    try {
      count = prepared.executeUpdate();
    } catch (SQLException e) {
      throw failed(preparedAs, e);
    }
    updated(preparedAs, count);
    return count;
  }

  @Override
  public void setNull(int parameterIndex, int sqlType) throws SQLException {
    parameter(parameterIndex, null);
    prepared.setNull(parameterIndex, sqlType);
  }

  @Override
  public void setBoolean(int parameterIndex, boolean x) throws SQLException {
    parameter(parameterIndex, StatementListener.UNRECORDED);
    prepared.setBoolean(parameterIndex, x);
  }

  @Override
  public void setByte(int parameterIndex, byte x) throws SQLException {
    parameter(parameterIndex, x);
    prepared.setByte(parameterIndex, x);
  }

  @Override
  public void setShort(int parameterIndex, short x) throws SQLException {
    parameter(parameterIndex, x);
    prepared.setShort(parameterIndex, x);
  }

  @Override
  public void setInt(int parameterIndex, int x) throws SQLException {
    parameter(parameterIndex, x);
    prepared.setInt(parameterIndex, x);
  }

  @Override
  public void setLong(int parameterIndex, long x) throws SQLException {
    parameter(parameterIndex, x);
    prepared.setLong(parameterIndex, x);
  }

  @Override
  public void setFloat(int parameterIndex, float x) throws SQLException {
    parameter(parameterIndex, StatementListener.UNRECORDED);
    prepared.setFloat(parameterIndex, x);
  }

  @Override
  public void setDouble(int parameterIndex, double x) throws SQLException {
    parameter(parameterIndex, StatementListener.UNRECORDED);
    prepared.setDouble(parameterIndex, x);
  }

  @Override
  public void setBigDecimal(int parameterIndex, BigDecimal x) throws SQLException {
    parameter(parameterIndex, x);
    prepared.setBigDecimal(parameterIndex, x);
  }

  @Override
  public void setString(int parameterIndex, String x) throws SQLException {
    parameter(parameterIndex, x);
    prepared.setString(parameterIndex, x);
  }

  @Override
  public void setBytes(int parameterIndex, byte[] x) throws SQLException {
    parameter(parameterIndex, StatementListener.UNRECORDED);
    prepared.setBytes(parameterIndex, x);
  }

  @Override
  public void setDate(int parameterIndex, Date x) throws SQLException {
    parameter(parameterIndex, StatementListener.UNRECORDED);
    prepared.setDate(parameterIndex, x);
  }

  @Override
  public void setTime(int parameterIndex, Time x) throws SQLException {
    parameter(parameterIndex, StatementListener.UNRECORDED);
    prepared.setTime(parameterIndex, x);
  }

  @Override
  public void setTimestamp(int parameterIndex, Timestamp x) throws SQLException {
    parameter(parameterIndex, StatementListener.UNRECORDED);
    prepared.setTimestamp(parameterIndex, x);
  }

  @Override
  public void setAsciiStream(
      int parameterIndex, java.io.InputStream x, int length) throws SQLException {
    parameter(parameterIndex, StatementListener.UNRECORDED);
    prepared.setAsciiStream(parameterIndex, x, length);
  }

  @Override
  public void setUnicodeStream(
      int parameterIndex, java.io.InputStream x, int length) throws SQLException {
    parameter(parameterIndex, StatementListener.UNRECORDED);
    prepared.setUnicodeStream(parameterIndex, x, length);
  }

  @Override
  public void setBinaryStream(
      int parameterIndex, java.io.InputStream x, int length) throws SQLException {
    parameter(parameterIndex, StatementListener.UNRECORDED);
    prepared.setBinaryStream(parameterIndex, x, length);
  }

  @Override
  public void clearParameters() throws SQLException {
    parameters.clear();
    prepared.clearParameters();
  }

  @Override
  public void setObject(int parameterIndex, Object x, int targetSqlType) throws SQLException {
    parameter(parameterIndex, x);
    prepared.setObject(parameterIndex, Values.toDriver(x), targetSqlType);
  }

  @Override
  public void setObject(int parameterIndex, Object x) throws SQLException {
    parameter(parameterIndex, x);
    prepared.setObject(parameterIndex, Values.toDriver(x));
  }

  @Override
  public boolean execute() throws SQLException {
    rebind();
    checkParameters();
    begin(preparedAs);
    if (returning(preparedAs)) {
      returned(preparedAs, boundValues(), prepared::execute);
      return true;
    }
    if (generating(preparedAs)) {
      return executed(preparedAs, generated(preparedAs, keysAsked, boundValues(), prepared::execute));
    }
    boolean hasResultSet;
    try {
      hasResultSet = prepared.execute();
    } catch (SQLException e) {
      throw failed(preparedAs, e);
    }
    return executed(preparedAs, hasResultSet);
  }

  @Override
  public void addBatch() throws SQLException {
    if (preparedAs.touchesProtectedData()) {
      batchParameters.add(java.util.Collections.unmodifiableMap(new java.util.HashMap<>(parameters)));
    }
    prepared.addBatch();
    batched(preparedAs);
  }

  @Override
  public void setCharacterStream(
      int parameterIndex, java.io.Reader reader, int length) throws SQLException {
    parameter(parameterIndex, StatementListener.UNRECORDED);
    prepared.setCharacterStream(parameterIndex, reader, length);
  }

  @Override
  public void setRef(int parameterIndex, Ref x) throws SQLException {
    parameter(parameterIndex, StatementListener.UNRECORDED);
    prepared.setRef(parameterIndex, x);
  }

  @Override
  public void setBlob(int parameterIndex, Blob x) throws SQLException {
    parameter(parameterIndex, StatementListener.UNRECORDED);
    prepared.setBlob(parameterIndex, x);
  }

  @Override
  public void setClob(int parameterIndex, Clob x) throws SQLException {
    parameter(parameterIndex, StatementListener.UNRECORDED);
    prepared.setClob(parameterIndex, x);
  }

  @Override
  public void setArray(int parameterIndex, Array x) throws SQLException {
    parameter(parameterIndex, StatementListener.UNRECORDED);
    prepared.setArray(parameterIndex, Values.toDriver(x));
  }

  @Override
  public ResultSetMetaData getMetaData() throws SQLException {
    return ResultSetMetaDataWrapper.wrap(prepared.getMetaData());
  }

  @Override
  public void setDate(int parameterIndex, Date x, Calendar cal) throws SQLException {
    parameter(parameterIndex, StatementListener.UNRECORDED);
    prepared.setDate(parameterIndex, x, cal);
  }

  @Override
  public void setTime(int parameterIndex, Time x, Calendar cal) throws SQLException {
    parameter(parameterIndex, StatementListener.UNRECORDED);
    prepared.setTime(parameterIndex, x, cal);
  }

  @Override
  public void setTimestamp(int parameterIndex, Timestamp x, Calendar cal) throws SQLException {
    parameter(parameterIndex, StatementListener.UNRECORDED);
    prepared.setTimestamp(parameterIndex, x, cal);
  }

  @Override
  public void setNull(int parameterIndex, int sqlType, String typeName) throws SQLException {
    parameter(parameterIndex, null);
    prepared.setNull(parameterIndex, sqlType, typeName);
  }

  @Override
  public void setURL(int parameterIndex, java.net.URL x) throws SQLException {
    parameter(parameterIndex, StatementListener.UNRECORDED);
    prepared.setURL(parameterIndex, x);
  }

  @Override
  public ParameterMetaData getParameterMetaData() throws SQLException {
    return ParameterMetaDataWrapper.wrap(prepared.getParameterMetaData());
  }

  @Override
  public void setRowId(int parameterIndex, RowId x) throws SQLException {
    parameter(parameterIndex, StatementListener.UNRECORDED);
    prepared.setRowId(parameterIndex, x);
  }

  @Override
  public void setNString(int parameterIndex, String value) throws SQLException {
    parameter(parameterIndex, StatementListener.UNRECORDED);
    prepared.setNString(parameterIndex, value);
  }

  @Override
  public void setNCharacterStream(
      int parameterIndex, Reader value, long length) throws SQLException {
    parameter(parameterIndex, StatementListener.UNRECORDED);
    prepared.setNCharacterStream(parameterIndex, value, length);
  }

  @Override
  public void setNClob(int parameterIndex, NClob value) throws SQLException {
    parameter(parameterIndex, StatementListener.UNRECORDED);
    prepared.setNClob(parameterIndex, value);
  }

  @Override
  public void setClob(int parameterIndex, Reader reader, long length) throws SQLException {
    parameter(parameterIndex, StatementListener.UNRECORDED);
    prepared.setClob(parameterIndex, reader, length);
  }

  @Override
  public void setBlob(
      int parameterIndex, InputStream inputStream, long length) throws SQLException {
    parameter(parameterIndex, StatementListener.UNRECORDED);
    prepared.setBlob(parameterIndex, inputStream, length);
  }

  @Override
  public void setNClob(int parameterIndex, Reader reader, long length) throws SQLException {
    parameter(parameterIndex, StatementListener.UNRECORDED);
    prepared.setNClob(parameterIndex, reader, length);
  }

  @Override
  public void setSQLXML(int parameterIndex, SQLXML xmlObject) throws SQLException {
    parameter(parameterIndex, StatementListener.UNRECORDED);
    prepared.setSQLXML(parameterIndex, xmlObject);
  }

  @Override
  public void setObject(
      int parameterIndex, Object x, int targetSqlType, int scaleOrLength) throws SQLException {
    parameter(parameterIndex, x);
    prepared.setObject(parameterIndex, Values.toDriver(x), targetSqlType, scaleOrLength);
  }

  @Override
  public void setAsciiStream(
      int parameterIndex, java.io.InputStream x, long length) throws SQLException {
    parameter(parameterIndex, StatementListener.UNRECORDED);
    prepared.setAsciiStream(parameterIndex, x, length);
  }

  @Override
  public void setBinaryStream(
      int parameterIndex, java.io.InputStream x, long length) throws SQLException {
    parameter(parameterIndex, StatementListener.UNRECORDED);
    prepared.setBinaryStream(parameterIndex, x, length);
  }

  @Override
  public void setCharacterStream(
      int parameterIndex, java.io.Reader reader, long length) throws SQLException {
    parameter(parameterIndex, StatementListener.UNRECORDED);
    prepared.setCharacterStream(parameterIndex, reader, length);
  }

  @Override
  public void setAsciiStream(int parameterIndex, java.io.InputStream x) throws SQLException {
    parameter(parameterIndex, StatementListener.UNRECORDED);
    prepared.setAsciiStream(parameterIndex, x);
  }

  @Override
  public void setBinaryStream(int parameterIndex, java.io.InputStream x) throws SQLException {
    parameter(parameterIndex, StatementListener.UNRECORDED);
    prepared.setBinaryStream(parameterIndex, x);
  }

  @Override
  public void setCharacterStream(int parameterIndex, java.io.Reader reader) throws SQLException {
    parameter(parameterIndex, StatementListener.UNRECORDED);
    prepared.setCharacterStream(parameterIndex, reader);
  }

  @Override
  public void setNCharacterStream(int parameterIndex, Reader value) throws SQLException {
    parameter(parameterIndex, StatementListener.UNRECORDED);
    prepared.setNCharacterStream(parameterIndex, value);
  }

  @Override
  public void setClob(int parameterIndex, Reader reader) throws SQLException {
    parameter(parameterIndex, StatementListener.UNRECORDED);
    prepared.setClob(parameterIndex, reader);
  }

  @Override
  public void setBlob(int parameterIndex, InputStream inputStream) throws SQLException {
    parameter(parameterIndex, StatementListener.UNRECORDED);
    prepared.setBlob(parameterIndex, inputStream);
  }

  @Override
  public void setNClob(int parameterIndex, Reader reader) throws SQLException {
    parameter(parameterIndex, StatementListener.UNRECORDED);
    prepared.setNClob(parameterIndex, reader);
  }

  @Override
  public void setObject(
      int parameterIndex, Object x, SQLType targetSqlType, int scaleOrLength) throws SQLException {
    parameter(parameterIndex, x);
    prepared.setObject(parameterIndex, Values.toDriver(x), targetSqlType, scaleOrLength);
  }

  @Override
  public void setObject(int parameterIndex, Object x, SQLType targetSqlType) throws SQLException {
    parameter(parameterIndex, x);
    prepared.setObject(parameterIndex, Values.toDriver(x), targetSqlType);
  }

  @Override
  public long executeLargeUpdate() throws SQLException {
    rebind();
    checkParameters();
    begin(preparedAs);
    if (returning(preparedAs)) {
      return returnedCount(returned(preparedAs, boundValues(), prepared::execute));
    }
    if (generating(preparedAs)) {
      long generatedCount = generated(preparedAs, keysAsked, boundValues(), prepared::executeLargeUpdate);
      updated(preparedAs, generatedCount);
      return generatedCount;
    }
    long count;
    try {
      count = prepared.executeLargeUpdate();
    } catch (SQLException e) {
      throw failed(preparedAs, e);
    }
    updated(preparedAs, count);
    return count;
  }

  /** This wrapper if it is a {@code iface}; never the driver's object. */
  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return Wrappers.unwrap(this, iface);
  }

  /** Whether {@link #unwrap} would succeed: never for the driver's own classes. */
  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return Wrappers.isWrapperFor(this, iface);
  }

  @Override
  public void clearBatch() throws SQLException {
    batchParameters.clear();
    super.clearBatch();
  }

  @Override
  public int[] executeBatch() throws SQLException {
    checkBatch();
    if (generating(preparedAs) && !batchParameters.isEmpty()) {
      return generatedBatch(false, () -> super.executeBatch());
    }
    try {
      return super.executeBatch();
    } finally {
      batchParameters.clear();
    }
  }

  @Override
  public long[] executeLargeBatch() throws SQLException {
    checkBatch();
    if (generating(preparedAs) && !batchParameters.isEmpty()) {
      return generatedBatch(true, () -> super.executeLargeBatch());
    }
    try {
      return super.executeLargeBatch();
    } finally {
      batchParameters.clear();
    }
  }

  /**
   * A batch of a generating INSERT: run whole, checked from its generated keys (entry by entry),
   * rolled back whole when one row is refused. The entries' update counts are reported by the
   * batch execution itself, before the check.
   */
  private <T> T generatedBatch(boolean large, GeneratedSubjects.Execution<T> execution) throws SQLException {
    java.util.List<java.util.Map<Integer, Object>> entries = java.util.List.copyOf(batchParameters);
    try {
      GeneratedSubjects.Result<T> result = GeneratedSubjects.run(connection.raw(), prepared, preparedAs, keysAsked,
          entries, execution);
      generatedKeys = result.keys();
      return result.value();
    } finally {
      batchParameters.clear();
    }
  }

  private void checkBatch() throws SQLException {
    requireSameResolution();
    if (preparedAs.touchesProtectedData() && !batchParameters.isEmpty() && preparedAs.listener().checksParameters()) {
      try {
        preparedAs.listener().checkParameters(java.util.List.copyOf(batchParameters));
      } catch (SQLException | RuntimeException e) {
        // executeBatch empties the batch whatever the outcome; a refused one must not run later
        clearBatch();
        throw e;
      }
    }
  }
}
