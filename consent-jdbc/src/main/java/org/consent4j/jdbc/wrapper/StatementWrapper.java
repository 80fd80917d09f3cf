package org.consent4j.jdbc.wrapper;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A statement handed out by consent4j: every SQL string given to it goes through the connection's
 * {@link StatementInterceptor} before the driver sees it, and every result set it hands out is a
 * {@link ResultSetWrapper}.
 *
 * <p>The class hierarchy is closed: {@link PreparedStatementWrapper} and {@link
 * CallableStatementWrapper} add what their interfaces add.
 *
 * <p>Like the driver's statement it is meant for one thread at a time; its own state (what produced
 * the current results, the current result set, the batch) is touched only by that thread. Closing
 * the connection from another thread reaches its result sets through the connection's concurrent
 * set of protected result sets, not through this state.
 */
sealed class StatementWrapper implements Statement permits PreparedStatementWrapper {
  /** What "produced" the results of a statement that has run nothing yet: fail closed. */
  private static final Interception NOT_EXECUTED =
      Interception.protectedData("", StatementListener.NONE);

  final ConnectionWrapper connection;
  private final Statement delegate;
  /** What produced the current results; decides whether they are protected. */
  Interception current = NOT_EXECUTED;
  /** The wrapper of the current result set, so that getResultSet returns it again. */
  ResultSetWrapper currentResult;
  /** What each entry of the pending batch became; null while there is no batch. */
  private Batch batch;
  /**
   * The generated keys of the last execution, as the application asked for them, when consent4j
   * read them itself (an INSERT whose subject the database generates); null otherwise.
   */
  GeneratedKeys generatedKeys;

  StatementWrapper(ConnectionWrapper connection, Statement delegate) {
    this.connection = connection;
    this.delegate = delegate;
  }

  /** Intercepts {@code sql} and makes it the producer of the results to come. */
  final Interception begin(String sql, SqlKind kind) throws SQLException {
    Interception interception = connection.intercept(sql, kind);
    begin(interception);
    return interception;
  }

  /**
   * Makes {@code interception} the producer of the results to come, closing the current result
   * set as every JDBC execution does (here first, so that its listener hears of it).
   */
  final void begin(Interception interception) throws SQLException {
    closeCurrentResult();
    generatedKeys = null;
    if (interception.touchesProtectedData()) {
      interception.listener().beforeExecute();
    }
    current = interception;
  }

  /** Wraps a result set that {@code interception} produced and makes it the current one. */
  final ResultSet result(ResultSet resultSet, Interception interception) {
    ResultSetWrapper wrapper = ResultSetWrapper.of(resultSet, this, interception);
    currentResult = wrapper;
    return wrapper;
  }

  /** After {@code execute} or {@code getMoreResults}: reports an update count if there is one. */
  final boolean executed(Interception interception, boolean hasResultSet) throws SQLException {
    if (!hasResultSet && interception.touchesProtectedData()) {
      int count = delegate.getUpdateCount();
      if (count >= 0) {
        interception.listener().onUpdateCount(count);
      }
    }
    return hasResultSet;
  }

  /** Whether {@code interception} is an INSERT whose subject the database generates. */
  static boolean generating(Interception interception) {
    return interception.touchesProtectedData() && !interception.generatedSubjectColumns().isEmpty();
  }

  /**
   * Runs {@code execution} of a generating INSERT through {@link GeneratedSubjects}: checked after it
   * ran, rolled back when refused; keeps the keys the application may read.
   */
  final <T> T generated(Interception interception, GeneratedSubjects.Asked asked,
      java.util.List<java.util.Map<Integer, Object>> parameterSets, GeneratedSubjects.Execution<T> execution)
      throws SQLException {
    GeneratedSubjects.Result<T> result;
    try {
      result = GeneratedSubjects.run(connection.raw(), delegate, interception, asked, parameterSets, execution);
    } catch (org.consent4j.jdbc.ConsentSQLException e) {
      throw e;
    } catch (SQLException e) {
      throw failed(interception, e);
    }
    generatedKeys = result.keys();
    return result.value();
  }

  /**
   * Whether {@code interception} is an INSERT whose generated subject comes back in its own
   * RETURNING rows ({@link Interception#generatedSubjectsReturned()}).
   */
  static boolean returning(Interception interception) {
    return generating(interception) && interception.generatedSubjectsReturned();
  }

  /**
   * Runs {@code execution} of an INSERT that returns its generated subjects through {@link
   * GeneratedSubjects#runReturning}: checked after it ran, rolled back when refused; makes its rows,
   * served from memory, the current result set.
   */
  final ResultSet returned(Interception interception, java.util.List<java.util.Map<Integer, Object>> parameterSets,
      GeneratedSubjects.Execution<Boolean> execution) throws SQLException {
    ResultSet rows;
    try {
      rows = GeneratedSubjects.runReturning(connection.raw(), delegate, interception, parameterSets, execution);
    } catch (org.consent4j.jdbc.ConsentSQLException e) {
      throw e;
    } catch (SQLException e) {
      throw failed(interception, e);
    }
    generatedKeys = new GeneratedKeys(java.util.List.of(), java.util.List.of()); // its rows are its keys
    return result(rows, interception);
  }

  /** The number of rows of a returning INSERT run by an update method, whose rows nobody reads. */
  final int returnedCount(ResultSet rows) throws SQLException {
    int n = 0;
    while (rows.next()) {
      n++;
    }
    closeCurrentResult();
    return n;
  }

  /** A plain statement's generating INSERT, run with the keys {@code asked} wants and the subject's. */
  private long generatedUpdate(Interception interception, GeneratedSubjects.Asked asked, boolean large)
      throws SQLException {
    String sql = interception.sql();
    long count = generated(interception, asked, java.util.List.of(java.util.Map.of()), () -> {
      if (asked.mode() == Statement.RETURN_GENERATED_KEYS) {
        return large ? delegate.executeLargeUpdate(sql, Statement.RETURN_GENERATED_KEYS)
            : delegate.executeUpdate(sql, Statement.RETURN_GENERATED_KEYS);
      }
      String[] names = asked.driverNames(interception.generatedSubjectColumns());
      return large ? delegate.executeLargeUpdate(sql, names) : delegate.executeUpdate(sql, names);
    });
    updated(interception, count);
    return count;
  }

  private boolean generatedExecute(Interception interception, GeneratedSubjects.Asked asked) throws SQLException {
    String sql = interception.sql();
    boolean hasResultSet = generated(interception, asked, java.util.List.of(java.util.Map.of()),
        () -> asked.mode() == Statement.RETURN_GENERATED_KEYS
            ? delegate.execute(sql, Statement.RETURN_GENERATED_KEYS)
            : delegate.execute(sql, asked.driverNames(interception.generatedSubjectColumns())));
    return executed(interception, hasResultSet);
  }

  static void updated(Interception interception, long count) throws SQLException {
    if (interception.touchesProtectedData()) {
      interception.listener().onUpdateCount(count);
    }
  }

  static SQLException failed(Interception interception, SQLException failure) {
    return interception.touchesProtectedData()
        ? reportFailure(interception.listener(), failure)
        : failure;
  }

  /** Tells {@code listener} of {@code failure}; what the listener throws is added as suppressed. */
  static SQLException reportFailure(StatementListener listener, SQLException failure) {
    try {
      listener.onFailure(failure);
    } catch (SQLException | RuntimeException e) {
      failure.addSuppressed(e);
    }
    return withheld(failure);
  }

  /**
   * A database's error about a statement on protected data may quote the values it was reading
   * (an invalid cast of a hidden e-mail address, a duplicate key's whole row): the application
   * gets the SQLState and vendor code, never the message or the driver's cause. Refusals of
   * consent4j itself carry no values and pass unchanged.
   */
  static SQLException withheld(SQLException failure) {
    if (failure instanceof org.consent4j.jdbc.ConsentSQLException) {
      return failure;
    }
    if (failure.getSQLState() != null && failure.getSQLState().startsWith("23")) {
      // Which constraint, and its vendor code (duplicate key or dangling reference), would tell of a
      // row the context may not see: one refusal for every integrity violation.
      return new org.consent4j.jdbc.ConsentSQLException(org.consent4j.jdbc.ConsentSQLException.ReasonCode.WRITE_CONFLICT,
          "the database refused a write on protected data for an integrity constraint (a key, a unique value, a"
              + " reference, a check or NOT NULL); which one, and which row, are not said, because the conflicting"
              + " row may be one this context cannot see");
    }
    return new SQLException("the database refused a statement on protected data (SQLState " + failure.getSQLState()
        + ", vendor code " + failure.getErrorCode() + "); its message is withheld because it may quote personal data",
        failure.getSQLState(), failure.getErrorCode());
  }

  /** Closes the current result set if it is protected (so that its listener hears of it). */
  final void closeCurrentResult() throws SQLException {
    ResultSetWrapper result = currentResult;
    currentResult = null;
    if (result != null && result.isTracked()) {
      result.closeAndReport();
    }
  }

  final void batched(Interception interception) {
    if (batch == null) {
      batch = new Batch();
    }
    batch.add(interception);
  }

  /** Takes the pending batch for execution; JDBC empties the batch whatever the outcome. */
  final Batch startBatch() throws SQLException {
    Batch entries = batch == null ? new Batch() : batch;
    batch = null;
    begin(entries.producer());
    return entries;
  }

  static SQLException batchFailed(Batch entries, SQLException failure) {
    if (entries.anyProtected()) {
      List<StatementListener> told = new ArrayList<>();
      for (Interception entry : entries.list) {
        if (entry.touchesProtectedData() && told.stream().noneMatch(l -> l == entry.listener())) {
          told.add(entry.listener());
          reportFailure(entry.listener(), failure);
        }
      }
      // Withheld as for a single statement (the driver's message may quote a row, its state and
      // vendor code name the constraint); the update counts stay, batch callers need them.
      SQLException withheld = withheld(failure);
      if (failure instanceof java.sql.BatchUpdateException b) {
        return new java.sql.BatchUpdateException(withheld.getMessage(), withheld.getSQLState(),
            withheld.getErrorCode(), b.getLargeUpdateCounts(), null);
      }
      return withheld;
    }
    return failure;
  }

  /** What the entries of a batch became, in order. */
  static final class Batch {
    final List<Interception> list = new ArrayList<>();
    private Interception firstProtected;

    void add(Interception interception) {
      list.add(interception);
      if (firstProtected == null && interception.touchesProtectedData()) {
        firstProtected = interception;
      }
    }

    int size() {
      return list.size();
    }

    Interception get(int index) {
      return list.get(index);
    }

    boolean anyProtected() {
      return firstProtected != null;
    }

    /** What produced the batch's results (generated keys): protected if any entry is. */
    Interception producer() {
      if (firstProtected != null) {
        return firstProtected;
      }
      return list.isEmpty() ? NOT_EXECUTED : list.get(0);
    }
  }

  @Override
  public ResultSet executeQuery(String sql) throws SQLException {
    Interception interception = begin(sql, SqlKind.QUERY);
    if (returning(interception)) {
      return returned(interception, java.util.List.of(java.util.Map.of()), () -> delegate.execute(interception.sql()));
    }
    try {
      return result(delegate.executeQuery(interception.sql()), interception);
    } catch (SQLException e) {
      throw failed(interception, e);
    }
  }

  @Override
  public int executeUpdate(String sql) throws SQLException {
    Interception interception = begin(sql, SqlKind.UPDATE);
    if (returning(interception)) { // its RETURNING returns its rows; no generated keys of its own
      return returnedCount(returned(interception, java.util.List.of(java.util.Map.of()), () -> delegate.execute(interception.sql())));
    }
    if (generating(interception)) {
      return (int) generatedUpdate(interception, GeneratedSubjects.Asked.NONE, false);
    }
    int count;
    try {
      count = delegate.executeUpdate(interception.sql());
    } catch (SQLException e) {
      throw failed(interception, e);
    }
    updated(interception, count);
    return count;
  }

  @Override
  public void close() throws SQLException {
    SQLException failure = connection.closeTracked(this, null);
    currentResult = null;
    failure = Wrappers.collect(failure, delegate::close);
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public int getMaxFieldSize() throws SQLException {
    return delegate.getMaxFieldSize();
  }

  @Override
  public void setMaxFieldSize(int max) throws SQLException {
    delegate.setMaxFieldSize(max);
  }

  @Override
  public int getMaxRows() throws SQLException {
    return delegate.getMaxRows();
  }

  @Override
  public void setMaxRows(int max) throws SQLException {
    delegate.setMaxRows(max);
  }

  @Override
  public void setEscapeProcessing(boolean enable) throws SQLException {
    delegate.setEscapeProcessing(enable);
  }

  @Override
  public int getQueryTimeout() throws SQLException {
    return delegate.getQueryTimeout();
  }

  @Override
  public void setQueryTimeout(int seconds) throws SQLException {
    delegate.setQueryTimeout(seconds);
  }

  @Override
  public void cancel() throws SQLException {
    delegate.cancel();
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
  public void setCursorName(String name) throws SQLException {
    delegate.setCursorName(name);
  }

  @Override
  public boolean execute(String sql) throws SQLException {
    Interception interception = begin(sql, SqlKind.EXECUTE);
    if (returning(interception)) {
      returned(interception, java.util.List.of(java.util.Map.of()), () -> delegate.execute(interception.sql()));
      return true;
    }
    if (generating(interception)) {
      return generatedExecute(interception, GeneratedSubjects.Asked.NONE);
    }
    boolean hasResultSet;
    try {
      hasResultSet = delegate.execute(interception.sql());
    } catch (SQLException e) {
      throw failed(interception, e);
    }
    return executed(interception, hasResultSet);
  }

  @Override
  public ResultSet getResultSet() throws SQLException {
    if (returning(current)) {
      return currentResult; // served from memory; null once closed
    }
    ResultSet resultSet = delegate.getResultSet();
    if (resultSet == null) {
      return null;
    }
    ResultSetWrapper previous = currentResult;
    return previous != null && previous.wraps(resultSet) ? previous : result(resultSet, current);
  }

  @Override
  public int getUpdateCount() throws SQLException {
    return delegate.getUpdateCount();
  }

  @Override
  public boolean getMoreResults() throws SQLException {
    closeCurrentResult();
    boolean hasResultSet;
    try {
      hasResultSet = delegate.getMoreResults();
    } catch (SQLException e) {
      throw failed(current, e);
    }
    return executed(current, hasResultSet);
  }

  @Override
  public void setFetchDirection(int direction) throws SQLException {
    delegate.setFetchDirection(direction);
  }

  @Override
  public int getFetchDirection() throws SQLException {
    return delegate.getFetchDirection();
  }

  @Override
  public void setFetchSize(int rows) throws SQLException {
    delegate.setFetchSize(rows);
  }

  @Override
  public int getFetchSize() throws SQLException {
    return delegate.getFetchSize();
  }

  @Override
  public int getResultSetConcurrency() throws SQLException {
    return delegate.getResultSetConcurrency();
  }

  @Override
  public int getResultSetType() throws SQLException {
    return delegate.getResultSetType();
  }

  @Override
  public void addBatch(String sql) throws SQLException {
    Interception interception = connection.intercept(sql, SqlKind.BATCH);
    if (generating(interception)) {
      throw new org.consent4j.jdbc.ConsentSQLException(org.consent4j.jdbc.ConsentSQLException.ReasonCode.SUBJECT_UNKNOWN,
          "an INSERT into a mapped table whose subject the database generates cannot be a Statement batch entry:"
              + " consent4j checks the subject from the generated keys, which a Statement batch does not return"
              + " per entry; execute it alone, or use a PreparedStatement batch");
    }
    delegate.addBatch(interception.sql());
    batched(interception);
  }

  @Override
  public void clearBatch() throws SQLException {
    delegate.clearBatch();
    batch = null;
  }

  @Override
  public int[] executeBatch() throws SQLException {
    Batch entries = startBatch();
    int[] counts;
    try {
      counts = delegate.executeBatch();
    } catch (SQLException e) {
      throw batchFailed(entries, e);
    }
    if (entries.anyProtected()) {
      for (int i = 0; i < counts.length && i < entries.size(); i++) {
        updated(entries.get(i), counts[i]);
      }
    }
    return counts;
  }

  @Override
  public Connection getConnection() throws SQLException {
    return connection;
  }

  @Override
  public boolean getMoreResults(int current) throws SQLException {
    if (current == CLOSE_ALL_RESULTS) {
      SQLException failure = connection.closeTracked(this, null);
      if (failure != null) {
        throw failure;
      }
    }
    if (current == KEEP_CURRENT_RESULT) {
      currentResult = null;
    } else {
      closeCurrentResult();
    }
    boolean hasResultSet;
    try {
      hasResultSet = delegate.getMoreResults(current);
    } catch (SQLException e) {
      throw failed(this.current, e);
    }
    return executed(this.current, hasResultSet);
  }

  @Override
  public ResultSet getGeneratedKeys() throws SQLException {
    if (generatedKeys != null) {
      return ResultSetWrapper.derived(GeneratedSubjects.resultSet(generatedKeys), this, true);
    }
    return ResultSetWrapper.derived(
        delegate.getGeneratedKeys(), this, current.touchesProtectedData());
  }

  @Override
  public int executeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
    Interception interception = begin(sql, SqlKind.UPDATE);
    Wrappers.requireKeysAllowed(interception, autoGeneratedKeys == java.sql.Statement.RETURN_GENERATED_KEYS);
    if (returning(interception)) { // its RETURNING returns its rows; no generated keys of its own
      return returnedCount(returned(interception, java.util.List.of(java.util.Map.of()), () -> delegate.execute(interception.sql())));
    }
    if (generating(interception)) {
      return (int) generatedUpdate(interception, GeneratedSubjects.Asked.of(autoGeneratedKeys), false);
    }
    int count;
    try {
      count = delegate.executeUpdate(interception.sql(), autoGeneratedKeys);
    } catch (SQLException e) {
      throw failed(interception, e);
    }
    updated(interception, count);
    return count;
  }

  @Override
  public int executeUpdate(String sql, int[] columnIndexes) throws SQLException {
    Interception interception = begin(sql, SqlKind.UPDATE);
    Wrappers.requireKeysAllowed(interception, columnIndexes != null);
    if (returning(interception)) { // its RETURNING returns its rows; no generated keys of its own
      return returnedCount(returned(interception, java.util.List.of(java.util.Map.of()), () -> delegate.execute(interception.sql())));
    }
    if (generating(interception)) {
      return (int) generatedUpdate(interception, GeneratedSubjects.Asked.ofIndexes(interception, columnIndexes), false);
    }
    int count;
    try {
      count = delegate.executeUpdate(interception.sql(), columnIndexes);
    } catch (SQLException e) {
      throw failed(interception, e);
    }
    updated(interception, count);
    return count;
  }

  @Override
  public int executeUpdate(String sql, String[] columnNames) throws SQLException {
    Interception interception = begin(sql, SqlKind.UPDATE);
    Wrappers.requireKeysAllowed(interception, columnNames != null);
    if (returning(interception)) { // its RETURNING returns its rows; no generated keys of its own
      return returnedCount(returned(interception, java.util.List.of(java.util.Map.of()), () -> delegate.execute(interception.sql())));
    }
    if (generating(interception)) {
      return (int) generatedUpdate(interception, GeneratedSubjects.Asked.of(columnNames), false);
    }
    int count;
    try {
      count = delegate.executeUpdate(interception.sql(), columnNames);
    } catch (SQLException e) {
      throw failed(interception, e);
    }
    updated(interception, count);
    return count;
  }

  @Override
  public boolean execute(String sql, int autoGeneratedKeys) throws SQLException {
    Interception interception = begin(sql, SqlKind.EXECUTE);
    Wrappers.requireKeysAllowed(interception, autoGeneratedKeys == java.sql.Statement.RETURN_GENERATED_KEYS);
    if (returning(interception)) { // its RETURNING returns its rows; no generated keys of its own
      returned(interception, java.util.List.of(java.util.Map.of()), () -> delegate.execute(interception.sql()));
      return true;
    }
    if (generating(interception)) {
      return generatedExecute(interception, GeneratedSubjects.Asked.of(autoGeneratedKeys));
    }
    boolean hasResultSet;
    try {
      hasResultSet = delegate.execute(interception.sql(), autoGeneratedKeys);
    } catch (SQLException e) {
      throw failed(interception, e);
    }
    return executed(interception, hasResultSet);
  }

  @Override
  public boolean execute(String sql, int[] columnIndexes) throws SQLException {
    Interception interception = begin(sql, SqlKind.EXECUTE);
    Wrappers.requireKeysAllowed(interception, columnIndexes != null);
    if (returning(interception)) { // its RETURNING returns its rows; no generated keys of its own
      returned(interception, java.util.List.of(java.util.Map.of()), () -> delegate.execute(interception.sql()));
      return true;
    }
    if (generating(interception)) {
      return generatedExecute(interception, GeneratedSubjects.Asked.ofIndexes(interception, columnIndexes));
    }
    boolean hasResultSet;
    try {
      hasResultSet = delegate.execute(interception.sql(), columnIndexes);
    } catch (SQLException e) {
      throw failed(interception, e);
    }
    return executed(interception, hasResultSet);
  }

  @Override
  public boolean execute(String sql, String[] columnNames) throws SQLException {
    Interception interception = begin(sql, SqlKind.EXECUTE);
    Wrappers.requireKeysAllowed(interception, columnNames != null);
    if (returning(interception)) { // its RETURNING returns its rows; no generated keys of its own
      returned(interception, java.util.List.of(java.util.Map.of()), () -> delegate.execute(interception.sql()));
      return true;
    }
    if (generating(interception)) {
      return generatedExecute(interception, GeneratedSubjects.Asked.of(columnNames));
    }
    boolean hasResultSet;
    try {
      hasResultSet = delegate.execute(interception.sql(), columnNames);
    } catch (SQLException e) {
      throw failed(interception, e);
    }
    return executed(interception, hasResultSet);
  }

  @Override
  public int getResultSetHoldability() throws SQLException {
    return delegate.getResultSetHoldability();
  }

  @Override
  public boolean isClosed() throws SQLException {
    return delegate.isClosed();
  }

  @Override
  public void setPoolable(boolean poolable) throws SQLException {
    delegate.setPoolable(poolable);
  }

  @Override
  public boolean isPoolable() throws SQLException {
    return delegate.isPoolable();
  }

  @Override
  public void closeOnCompletion() throws SQLException {
    delegate.closeOnCompletion();
  }

  @Override
  public boolean isCloseOnCompletion() throws SQLException {
    return delegate.isCloseOnCompletion();
  }

  @Override
  public long getLargeUpdateCount() throws SQLException {
    return delegate.getLargeUpdateCount();
  }

  @Override
  public void setLargeMaxRows(long max) throws SQLException {
    delegate.setLargeMaxRows(max);
  }

  @Override
  public long getLargeMaxRows() throws SQLException {
    return delegate.getLargeMaxRows();
  }

  @Override
  public long[] executeLargeBatch() throws SQLException {
    Batch entries = startBatch();
    long[] counts;
    try {
      counts = delegate.executeLargeBatch();
    } catch (SQLException e) {
      throw batchFailed(entries, e);
    }
    if (entries.anyProtected()) {
      for (int i = 0; i < counts.length && i < entries.size(); i++) {
        updated(entries.get(i), counts[i]);
      }
    }
    return counts;
  }

  @Override
  public long executeLargeUpdate(String sql) throws SQLException {
    Interception interception = begin(sql, SqlKind.UPDATE);
    if (returning(interception)) { // its RETURNING returns its rows; no generated keys of its own
      return returnedCount(returned(interception, java.util.List.of(java.util.Map.of()), () -> delegate.execute(interception.sql())));
    }
    if (generating(interception)) {
      return generatedUpdate(interception, GeneratedSubjects.Asked.NONE, true);
    }
    long count;
    try {
      count = delegate.executeLargeUpdate(interception.sql());
    } catch (SQLException e) {
      throw failed(interception, e);
    }
    updated(interception, count);
    return count;
  }

  @Override
  public long executeLargeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
    Interception interception = begin(sql, SqlKind.UPDATE);
    Wrappers.requireKeysAllowed(interception, autoGeneratedKeys == java.sql.Statement.RETURN_GENERATED_KEYS);
    if (returning(interception)) { // its RETURNING returns its rows; no generated keys of its own
      return returnedCount(returned(interception, java.util.List.of(java.util.Map.of()), () -> delegate.execute(interception.sql())));
    }
    if (generating(interception)) {
      return generatedUpdate(interception, GeneratedSubjects.Asked.of(autoGeneratedKeys), true);
    }
    long count;
    try {
      count = delegate.executeLargeUpdate(interception.sql(), autoGeneratedKeys);
    } catch (SQLException e) {
      throw failed(interception, e);
    }
    updated(interception, count);
    return count;
  }

  @Override
  public long executeLargeUpdate(String sql, int[] columnIndexes) throws SQLException {
    Interception interception = begin(sql, SqlKind.UPDATE);
    Wrappers.requireKeysAllowed(interception, columnIndexes != null);
    if (returning(interception)) { // its RETURNING returns its rows; no generated keys of its own
      return returnedCount(returned(interception, java.util.List.of(java.util.Map.of()), () -> delegate.execute(interception.sql())));
    }
    if (generating(interception)) {
      return generatedUpdate(interception, GeneratedSubjects.Asked.ofIndexes(interception, columnIndexes), true);
    }
    long count;
    try {
      count = delegate.executeLargeUpdate(interception.sql(), columnIndexes);
    } catch (SQLException e) {
      throw failed(interception, e);
    }
    updated(interception, count);
    return count;
  }

  @Override
  public long executeLargeUpdate(String sql, String[] columnNames) throws SQLException {
    Interception interception = begin(sql, SqlKind.UPDATE);
    Wrappers.requireKeysAllowed(interception, columnNames != null);
    if (returning(interception)) { // its RETURNING returns its rows; no generated keys of its own
      return returnedCount(returned(interception, java.util.List.of(java.util.Map.of()), () -> delegate.execute(interception.sql())));
    }
    if (generating(interception)) {
      return generatedUpdate(interception, GeneratedSubjects.Asked.of(columnNames), true);
    }
    long count;
    try {
      count = delegate.executeLargeUpdate(interception.sql(), columnNames);
    } catch (SQLException e) {
      throw failed(interception, e);
    }
    updated(interception, count);
    return count;
  }

  @Override
  public String enquoteLiteral(String val) throws SQLException {
    return delegate.enquoteLiteral(val);
  }

  @Override
  public String enquoteIdentifier(String identifier, boolean alwaysQuote) throws SQLException {
    return delegate.enquoteIdentifier(identifier, alwaysQuote);
  }

  @Override
  public boolean isSimpleIdentifier(String identifier) throws SQLException {
    return delegate.isSimpleIdentifier(identifier);
  }

  @Override
  public String enquoteNCharLiteral(String val) throws SQLException {
    return delegate.enquoteNCharLiteral(val);
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
