package org.consent4j.jdbc.wrapper;

import java.sql.Array;
import java.sql.Blob;
import java.sql.CallableStatement;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.NClob;
import java.sql.PreparedStatement;
import java.sql.SQLClientInfoException;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Savepoint;
import java.sql.ShardingKey;
import java.sql.Statement;
import java.sql.Struct;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.consent4j.jdbc.ConsentSQLException;
import org.consent4j.jdbc.ConsentSQLException.ReasonCode;

/**
 * A connection handed out by {@link ConsentDataSource}. Every SQL string goes through the {@link
 * StatementInterceptor}; every statement, metadata object and array it hands out is a wrapper;
 * {@code unwrap} never hands out the driver's connection.
 *
 * <p>{@code setSchema} and {@code setCatalog} pass through: the interceptor is given the driver's
 * connection with each statement and resolves unqualified table names along its current search
 * path when that matters; {@link #getSchema()} reports the driver's answer unchanged.
 *
 * <p>Thread-safety: like the driver's connection. The one piece of state it adds, the set of open
 * protected result sets (so that closing the connection tells their listeners, exactly once), is
 * a concurrent set, because pools close or abort connections from other threads.
 */
final class ConnectionWrapper implements Connection {
  private final Connection delegate;
  private final StatementInterceptor interceptor;
  /** Open result sets of protected statements; empty unless protected data is being read. */
  private final Set<ResultSetWrapper> tracked = ConcurrentHashMap.newKeySet();

  ConnectionWrapper(Connection delegate, StatementInterceptor interceptor) {
    this.delegate = delegate;
    this.interceptor = interceptor;
  }

  /** What {@code sql} becomes; a refusal if the interceptor refuses or answers nothing. */
  Interception intercept(String sql, SqlKind kind) throws SQLException {
    if (sql == null) {
      throw new ConsentSQLException(
          ReasonCode.UNANALYSABLE_SQL, "no SQL text was given (null); nothing to run");
    }
    return checked(interceptor.intercept(sql, kind, delegate), kind);
  }

  /** As {@link #intercept}, for a prepared statement asked again (see {@link StatementInterceptor#interceptAgain}). */
  Interception interceptAgain(String sql, SqlKind kind, Interception previous) throws SQLException {
    return checked(interceptor.interceptAgain(sql, kind, delegate, previous), kind);
  }

  private Interception checked(Interception interception, SqlKind kind) throws SQLException {
    if (interception == null || interception.sql() == null) {
      throw new ConsentSQLException(
          ReasonCode.UNANALYSABLE_SQL,
          "the statement interceptor "
              + interceptor.getClass().getName()
              + " returned no SQL to run for a "
              + kind
              + " statement; the statement is refused");
    }
    return interception;
  }

  private static void refuseUpdatable(Interception interception, int resultSetConcurrency)
      throws SQLException {
    if (resultSetConcurrency == java.sql.ResultSet.CONCUR_UPDATABLE
        && interception.touchesProtectedData()) {
      throw new ConsentSQLException(
          ReasonCode.UPDATABLE_RESULT_REFUSED,
          "an updatable result set (CONCUR_UPDATABLE) was requested for a statement on data "
              + "protected by consent4j; writes through it would go around the consent filter. "
              + "Use CONCUR_READ_ONLY and change the data with UPDATE, INSERT or DELETE.");
    }
  }

  /** Makes the driver's statement and its wrapper; see {@link #prepared}. */
  @FunctionalInterface
  private interface Preparation<S extends PreparedStatement> {
    S run() throws SQLException;
  }

  /**
   * Runs {@code preparation}, which prepares the intercepted SQL with the driver. A driver that
   * rejects protected SQL already at prepare time (H2 parses and plans it there) is handled as
   * a rejection at execution is: the listener hears of it (an audit event) and the application
   * gets the SQLState and vendor code without the message, which quotes the whole rewritten
   * statement.
   */
  private static <S extends PreparedStatement> S prepared(Interception interception, Preparation<S> preparation)
      throws SQLException {
    try {
      return preparation.run();
    } catch (SQLException e) {
      throw StatementWrapper.failed(interception, e);
    }
  }

  void track(ResultSetWrapper resultSet) {
    tracked.add(resultSet);
  }

  void untrack(ResultSetWrapper resultSet) {
    tracked.remove(resultSet);
  }

  /**
   * Closes the open protected result sets of {@code owner} (of every statement if null), each
   * telling its listener; failures are added to {@code failure}, or the first becomes it.
   */
  SQLException closeTracked(StatementWrapper owner, SQLException failure) {
    if (tracked.isEmpty()) {
      return failure; // the usual case when a statement closes: its result set closed first
    }
    for (ResultSetWrapper resultSet : tracked) {
      if (owner == null || resultSet.ownedBy(owner)) {
        failure = Wrappers.collect(failure, resultSet::closeAndReport);
      }
    }
    return failure;
  }

  @Override
  public Statement createStatement() throws SQLException {
    return new StatementWrapper(this, delegate.createStatement());
  }

  @Override
  public PreparedStatement prepareStatement(String sql) throws SQLException {
    Interception interception = intercept(sql, SqlKind.PREPARE);
    return prepared(sql, interception, GeneratedSubjects.Asked.NONE, () -> delegate.prepareStatement(interception.sql()));
  }

  /**
   * Records on {@code w} what the names of {@code sql} resolved under in this session (see {@link
   * StatementInterceptor#resolution}), so that it is refused if that changes before it runs.
   */
  private <S extends PreparedStatementWrapper> S pinned(String sql, S w) throws SQLException {
    Object resolved = interceptor.resolution(sql, delegate);
    if (resolved != null) {
      w.pin(sql, resolved);
    }
    return w;
  }

  /** What the names of {@code sql} resolve under in this session now (see {@link StatementInterceptor#resolution}). */
  Object resolution(String sql) throws SQLException {
    return interceptor.resolution(sql, delegate);
  }

  /** The driver's connection, for the wrapper's own transaction control around a generating INSERT. */
  Connection raw() {
    return delegate;
  }

  /**
   * The wrapper of the statement {@code prepare} makes, or, for an INSERT whose subject the
   * database generates, of one prepared to return the subject's generated keys too (see {@link
   * GeneratedSubjects}); the result set type and concurrency of an INSERT do not matter.
   */
  private PreparedStatement prepared(String sql, Interception interception, GeneratedSubjects.Asked asked,
      GeneratedSubjects.Execution<PreparedStatement> prepare) throws SQLException {
    if (interception.touchesProtectedData() && !interception.generatedSubjectColumns().isEmpty()
        && !interception.generatedSubjectsReturned()) { // a RETURNING of its own returns the subjects
      PreparedStatementWrapper w = prepared(interception, () -> new PreparedStatementWrapper(this,
          GeneratedSubjects.prepare(delegate, interception, asked), interception));
      w.keysAsked = asked;
      return pinned(sql, w);
    }
    return pinned(sql, prepared(interception, () -> new PreparedStatementWrapper(this, prepare.run(), interception)));
  }

  @Override
  public CallableStatement prepareCall(String sql) throws SQLException {
    Interception interception = intercept(sql, SqlKind.CALL);
    return pinned(sql, prepared(interception, () -> new CallableStatementWrapper(
        this, delegate.prepareCall(interception.sql()), interception)));
  }

  @Override
  public String nativeSQL(String sql) throws SQLException {
    return delegate.nativeSQL(intercept(sql, SqlKind.NATIVE).sql());
  }

  @Override
  public void setAutoCommit(boolean autoCommit) throws SQLException {
    delegate.setAutoCommit(autoCommit);
  }

  @Override
  public boolean getAutoCommit() throws SQLException {
    return delegate.getAutoCommit();
  }

  @Override
  public void commit() throws SQLException {
    delegate.commit();
  }

  @Override
  public void rollback() throws SQLException {
    delegate.rollback();
  }

  @Override
  public void close() throws SQLException {
    SQLException failure = closeTracked(null, null);
    failure = Wrappers.collect(failure, delegate::close);
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public boolean isClosed() throws SQLException {
    return delegate.isClosed();
  }

  @Override
  public DatabaseMetaData getMetaData() throws SQLException {
    return new DatabaseMetaDataWrapper(delegate.getMetaData(), this);
  }

  @Override
  public void setReadOnly(boolean readOnly) throws SQLException {
    delegate.setReadOnly(readOnly);
  }

  @Override
  public boolean isReadOnly() throws SQLException {
    return delegate.isReadOnly();
  }

  @Override
  public void setCatalog(String catalog) throws SQLException {
    delegate.setCatalog(catalog);
  }

  @Override
  public String getCatalog() throws SQLException {
    return delegate.getCatalog();
  }

  @Override
  public void setTransactionIsolation(int level) throws SQLException {
    delegate.setTransactionIsolation(level);
  }

  @Override
  public int getTransactionIsolation() throws SQLException {
    return delegate.getTransactionIsolation();
  }

  @Override
  public SQLWarning getWarnings() throws SQLException {
    return delegate.getWarnings();
  }

  @Override
  public void clearWarnings() throws SQLException {
    delegate.clearWarnings();
  }

  @Override
  public Statement createStatement(
      int resultSetType, int resultSetConcurrency) throws SQLException {
    return new StatementWrapper(
        this, delegate.createStatement(resultSetType, resultSetConcurrency));
  }

  @Override
  public PreparedStatement prepareStatement(
      String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
    Interception interception = intercept(sql, SqlKind.PREPARE);
    refuseUpdatable(interception, resultSetConcurrency);
    return prepared(sql, interception, GeneratedSubjects.Asked.NONE,
        () -> delegate.prepareStatement(interception.sql(), resultSetType, resultSetConcurrency));
  }

  @Override
  public CallableStatement prepareCall(
      String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
    Interception interception = intercept(sql, SqlKind.CALL);
    refuseUpdatable(interception, resultSetConcurrency);
    return pinned(sql, prepared(interception, () -> new CallableStatementWrapper(
        this,
        delegate.prepareCall(interception.sql(), resultSetType, resultSetConcurrency),
        interception)));
  }

  @Override
  public Map<String, Class<?>> getTypeMap() throws SQLException {
    return delegate.getTypeMap();
  }

  @Override
  public void setTypeMap(Map<String, Class<?>> map) throws SQLException {
    delegate.setTypeMap(map);
  }

  @Override
  public void setHoldability(int holdability) throws SQLException {
    delegate.setHoldability(holdability);
  }

  @Override
  public int getHoldability() throws SQLException {
    return delegate.getHoldability();
  }

  @Override
  public Savepoint setSavepoint() throws SQLException {
    return delegate.setSavepoint();
  }

  @Override
  public Savepoint setSavepoint(String name) throws SQLException {
    return delegate.setSavepoint(name);
  }

  @Override
  public void rollback(Savepoint savepoint) throws SQLException {
    delegate.rollback(savepoint);
  }

  @Override
  public void releaseSavepoint(Savepoint savepoint) throws SQLException {
    delegate.releaseSavepoint(savepoint);
  }

  @Override
  public Statement createStatement(
      int resultSetType, int resultSetConcurrency, int resultSetHoldability) throws SQLException {
    return new StatementWrapper(
        this, delegate.createStatement(resultSetType, resultSetConcurrency, resultSetHoldability));
  }

  @Override
  public PreparedStatement prepareStatement(
      String sql, int resultSetType, int resultSetConcurrency, int resultSetHoldability)
      throws SQLException {
    Interception interception = intercept(sql, SqlKind.PREPARE);
    refuseUpdatable(interception, resultSetConcurrency);
    return prepared(sql, interception, GeneratedSubjects.Asked.NONE, () -> delegate.prepareStatement(
        interception.sql(), resultSetType, resultSetConcurrency, resultSetHoldability));
  }

  @Override
  public CallableStatement prepareCall(
      String sql, int resultSetType, int resultSetConcurrency, int resultSetHoldability)
      throws SQLException {
    Interception interception = intercept(sql, SqlKind.CALL);
    refuseUpdatable(interception, resultSetConcurrency);
    return pinned(sql, prepared(interception, () -> new CallableStatementWrapper(
        this,
        delegate.prepareCall(
            interception.sql(), resultSetType, resultSetConcurrency, resultSetHoldability),
        interception)));
  }

  @Override
  public PreparedStatement prepareStatement(String sql, int autoGeneratedKeys) throws SQLException {
    Interception interception = intercept(sql, SqlKind.PREPARE);
    Wrappers.requireKeysAllowed(interception, autoGeneratedKeys == java.sql.Statement.RETURN_GENERATED_KEYS);
    return prepared(sql, interception, GeneratedSubjects.Asked.of(autoGeneratedKeys),
        () -> delegate.prepareStatement(interception.sql(), autoGeneratedKeys));
  }

  @Override
  public PreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
    Interception interception = intercept(sql, SqlKind.PREPARE);
    Wrappers.requireKeysAllowed(interception, columnIndexes != null);
    return prepared(sql, interception, GeneratedSubjects.Asked.ofIndexes(interception, columnIndexes),
        () -> delegate.prepareStatement(interception.sql(), columnIndexes));
  }

  @Override
  public PreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
    Interception interception = intercept(sql, SqlKind.PREPARE);
    Wrappers.requireKeysAllowed(interception, columnNames != null);
    return prepared(sql, interception, GeneratedSubjects.Asked.of(columnNames),
        () -> delegate.prepareStatement(interception.sql(), columnNames));
  }

  @Override
  public Clob createClob() throws SQLException {
    return delegate.createClob();
  }

  @Override
  public Blob createBlob() throws SQLException {
    return delegate.createBlob();
  }

  @Override
  public NClob createNClob() throws SQLException {
    return delegate.createNClob();
  }

  @Override
  public SQLXML createSQLXML() throws SQLException {
    return delegate.createSQLXML();
  }

  @Override
  public boolean isValid(int timeout) throws SQLException {
    return delegate.isValid(timeout);
  }

  @Override
  public void setClientInfo(String name, String value) throws SQLClientInfoException {
    delegate.setClientInfo(name, value);
  }

  @Override
  public void setClientInfo(Properties properties) throws SQLClientInfoException {
    delegate.setClientInfo(properties);
  }

  @Override
  public String getClientInfo(String name) throws SQLException {
    return delegate.getClientInfo(name);
  }

  @Override
  public Properties getClientInfo() throws SQLException {
    return delegate.getClientInfo();
  }

  @Override
  public Array createArrayOf(String typeName, Object[] elements) throws SQLException {
    return ArrayWrapper.wrap(delegate.createArrayOf(typeName, elements), false);
  }

  @Override
  public Struct createStruct(String typeName, Object[] attributes) throws SQLException {
    return delegate.createStruct(typeName, attributes);
  }

  @Override
  public void setSchema(String schema) throws SQLException {
    delegate.setSchema(schema);
  }

  @Override
  public String getSchema() throws SQLException {
    return delegate.getSchema();
  }

  @Override
  public void abort(Executor executor) throws SQLException {
    delegate.abort(executor);
    SQLException failure = closeTracked(null, null);
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public void setNetworkTimeout(Executor executor, int milliseconds) throws SQLException {
    delegate.setNetworkTimeout(executor, milliseconds);
  }

  @Override
  public int getNetworkTimeout() throws SQLException {
    return delegate.getNetworkTimeout();
  }

  @Override
  public void beginRequest() throws SQLException {
    delegate.beginRequest();
  }

  @Override
  public void endRequest() throws SQLException {
    delegate.endRequest();
  }

  @Override
  public boolean setShardingKeyIfValid(
      ShardingKey shardingKey, ShardingKey superShardingKey, int timeout) throws SQLException {
    return delegate.setShardingKeyIfValid(shardingKey, superShardingKey, timeout);
  }

  @Override
  public boolean setShardingKeyIfValid(ShardingKey shardingKey, int timeout) throws SQLException {
    return delegate.setShardingKeyIfValid(shardingKey, timeout);
  }

  @Override
  public void setShardingKey(
      ShardingKey shardingKey, ShardingKey superShardingKey) throws SQLException {
    delegate.setShardingKey(shardingKey, superShardingKey);
  }

  @Override
  public void setShardingKey(ShardingKey shardingKey) throws SQLException {
    delegate.setShardingKey(shardingKey);
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
}
