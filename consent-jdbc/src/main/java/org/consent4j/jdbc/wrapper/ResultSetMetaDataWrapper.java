package org.consent4j.jdbc.wrapper;

import java.sql.ResultSetMetaData;
import java.sql.SQLException;

/**
 * Describes the columns of a result set; wrapped only so that {@code unwrap} cannot reach the
 * driver's object. Stateless beyond the driver's object.
 */
final class ResultSetMetaDataWrapper implements ResultSetMetaData {
  private final ResultSetMetaData delegate;
  /** Trailing columns consent4j added for itself, which the application must not see. */
  private final int hidden;

  private ResultSetMetaDataWrapper(ResultSetMetaData delegate, int hidden) {
    this.delegate = delegate;
    this.hidden = hidden;
  }

  static ResultSetMetaDataWrapper wrap(ResultSetMetaData delegate) {
    return wrap(delegate, 0);
  }

  static ResultSetMetaDataWrapper wrap(ResultSetMetaData delegate, int hidden) {
    return delegate == null ? null : new ResultSetMetaDataWrapper(delegate, hidden);
  }

  @Override
  public int getColumnCount() throws SQLException {
    return delegate.getColumnCount() - hidden;
  }

  private void col(int column) throws SQLException {
    if (hidden > 0 && column > delegate.getColumnCount() - hidden) {
      throw new SQLException("column index " + column + " is out of range", "07009");
    }
  }

  @Override
  public boolean isAutoIncrement(int column) throws SQLException {
    col(column);
    return delegate.isAutoIncrement(column);
  }

  @Override
  public boolean isCaseSensitive(int column) throws SQLException {
    col(column);
    return delegate.isCaseSensitive(column);
  }

  @Override
  public boolean isSearchable(int column) throws SQLException {
    col(column);
    return delegate.isSearchable(column);
  }

  @Override
  public boolean isCurrency(int column) throws SQLException {
    col(column);
    return delegate.isCurrency(column);
  }

  @Override
  public int isNullable(int column) throws SQLException {
    col(column);
    return delegate.isNullable(column);
  }

  @Override
  public boolean isSigned(int column) throws SQLException {
    col(column);
    return delegate.isSigned(column);
  }

  @Override
  public int getColumnDisplaySize(int column) throws SQLException {
    col(column);
    return delegate.getColumnDisplaySize(column);
  }

  @Override
  public String getColumnLabel(int column) throws SQLException {
    col(column);
    return delegate.getColumnLabel(column);
  }

  @Override
  public String getColumnName(int column) throws SQLException {
    col(column);
    return delegate.getColumnName(column);
  }

  @Override
  public String getSchemaName(int column) throws SQLException {
    col(column);
    return delegate.getSchemaName(column);
  }

  @Override
  public int getPrecision(int column) throws SQLException {
    col(column);
    return delegate.getPrecision(column);
  }

  @Override
  public int getScale(int column) throws SQLException {
    col(column);
    return delegate.getScale(column);
  }

  @Override
  public String getTableName(int column) throws SQLException {
    col(column);
    return delegate.getTableName(column);
  }

  @Override
  public String getCatalogName(int column) throws SQLException {
    col(column);
    return delegate.getCatalogName(column);
  }

  @Override
  public int getColumnType(int column) throws SQLException {
    col(column);
    return delegate.getColumnType(column);
  }

  @Override
  public String getColumnTypeName(int column) throws SQLException {
    col(column);
    return delegate.getColumnTypeName(column);
  }

  @Override
  public boolean isReadOnly(int column) throws SQLException {
    col(column);
    return delegate.isReadOnly(column);
  }

  @Override
  public boolean isWritable(int column) throws SQLException {
    col(column);
    return delegate.isWritable(column);
  }

  @Override
  public boolean isDefinitelyWritable(int column) throws SQLException {
    col(column);
    return delegate.isDefinitelyWritable(column);
  }

  @Override
  public String getColumnClassName(int column) throws SQLException {
    col(column);
    return delegate.getColumnClassName(column);
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
