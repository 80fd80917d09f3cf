package org.consent4j.jdbc.wrapper;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.ConnectionBuilder;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.ShardingKey;
import java.sql.ShardingKeyBuilder;
import java.util.Objects;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} whose connections leave no way around consent enforcement: every SQL string
 * an application runs through them — {@code execute*}, {@code executeLarge*}, {@code
 * addBatch(String)}, {@code prepareStatement*}, {@code prepareCall*}, {@code nativeSQL} — first
 * goes through a {@link StatementInterceptor}, which rewrites it or refuses it; every JDBC object
 * they hand out (statements, result sets, generated keys, metadata, arrays) is a wrapper, the
 * back-references ({@code Statement.getConnection()}, {@code ResultSet.getStatement()}, {@code
 * DatabaseMetaData.getConnection()}) return wrappers, and {@code unwrap} never hands out the
 * driver's object. Result sets of statements on protected data are read-only.
 *
 * <p>Put it under any JDBC client (plain JDBC, JdbcTemplate, jOOQ, MyBatis, Hibernate), with a pool
 * underneath (wrap the pool's data source) or on top (give this to the pool as its data source).
 * See {@code docs/JDBC-WRAPPER.md} for what is wrapped and what is refused.
 *
 * <p>Thread-safe, as the wrapped data source is; the wrapper itself holds no mutable state.
 */
public final class ConsentDataSource implements DataSource {
  private final DataSource delegate;
  private final StatementInterceptor interceptor;

  private ConsentDataSource(DataSource delegate, StatementInterceptor interceptor) {
    this.delegate = delegate;
    this.interceptor = interceptor;
  }

  /**
   * Wraps {@code delegate} so that every statement on a table of {@code mapping} sees only what
   * the data subjects consented to, for the access context bound to the calling thread by
   * {@code engine.process(...)}, and is audited by the engine. Validates the mapping against the
   * engine's catalog and the live database, and reads the mapped tables' columns, at once.
   *
   * <p>The engine's consent store must be a {@link org.consent4j.jdbc.JdbcConsentStore} on the
   * same database (the consent check runs there, in SQL); pass it, for its table prefix and schema.
   * The consent check names the store's tables qualified with the store's schema when it has one,
   * so guarded connections need not have that schema on their search path.
   *
   * @throws SQLException if the database cannot be read
   * @throws org.consent4j.jdbc.MappingException if the mapping does not fit the catalog or the database
   */
  public static ConsentDataSource wrap(DataSource delegate, org.consent4j.core.ConsentEngine engine,
      org.consent4j.jdbc.SchemaMapping mapping, org.consent4j.jdbc.JdbcConsentStore store) throws SQLException {
    return wrap(delegate, engine, mapping, store, org.consent4j.jdbc.AuditLevel.STATEMENT);
  }

  /**
   * As {@link #wrap(DataSource, org.consent4j.core.ConsentEngine, org.consent4j.jdbc.SchemaMapping,
   * org.consent4j.jdbc.JdbcConsentStore)}, auditing at {@code level}; {@link
   * org.consent4j.jdbc.AuditLevel#SUBJECT} also records whose rows were read.
   *
   * @throws SQLException if the database cannot be read
   */
  public static ConsentDataSource wrap(DataSource delegate, org.consent4j.core.ConsentEngine engine,
      org.consent4j.jdbc.SchemaMapping mapping, org.consent4j.jdbc.JdbcConsentStore store,
      org.consent4j.jdbc.AuditLevel level) throws SQLException {
    Objects.requireNonNull(delegate, "delegate");
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(mapping, "mapping");
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(level, "level");
    return wrap(delegate, org.consent4j.jdbc.internal.ConsentInterceptor.create(delegate, engine, mapping,
        store.schema(), store.tablePrefix(), 10_000, level));
  }

  /**
   * A data source whose connections come from {@code delegate} and whose SQL goes through {@code
   * interceptor}.
   *
   * @param delegate where connections come from; a pool or a driver's data source
   * @param interceptor sees, rewrites or refuses every SQL string; must be thread-safe
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code delegate} is already a {@code ConsentDataSource} or
   *     says it wraps one: every statement would be intercepted twice
   */
  public static ConsentDataSource wrap(DataSource delegate, StatementInterceptor interceptor) {
    Objects.requireNonNull(delegate, "delegate");
    Objects.requireNonNull(interceptor, "interceptor");
    if (delegate instanceof ConsentDataSource || wrapsConsentDataSource(delegate)) {
      throw new IllegalArgumentException(
          "the data source is already a ConsentDataSource (or a pool over one); wrap the "
              + "underlying data source once, or use the existing ConsentDataSource as it is");
    }
    return new ConsentDataSource(delegate, interceptor);
  }

  private static boolean wrapsConsentDataSource(DataSource delegate) {
    try {
      return delegate.isWrapperFor(ConsentDataSource.class);
    } catch (SQLException | RuntimeException e) {
      // A data source that cannot say is taken at its word elsewhere: nothing to detect here.
      return false;
    }
  }

  /**
   * Reads the database's schema again, as {@link #wrap} did: the mapped tables' columns, and the
   * views and functions that read mapped tables (statements using those are refused). Call it
   * after a schema migration run while this data source is in use, such as one that adds a
   * view: until then, a view or function created after {@code wrap} is not known to read mapped
   * tables. Statements already prepared keep their rewriting; new ones use the new schema.
   * Thread-safe; statements running meanwhile use the old or the new knowledge, never a mix.
   *
   * @throws SQLException if the database cannot be read; the previous knowledge stays in use
   * @throws org.consent4j.jdbc.MappingException if the mapping no longer fits the database
   */
  public void refreshSchema() throws SQLException {
    interceptor.refresh();
  }

  /**
   * A guarded connection from the wrapped data source.
   *
   * @throws SQLException as the wrapped data source throws it
   */
  @Override
  public Connection getConnection() throws SQLException {
    return guard(delegate.getConnection());
  }

  /**
   * A guarded connection from the wrapped data source, for the given database user.
   *
   * @throws SQLException as the wrapped data source throws it
   */
  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return guard(delegate.getConnection(username, password));
  }

  /**
   * A builder of guarded connections, over the wrapped data source's builder.
   *
   * @throws SQLFeatureNotSupportedException if the wrapped data source has no connection builder
   */
  @Override
  public ConnectionBuilder createConnectionBuilder() throws SQLException {
    ConnectionBuilder builder = delegate.createConnectionBuilder();
    return new GuardedConnectionBuilder(builder);
  }

  /**
   * The wrapped data source's sharding key builder: sharding keys are values.
   *
   * @throws SQLException as the wrapped data source throws it
   */
  @Override
  public ShardingKeyBuilder createShardingKeyBuilder() throws SQLException {
    return delegate.createShardingKeyBuilder();
  }

  /** The wrapped data source's log writer. */
  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return delegate.getLogWriter();
  }

  /** Sets the wrapped data source's log writer. */
  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    delegate.setLogWriter(out);
  }

  /** Sets the wrapped data source's login timeout. */
  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    delegate.setLoginTimeout(seconds);
  }

  /** The wrapped data source's login timeout. */
  @Override
  public int getLoginTimeout() throws SQLException {
    return delegate.getLoginTimeout();
  }

  /** The wrapped data source's parent logger. */
  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return delegate.getParentLogger();
  }

  /**
   * This data source if it is a {@code iface}; never the wrapped one, whose connections are not
   * guarded.
   *
   * @throws SQLException with reason {@link
   *     org.consent4j.jdbc.ConsentSQLException.ReasonCode#WRAPPER_UNWRAP_REFUSED} otherwise
   */
  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return Wrappers.unwrap(this, iface);
  }

  /** Whether {@link #unwrap} would succeed: only for types this data source itself has. */
  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return Wrappers.isWrapperFor(this, iface);
  }

  private Connection guard(Connection connection) {
    return connection == null ? null : new ConnectionWrapper(connection, interceptor);
  }

  /** Builds connections with the wrapped builder, and guards them. */
  private final class GuardedConnectionBuilder implements ConnectionBuilder {
    private final ConnectionBuilder builder;

    GuardedConnectionBuilder(ConnectionBuilder builder) {
      this.builder = builder;
    }

    @Override
    public ConnectionBuilder user(String username) {
      builder.user(username);
      return this;
    }

    @Override
    public ConnectionBuilder password(String password) {
      builder.password(password);
      return this;
    }

    @Override
    public ConnectionBuilder shardingKey(ShardingKey shardingKey) {
      builder.shardingKey(shardingKey);
      return this;
    }

    @Override
    public ConnectionBuilder superShardingKey(ShardingKey superShardingKey) {
      builder.superShardingKey(superShardingKey);
      return this;
    }

    @Override
    public Connection build() throws SQLException {
      return guard(builder.build());
    }
  }
}
