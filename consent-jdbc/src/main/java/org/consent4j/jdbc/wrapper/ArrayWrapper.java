package org.consent4j.jdbc.wrapper;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;

/**
 * An SQL ARRAY value. Its elements are values like any other; it is wrapped because {@code
 * getResultSet} hands out a result set, which must be a read-only wrapper too (when the array came
 * from protected data). Nested arrays inside {@code getArray()} are returned as the driver gives
 * them. Stateless beyond the driver's object.
 */
final class ArrayWrapper implements Array {
  private final Array delegate;
  private final boolean readOnly;

  private ArrayWrapper(Array delegate, boolean readOnly) {
    this.delegate = delegate;
    this.readOnly = readOnly;
  }

  static Array wrap(Array delegate, boolean readOnly) {
    return delegate == null || delegate instanceof ArrayWrapper
        ? delegate
        : new ArrayWrapper(delegate, readOnly);
  }

  /** The driver's array, for giving it back to the driver as a parameter. */
  Array delegate() {
    return delegate;
  }

  /** The driver's text form: some drivers bind a foreign {@code Array} by its text. */
  @Override
  public String toString() {
    return delegate.toString();
  }

  @Override
  public String getBaseTypeName() throws SQLException {
    return delegate.getBaseTypeName();
  }

  @Override
  public int getBaseType() throws SQLException {
    return delegate.getBaseType();
  }

  @Override
  public Object getArray() throws SQLException {
    return delegate.getArray();
  }

  @Override
  public Object getArray(Map<String, Class<?>> map) throws SQLException {
    return delegate.getArray(map);
  }

  @Override
  public Object getArray(long index, int count) throws SQLException {
    return delegate.getArray(index, count);
  }

  @Override
  public Object getArray(long index, int count, Map<String, Class<?>> map) throws SQLException {
    return delegate.getArray(index, count, map);
  }

  @Override
  public ResultSet getResultSet() throws SQLException {
    return ResultSetWrapper.derived(delegate.getResultSet(), null, readOnly);
  }

  @Override
  public ResultSet getResultSet(Map<String, Class<?>> map) throws SQLException {
    return ResultSetWrapper.derived(delegate.getResultSet(map), null, readOnly);
  }

  @Override
  public ResultSet getResultSet(long index, int count) throws SQLException {
    return ResultSetWrapper.derived(delegate.getResultSet(index, count), null, readOnly);
  }

  @Override
  public ResultSet getResultSet(
      long index, int count, Map<String, Class<?>> map) throws SQLException {
    return ResultSetWrapper.derived(delegate.getResultSet(index, count, map), null, readOnly);
  }

  @Override
  public void free() throws SQLException {
    delegate.free();
  }
}
