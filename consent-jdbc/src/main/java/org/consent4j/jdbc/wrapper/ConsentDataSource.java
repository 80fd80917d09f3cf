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
   * <p>The consent check runs in SQL, in the wrapped database, on the tables of the engine's
   * consent store: that store must be a {@link org.consent4j.jdbc.JdbcConsentStore} (or a {@link
   * org.consent4j.jdbc.LazyConsentStore}) whose tables the wrapped data source's connections
   * reach, under the names the store gives them. Both are checked here. The consent check names the
   * store's tables qualified with the store's schema when it has one, so guarded connections need
   * not have that schema on their search path.
   *
   * <pre>{@code
   * ConsentEngine engine = ConsentEngine.builder().catalog(catalog).store(JdbcConsentStore.create(pool)).build();
   * DataSource guarded = ConsentDataSource.wrap(pool, engine, SchemaMapping.fromJson(json));
   * }</pre>
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the engine's store is not a JDBC consent store, or its
   *     tables cannot be read through {@code delegate}'s connections (another database, or a
   *     schema not on their search path)
   * @throws SQLException if the database cannot be read
   * @throws org.consent4j.jdbc.MappingException if the mapping does not fit the catalog or the database
   */
  public static ConsentDataSource wrap(DataSource delegate, org.consent4j.core.ConsentEngine engine,
      org.consent4j.jdbc.SchemaMapping mapping) throws SQLException {
    return wrap(delegate, engine, mapping, org.consent4j.jdbc.AuditLevel.STATEMENT);
  }

  /**
   * As {@link #wrap(DataSource, org.consent4j.core.ConsentEngine, org.consent4j.jdbc.SchemaMapping)},
   * auditing at {@code level}; {@link org.consent4j.jdbc.AuditLevel#SUBJECT} also records whose rows
   * were read.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the engine's store is not a JDBC consent store on the
   *     wrapped database, as above
   * @throws SQLException if the database cannot be read
   * @throws org.consent4j.jdbc.MappingException if the mapping does not fit the catalog or the database
   */
  public static ConsentDataSource wrap(DataSource delegate, org.consent4j.core.ConsentEngine engine,
      org.consent4j.jdbc.SchemaMapping mapping, org.consent4j.jdbc.AuditLevel level) throws SQLException {
    return wrap(delegate, engine, mapping, level, org.consent4j.jdbc.ReadForm.configuredDefault());
  }

  /**
   * As {@link #wrap(DataSource, org.consent4j.core.ConsentEngine, org.consent4j.jdbc.SchemaMapping,
   * org.consent4j.jdbc.AuditLevel)}, checking the rows of SELECTs in {@code form}: {@link
   * org.consent4j.jdbc.ReadForm#POST_FILTER} runs the SELECTs whose post-filtered result is exactly
   * the pushdown result over the mapped tables themselves and filters and masks their rows in the
   * result set by the engine's decisions (docs/REWRITING.md, "Post-filtered reads"); every other
   * statement keeps the pushdown form. {@link org.consent4j.jdbc.ReadForm#AUTO} does so while the
   * engine's consent index is in use and keeps the pushdown otherwise, statement by statement;
   * {@link org.consent4j.jdbc.ReadForm#PUSHDOWN} never does. The forms without this parameter use
   * {@link org.consent4j.jdbc.ReadForm#configuredDefault()}: {@code AUTO} unless the system
   * property {@value org.consent4j.jdbc.ReadForm#PROPERTY} says otherwise.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the engine's store is not a JDBC consent store on the
   *     wrapped database, as above
   * @throws SQLException if the database cannot be read
   * @throws org.consent4j.jdbc.MappingException if the mapping does not fit the catalog or the database
   */
  public static ConsentDataSource wrap(DataSource delegate, org.consent4j.core.ConsentEngine engine,
      org.consent4j.jdbc.SchemaMapping mapping, org.consent4j.jdbc.AuditLevel level, org.consent4j.jdbc.ReadForm form)
      throws SQLException {
    Objects.requireNonNull(delegate, "delegate");
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(mapping, "mapping");
    Objects.requireNonNull(level, "level");
    Objects.requireNonNull(form, "form");
    String prefix = storeTablePrefix(engine.store());
    java.util.Optional<String> schema = storeSchema(engine.store());
    requireStoreReachable(delegate, prefix, schema);
    return wrap(delegate, org.consent4j.jdbc.internal.ConsentInterceptor.create(delegate, engine, mapping, schema,
        prefix, 10_000, level, form));
  }

  /**
   * As {@link #wrap(DataSource, org.consent4j.core.ConsentEngine, org.consent4j.jdbc.SchemaMapping)},
   * with the engine's store given again.
   *
   * @deprecated the engine already holds its store: use {@link #wrap(DataSource,
   *     org.consent4j.core.ConsentEngine, org.consent4j.jdbc.SchemaMapping)}, which also checks that
   *     the store's tables are on the wrapped database. This form uses {@code store}'s table prefix
   *     as it is given.
   * @throws SQLException if the database cannot be read
   * @throws org.consent4j.jdbc.MappingException if the mapping does not fit the catalog or the database
   */
  @Deprecated
  public static ConsentDataSource wrap(DataSource delegate, org.consent4j.core.ConsentEngine engine,
      org.consent4j.jdbc.SchemaMapping mapping, org.consent4j.jdbc.JdbcConsentStore store) throws SQLException {
    return wrap(delegate, engine, mapping, store, org.consent4j.jdbc.AuditLevel.STATEMENT);
  }

  /**
   * As {@link #wrap(DataSource, org.consent4j.core.ConsentEngine, org.consent4j.jdbc.SchemaMapping,
   * org.consent4j.jdbc.AuditLevel)}, with the engine's store given again.
   *
   * @deprecated use {@link #wrap(DataSource, org.consent4j.core.ConsentEngine,
   *     org.consent4j.jdbc.SchemaMapping, org.consent4j.jdbc.AuditLevel)}
   * @throws SQLException if the database cannot be read
   */
  @Deprecated
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

  private static String storeTablePrefix(org.consent4j.spi.ConsentStore store) {
    if (store instanceof org.consent4j.jdbc.JdbcConsentStore jdbc) {
      return jdbc.tablePrefix();
    }
    if (store instanceof org.consent4j.jdbc.LazyConsentStore lazy) {
      return lazy.tablePrefix();
    }
    throw new IllegalArgumentException("the engine's consent store is a " + store.getClass().getName() + ", but"
        + " consent4j checks consent in SQL, in the wrapped database: build the engine with"
        + " .store(JdbcConsentStore.create(dataSource)) (or a LazyConsentStore) on the database this data source"
        + " reaches");
  }

  /** The schema of the engine's store; called after {@link #storeTablePrefix} accepted the store. */
  private static java.util.Optional<String> storeSchema(org.consent4j.spi.ConsentStore store) {
    return store instanceof org.consent4j.jdbc.JdbcConsentStore jdbc ? jdbc.schema()
        : ((org.consent4j.jdbc.LazyConsentStore) store).schema();
  }

  /**
   * The rewritten SQL reads the store's consent state table by its (qualified) name: the wrapped
   * data source's connections must reach it, or every guarded query fails when it runs.
   */
  private static void requireStoreReachable(DataSource delegate, String prefix, java.util.Optional<String> schema)
      throws SQLException {
    try (Connection c = delegate.getConnection()) {
      String table = org.consent4j.jdbc.internal.Schema.of(prefix, schema,
          org.consent4j.jdbc.internal.Dialect.fromProductName(c.getMetaData().getDatabaseProductName()),
          c.getMetaData()).consentState();
      boolean rollback = !c.getAutoCommit();
      try (java.sql.Statement s = c.createStatement()) {
        // The name is the validated prefix and a constant, never user input.
        s.executeQuery("SELECT 1 FROM " + table + " WHERE 1 = 0").close();
      } catch (SQLException e) {
        if (rollback) {
          c.rollback(); // PostgreSQL aborts the transaction on an error
        }
        String state = e.getSQLState();
        if (state != null && state.startsWith("42")) {
          throw new IllegalArgumentException("the engine's consent store keeps its state in the table " + table
              + ", which the wrapped data source's connections cannot read (SQLState " + state + "): the store must"
              + " be on the database this data source reaches, with its tables on the connections' search path");
        }
        throw e;
      }
      if (rollback) {
        c.rollback();
      }
    }
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
   * views and functions that read mapped tables (statements using those are refused). There is
   * rarely a need: a guarded connection checks the catalog itself (see {@link
   * #catalogCheckInterval}) and reads it again when a view, function, synonym, foreign or child table
   * was created, replaced, dropped or renamed. Call it after a migration that changes a mapped
   * table's columns. Thread-safe; statements running meanwhile use the old or the new knowledge,
   * never a mix; a statement prepared before runs on only if it would be rewritten the same now.
   *
   * @throws SQLException if the database cannot be read; the previous knowledge stays in use
   * @throws org.consent4j.jdbc.MappingException if the mapping no longer fits the database
   */
  public void refreshSchema() throws SQLException {
    interceptor.refresh();
  }

  /**
   * How often, at most, a guarded connection checks whether the database's catalog changed before
   * it runs a statement it has rewritten before (1 second by default). A statement not seen before
   * always checks first, so a new view or function over a mapped table is known before any
   * statement naming it runs; this interval bounds how long a cached statement may still run as
   * rewritten after an object it names was replaced (say, a table dropped and created again as a
   * view over a mapped table). The check is one catalog query, on the statement's session.
   * {@link java.time.Duration#ZERO} checks before every statement.
   *
   * @return this data source
   * @throws IllegalArgumentException if {@code interval} is negative
   * @throws UnsupportedOperationException if this data source was made with {@link
   *     #wrap(DataSource, StatementInterceptor)}
   */
  public ConsentDataSource catalogCheckInterval(java.time.Duration interval) {
    Objects.requireNonNull(interval, "interval");
    if (!(interceptor instanceof org.consent4j.jdbc.internal.ConsentInterceptor consent)) {
      throw new UnsupportedOperationException("the catalog check belongs to a data source wrapped with an engine"
          + " and a mapping; this one goes through " + interceptor.getClass().getName());
    }
    consent.catalogCheckInterval(interval);
    return this;
  }

  /**
   * Tells {@code observer} the form of every statement from now on (plain, pushed down, refused)
   * and every rewrite cache lookup, for metrics; replaces the previous observer. Thread-safe.
   *
   * @throws NullPointerException if {@code observer} is null
   * @throws UnsupportedOperationException if this data source was made with {@link
   *     #wrap(DataSource, StatementInterceptor)}
   */
  public void observe(org.consent4j.jdbc.spi.StatementObserver observer) {
    Objects.requireNonNull(observer, "observer");
    if (!(interceptor instanceof org.consent4j.jdbc.internal.ConsentInterceptor consent)) {
      throw new UnsupportedOperationException("observe needs a data source wrapped with an engine and a mapping;"
          + " this one goes through " + interceptor.getClass().getName());
    }
    consent.observe(observer);
  }

  /**
   * What a guarded connection would send to the database for {@code sql} under {@code context}:
   * the rewritten statement, for {@code EXPLAIN} or for support, from the same rewriting (and
   * cache) as execution, with the engine clock's time now. It reads no data (only the catalog's
   * fingerprint, as execution does, on a connection of the wrapped data source) and writes no audit
   * event, and the context need not be bound to the thread.
   *
   * <p>It fails closed as execution does: a statement that a guarded connection would refuse
   * throws the same {@link org.consent4j.jdbc.ConsentSQLException}, with the same reason code and
   * message. What it cannot tell is decided only when the statement runs: whether the subjects of
   * the rows an INSERT stores consented (that depends on the bound values and the time), and
   * whether the database itself accepts the rewritten SQL.
   *
   * <pre>{@code
   * RewrittenSql r = guarded.explain("SELECT id, email FROM contact WHERE country = 'NL'",
   *     AccessContext.of("crm", "marketing.email"));
   * unguarded.createStatement().executeQuery("EXPLAIN " + r.sql()); // a guarded connection refuses EXPLAIN
   * }</pre>
   *
   * @throws NullPointerException if an argument is null
   * @throws org.consent4j.jdbc.ConsentSQLException if execution would refuse the statement
   * @throws UnsupportedOperationException if this data source was made with {@link
   *     #wrap(DataSource, StatementInterceptor)}: an interceptor of one's own rewrites by its own rules
   * @throws SQLException if the database cannot be read
   */
  public RewrittenSql explain(String sql, org.consent4j.AccessContext context) throws SQLException {
    Objects.requireNonNull(sql, "sql");
    Objects.requireNonNull(context, "context");
    if (!(interceptor instanceof org.consent4j.jdbc.internal.ConsentInterceptor consent)) {
      throw new UnsupportedOperationException("explain needs a data source wrapped with an engine and a mapping;"
          + " this one goes through " + interceptor.getClass().getName());
    }
    return consent.explain(sql, context);
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
