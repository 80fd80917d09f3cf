package org.consent4j.jdbc.wrapper;

import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.io.Reader;
import java.math.BigDecimal;
import java.net.URL;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Date;
import java.sql.NClob;
import java.sql.Ref;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLType;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Statement;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.Calendar;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.consent4j.jdbc.ConsentSQLException;
import org.consent4j.jdbc.ConsentSQLException.ReasonCode;

/**
 * A result set handed out by consent4j. Of a statement that {@linkplain
 * Interception#touchesProtectedData() touches protected data} it is read-only (every update
 * method throws, {@link #getConcurrency()} says {@code CONCUR_READ_ONLY}, whatever the driver
 * would allow) and tells the statement's listener of each row and, exactly once, of its closing;
 * of any other statement it adds nothing to the driver's work.
 *
 * <p>Like the driver's result set it is meant for one thread at a time; the only state it adds
 * that another thread touches is the once-only close report, guarded by an {@link AtomicBoolean}
 * because a connection may be closed from another thread (a pool evicting it).
 */
final class ResultSetWrapper implements ResultSet {
  private final ResultSet delegate;
  /** The statement wrapper it came from; null for metadata and array results. */
  private final Statement statement;
  private final boolean readOnly;
  /** Null unless the result set is protected; then also tracked by {@link #tracker}. */
  private final StatementListener listener;
  private final ConnectionWrapper tracker;
  private final StatementWrapper owner;
  private final AtomicBoolean closeReported;
  /**
   * Rows delivered: written only by the thread reading the result set, with a release store (a
   * plain store on x86, where a volatile increment costs a fence per row), and read with an acquire
   * load when the close is reported, possibly from another thread.
   */
  private long rowsSeen;
  /** Trailing columns consent4j added for itself (subject ids), which the application must not see. */
  private final int hidden;
  private int visible = -1;

  private static final VarHandle ROWS_SEEN;

  static {
    try {
      ROWS_SEEN = MethodHandles.lookup().findVarHandle(ResultSetWrapper.class, "rowsSeen", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private ResultSetWrapper(
      ResultSet delegate,
      Statement statement,
      boolean readOnly,
      StatementListener listener,
      ConnectionWrapper tracker,
      StatementWrapper owner) {
    this(delegate, statement, readOnly, listener, tracker, owner, 0);
  }

  private ResultSetWrapper(
      ResultSet delegate,
      Statement statement,
      boolean readOnly,
      StatementListener listener,
      ConnectionWrapper tracker,
      StatementWrapper owner,
      int hidden) {
    this.hidden = hidden;
    this.delegate = delegate;
    this.statement = statement;
    this.readOnly = readOnly;
    this.listener = listener;
    this.tracker = tracker;
    this.owner = owner;
    this.closeReported = listener == null ? null : new AtomicBoolean();
  }

  /**
   * The wrapper of a result set that {@code owner} produced by running {@code interception}; null
   * for null. A protected one is tracked by the connection until it is closed.
   */
  static ResultSetWrapper of(
      ResultSet delegate, StatementWrapper owner, Interception interception) {
    if (delegate == null) {
      return null;
    }
    if (!interception.touchesProtectedData()) {
      return new ResultSetWrapper(delegate, owner, false, null, null, owner);
    }
    StatementListener listener = interception.listener();
    RowFilter filter = listener == null ? null : listener.rowFilter();
    ResultSetWrapper wrapper =
        new ResultSetWrapper(
            filter == null ? delegate : PostFilteredResultSet.wrap(delegate, filter, interception.hiddenColumns()),
            owner,
            true,
            listener == null ? StatementListener.NONE : listener,
            owner.connection,
            owner,
            interception.hiddenColumns());
    owner.connection.track(wrapper);
    return wrapper;
  }

  /**
   * The wrapper of a result set derived from values already delivered, or of metadata: generated
   * keys, a cursor read from a column or OUT parameter, the elements of an array, a {@code
   * DatabaseMetaData} answer. No listener is told of it; it is read-only if {@code readOnly}.
   *
   * @param statement what {@link #getStatement()} returns: the statement wrapper, or null
   */
  static ResultSetWrapper derived(ResultSet delegate, Statement statement, boolean readOnly) {
    return delegate == null
        ? null
        : new ResultSetWrapper(delegate, statement, readOnly, null, null, null);
  }

  /** Whether {@code owner} produced this result set (and it is tracked). */
  boolean ownedBy(StatementWrapper statementWrapper) {
    return owner == statementWrapper;
  }

  /** Whether closing this result set is reported to a listener (and the connection tracks it). */
  boolean isTracked() {
    return listener != null;
  }

  /** Whether this wraps {@code resultSet}. */
  boolean wraps(ResultSet resultSet) {
    return delegate == resultSet;
  }

  /**
   * Closes the driver's result set and tells the listener, once, however often and from however
   * many places it is called; a failure of either is thrown after both were attempted.
   */
  void closeAndReport() throws SQLException {
    SQLException failure = Wrappers.collect(null, delegate::close);
    if (closeReported != null && closeReported.compareAndSet(false, true)) {
      tracker.untrack(this);
      long rows = (long) ROWS_SEEN.getAcquire(this);
      failure = Wrappers.collect(failure, () -> listener.onResultSetClosed(rows));
    }
    if (failure != null) {
      throw failure;
    }
  }

  private boolean reportRow(boolean onRow) throws SQLException {
    if (onRow) {
      ROWS_SEEN.setRelease(this, rowsSeen + 1);
      listener.onResultSetRow(hidden > 0 ? delegate : this);
    }
    return onRow;
  }

  /** Refuses the columns consent4j added for itself. */
  private void col(int columnIndex) throws SQLException {
    if (hidden > 0) {
      if (visible < 0) {
        visible = delegate.getMetaData().getColumnCount() - hidden;
      }
      if (columnIndex > visible) {
        throw new SQLException("column index " + columnIndex + " is out of range", "07009");
      }
    }
  }

  private void label(String columnLabel) throws SQLException {
    if (hidden > 0 && columnLabel != null && columnLabel.toLowerCase(java.util.Locale.ROOT).startsWith("c4j_s")) {
      throw new SQLException("no column labelled " + columnLabel, "42S22");
    }
  }

  private SQLException failed(SQLException failure) {
    return StatementWrapper.reportFailure(listener, failure);
  }

  private void checkWritable() throws SQLException {
    if (readOnly) {
      throw new ConsentSQLException(
          ReasonCode.UPDATABLE_RESULT_REFUSED,
          "this result set includes data protected by consent4j and is read-only: a write through "
              + "it would go around the consent filter. Change the data with an UPDATE, INSERT or "
              + "DELETE statement instead.");
    }
  }

  private Object value(Object value) throws SQLException {
    return Values.wrap(value, statement, readOnly);
  }

  @Override
  public boolean next() throws SQLException {
    if (listener == null) {
      return delegate.next();
    }
    boolean onRow;
    try {
      onRow = delegate.next();
    } catch (SQLException e) {
      throw failed(e);
    }
    return reportRow(onRow);
  }

  @Override
  public void close() throws SQLException {
    if (listener == null) {
      delegate.close();
    } else {
      closeAndReport();
    }
  }

  @Override
  public boolean wasNull() throws SQLException {
    return delegate.wasNull();
  }

  @Override
  public String getString(int columnIndex) throws SQLException {
    col(columnIndex);
    return delegate.getString(columnIndex);
  }

  @Override
  public boolean getBoolean(int columnIndex) throws SQLException {
    col(columnIndex);
    return delegate.getBoolean(columnIndex);
  }

  @Override
  public byte getByte(int columnIndex) throws SQLException {
    col(columnIndex);
    return delegate.getByte(columnIndex);
  }

  @Override
  public short getShort(int columnIndex) throws SQLException {
    col(columnIndex);
    return delegate.getShort(columnIndex);
  }

  @Override
  public int getInt(int columnIndex) throws SQLException {
    col(columnIndex);
    return delegate.getInt(columnIndex);
  }

  @Override
  public long getLong(int columnIndex) throws SQLException {
    col(columnIndex);
    return delegate.getLong(columnIndex);
  }

  @Override
  public float getFloat(int columnIndex) throws SQLException {
    col(columnIndex);
    return delegate.getFloat(columnIndex);
  }

  @Override
  public double getDouble(int columnIndex) throws SQLException {
    col(columnIndex);
    return delegate.getDouble(columnIndex);
  }

  @Override
  public BigDecimal getBigDecimal(int columnIndex, int scale) throws SQLException {
    col(columnIndex);
    return delegate.getBigDecimal(columnIndex, scale);
  }

  @Override
  public byte[] getBytes(int columnIndex) throws SQLException {
    col(columnIndex);
    return delegate.getBytes(columnIndex);
  }

  @Override
  public Date getDate(int columnIndex) throws SQLException {
    col(columnIndex);
    return delegate.getDate(columnIndex);
  }

  @Override
  public Time getTime(int columnIndex) throws SQLException {
    col(columnIndex);
    return delegate.getTime(columnIndex);
  }

  @Override
  public Timestamp getTimestamp(int columnIndex) throws SQLException {
    col(columnIndex);
    return delegate.getTimestamp(columnIndex);
  }

  @Override
  public java.io.InputStream getAsciiStream(int columnIndex) throws SQLException {
    col(columnIndex);
    return delegate.getAsciiStream(columnIndex);
  }

  @Override
  public java.io.InputStream getUnicodeStream(int columnIndex) throws SQLException {
    col(columnIndex);
    return delegate.getUnicodeStream(columnIndex);
  }

  @Override
  public java.io.InputStream getBinaryStream(int columnIndex) throws SQLException {
    col(columnIndex);
    return delegate.getBinaryStream(columnIndex);
  }

  @Override
  public String getString(String columnLabel) throws SQLException {
    label(columnLabel);
    return delegate.getString(columnLabel);
  }

  @Override
  public boolean getBoolean(String columnLabel) throws SQLException {
    label(columnLabel);
    return delegate.getBoolean(columnLabel);
  }

  @Override
  public byte getByte(String columnLabel) throws SQLException {
    label(columnLabel);
    return delegate.getByte(columnLabel);
  }

  @Override
  public short getShort(String columnLabel) throws SQLException {
    label(columnLabel);
    return delegate.getShort(columnLabel);
  }

  @Override
  public int getInt(String columnLabel) throws SQLException {
    label(columnLabel);
    return delegate.getInt(columnLabel);
  }

  @Override
  public long getLong(String columnLabel) throws SQLException {
    label(columnLabel);
    return delegate.getLong(columnLabel);
  }

  @Override
  public float getFloat(String columnLabel) throws SQLException {
    label(columnLabel);
    return delegate.getFloat(columnLabel);
  }

  @Override
  public double getDouble(String columnLabel) throws SQLException {
    label(columnLabel);
    return delegate.getDouble(columnLabel);
  }

  @Override
  public BigDecimal getBigDecimal(String columnLabel, int scale) throws SQLException {
    label(columnLabel);
    return delegate.getBigDecimal(columnLabel, scale);
  }

  @Override
  public byte[] getBytes(String columnLabel) throws SQLException {
    label(columnLabel);
    return delegate.getBytes(columnLabel);
  }

  @Override
  public Date getDate(String columnLabel) throws SQLException {
    label(columnLabel);
    return delegate.getDate(columnLabel);
  }

  @Override
  public Time getTime(String columnLabel) throws SQLException {
    label(columnLabel);
    return delegate.getTime(columnLabel);
  }

  @Override
  public Timestamp getTimestamp(String columnLabel) throws SQLException {
    label(columnLabel);
    return delegate.getTimestamp(columnLabel);
  }

  @Override
  public java.io.InputStream getAsciiStream(String columnLabel) throws SQLException {
    label(columnLabel);
    return delegate.getAsciiStream(columnLabel);
  }

  @Override
  public java.io.InputStream getUnicodeStream(String columnLabel) throws SQLException {
    label(columnLabel);
    return delegate.getUnicodeStream(columnLabel);
  }

  @Override
  public java.io.InputStream getBinaryStream(String columnLabel) throws SQLException {
    label(columnLabel);
    return delegate.getBinaryStream(columnLabel);
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
  public String getCursorName() throws SQLException {
    return delegate.getCursorName();
  }

  @Override
  public ResultSetMetaData getMetaData() throws SQLException {
    return ResultSetMetaDataWrapper.wrap(delegate.getMetaData(), hidden);
  }

  @Override
  public Object getObject(int columnIndex) throws SQLException {
    col(columnIndex);
    return value(delegate.getObject(columnIndex));
  }

  @Override
  public Object getObject(String columnLabel) throws SQLException {
    label(columnLabel);
    return value(delegate.getObject(columnLabel));
  }

  @Override
  public int findColumn(String columnLabel) throws SQLException {
    label(columnLabel);
    return delegate.findColumn(columnLabel);
  }

  @Override
  public java.io.Reader getCharacterStream(int columnIndex) throws SQLException {
    col(columnIndex);
    return delegate.getCharacterStream(columnIndex);
  }

  @Override
  public java.io.Reader getCharacterStream(String columnLabel) throws SQLException {
    label(columnLabel);
    return delegate.getCharacterStream(columnLabel);
  }

  @Override
  public BigDecimal getBigDecimal(int columnIndex) throws SQLException {
    col(columnIndex);
    return delegate.getBigDecimal(columnIndex);
  }

  @Override
  public BigDecimal getBigDecimal(String columnLabel) throws SQLException {
    label(columnLabel);
    return delegate.getBigDecimal(columnLabel);
  }

  @Override
  public boolean isBeforeFirst() throws SQLException {
    return delegate.isBeforeFirst();
  }

  @Override
  public boolean isAfterLast() throws SQLException {
    return delegate.isAfterLast();
  }

  @Override
  public boolean isFirst() throws SQLException {
    return delegate.isFirst();
  }

  @Override
  public boolean isLast() throws SQLException {
    return delegate.isLast();
  }

  @Override
  public void beforeFirst() throws SQLException {
    delegate.beforeFirst();
  }

  @Override
  public void afterLast() throws SQLException {
    delegate.afterLast();
  }

  @Override
  public boolean first() throws SQLException {
    if (listener == null) {
      return delegate.first();
    }
    boolean onRow;
    try {
      onRow = delegate.first();
    } catch (SQLException e) {
      throw failed(e);
    }
    return reportRow(onRow);
  }

  @Override
  public boolean last() throws SQLException {
    if (listener == null) {
      return delegate.last();
    }
    boolean onRow;
    try {
      onRow = delegate.last();
    } catch (SQLException e) {
      throw failed(e);
    }
    return reportRow(onRow);
  }

  @Override
  public int getRow() throws SQLException {
    return delegate.getRow();
  }

  @Override
  public boolean absolute(int row) throws SQLException {
    if (listener == null) {
      return delegate.absolute(row);
    }
    boolean onRow;
    try {
      onRow = delegate.absolute(row);
    } catch (SQLException e) {
      throw failed(e);
    }
    return reportRow(onRow);
  }

  @Override
  public boolean relative(int rows) throws SQLException {
    if (listener == null) {
      return delegate.relative(rows);
    }
    boolean onRow;
    try {
      onRow = delegate.relative(rows);
    } catch (SQLException e) {
      throw failed(e);
    }
    return reportRow(onRow);
  }

  @Override
  public boolean previous() throws SQLException {
    if (listener == null) {
      return delegate.previous();
    }
    boolean onRow;
    try {
      onRow = delegate.previous();
    } catch (SQLException e) {
      throw failed(e);
    }
    return reportRow(onRow);
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
  public int getType() throws SQLException {
    return delegate.getType();
  }

  @Override
  public int getConcurrency() throws SQLException {
    return readOnly ? CONCUR_READ_ONLY : delegate.getConcurrency();
  }

  @Override
  public boolean rowUpdated() throws SQLException {
    return delegate.rowUpdated();
  }

  @Override
  public boolean rowInserted() throws SQLException {
    return delegate.rowInserted();
  }

  @Override
  public boolean rowDeleted() throws SQLException {
    return delegate.rowDeleted();
  }

  @Override
  public void updateNull(int columnIndex) throws SQLException {
    col(columnIndex);
    checkWritable();
    delegate.updateNull(columnIndex);
  }

  @Override
  public void updateBoolean(int columnIndex, boolean x) throws SQLException {
    col(columnIndex);
    checkWritable();
    delegate.updateBoolean(columnIndex, x);
  }

  @Override
  public void updateByte(int columnIndex, byte x) throws SQLException {
    col(columnIndex);
    checkWritable();
    delegate.updateByte(columnIndex, x);
  }

  @Override
  public void updateShort(int columnIndex, short x) throws SQLException {
    col(columnIndex);
    checkWritable();
    delegate.updateShort(columnIndex, x);
  }

  @Override
  public void updateInt(int columnIndex, int x) throws SQLException {
    col(columnIndex);
    checkWritable();
    delegate.updateInt(columnIndex, x);
  }

  @Override
  public void updateLong(int columnIndex, long x) throws SQLException {
    col(columnIndex);
    checkWritable();
    delegate.updateLong(columnIndex, x);
  }

  @Override
  public void updateFloat(int columnIndex, float x) throws SQLException {
    col(columnIndex);
    checkWritable();
    delegate.updateFloat(columnIndex, x);
  }

  @Override
  public void updateDouble(int columnIndex, double x) throws SQLException {
    col(columnIndex);
    checkWritable();
    delegate.updateDouble(columnIndex, x);
  }

  @Override
  public void updateBigDecimal(int columnIndex, BigDecimal x) throws SQLException {
    col(columnIndex);
    checkWritable();
    delegate.updateBigDecimal(columnIndex, x);
  }

  @Override
  public void updateString(int columnIndex, String x) throws SQLException {
    col(columnIndex);
    checkWritable();
    delegate.updateString(columnIndex, x);
  }

  @Override
  public void updateBytes(int columnIndex, byte[] x) throws SQLException {
    col(columnIndex);
    checkWritable();
    delegate.updateBytes(columnIndex, x);
  }

  @Override
  public void updateDate(int columnIndex, Date x) throws SQLException {
    col(columnIndex);
    checkWritable();
    delegate.updateDate(columnIndex, x);
  }

  @Override
  public void updateTime(int columnIndex, Time x) throws SQLException {
    col(columnIndex);
    checkWritable();
    delegate.updateTime(columnIndex, x);
  }

  @Override
  public void updateTimestamp(int columnIndex, Timestamp x) throws SQLException {
    col(columnIndex);
    checkWritable();
    delegate.updateTimestamp(columnIndex, x);
  }

  @Override
  public void updateAsciiStream(
      int columnIndex, java.io.InputStream x, int length) throws SQLException {
    checkWritable();
    delegate.updateAsciiStream(columnIndex, x, length);
  }

  @Override
  public void updateBinaryStream(
      int columnIndex, java.io.InputStream x, int length) throws SQLException {
    checkWritable();
    delegate.updateBinaryStream(columnIndex, x, length);
  }

  @Override
  public void updateCharacterStream(
      int columnIndex, java.io.Reader x, int length) throws SQLException {
    checkWritable();
    delegate.updateCharacterStream(columnIndex, x, length);
  }

  @Override
  public void updateObject(int columnIndex, Object x, int scaleOrLength) throws SQLException {
    col(columnIndex);
    checkWritable();
    delegate.updateObject(columnIndex, Values.toDriver(x), scaleOrLength);
  }

  @Override
  public void updateObject(int columnIndex, Object x) throws SQLException {
    col(columnIndex);
    checkWritable();
    delegate.updateObject(columnIndex, Values.toDriver(x));
  }

  @Override
  public void updateNull(String columnLabel) throws SQLException {
    label(columnLabel);
    checkWritable();
    delegate.updateNull(columnLabel);
  }

  @Override
  public void updateBoolean(String columnLabel, boolean x) throws SQLException {
    label(columnLabel);
    checkWritable();
    delegate.updateBoolean(columnLabel, x);
  }

  @Override
  public void updateByte(String columnLabel, byte x) throws SQLException {
    label(columnLabel);
    checkWritable();
    delegate.updateByte(columnLabel, x);
  }

  @Override
  public void updateShort(String columnLabel, short x) throws SQLException {
    label(columnLabel);
    checkWritable();
    delegate.updateShort(columnLabel, x);
  }

  @Override
  public void updateInt(String columnLabel, int x) throws SQLException {
    label(columnLabel);
    checkWritable();
    delegate.updateInt(columnLabel, x);
  }

  @Override
  public void updateLong(String columnLabel, long x) throws SQLException {
    label(columnLabel);
    checkWritable();
    delegate.updateLong(columnLabel, x);
  }

  @Override
  public void updateFloat(String columnLabel, float x) throws SQLException {
    label(columnLabel);
    checkWritable();
    delegate.updateFloat(columnLabel, x);
  }

  @Override
  public void updateDouble(String columnLabel, double x) throws SQLException {
    label(columnLabel);
    checkWritable();
    delegate.updateDouble(columnLabel, x);
  }

  @Override
  public void updateBigDecimal(String columnLabel, BigDecimal x) throws SQLException {
    label(columnLabel);
    checkWritable();
    delegate.updateBigDecimal(columnLabel, x);
  }

  @Override
  public void updateString(String columnLabel, String x) throws SQLException {
    label(columnLabel);
    checkWritable();
    delegate.updateString(columnLabel, x);
  }

  @Override
  public void updateBytes(String columnLabel, byte[] x) throws SQLException {
    label(columnLabel);
    checkWritable();
    delegate.updateBytes(columnLabel, x);
  }

  @Override
  public void updateDate(String columnLabel, Date x) throws SQLException {
    label(columnLabel);
    checkWritable();
    delegate.updateDate(columnLabel, x);
  }

  @Override
  public void updateTime(String columnLabel, Time x) throws SQLException {
    label(columnLabel);
    checkWritable();
    delegate.updateTime(columnLabel, x);
  }

  @Override
  public void updateTimestamp(String columnLabel, Timestamp x) throws SQLException {
    label(columnLabel);
    checkWritable();
    delegate.updateTimestamp(columnLabel, x);
  }

  @Override
  public void updateAsciiStream(
      String columnLabel, java.io.InputStream x, int length) throws SQLException {
    checkWritable();
    delegate.updateAsciiStream(columnLabel, x, length);
  }

  @Override
  public void updateBinaryStream(
      String columnLabel, java.io.InputStream x, int length) throws SQLException {
    checkWritable();
    delegate.updateBinaryStream(columnLabel, x, length);
  }

  @Override
  public void updateCharacterStream(
      String columnLabel, java.io.Reader reader, int length) throws SQLException {
    checkWritable();
    delegate.updateCharacterStream(columnLabel, reader, length);
  }

  @Override
  public void updateObject(String columnLabel, Object x, int scaleOrLength) throws SQLException {
    label(columnLabel);
    checkWritable();
    delegate.updateObject(columnLabel, Values.toDriver(x), scaleOrLength);
  }

  @Override
  public void updateObject(String columnLabel, Object x) throws SQLException {
    label(columnLabel);
    checkWritable();
    delegate.updateObject(columnLabel, Values.toDriver(x));
  }

  @Override
  public void insertRow() throws SQLException {
    checkWritable();
    delegate.insertRow();
  }

  @Override
  public void updateRow() throws SQLException {
    checkWritable();
    delegate.updateRow();
  }

  @Override
  public void deleteRow() throws SQLException {
    checkWritable();
    delegate.deleteRow();
  }

  @Override
  public void refreshRow() throws SQLException {
    checkWritable();
    delegate.refreshRow();
  }

  @Override
  public void cancelRowUpdates() throws SQLException {
    checkWritable();
    delegate.cancelRowUpdates();
  }

  @Override
  public void moveToInsertRow() throws SQLException {
    checkWritable();
    delegate.moveToInsertRow();
  }

  @Override
  public void moveToCurrentRow() throws SQLException {
    delegate.moveToCurrentRow();
  }

  @Override
  public Statement getStatement() throws SQLException {
    return statement;
  }

  @Override
  public Object getObject(int columnIndex, Map<String, Class<?>> map) throws SQLException {
    col(columnIndex);
    return value(delegate.getObject(columnIndex, map));
  }

  @Override
  public Ref getRef(int columnIndex) throws SQLException {
    col(columnIndex);
    throw Values.refRefused();
  }

  @Override
  public Blob getBlob(int columnIndex) throws SQLException {
    col(columnIndex);
    return delegate.getBlob(columnIndex);
  }

  @Override
  public Clob getClob(int columnIndex) throws SQLException {
    col(columnIndex);
    return delegate.getClob(columnIndex);
  }

  @Override
  public Array getArray(int columnIndex) throws SQLException {
    col(columnIndex);
    return ArrayWrapper.wrap(delegate.getArray(columnIndex), readOnly);
  }

  @Override
  public Object getObject(String columnLabel, Map<String, Class<?>> map) throws SQLException {
    label(columnLabel);
    return value(delegate.getObject(columnLabel, map));
  }

  @Override
  public Ref getRef(String columnLabel) throws SQLException {
    label(columnLabel);
    throw Values.refRefused();
  }

  @Override
  public Blob getBlob(String columnLabel) throws SQLException {
    label(columnLabel);
    return delegate.getBlob(columnLabel);
  }

  @Override
  public Clob getClob(String columnLabel) throws SQLException {
    label(columnLabel);
    return delegate.getClob(columnLabel);
  }

  @Override
  public Array getArray(String columnLabel) throws SQLException {
    label(columnLabel);
    return ArrayWrapper.wrap(delegate.getArray(columnLabel), readOnly);
  }

  @Override
  public Date getDate(int columnIndex, Calendar cal) throws SQLException {
    col(columnIndex);
    return delegate.getDate(columnIndex, cal);
  }

  @Override
  public Date getDate(String columnLabel, Calendar cal) throws SQLException {
    label(columnLabel);
    return delegate.getDate(columnLabel, cal);
  }

  @Override
  public Time getTime(int columnIndex, Calendar cal) throws SQLException {
    col(columnIndex);
    return delegate.getTime(columnIndex, cal);
  }

  @Override
  public Time getTime(String columnLabel, Calendar cal) throws SQLException {
    label(columnLabel);
    return delegate.getTime(columnLabel, cal);
  }

  @Override
  public Timestamp getTimestamp(int columnIndex, Calendar cal) throws SQLException {
    col(columnIndex);
    return delegate.getTimestamp(columnIndex, cal);
  }

  @Override
  public Timestamp getTimestamp(String columnLabel, Calendar cal) throws SQLException {
    label(columnLabel);
    return delegate.getTimestamp(columnLabel, cal);
  }

  @Override
  public java.net.URL getURL(int columnIndex) throws SQLException {
    col(columnIndex);
    return delegate.getURL(columnIndex);
  }

  @Override
  public java.net.URL getURL(String columnLabel) throws SQLException {
    label(columnLabel);
    return delegate.getURL(columnLabel);
  }

  @Override
  public void updateRef(int columnIndex, Ref x) throws SQLException {
    col(columnIndex);
    checkWritable();
    delegate.updateRef(columnIndex, x);
  }

  @Override
  public void updateRef(String columnLabel, Ref x) throws SQLException {
    label(columnLabel);
    checkWritable();
    delegate.updateRef(columnLabel, x);
  }

  @Override
  public void updateBlob(int columnIndex, Blob x) throws SQLException {
    col(columnIndex);
    checkWritable();
    delegate.updateBlob(columnIndex, x);
  }

  @Override
  public void updateBlob(String columnLabel, Blob x) throws SQLException {
    label(columnLabel);
    checkWritable();
    delegate.updateBlob(columnLabel, x);
  }

  @Override
  public void updateClob(int columnIndex, Clob x) throws SQLException {
    col(columnIndex);
    checkWritable();
    delegate.updateClob(columnIndex, x);
  }

  @Override
  public void updateClob(String columnLabel, Clob x) throws SQLException {
    label(columnLabel);
    checkWritable();
    delegate.updateClob(columnLabel, x);
  }

  @Override
  public void updateArray(int columnIndex, Array x) throws SQLException {
    col(columnIndex);
    checkWritable();
    delegate.updateArray(columnIndex, Values.toDriver(x));
  }

  @Override
  public void updateArray(String columnLabel, Array x) throws SQLException {
    label(columnLabel);
    checkWritable();
    delegate.updateArray(columnLabel, Values.toDriver(x));
  }

  @Override
  public RowId getRowId(int columnIndex) throws SQLException {
    col(columnIndex);
    return delegate.getRowId(columnIndex);
  }

  @Override
  public RowId getRowId(String columnLabel) throws SQLException {
    label(columnLabel);
    return delegate.getRowId(columnLabel);
  }

  @Override
  public void updateRowId(int columnIndex, RowId x) throws SQLException {
    col(columnIndex);
    checkWritable();
    delegate.updateRowId(columnIndex, x);
  }

  @Override
  public void updateRowId(String columnLabel, RowId x) throws SQLException {
    label(columnLabel);
    checkWritable();
    delegate.updateRowId(columnLabel, x);
  }

  @Override
  public int getHoldability() throws SQLException {
    return delegate.getHoldability();
  }

  @Override
  public boolean isClosed() throws SQLException {
    return delegate.isClosed();
  }

  @Override
  public void updateNString(int columnIndex, String nString) throws SQLException {
    col(columnIndex);
    checkWritable();
    delegate.updateNString(columnIndex, nString);
  }

  @Override
  public void updateNString(String columnLabel, String nString) throws SQLException {
    label(columnLabel);
    checkWritable();
    delegate.updateNString(columnLabel, nString);
  }

  @Override
  public void updateNClob(int columnIndex, NClob nClob) throws SQLException {
    col(columnIndex);
    checkWritable();
    delegate.updateNClob(columnIndex, nClob);
  }

  @Override
  public void updateNClob(String columnLabel, NClob nClob) throws SQLException {
    label(columnLabel);
    checkWritable();
    delegate.updateNClob(columnLabel, nClob);
  }

  @Override
  public NClob getNClob(int columnIndex) throws SQLException {
    col(columnIndex);
    return delegate.getNClob(columnIndex);
  }

  @Override
  public NClob getNClob(String columnLabel) throws SQLException {
    label(columnLabel);
    return delegate.getNClob(columnLabel);
  }

  @Override
  public SQLXML getSQLXML(int columnIndex) throws SQLException {
    col(columnIndex);
    return delegate.getSQLXML(columnIndex);
  }

  @Override
  public SQLXML getSQLXML(String columnLabel) throws SQLException {
    label(columnLabel);
    return delegate.getSQLXML(columnLabel);
  }

  @Override
  public void updateSQLXML(int columnIndex, SQLXML xmlObject) throws SQLException {
    col(columnIndex);
    checkWritable();
    delegate.updateSQLXML(columnIndex, xmlObject);
  }

  @Override
  public void updateSQLXML(String columnLabel, SQLXML xmlObject) throws SQLException {
    label(columnLabel);
    checkWritable();
    delegate.updateSQLXML(columnLabel, xmlObject);
  }

  @Override
  public String getNString(int columnIndex) throws SQLException {
    col(columnIndex);
    return delegate.getNString(columnIndex);
  }

  @Override
  public String getNString(String columnLabel) throws SQLException {
    label(columnLabel);
    return delegate.getNString(columnLabel);
  }

  @Override
  public java.io.Reader getNCharacterStream(int columnIndex) throws SQLException {
    col(columnIndex);
    return delegate.getNCharacterStream(columnIndex);
  }

  @Override
  public java.io.Reader getNCharacterStream(String columnLabel) throws SQLException {
    label(columnLabel);
    return delegate.getNCharacterStream(columnLabel);
  }

  @Override
  public void updateNCharacterStream(
      int columnIndex, java.io.Reader x, long length) throws SQLException {
    checkWritable();
    delegate.updateNCharacterStream(columnIndex, x, length);
  }

  @Override
  public void updateNCharacterStream(
      String columnLabel, java.io.Reader reader, long length) throws SQLException {
    checkWritable();
    delegate.updateNCharacterStream(columnLabel, reader, length);
  }

  @Override
  public void updateAsciiStream(
      int columnIndex, java.io.InputStream x, long length) throws SQLException {
    checkWritable();
    delegate.updateAsciiStream(columnIndex, x, length);
  }

  @Override
  public void updateBinaryStream(
      int columnIndex, java.io.InputStream x, long length) throws SQLException {
    checkWritable();
    delegate.updateBinaryStream(columnIndex, x, length);
  }

  @Override
  public void updateCharacterStream(
      int columnIndex, java.io.Reader x, long length) throws SQLException {
    checkWritable();
    delegate.updateCharacterStream(columnIndex, x, length);
  }

  @Override
  public void updateAsciiStream(
      String columnLabel, java.io.InputStream x, long length) throws SQLException {
    checkWritable();
    delegate.updateAsciiStream(columnLabel, x, length);
  }

  @Override
  public void updateBinaryStream(
      String columnLabel, java.io.InputStream x, long length) throws SQLException {
    checkWritable();
    delegate.updateBinaryStream(columnLabel, x, length);
  }

  @Override
  public void updateCharacterStream(
      String columnLabel, java.io.Reader reader, long length) throws SQLException {
    checkWritable();
    delegate.updateCharacterStream(columnLabel, reader, length);
  }

  @Override
  public void updateBlob(
      int columnIndex, InputStream inputStream, long length) throws SQLException {
    checkWritable();
    delegate.updateBlob(columnIndex, inputStream, length);
  }

  @Override
  public void updateBlob(
      String columnLabel, InputStream inputStream, long length) throws SQLException {
    checkWritable();
    delegate.updateBlob(columnLabel, inputStream, length);
  }

  @Override
  public void updateClob(int columnIndex, Reader reader, long length) throws SQLException {
    col(columnIndex);
    checkWritable();
    delegate.updateClob(columnIndex, reader, length);
  }

  @Override
  public void updateClob(String columnLabel, Reader reader, long length) throws SQLException {
    label(columnLabel);
    checkWritable();
    delegate.updateClob(columnLabel, reader, length);
  }

  @Override
  public void updateNClob(int columnIndex, Reader reader, long length) throws SQLException {
    col(columnIndex);
    checkWritable();
    delegate.updateNClob(columnIndex, reader, length);
  }

  @Override
  public void updateNClob(String columnLabel, Reader reader, long length) throws SQLException {
    label(columnLabel);
    checkWritable();
    delegate.updateNClob(columnLabel, reader, length);
  }

  @Override
  public void updateNCharacterStream(int columnIndex, java.io.Reader x) throws SQLException {
    col(columnIndex);
    checkWritable();
    delegate.updateNCharacterStream(columnIndex, x);
  }

  @Override
  public void updateNCharacterStream(
      String columnLabel, java.io.Reader reader) throws SQLException {
    checkWritable();
    delegate.updateNCharacterStream(columnLabel, reader);
  }

  @Override
  public void updateAsciiStream(int columnIndex, java.io.InputStream x) throws SQLException {
    col(columnIndex);
    checkWritable();
    delegate.updateAsciiStream(columnIndex, x);
  }

  @Override
  public void updateBinaryStream(int columnIndex, java.io.InputStream x) throws SQLException {
    col(columnIndex);
    checkWritable();
    delegate.updateBinaryStream(columnIndex, x);
  }

  @Override
  public void updateCharacterStream(int columnIndex, java.io.Reader x) throws SQLException {
    col(columnIndex);
    checkWritable();
    delegate.updateCharacterStream(columnIndex, x);
  }

  @Override
  public void updateAsciiStream(String columnLabel, java.io.InputStream x) throws SQLException {
    label(columnLabel);
    checkWritable();
    delegate.updateAsciiStream(columnLabel, x);
  }

  @Override
  public void updateBinaryStream(String columnLabel, java.io.InputStream x) throws SQLException {
    label(columnLabel);
    checkWritable();
    delegate.updateBinaryStream(columnLabel, x);
  }

  @Override
  public void updateCharacterStream(String columnLabel, java.io.Reader reader) throws SQLException {
    label(columnLabel);
    checkWritable();
    delegate.updateCharacterStream(columnLabel, reader);
  }

  @Override
  public void updateBlob(int columnIndex, InputStream inputStream) throws SQLException {
    col(columnIndex);
    checkWritable();
    delegate.updateBlob(columnIndex, inputStream);
  }

  @Override
  public void updateBlob(String columnLabel, InputStream inputStream) throws SQLException {
    label(columnLabel);
    checkWritable();
    delegate.updateBlob(columnLabel, inputStream);
  }

  @Override
  public void updateClob(int columnIndex, Reader reader) throws SQLException {
    col(columnIndex);
    checkWritable();
    delegate.updateClob(columnIndex, reader);
  }

  @Override
  public void updateClob(String columnLabel, Reader reader) throws SQLException {
    label(columnLabel);
    checkWritable();
    delegate.updateClob(columnLabel, reader);
  }

  @Override
  public void updateNClob(int columnIndex, Reader reader) throws SQLException {
    col(columnIndex);
    checkWritable();
    delegate.updateNClob(columnIndex, reader);
  }

  @Override
  public void updateNClob(String columnLabel, Reader reader) throws SQLException {
    label(columnLabel);
    checkWritable();
    delegate.updateNClob(columnLabel, reader);
  }

  @Override
  public <T> T getObject(int columnIndex, Class<T> type) throws SQLException {
    col(columnIndex);
    return Values.cast(value(delegate.getObject(columnIndex, type)), type);
  }

  @Override
  public <T> T getObject(String columnLabel, Class<T> type) throws SQLException {
    label(columnLabel);
    return Values.cast(value(delegate.getObject(columnLabel, type)), type);
  }

  @Override
  public void updateObject(
      int columnIndex, Object x, SQLType targetSqlType, int scaleOrLength) throws SQLException {
    checkWritable();
    delegate.updateObject(columnIndex, Values.toDriver(x), targetSqlType, scaleOrLength);
  }

  @Override
  public void updateObject(
      String columnLabel, Object x, SQLType targetSqlType, int scaleOrLength) throws SQLException {
    checkWritable();
    delegate.updateObject(columnLabel, Values.toDriver(x), targetSqlType, scaleOrLength);
  }

  @Override
  public void updateObject(int columnIndex, Object x, SQLType targetSqlType) throws SQLException {
    col(columnIndex);
    checkWritable();
    delegate.updateObject(columnIndex, Values.toDriver(x), targetSqlType);
  }

  @Override
  public void updateObject(
      String columnLabel, Object x, SQLType targetSqlType) throws SQLException {
    checkWritable();
    delegate.updateObject(columnLabel, Values.toDriver(x), targetSqlType);
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
