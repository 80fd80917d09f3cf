package org.consent4j.spring;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.ConnectionBuilder;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.ShardingKeyBuilder;
import java.util.Objects;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.consent4j.jdbc.wrapper.ConsentDataSource;

/**
 * The application's {@code DataSource} bean as the starter hands it out: a {@link ConsentDataSource}
 * over the application's own data source (a HikariCP pool, say), made on first use or when the
 * application context has created every singleton, whichever comes first. The wrapping is deferred
 * because it checks the schema mapping against the live tables, which the application's schema
 * scripts or migrations (run on the raw data source, see docs/SPRING-BOOT.md) create after the
 * data source bean exists.
 *
 * <p>Like {@code ConsentDataSource}, it never hands out the raw data source: {@code unwrap} returns
 * this object or the {@code ConsentDataSource}, and refuses anything else. Thread-safe.
 */
public final class GuardedDataSource implements DataSource {
  private final DataSource raw;
  private final String beanName;
  private final Wrapping wrapping;
  private volatile ConsentDataSource guarded;

  /** Makes the {@code ConsentDataSource} over the raw data source. */
  @FunctionalInterface
  interface Wrapping {
    ConsentDataSource wrap(DataSource raw) throws SQLException;
  }

  GuardedDataSource(DataSource raw, String beanName, Wrapping wrapping) {
    this.raw = Objects.requireNonNull(raw, "raw");
    this.beanName = Objects.requireNonNull(beanName, "beanName");
    this.wrapping = Objects.requireNonNull(wrapping, "wrapping");
  }

  /** The data source the store, audit sink, change feed and schema scripts use; package-private on purpose. */
  DataSource raw() {
    return raw;
  }

  /**
   * The {@code ConsentDataSource}, made now if it was not yet: for {@code explain(sql, context)}
   * and {@code refreshSchema()}.
   *
   * @throws SQLException if the mapping cannot be checked against the database
   * @throws org.consent4j.jdbc.MappingException if the mapping does not fit the catalog or the database
   */
  public ConsentDataSource consentDataSource() throws SQLException {
    ConsentDataSource g = guarded;
    if (g == null) {
      synchronized (this) {
        g = guarded;
        if (g == null) {
          try {
            g = wrapping.wrap(raw);
          } catch (SQLException e) {
            throw new SQLException("consent4j could not guard the data source bean '" + beanName + "': the database"
                + " could not be read to check the schema mapping (SQLState " + e.getSQLState() + "); every"
                + " connection is refused until it can", e.getSQLState(), e);
          }
          guarded = g;
        }
      }
    }
    return g;
  }

  @Override
  public Connection getConnection() throws SQLException {
    return consentDataSource().getConnection();
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return consentDataSource().getConnection(username, password);
  }

  @Override
  public ConnectionBuilder createConnectionBuilder() throws SQLException {
    return consentDataSource().createConnectionBuilder();
  }

  @Override
  public ShardingKeyBuilder createShardingKeyBuilder() throws SQLException {
    return consentDataSource().createShardingKeyBuilder();
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return raw.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    raw.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    raw.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return raw.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return raw.getParentLogger();
  }

  /**
   * This object or the {@code ConsentDataSource}, if either is an {@code iface}; never the raw data
   * source. Answers without making the {@code ConsentDataSource} unless it is asked for (Boot's pool
   * metadata asks early, before the mapped tables may exist).
   *
   * @throws SQLException with reason {@code WRAPPER_UNWRAP_REFUSED} for any other type
   */
  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    if (iface.isAssignableFrom(ConsentDataSource.class)) {
      return iface.cast(consentDataSource());
    }
    throw new org.consent4j.jdbc.ConsentSQLException(
        org.consent4j.jdbc.ConsentSQLException.ReasonCode.WRAPPER_UNWRAP_REFUSED, "consent4j does not hand out the"
            + " data source it guards (" + iface.getName() + "): it would run SQL around the consent checks");
  }

  /** True if this object or the {@code ConsentDataSource} is an {@code iface}; never for the raw data source's types. */
  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return iface.isInstance(this) || iface.isAssignableFrom(ConsentDataSource.class);
  }

  @Override
  public String toString() {
    return "GuardedDataSource[" + beanName + "]";
  }
}
