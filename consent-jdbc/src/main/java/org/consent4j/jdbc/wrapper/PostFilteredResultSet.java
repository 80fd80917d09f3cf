package org.consent4j.jdbc.wrapper;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
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
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLType;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Statement;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.List;
import java.util.Map;

/**
 * The driver's result set of a post-filtered statement, as the pushdown form would have produced
 * it: rows its {@link RowFilter} refuses are skipped, and the values it masks read as NULL
 * ({@code getObject} and {@code getString} return null, {@code getInt} 0, {@code getBoolean} false,
 * and {@code wasNull()} is true), by index and by label. The hidden columns stay readable here;
 * {@link ResultSetWrapper} keeps them from the application, as for any hidden column.
 *
 * <p>A scrollable result set is scrolled over its visible rows: the first cursor move other than
 * {@code next} reads the driver's rows once to number the visible ones. A forward-only one
 * answers {@code getRow}, {@code isFirst} and {@code isAfterLast} itself; {@code isBeforeFirst}
 * and {@code isLast}, which would need to read ahead, are not supported there.
 *
 * <p>A plain class rather than a dynamic proxy, so that a read costs a call and a mask check: every
 * getter of a column, by index or by label, answers its type's NULL (null, 0, false) for a masked
 * value, and every other method goes to the driver's result set, except that once deciding a row
 * has failed nothing but {@code close} and {@code isClosed} is answered.
 *
 * <p>Not thread-safe, as a result set is not.
 */
final class PostFilteredResultSet implements ResultSet {
  private final ResultSet raw;
  private final RowFilter filter;
  private final int hidden;
  private int visible = -1;
  /**
   * The current row's masks (the filter's array, which it may refill on its next call); null when the
   * cursor is not on a (visible) row.
   */
  private boolean[] masks;
  private boolean lastMasked;
  /** Forward-only: visible rows passed; whether the end was reached. */
  private int count;
  private boolean after;
  /** Scroll mode: the driver's row numbers of the visible rows, and the position among them. */
  private List<Integer> rows;
  private int pos;
  /**
   * Set when deciding a row failed: the driver's cursor may then stand on a row the application
   * must not see, so nothing but closing is answered any more.
   */
  private SQLException failed;

  private PostFilteredResultSet(ResultSet raw, RowFilter filter, int hidden) {
    this.raw = raw;
    this.filter = filter;
    this.hidden = hidden;
  }

  static ResultSet wrap(ResultSet raw, RowFilter filter, int hidden) {
    return new PostFilteredResultSet(raw, filter, hidden);
  }

  private int visible() throws SQLException {
    if (visible < 0) {
      visible = raw.getMetaData().getColumnCount() - hidden;
    }
    return visible;
  }

  /** Refuses everything once deciding a row failed. */
  private void open() throws SQLException {
    if (failed != null) {
      throw new SQLException("this post-filtered result set failed to decide a row and cannot be read further", "HY000",
          failed);
    }
  }

  /** Whether the current row masks {@code column}; remembered for {@link #wasNull()}. */
  private boolean masked(int column) {
    if (masks == null) {
      return false;
    }
    lastMasked = column >= 1 && column <= masks.length && masks[column - 1];
    return lastMasked;
  }

  /** Whether the current row masks the column labelled {@code label}. */
  private boolean masked(String label) {
    return masks != null && label != null && masked(column(label));
  }

  private int column(String label) {
    try {
      return raw.findColumn(label);
    } catch (SQLException e) {
      return -1; // the driver's getter throws its own error for an unknown label
    }
  }

  @Override
  public boolean next() throws SQLException {
    open();
    return rows == null ? forward() : moveTo(pos + 1);
  }

  @Override
  public boolean previous() throws SQLException {
    open();
    number();
    return moveTo(pos - 1);
  }

  @Override
  public boolean first() throws SQLException {
    open();
    number();
    return moveTo(1);
  }

  @Override
  public boolean last() throws SQLException {
    open();
    number();
    return moveTo(rows.size());
  }

  @Override
  public boolean absolute(int row) throws SQLException {
    open();
    number();
    return moveTo(row >= 0 ? row : rows.size() + 1 + row);
  }

  @Override
  public boolean relative(int rows) throws SQLException {
    open();
    number();
    return moveTo(pos + rows);
  }

  @Override
  public void beforeFirst() throws SQLException {
    open();
    number();
    moveTo(0);
  }

  @Override
  public void afterLast() throws SQLException {
    open();
    number();
    moveTo(rows.size() + 1);
  }

  @Override
  public int getRow() throws SQLException {
    open();
    return rows != null ? (pos >= 1 && pos <= rows.size() ? pos : 0) : masks != null ? count : 0;
  }

  @Override
  public boolean isFirst() throws SQLException {
    open();
    return rows != null ? pos == 1 && !rows.isEmpty() : masks != null && count == 1;
  }

  @Override
  public boolean isAfterLast() throws SQLException {
    open();
    return rows != null ? !rows.isEmpty() && pos == rows.size() + 1 : after && count > 0;
  }

  @Override
  public boolean isBeforeFirst() throws SQLException {
    open();
    readAhead("isBeforeFirst");
    return pos == 0 && !rows.isEmpty();
  }

  @Override
  public boolean isLast() throws SQLException {
    open();
    readAhead("isLast");
    return pos == rows.size() && !rows.isEmpty();
  }

  /** Numbers the visible rows for {@code isBeforeFirst} or {@code isLast}: refused when forward-only. */
  private void readAhead(String name) throws SQLException {
    if (rows == null && raw.getType() == ResultSet.TYPE_FORWARD_ONLY) {
      throw new SQLFeatureNotSupportedException(name + " is not supported on a forward-only result set of a"
          + " post-filtered statement (it would read ahead past rows the application must not see); use"
          + " next(), or a scrollable result set");
    }
    number();
  }

  @Override
  public boolean wasNull() throws SQLException {
    open();
    return lastMasked || raw.wasNull();
  }

  @Override
  public ResultSetMetaData getMetaData() throws SQLException {
    open();
    return metaData(raw.getMetaData());
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    open();
    return Wrappers.unwrap(this, iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    open();
    return Wrappers.isWrapperFor(this, iface);
  }

  @Override
  public void close() throws SQLException {
    raw.close();
  }

  @Override
  public boolean isClosed() throws SQLException {
    return raw.isClosed();
  }

  @Override
  public String toString() {
    return "post-filtered result set";
  }

  private boolean forward() throws SQLException {
    lastMasked = false;
    while (raw.next()) {
      masks = null;
      masks = decide();
      if (masks != null) {
        count++;
        return true;
      }
    }
    masks = null;
    after = true;
    return false;
  }

  private boolean[] decide() throws SQLException {
    try {
      return filter.decide(raw, visible());
    } catch (SQLException | RuntimeException e) {
      failed = e instanceof SQLException x ? x : new SQLException(e);
      throw e;
    }
  }

  /** Numbers the visible rows (once), keeping the position reached so far. */
  private void number() throws SQLException {
    if (rows != null) {
      return;
    }
    List<Integer> out = new ArrayList<>();
    raw.beforeFirst();
    while (raw.next()) {
      if (decide() != null) {
        out.add(raw.getRow());
      }
    }
    rows = out;
    int at = after ? rows.size() + 1 : count;
    moveTo(at);
  }

  private boolean moveTo(int k) throws SQLException {
    lastMasked = false;
    int size = rows.size();
    if (k <= 0 || size == 0 && k > 0) {
      if (k <= 0) {
        raw.beforeFirst();
        pos = 0;
      } else {
        raw.afterLast();
        pos = 1;
      }
      masks = null;
      return false;
    }
    if (k > size) {
      raw.afterLast();
      pos = size + 1;
      masks = null;
      return false;
    }
    masks = null;
    raw.absolute(rows.get(k - 1));
    masks = decide();
    pos = k;
    if (masks == null) {
      throw new SQLException("a row of a post-filtered result set changed its decision while scrolled", "HY000");
    }
    return true;
  }

  /** The driver's metadata, saying that a column this result set may mask may read NULL. */
  private ResultSetMetaData metaData(ResultSetMetaData md) {
    if (md == null) {
      return null;
    }
    return (ResultSetMetaData) Proxy.newProxyInstance(ResultSetMetaData.class.getClassLoader(),
        new Class<?>[] {ResultSetMetaData.class}, (p, m, a) -> {
          if (m.getName().equals("isNullable") && a != null && a.length == 1 && a[0] instanceof Integer i
              && maskable(i)) {
            return ResultSetMetaData.columnNullable;
          }
          if (m.getName().equals("unwrap")) {
            return Wrappers.unwrap(p, (Class<?>) a[0]);
          }
          if (m.getName().equals("isWrapperFor")) {
            return Wrappers.isWrapperFor(p, (Class<?>) a[0]);
          }
          return call(md, m, a);
        });
  }

  private boolean maskable(int column) {
    return filter.mayMask(column);
  }

  private static Object call(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  // What follows is every other method of ResultSet: the getters of a column answer NULL for a
  // masked value, the rest go to the driver's result set.

  @Override
  public void cancelRowUpdates() throws SQLException {
    open();
    raw.cancelRowUpdates();
  }

  @Override
  public void clearWarnings() throws SQLException {
    open();
    raw.clearWarnings();
  }

  @Override
  public void deleteRow() throws SQLException {
    open();
    raw.deleteRow();
  }

  @Override
  public int findColumn(String columnLabel) throws SQLException {
    open();
    return raw.findColumn(columnLabel);
  }

  @Override
  public Array getArray(String columnLabel) throws SQLException {
    open();
    if (masked(columnLabel)) {
      return null;
    }
    return raw.getArray(columnLabel);
  }

  @Override
  public Array getArray(int columnIndex) throws SQLException {
    open();
    if (masked(columnIndex)) {
      return null;
    }
    return raw.getArray(columnIndex);
  }

  @Override
  public java.io.InputStream getAsciiStream(String columnLabel) throws SQLException {
    open();
    if (masked(columnLabel)) {
      return null;
    }
    return raw.getAsciiStream(columnLabel);
  }

  @Override
  public java.io.InputStream getAsciiStream(int columnIndex) throws SQLException {
    open();
    if (masked(columnIndex)) {
      return null;
    }
    return raw.getAsciiStream(columnIndex);
  }

  @Override
  @Deprecated
  public java.math.BigDecimal getBigDecimal(String columnLabel, int scale) throws SQLException {
    open();
    if (masked(columnLabel)) {
      return null;
    }
    return raw.getBigDecimal(columnLabel, scale);
  }

  @Override
  public java.math.BigDecimal getBigDecimal(String columnLabel) throws SQLException {
    open();
    if (masked(columnLabel)) {
      return null;
    }
    return raw.getBigDecimal(columnLabel);
  }

  @Override
  @Deprecated
  public java.math.BigDecimal getBigDecimal(int columnIndex, int scale) throws SQLException {
    open();
    if (masked(columnIndex)) {
      return null;
    }
    return raw.getBigDecimal(columnIndex, scale);
  }

  @Override
  public java.math.BigDecimal getBigDecimal(int columnIndex) throws SQLException {
    open();
    if (masked(columnIndex)) {
      return null;
    }
    return raw.getBigDecimal(columnIndex);
  }

  @Override
  public java.io.InputStream getBinaryStream(String columnLabel) throws SQLException {
    open();
    if (masked(columnLabel)) {
      return null;
    }
    return raw.getBinaryStream(columnLabel);
  }

  @Override
  public java.io.InputStream getBinaryStream(int columnIndex) throws SQLException {
    open();
    if (masked(columnIndex)) {
      return null;
    }
    return raw.getBinaryStream(columnIndex);
  }

  @Override
  public Blob getBlob(String columnLabel) throws SQLException {
    open();
    if (masked(columnLabel)) {
      return null;
    }
    return raw.getBlob(columnLabel);
  }

  @Override
  public Blob getBlob(int columnIndex) throws SQLException {
    open();
    if (masked(columnIndex)) {
      return null;
    }
    return raw.getBlob(columnIndex);
  }

  @Override
  public boolean getBoolean(String columnLabel) throws SQLException {
    open();
    if (masked(columnLabel)) {
      return false;
    }
    return raw.getBoolean(columnLabel);
  }

  @Override
  public boolean getBoolean(int columnIndex) throws SQLException {
    open();
    if (masked(columnIndex)) {
      return false;
    }
    return raw.getBoolean(columnIndex);
  }

  @Override
  public byte getByte(String columnLabel) throws SQLException {
    open();
    if (masked(columnLabel)) {
      return (byte) 0;
    }
    return raw.getByte(columnLabel);
  }

  @Override
  public byte getByte(int columnIndex) throws SQLException {
    open();
    if (masked(columnIndex)) {
      return (byte) 0;
    }
    return raw.getByte(columnIndex);
  }

  @Override
  public byte[] getBytes(String columnLabel) throws SQLException {
    open();
    if (masked(columnLabel)) {
      return null;
    }
    return raw.getBytes(columnLabel);
  }

  @Override
  public byte[] getBytes(int columnIndex) throws SQLException {
    open();
    if (masked(columnIndex)) {
      return null;
    }
    return raw.getBytes(columnIndex);
  }

  @Override
  public java.io.Reader getCharacterStream(String columnLabel) throws SQLException {
    open();
    if (masked(columnLabel)) {
      return null;
    }
    return raw.getCharacterStream(columnLabel);
  }

  @Override
  public java.io.Reader getCharacterStream(int columnIndex) throws SQLException {
    open();
    if (masked(columnIndex)) {
      return null;
    }
    return raw.getCharacterStream(columnIndex);
  }

  @Override
  public Clob getClob(String columnLabel) throws SQLException {
    open();
    if (masked(columnLabel)) {
      return null;
    }
    return raw.getClob(columnLabel);
  }

  @Override
  public Clob getClob(int columnIndex) throws SQLException {
    open();
    if (masked(columnIndex)) {
      return null;
    }
    return raw.getClob(columnIndex);
  }

  @Override
  public int getConcurrency() throws SQLException {
    open();
    return raw.getConcurrency();
  }

  @Override
  public String getCursorName() throws SQLException {
    open();
    return raw.getCursorName();
  }

  @Override
  public Date getDate(String columnLabel, Calendar cal) throws SQLException {
    open();
    if (masked(columnLabel)) {
      return null;
    }
    return raw.getDate(columnLabel, cal);
  }

  @Override
  public Date getDate(String columnLabel) throws SQLException {
    open();
    if (masked(columnLabel)) {
      return null;
    }
    return raw.getDate(columnLabel);
  }

  @Override
  public Date getDate(int columnIndex, Calendar cal) throws SQLException {
    open();
    if (masked(columnIndex)) {
      return null;
    }
    return raw.getDate(columnIndex, cal);
  }

  @Override
  public Date getDate(int columnIndex) throws SQLException {
    open();
    if (masked(columnIndex)) {
      return null;
    }
    return raw.getDate(columnIndex);
  }

  @Override
  public double getDouble(String columnLabel) throws SQLException {
    open();
    if (masked(columnLabel)) {
      return 0d;
    }
    return raw.getDouble(columnLabel);
  }

  @Override
  public double getDouble(int columnIndex) throws SQLException {
    open();
    if (masked(columnIndex)) {
      return 0d;
    }
    return raw.getDouble(columnIndex);
  }

  @Override
  public int getFetchDirection() throws SQLException {
    open();
    return raw.getFetchDirection();
  }

  @Override
  public int getFetchSize() throws SQLException {
    open();
    return raw.getFetchSize();
  }

  @Override
  public float getFloat(String columnLabel) throws SQLException {
    open();
    if (masked(columnLabel)) {
      return 0f;
    }
    return raw.getFloat(columnLabel);
  }

  @Override
  public float getFloat(int columnIndex) throws SQLException {
    open();
    if (masked(columnIndex)) {
      return 0f;
    }
    return raw.getFloat(columnIndex);
  }

  @Override
  public int getHoldability() throws SQLException {
    open();
    return raw.getHoldability();
  }

  @Override
  public int getInt(String columnLabel) throws SQLException {
    open();
    if (masked(columnLabel)) {
      return 0;
    }
    return raw.getInt(columnLabel);
  }

  @Override
  public int getInt(int columnIndex) throws SQLException {
    open();
    if (masked(columnIndex)) {
      return 0;
    }
    return raw.getInt(columnIndex);
  }

  @Override
  public long getLong(String columnLabel) throws SQLException {
    open();
    if (masked(columnLabel)) {
      return 0L;
    }
    return raw.getLong(columnLabel);
  }

  @Override
  public long getLong(int columnIndex) throws SQLException {
    open();
    if (masked(columnIndex)) {
      return 0L;
    }
    return raw.getLong(columnIndex);
  }

  @Override
  public java.io.Reader getNCharacterStream(String columnLabel) throws SQLException {
    open();
    if (masked(columnLabel)) {
      return null;
    }
    return raw.getNCharacterStream(columnLabel);
  }

  @Override
  public java.io.Reader getNCharacterStream(int columnIndex) throws SQLException {
    open();
    if (masked(columnIndex)) {
      return null;
    }
    return raw.getNCharacterStream(columnIndex);
  }

  @Override
  public NClob getNClob(String columnLabel) throws SQLException {
    open();
    if (masked(columnLabel)) {
      return null;
    }
    return raw.getNClob(columnLabel);
  }

  @Override
  public NClob getNClob(int columnIndex) throws SQLException {
    open();
    if (masked(columnIndex)) {
      return null;
    }
    return raw.getNClob(columnIndex);
  }

  @Override
  public String getNString(String columnLabel) throws SQLException {
    open();
    if (masked(columnLabel)) {
      return null;
    }
    return raw.getNString(columnLabel);
  }

  @Override
  public String getNString(int columnIndex) throws SQLException {
    open();
    if (masked(columnIndex)) {
      return null;
    }
    return raw.getNString(columnIndex);
  }

  @Override
  public <T> T getObject(String columnLabel, Class<T> type) throws SQLException {
    open();
    if (masked(columnLabel)) {
      return null;
    }
    return raw.getObject(columnLabel, type);
  }

  @Override
  public Object getObject(String columnLabel, Map<String, Class<?>> map) throws SQLException {
    open();
    if (masked(columnLabel)) {
      return null;
    }
    return raw.getObject(columnLabel, map);
  }

  @Override
  public Object getObject(String columnLabel) throws SQLException {
    open();
    if (masked(columnLabel)) {
      return null;
    }
    return raw.getObject(columnLabel);
  }

  @Override
  public <T> T getObject(int columnIndex, Class<T> type) throws SQLException {
    open();
    if (masked(columnIndex)) {
      return null;
    }
    return raw.getObject(columnIndex, type);
  }

  @Override
  public Object getObject(int columnIndex, Map<String, Class<?>> map) throws SQLException {
    open();
    if (masked(columnIndex)) {
      return null;
    }
    return raw.getObject(columnIndex, map);
  }

  @Override
  public Object getObject(int columnIndex) throws SQLException {
    open();
    if (masked(columnIndex)) {
      return null;
    }
    return raw.getObject(columnIndex);
  }

  @Override
  public Ref getRef(String columnLabel) throws SQLException {
    open();
    if (masked(columnLabel)) {
      return null;
    }
    return raw.getRef(columnLabel);
  }

  @Override
  public Ref getRef(int columnIndex) throws SQLException {
    open();
    if (masked(columnIndex)) {
      return null;
    }
    return raw.getRef(columnIndex);
  }

  @Override
  public RowId getRowId(String columnLabel) throws SQLException {
    open();
    if (masked(columnLabel)) {
      return null;
    }
    return raw.getRowId(columnLabel);
  }

  @Override
  public RowId getRowId(int columnIndex) throws SQLException {
    open();
    if (masked(columnIndex)) {
      return null;
    }
    return raw.getRowId(columnIndex);
  }

  @Override
  public SQLXML getSQLXML(String columnLabel) throws SQLException {
    open();
    if (masked(columnLabel)) {
      return null;
    }
    return raw.getSQLXML(columnLabel);
  }

  @Override
  public SQLXML getSQLXML(int columnIndex) throws SQLException {
    open();
    if (masked(columnIndex)) {
      return null;
    }
    return raw.getSQLXML(columnIndex);
  }

  @Override
  public short getShort(String columnLabel) throws SQLException {
    open();
    if (masked(columnLabel)) {
      return (short) 0;
    }
    return raw.getShort(columnLabel);
  }

  @Override
  public short getShort(int columnIndex) throws SQLException {
    open();
    if (masked(columnIndex)) {
      return (short) 0;
    }
    return raw.getShort(columnIndex);
  }

  @Override
  public Statement getStatement() throws SQLException {
    open();
    return raw.getStatement();
  }

  @Override
  public String getString(String columnLabel) throws SQLException {
    open();
    if (masked(columnLabel)) {
      return null;
    }
    return raw.getString(columnLabel);
  }

  @Override
  public String getString(int columnIndex) throws SQLException {
    open();
    if (masked(columnIndex)) {
      return null;
    }
    return raw.getString(columnIndex);
  }

  @Override
  public Time getTime(String columnLabel, Calendar cal) throws SQLException {
    open();
    if (masked(columnLabel)) {
      return null;
    }
    return raw.getTime(columnLabel, cal);
  }

  @Override
  public Time getTime(String columnLabel) throws SQLException {
    open();
    if (masked(columnLabel)) {
      return null;
    }
    return raw.getTime(columnLabel);
  }

  @Override
  public Time getTime(int columnIndex, Calendar cal) throws SQLException {
    open();
    if (masked(columnIndex)) {
      return null;
    }
    return raw.getTime(columnIndex, cal);
  }

  @Override
  public Time getTime(int columnIndex) throws SQLException {
    open();
    if (masked(columnIndex)) {
      return null;
    }
    return raw.getTime(columnIndex);
  }

  @Override
  public Timestamp getTimestamp(String columnLabel, Calendar cal) throws SQLException {
    open();
    if (masked(columnLabel)) {
      return null;
    }
    return raw.getTimestamp(columnLabel, cal);
  }

  @Override
  public Timestamp getTimestamp(String columnLabel) throws SQLException {
    open();
    if (masked(columnLabel)) {
      return null;
    }
    return raw.getTimestamp(columnLabel);
  }

  @Override
  public Timestamp getTimestamp(int columnIndex, Calendar cal) throws SQLException {
    open();
    if (masked(columnIndex)) {
      return null;
    }
    return raw.getTimestamp(columnIndex, cal);
  }

  @Override
  public Timestamp getTimestamp(int columnIndex) throws SQLException {
    open();
    if (masked(columnIndex)) {
      return null;
    }
    return raw.getTimestamp(columnIndex);
  }

  @Override
  public int getType() throws SQLException {
    open();
    return raw.getType();
  }

  @Override
  public java.net.URL getURL(String columnLabel) throws SQLException {
    open();
    if (masked(columnLabel)) {
      return null;
    }
    return raw.getURL(columnLabel);
  }

  @Override
  public java.net.URL getURL(int columnIndex) throws SQLException {
    open();
    if (masked(columnIndex)) {
      return null;
    }
    return raw.getURL(columnIndex);
  }

  @Override
  @Deprecated
  public java.io.InputStream getUnicodeStream(String columnLabel) throws SQLException {
    open();
    if (masked(columnLabel)) {
      return null;
    }
    return raw.getUnicodeStream(columnLabel);
  }

  @Override
  @Deprecated
  public java.io.InputStream getUnicodeStream(int columnIndex) throws SQLException {
    open();
    if (masked(columnIndex)) {
      return null;
    }
    return raw.getUnicodeStream(columnIndex);
  }

  @Override
  public SQLWarning getWarnings() throws SQLException {
    open();
    return raw.getWarnings();
  }

  @Override
  public void insertRow() throws SQLException {
    open();
    raw.insertRow();
  }

  @Override
  public void moveToCurrentRow() throws SQLException {
    open();
    raw.moveToCurrentRow();
  }

  @Override
  public void moveToInsertRow() throws SQLException {
    open();
    raw.moveToInsertRow();
  }

  @Override
  public void refreshRow() throws SQLException {
    open();
    raw.refreshRow();
  }

  @Override
  public boolean rowDeleted() throws SQLException {
    open();
    return raw.rowDeleted();
  }

  @Override
  public boolean rowInserted() throws SQLException {
    open();
    return raw.rowInserted();
  }

  @Override
  public boolean rowUpdated() throws SQLException {
    open();
    return raw.rowUpdated();
  }

  @Override
  public void setFetchDirection(int columnIndex) throws SQLException {
    open();
    raw.setFetchDirection(columnIndex);
  }

  @Override
  public void setFetchSize(int columnIndex) throws SQLException {
    open();
    raw.setFetchSize(columnIndex);
  }

  @Override
  public void updateArray(String columnLabel, Array x) throws SQLException {
    open();
    raw.updateArray(columnLabel, x);
  }

  @Override
  public void updateArray(int columnIndex, Array x) throws SQLException {
    open();
    raw.updateArray(columnIndex, x);
  }

  @Override
  public void updateAsciiStream(String columnLabel, java.io.InputStream x, int length) throws SQLException {
    open();
    raw.updateAsciiStream(columnLabel, x, length);
  }

  @Override
  public void updateAsciiStream(String columnLabel, java.io.InputStream x, long length) throws SQLException {
    open();
    raw.updateAsciiStream(columnLabel, x, length);
  }

  @Override
  public void updateAsciiStream(String columnLabel, java.io.InputStream x) throws SQLException {
    open();
    raw.updateAsciiStream(columnLabel, x);
  }

  @Override
  public void updateAsciiStream(int columnIndex, java.io.InputStream x, int length) throws SQLException {
    open();
    raw.updateAsciiStream(columnIndex, x, length);
  }

  @Override
  public void updateAsciiStream(int columnIndex, java.io.InputStream x, long length) throws SQLException {
    open();
    raw.updateAsciiStream(columnIndex, x, length);
  }

  @Override
  public void updateAsciiStream(int columnIndex, java.io.InputStream x) throws SQLException {
    open();
    raw.updateAsciiStream(columnIndex, x);
  }

  @Override
  public void updateBigDecimal(String columnLabel, java.math.BigDecimal x) throws SQLException {
    open();
    raw.updateBigDecimal(columnLabel, x);
  }

  @Override
  public void updateBigDecimal(int columnIndex, java.math.BigDecimal x) throws SQLException {
    open();
    raw.updateBigDecimal(columnIndex, x);
  }

  @Override
  public void updateBinaryStream(String columnLabel, java.io.InputStream x, int length) throws SQLException {
    open();
    raw.updateBinaryStream(columnLabel, x, length);
  }

  @Override
  public void updateBinaryStream(String columnLabel, java.io.InputStream x, long length) throws SQLException {
    open();
    raw.updateBinaryStream(columnLabel, x, length);
  }

  @Override
  public void updateBinaryStream(String columnLabel, java.io.InputStream x) throws SQLException {
    open();
    raw.updateBinaryStream(columnLabel, x);
  }

  @Override
  public void updateBinaryStream(int columnIndex, java.io.InputStream x, int length) throws SQLException {
    open();
    raw.updateBinaryStream(columnIndex, x, length);
  }

  @Override
  public void updateBinaryStream(int columnIndex, java.io.InputStream x, long length) throws SQLException {
    open();
    raw.updateBinaryStream(columnIndex, x, length);
  }

  @Override
  public void updateBinaryStream(int columnIndex, java.io.InputStream x) throws SQLException {
    open();
    raw.updateBinaryStream(columnIndex, x);
  }

  @Override
  public void updateBlob(String columnLabel, java.io.InputStream x, long length) throws SQLException {
    open();
    raw.updateBlob(columnLabel, x, length);
  }

  @Override
  public void updateBlob(String columnLabel, java.io.InputStream x) throws SQLException {
    open();
    raw.updateBlob(columnLabel, x);
  }

  @Override
  public void updateBlob(String columnLabel, Blob x) throws SQLException {
    open();
    raw.updateBlob(columnLabel, x);
  }

  @Override
  public void updateBlob(int columnIndex, java.io.InputStream x, long length) throws SQLException {
    open();
    raw.updateBlob(columnIndex, x, length);
  }

  @Override
  public void updateBlob(int columnIndex, java.io.InputStream x) throws SQLException {
    open();
    raw.updateBlob(columnIndex, x);
  }

  @Override
  public void updateBlob(int columnIndex, Blob x) throws SQLException {
    open();
    raw.updateBlob(columnIndex, x);
  }

  @Override
  public void updateBoolean(String columnLabel, boolean x) throws SQLException {
    open();
    raw.updateBoolean(columnLabel, x);
  }

  @Override
  public void updateBoolean(int columnIndex, boolean x) throws SQLException {
    open();
    raw.updateBoolean(columnIndex, x);
  }

  @Override
  public void updateByte(String columnLabel, byte x) throws SQLException {
    open();
    raw.updateByte(columnLabel, x);
  }

  @Override
  public void updateByte(int columnIndex, byte x) throws SQLException {
    open();
    raw.updateByte(columnIndex, x);
  }

  @Override
  public void updateBytes(String columnLabel, byte[] x) throws SQLException {
    open();
    raw.updateBytes(columnLabel, x);
  }

  @Override
  public void updateBytes(int columnIndex, byte[] x) throws SQLException {
    open();
    raw.updateBytes(columnIndex, x);
  }

  @Override
  public void updateCharacterStream(String columnLabel, java.io.Reader x, int length) throws SQLException {
    open();
    raw.updateCharacterStream(columnLabel, x, length);
  }

  @Override
  public void updateCharacterStream(String columnLabel, java.io.Reader x, long length) throws SQLException {
    open();
    raw.updateCharacterStream(columnLabel, x, length);
  }

  @Override
  public void updateCharacterStream(String columnLabel, java.io.Reader x) throws SQLException {
    open();
    raw.updateCharacterStream(columnLabel, x);
  }

  @Override
  public void updateCharacterStream(int columnIndex, java.io.Reader x, int length) throws SQLException {
    open();
    raw.updateCharacterStream(columnIndex, x, length);
  }

  @Override
  public void updateCharacterStream(int columnIndex, java.io.Reader x, long length) throws SQLException {
    open();
    raw.updateCharacterStream(columnIndex, x, length);
  }

  @Override
  public void updateCharacterStream(int columnIndex, java.io.Reader x) throws SQLException {
    open();
    raw.updateCharacterStream(columnIndex, x);
  }

  @Override
  public void updateClob(String columnLabel, java.io.Reader x, long length) throws SQLException {
    open();
    raw.updateClob(columnLabel, x, length);
  }

  @Override
  public void updateClob(String columnLabel, java.io.Reader x) throws SQLException {
    open();
    raw.updateClob(columnLabel, x);
  }

  @Override
  public void updateClob(String columnLabel, Clob x) throws SQLException {
    open();
    raw.updateClob(columnLabel, x);
  }

  @Override
  public void updateClob(int columnIndex, java.io.Reader x, long length) throws SQLException {
    open();
    raw.updateClob(columnIndex, x, length);
  }

  @Override
  public void updateClob(int columnIndex, java.io.Reader x) throws SQLException {
    open();
    raw.updateClob(columnIndex, x);
  }

  @Override
  public void updateClob(int columnIndex, Clob x) throws SQLException {
    open();
    raw.updateClob(columnIndex, x);
  }

  @Override
  public void updateDate(String columnLabel, Date x) throws SQLException {
    open();
    raw.updateDate(columnLabel, x);
  }

  @Override
  public void updateDate(int columnIndex, Date x) throws SQLException {
    open();
    raw.updateDate(columnIndex, x);
  }

  @Override
  public void updateDouble(String columnLabel, double x) throws SQLException {
    open();
    raw.updateDouble(columnLabel, x);
  }

  @Override
  public void updateDouble(int columnIndex, double x) throws SQLException {
    open();
    raw.updateDouble(columnIndex, x);
  }

  @Override
  public void updateFloat(String columnLabel, float x) throws SQLException {
    open();
    raw.updateFloat(columnLabel, x);
  }

  @Override
  public void updateFloat(int columnIndex, float x) throws SQLException {
    open();
    raw.updateFloat(columnIndex, x);
  }

  @Override
  public void updateInt(String columnLabel, int x) throws SQLException {
    open();
    raw.updateInt(columnLabel, x);
  }

  @Override
  public void updateInt(int columnIndex, int x) throws SQLException {
    open();
    raw.updateInt(columnIndex, x);
  }

  @Override
  public void updateLong(String columnLabel, long x) throws SQLException {
    open();
    raw.updateLong(columnLabel, x);
  }

  @Override
  public void updateLong(int columnIndex, long x) throws SQLException {
    open();
    raw.updateLong(columnIndex, x);
  }

  @Override
  public void updateNCharacterStream(String columnLabel, java.io.Reader x, long length) throws SQLException {
    open();
    raw.updateNCharacterStream(columnLabel, x, length);
  }

  @Override
  public void updateNCharacterStream(String columnLabel, java.io.Reader x) throws SQLException {
    open();
    raw.updateNCharacterStream(columnLabel, x);
  }

  @Override
  public void updateNCharacterStream(int columnIndex, java.io.Reader x, long length) throws SQLException {
    open();
    raw.updateNCharacterStream(columnIndex, x, length);
  }

  @Override
  public void updateNCharacterStream(int columnIndex, java.io.Reader x) throws SQLException {
    open();
    raw.updateNCharacterStream(columnIndex, x);
  }

  @Override
  public void updateNClob(String columnLabel, java.io.Reader x, long length) throws SQLException {
    open();
    raw.updateNClob(columnLabel, x, length);
  }

  @Override
  public void updateNClob(String columnLabel, java.io.Reader x) throws SQLException {
    open();
    raw.updateNClob(columnLabel, x);
  }

  @Override
  public void updateNClob(String columnLabel, NClob x) throws SQLException {
    open();
    raw.updateNClob(columnLabel, x);
  }

  @Override
  public void updateNClob(int columnIndex, java.io.Reader x, long length) throws SQLException {
    open();
    raw.updateNClob(columnIndex, x, length);
  }

  @Override
  public void updateNClob(int columnIndex, java.io.Reader x) throws SQLException {
    open();
    raw.updateNClob(columnIndex, x);
  }

  @Override
  public void updateNClob(int columnIndex, NClob x) throws SQLException {
    open();
    raw.updateNClob(columnIndex, x);
  }

  @Override
  public void updateNString(String columnLabel, String x) throws SQLException {
    open();
    raw.updateNString(columnLabel, x);
  }

  @Override
  public void updateNString(int columnIndex, String x) throws SQLException {
    open();
    raw.updateNString(columnIndex, x);
  }

  @Override
  public void updateNull(String columnLabel) throws SQLException {
    open();
    raw.updateNull(columnLabel);
  }

  @Override
  public void updateNull(int columnIndex) throws SQLException {
    open();
    raw.updateNull(columnIndex);
  }

  @Override
  public void updateObject(String columnLabel, Object x, int length) throws SQLException {
    open();
    raw.updateObject(columnLabel, x, length);
  }

  @Override
  public void updateObject(String columnLabel, Object x, SQLType targetType, int length) throws SQLException {
    open();
    raw.updateObject(columnLabel, x, targetType, length);
  }

  @Override
  public void updateObject(String columnLabel, Object x, SQLType targetType) throws SQLException {
    open();
    raw.updateObject(columnLabel, x, targetType);
  }

  @Override
  public void updateObject(String columnLabel, Object x) throws SQLException {
    open();
    raw.updateObject(columnLabel, x);
  }

  @Override
  public void updateObject(int columnIndex, Object x, int length) throws SQLException {
    open();
    raw.updateObject(columnIndex, x, length);
  }

  @Override
  public void updateObject(int columnIndex, Object x, SQLType targetType, int length) throws SQLException {
    open();
    raw.updateObject(columnIndex, x, targetType, length);
  }

  @Override
  public void updateObject(int columnIndex, Object x, SQLType targetType) throws SQLException {
    open();
    raw.updateObject(columnIndex, x, targetType);
  }

  @Override
  public void updateObject(int columnIndex, Object x) throws SQLException {
    open();
    raw.updateObject(columnIndex, x);
  }

  @Override
  public void updateRef(String columnLabel, Ref x) throws SQLException {
    open();
    raw.updateRef(columnLabel, x);
  }

  @Override
  public void updateRef(int columnIndex, Ref x) throws SQLException {
    open();
    raw.updateRef(columnIndex, x);
  }

  @Override
  public void updateRow() throws SQLException {
    open();
    raw.updateRow();
  }

  @Override
  public void updateRowId(String columnLabel, RowId x) throws SQLException {
    open();
    raw.updateRowId(columnLabel, x);
  }

  @Override
  public void updateRowId(int columnIndex, RowId x) throws SQLException {
    open();
    raw.updateRowId(columnIndex, x);
  }

  @Override
  public void updateSQLXML(String columnLabel, SQLXML x) throws SQLException {
    open();
    raw.updateSQLXML(columnLabel, x);
  }

  @Override
  public void updateSQLXML(int columnIndex, SQLXML x) throws SQLException {
    open();
    raw.updateSQLXML(columnIndex, x);
  }

  @Override
  public void updateShort(String columnLabel, short x) throws SQLException {
    open();
    raw.updateShort(columnLabel, x);
  }

  @Override
  public void updateShort(int columnIndex, short x) throws SQLException {
    open();
    raw.updateShort(columnIndex, x);
  }

  @Override
  public void updateString(String columnLabel, String x) throws SQLException {
    open();
    raw.updateString(columnLabel, x);
  }

  @Override
  public void updateString(int columnIndex, String x) throws SQLException {
    open();
    raw.updateString(columnIndex, x);
  }

  @Override
  public void updateTime(String columnLabel, Time x) throws SQLException {
    open();
    raw.updateTime(columnLabel, x);
  }

  @Override
  public void updateTime(int columnIndex, Time x) throws SQLException {
    open();
    raw.updateTime(columnIndex, x);
  }

  @Override
  public void updateTimestamp(String columnLabel, Timestamp x) throws SQLException {
    open();
    raw.updateTimestamp(columnLabel, x);
  }

  @Override
  public void updateTimestamp(int columnIndex, Timestamp x) throws SQLException {
    open();
    raw.updateTimestamp(columnIndex, x);
  }
}
