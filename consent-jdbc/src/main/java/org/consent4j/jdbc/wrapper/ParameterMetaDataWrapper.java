package org.consent4j.jdbc.wrapper;

import java.sql.ParameterMetaData;
import java.sql.SQLException;

/**
 * Describes the parameters of a prepared statement; wrapped only so that {@code unwrap} cannot
 * reach the driver's object. Stateless beyond the driver's object.
 */
final class ParameterMetaDataWrapper implements ParameterMetaData {
  private final ParameterMetaData delegate;

  private ParameterMetaDataWrapper(ParameterMetaData delegate) {
    this.delegate = delegate;
  }

  static ParameterMetaDataWrapper wrap(ParameterMetaData delegate) {
    return delegate == null ? null : new ParameterMetaDataWrapper(delegate);
  }

  @Override
  public int getParameterCount() throws SQLException {
    return delegate.getParameterCount();
  }

  @Override
  public int isNullable(int param) throws SQLException {
    return delegate.isNullable(param);
  }

  @Override
  public boolean isSigned(int param) throws SQLException {
    return delegate.isSigned(param);
  }

  @Override
  public int getPrecision(int param) throws SQLException {
    return delegate.getPrecision(param);
  }

  @Override
  public int getScale(int param) throws SQLException {
    return delegate.getScale(param);
  }

  @Override
  public int getParameterType(int param) throws SQLException {
    return delegate.getParameterType(param);
  }

  @Override
  public String getParameterTypeName(int param) throws SQLException {
    return delegate.getParameterTypeName(param);
  }

  @Override
  public String getParameterClassName(int param) throws SQLException {
    return delegate.getParameterClassName(param);
  }

  @Override
  public int getParameterMode(int param) throws SQLException {
    return delegate.getParameterMode(param);
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
