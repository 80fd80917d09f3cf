package org.consent4j.jdbc.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.consent4j.AccessContext;
import org.consent4j.AuditEvent;
import org.consent4j.AuditUnavailableException;
import org.consent4j.ConsentException;
import org.consent4j.Outcome;
import org.consent4j.Purpose;
import org.consent4j.Recipient;
import org.consent4j.UndeclaredException;
import org.consent4j.core.ConsentEngine;
import org.consent4j.jdbc.ConsentSQLException;
import org.consent4j.jdbc.ConsentSQLException.ReasonCode;
import org.consent4j.jdbc.SchemaMapping;
import org.consent4j.jdbc.TableMapping;
import org.consent4j.jdbc.internal.rewrite.LiveColumns;
import org.consent4j.jdbc.internal.rewrite.LiveRoutines;
import org.consent4j.jdbc.internal.rewrite.ProtectedTable;
import org.consent4j.jdbc.internal.rewrite.RewriteRefusedException;
import org.consent4j.jdbc.internal.rewrite.RewrittenStatement;
import org.consent4j.jdbc.internal.rewrite.SqlRewriter;
import org.consent4j.jdbc.wrapper.GeneratedKeys;
import org.consent4j.jdbc.wrapper.Interception;
import org.consent4j.jdbc.wrapper.SqlKind;
import org.consent4j.jdbc.wrapper.StatementInterceptor;
import org.consent4j.jdbc.wrapper.StatementListener;

/**
 * Joins the JDBC wrapper to the engine: each intercepted SQL string is rewritten for the context
 * bound to the thread (cached), audited, and sent on. Thread-safe. Not API.
 *
 * <p>Audit: a statement on mapped tables writes one event before it runs (so that, with a
 * synchronous audit trail, nothing is read or written unless its event is durable, and an
 * unavailable trail refuses the statement), and, when its result set closes or its update count
 * is known, one more with the number of rows. Both carry the statement's fingerprint (its text
 * with literal values blanked, hashed), the mapped tables and the categories it may read.
 */
public final class ConsentInterceptor implements StatementInterceptor {
  /** How long a prepared statement on mapped tables may wait before it runs. */
  static final java.time.Duration MAX_PREPARED_AGE = java.time.Duration.ofSeconds(1);

  private final ConsentEngine engine;
  private final org.consent4j.jdbc.AuditLevel level;
  /** How often, at most, a cache hit checks the catalog for changes by default. */
  public static final java.time.Duration DEFAULT_CATALOG_CHECK_INTERVAL = java.time.Duration.ofSeconds(1);

  /**
   * Replaced by {@link #refresh()} and whenever a catalog check finds the catalog changed; every
   * rewrite cached under an older one is ignored.
   */
  private volatile Known known;
  /** Reads the catalog on the connection it is given. */
  private final CatalogReader reader;

  /** Reads what the rewriter knows of the database on one connection. */
  @FunctionalInterface
  private interface CatalogReader {
    Known read(Connection c) throws SQLException;
  }
  private final Cache<Key, Rewrite> cache;
  /** Where catalog checks run that must not run on the statement's session. */
  private final DataSource dataSource;
  private volatile long checkIntervalNanos = DEFAULT_CATALOG_CHECK_INTERVAL.toNanos();
  /** {@link System#nanoTime()} of the last catalog check. */
  private volatile long lastCheck;
  private final Object refreshing = new Object();

  /**
   * What the rewriter knows, the fingerprint of the catalog it was read from ({@link
   * org.consent4j.jdbc.internal.rewrite.CatalogVersion}), and the fingerprints that sessions
   * reported before a refresh that began after they were read: those are covered by what it knows
   * (they differ from {@code version} by a session's own uncommitted table DDL on PostgreSQL, or by
   * changes committed while the refresh ran).
   */
  private record Known(SqlRewriter rewriter, String version, Dialect dialect, java.util.Set<String> covered) {
    boolean covers(String v) {
      return version.equals(v) || covered.contains(v);
    }
  }

  /** What the names of a prepared statement resolved under: the knowledge and the search path. */
  private record Resolution(SqlRewriter rewriter, List<String> searchPath) {}
  private volatile org.consent4j.jdbc.spi.StatementObserver observer = org.consent4j.jdbc.spi.StatementObserver.NONE;

  /**
   * A cached rewrite, with its form for prepared statements (time as parameters) when it has one,
   * and what its audit events say that does not depend on the execution (null when it touches no
   * protected data or was made without a context).
   */
  private record Rewrite(RewrittenStatement statement, java.util.Optional<org.consent4j.jdbc.internal.rewrite.TimeParameters> prepared,
      AuditShape shape) {}

  /**
   * The details every audit event of one cached rewrite carries, made once per cache entry instead
   * of once per event: {@code base} (fingerprint, tables) for the rows a statement returned, and
   * {@code executing}, which adds the GDPR rules it was rewritten under for the context's recipient
   * ({@link #gdprDetails}; the engine's catalog does not change), for the other events. Both
   * immutable.
   */
  private record AuditShape(SortedMap<String, String> base, SortedMap<String, String> executing) {}

  /** {@code "sql " + kind} in lower case, for each kind: the operation of a statement's audit events. */
  private static final String[] OPERATIONS = operations();

  private static String[] operations() {
    SqlKind[] kinds = SqlKind.values();
    String[] out = new String[kinds.length];
    for (SqlKind k : kinds) {
      out[k.ordinal()] = "sql " + k.name().toLowerCase(java.util.Locale.ROOT);
    }
    return out;
  }

  /**
   * A prepared statement on protected data whose time parameters the wrapper binds: as {@link
   * Interception#protectedData(String, StatementListener, int, boolean, java.util.SortedMap)}, but
   * keeping the (immutable) values map it is given instead of copying it.
   */
  private record PreparedInterception(String sql, StatementListener listener, int hiddenColumns,
      boolean allowsGeneratedKeys, java.util.SortedMap<Integer, Long> boundParameters,
      java.util.SortedMap<Integer, Integer> nullFlagParameters) implements Interception {
    @Override
    public boolean touchesProtectedData() {
      return true;
    }
  }

  /**
   * The rewriter is part of the key: a refresh makes every older entry unreachable. So is the
   * session's search path when the rewrite depends on it (null otherwise), and whether eligible
   * SELECTs were turned into the post-filtered form ({@code post}): under {@link
   * org.consent4j.jdbc.ReadForm#AUTO} the same text has an entry for each form, and the one used is
   * chosen before the lookup.
   */
  private record Key(String sql, Purpose purpose, Recipient recipient, SqlRewriter rewriter,
      List<String> searchPath, boolean post) {}

  /** Where eligible SELECTs check consent ({@link org.consent4j.jdbc.ReadForm}). */
  private final org.consent4j.jdbc.ReadForm form;
  /** The engine's consent index, or null; asked per statement under {@link org.consent4j.jdbc.ReadForm#AUTO}. */
  private final org.consent4j.core.ConsentIndex index;

  /** Why an eligible SELECT keeps the pushdown under {@link org.consent4j.jdbc.ReadForm#AUTO}. */
  static final String INDEX_NOT_IN_USE = "the engine's consent index is not in use (the engine has none, it is"
      + " still loading, or its change feed is not fresh), so decisions would read the consent store row by row";

  private ConsentInterceptor(ConsentEngine engine, DataSource dataSource, CatalogReader reader,
      long cacheSize, org.consent4j.jdbc.AuditLevel level, org.consent4j.jdbc.ReadForm form) throws SQLException {
    this.level = level;
    this.form = form;
    this.engine = engine;
    this.index = engine.consentIndex().orElse(null);
    this.dataSource = dataSource;
    this.reader = reader;
    this.known = read(null);
    this.lastCheck = System.nanoTime();
    this.cache = Caffeine.newBuilder().maximumSize(cacheSize).build();
  }

  /**
   * Validates {@code mapping} against the engine's catalog and the live database behind
   * {@code dataSource}, reads the mapped tables' columns, and builds the interceptor.
   *
   * @param consentTablePrefix the table prefix of the consent store in that database
   * @throws SQLException if the database cannot be read
   * @throws org.consent4j.jdbc.MappingException if the mapping does not fit the catalog or the database
   */
  public static ConsentInterceptor create(DataSource dataSource, ConsentEngine engine, SchemaMapping mapping,
      String consentTablePrefix, long cacheSize, org.consent4j.jdbc.AuditLevel level) throws SQLException {
    return create(dataSource, engine, mapping, Optional.empty(), consentTablePrefix, cacheSize, level);
  }

  /**
   * As {@link #create(DataSource, ConsentEngine, SchemaMapping, String, long, org.consent4j.jdbc.AuditLevel)},
   * for a consent store whose tables live in the schema {@code consentSchema} (when present).
   */
  public static ConsentInterceptor create(DataSource dataSource, ConsentEngine engine, SchemaMapping mapping,
      Optional<String> consentSchema, String consentTablePrefix, long cacheSize, org.consent4j.jdbc.AuditLevel level)
      throws SQLException {
    return create(dataSource, engine, mapping, consentSchema, consentTablePrefix, cacheSize, level,
        org.consent4j.jdbc.ReadForm.configuredDefault());
  }

  /**
   * As {@link #create(DataSource, ConsentEngine, SchemaMapping, Optional, String, long,
   * org.consent4j.jdbc.AuditLevel)}, reading in {@code form}.
   */
  public static ConsentInterceptor create(DataSource dataSource, ConsentEngine engine, SchemaMapping mapping,
      Optional<String> consentSchema, String consentTablePrefix, long cacheSize, org.consent4j.jdbc.AuditLevel level,
      org.consent4j.jdbc.ReadForm form) throws SQLException {
    Objects.requireNonNull(form, "form");
    Objects.requireNonNull(level, "level");
    Objects.requireNonNull(consentSchema, "consentSchema").ifPresent(Schema::validName);
    Objects.requireNonNull(dataSource, "dataSource");
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(mapping, "mapping");
    mapping.validate(engine.catalog());
    new Schema(consentTablePrefix); // validates the prefix
    return new ConsentInterceptor(engine, dataSource,
        c -> rewriter(c, engine, mapping, consentSchema, consentTablePrefix, level), cacheSize, level, form);
  }

  /**
   * Reads again what the rewriter learned from the database: the mapped tables' columns, and the
   * views and functions that read mapped tables. Statements rewritten before are rewritten again
   * when next run. Call it after a schema migration that adds or changes views, functions or
   * mapped columns while the data source is in use.
   *
   * @throws SQLException if the database cannot be read; the previous knowledge stays in use
   * @throws org.consent4j.jdbc.MappingException if the mapping no longer fits the database
   */
  @Override
  public void refresh() throws SQLException {
    synchronized (refreshing) {
      known = read(null);
      lastCheck = System.nanoTime();
    }
  }

  /**
   * How often, at most, a statement whose rewrite is cached checks first whether the database's
   * catalog changed (one query; {@link #DEFAULT_CATALOG_CHECK_INTERVAL} by default). A statement
   * not seen before always checks. When the catalog changed — a view, function, synonym, foreign or
   * child table created, replaced, dropped or renamed, by anyone — the rewriter reads it again before
   * the statement is rewritten. {@link java.time.Duration#ZERO} checks before every statement.
   *
   * @throws IllegalArgumentException if {@code interval} is negative
   */
  public void catalogCheckInterval(java.time.Duration interval) {
    Objects.requireNonNull(interval, "interval");
    if (interval.isNegative()) {
      throw new IllegalArgumentException("the catalog check interval must not be negative, got " + interval);
    }
    checkIntervalNanos = saturatedNanos(interval);
  }

  private static long saturatedNanos(java.time.Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /**
   * The rewriter's knowledge, made sure to be current for {@code session} (null: a connection of
   * the data source): unless {@code force}, only when the last check is older than the interval.
   * A check reads the catalog's fingerprint (on the session, so that it sees what the statement
   * will see; on another connection when the session is null or, on PostgreSQL, inside a
   * repeatable-read or serializable transaction, whose snapshot hides catalog changes that name
   * resolution sees); when the fingerprint is not covered, the catalog is read again.
   */
  private Known current(Connection session, boolean force) throws SQLException {
    Known k = known;
    long now = System.nanoTime();
    if (!force && now - lastCheck < checkIntervalNanos) {
      return k;
    }
    Connection on = checkedOn(session, k.dialect());
    String v = catalogVersion(on, k.dialect()); // a failed check fails the statement and counts for nothing
    lastCheck = now;
    if (k.covers(v)) {
      return k;
    }
    synchronized (refreshing) {
      Known latest = known;
      if (latest.covers(v)) {
        return latest;
      }
      // Began after v was read, so it holds everything v reflects. Read on the session when it is
      // in auto-commit mode (it sees the committed catalog, as any connection would): a connection of
      // the data source could wait for a pool whose every connection is held by a statement waiting
      // here. Inside a transaction, on a connection of the data source: the session's own uncommitted
      // DDL must not become what every other session's statements are rewritten by.
      Known fresh = read(on != null && on.getAutoCommit() ? on : null);
      if (!fresh.version().equals(v) && fresh.covered().size() < 64) {
        fresh.covered().add(v);
      }
      known = fresh;
      lastCheck = System.nanoTime();
      return fresh;
    }
  }

  /**
   * The connection the catalog is checked and read on for a statement on {@code session}: the
   * session itself, or null (a connection of the data source) when there is none or when, on
   * PostgreSQL, it is inside a repeatable-read or serializable transaction, whose snapshot hides
   * catalog changes that name resolution sees.
   */
  private static Connection checkedOn(Connection session, Dialect dialect) throws SQLException {
    if (session == null || (dialect == Dialect.POSTGRESQL && !session.getAutoCommit()
        && session.getTransactionIsolation() > Connection.TRANSACTION_READ_COMMITTED)) {
      return null;
    }
    return session;
  }

  /** The catalog's fingerprint, read on {@code on} (null: a connection of the data source). */
  private String catalogVersion(Connection on, Dialect dialect) throws SQLException {
    if (on == null) {
      try (Connection c = dataSource.getConnection()) {
        return org.consent4j.jdbc.internal.rewrite.CatalogVersion.read(c, dialect);
      }
    }
    return org.consent4j.jdbc.internal.rewrite.CatalogVersion.read(on, dialect);
  }

  /** What the rewriter knows, read on {@code on} (null: a connection of the data source). */
  private Known read(Connection on) throws SQLException {
    if (on == null) {
      try (Connection c = dataSource.getConnection()) {
        return reader.read(c);
      }
    }
    return reader.read(on);
  }

  private static Known rewriter(Connection c, ConsentEngine engine, SchemaMapping mapping,
      Optional<String> consentSchema, String consentTablePrefix, org.consent4j.jdbc.AuditLevel level)
      throws SQLException {
    Schema store;
    Dialect dialect;
    List<ProtectedTable> tables = new ArrayList<>();
    org.consent4j.jdbc.internal.rewrite.DatabaseObjects objects;
    java.util.Set<String> unsafeFunctions;
    String version;
    mapping.validate(c);
    dialect = Dialect.fromProductName(c.getMetaData().getDatabaseProductName());
    // first, so that a change made while the rest is read shows as a different fingerprint
    version = org.consent4j.jdbc.internal.rewrite.CatalogVersion.read(c, dialect);
    store = Schema.of(consentTablePrefix, consentSchema, dialect, c.getMetaData());
    for (TableMapping t : mapping.tables()) {
      tables.add(new ProtectedTable(t.schema(), t.table(), LiveColumns.read(c, t.schema().orElse(null), t.table()),
          t.subjectColumns(), t.rowCategory(), t.columns(), Optional.of(
              org.consent4j.jdbc.internal.rewrite.LiveKeys.read(c, t.schema().orElse(null), t.table())),
          LiveColumns.references(c, t.schema().orElse(null), t.table()),
          LiveColumns.primaryKey(c, t.schema().orElse(null), t.table())));
    }
    List<org.consent4j.jdbc.internal.rewrite.DatabaseObjects.MappedName> names = new ArrayList<>();
    for (TableMapping t : mapping.tables()) {
      names.add(new org.consent4j.jdbc.internal.rewrite.DatabaseObjects.MappedName(t.schema(), t.table()));
    }
    // Views may call functions and functions may read views: read both until neither grows.
    java.util.Set<String> functions = java.util.Set.of();
    while (true) {
      objects = org.consent4j.jdbc.internal.rewrite.DatabaseObjects.read(c, dialect, names, mapping.trusted(),
          functions);
      unsafeFunctions = LiveRoutines.readingMappedTables(c, dialect, mapping.tableNames(), objects.unsafeNames(),
          mapping.trusted());
      if (unsafeFunctions.equals(functions)) {
        break;
      }
      functions = unsafeFunctions;
    }
    return new Known(new SqlRewriter(tables, objects, unsafeFunctions, engine.catalog(), dialect, store,
        level == org.consent4j.jdbc.AuditLevel.SUBJECT), version, dialect,
        java.util.concurrent.ConcurrentHashMap.newKeySet());
  }

  /**
   * The rewrite of {@code sql} for {@code context} by {@code current}, with unqualified names
   * resolved along {@code path} (null: not read, the most protective reading), made now into the
   * cache under {@code key}, unless another thread just did.
   */
  private Rewrite load(Key key, SqlRewriter current, String sql, Optional<AccessContext> context, List<String> path,
      boolean post) {
    return cache.get(key, k -> {
      RewrittenStatement rewritten = current.rewrite(sql, context, path, post);
      return new Rewrite(rewritten, org.consent4j.jdbc.internal.rewrite.TimeParameters.of(rewritten),
          rewritten.protectedData() && context.isPresent() ? shape(rewritten, context.get()) : null);
    });
  }

  private AuditShape shape(RewrittenStatement r, AccessContext ctx) {
    SortedMap<String, String> base = details(r, -1);
    SortedMap<String, String> executing = new TreeMap<>(base);
    gdprDetails(ctx, r, executing);
    return new AuditShape(java.util.Collections.unmodifiableSortedMap(base),
        java.util.Collections.unmodifiableSortedMap(executing));
  }

  /**
   * Whether an eligible SELECT intercepted now runs post-filtered: always or never as the form
   * says, and under {@link org.consent4j.jdbc.ReadForm#AUTO} while the engine's consent index is
   * usable. Asked once per statement, when it is intercepted (prepared or executed); a prepared
   * statement keeps the form it was prepared in, exact either way (see docs/REWRITING.md).
   */
  private boolean postFilterNow() {
    return switch (form) {
      case PUSHDOWN -> false;
      case POST_FILTER -> true;
      case AUTO -> index != null && index.isUsable();
    };
  }

  /**
   * The rewrite of {@code sql} for {@code context} on {@code session} (null: none), eligible
   * SELECTs post-filtered when {@code post}, by knowledge made current first: from the cache when
   * the catalog was checked within the interval, and otherwise, and for every statement not in the
   * cache, after a catalog check.
   */
  private Rewrite rewrite(Connection session, String sql, Optional<AccessContext> context, boolean post)
      throws SQLException {
    Known k = current(session, false);
    List<String> path = searchPath(k, sql, session);
    Purpose purpose = context.isPresent() ? context.get().purpose() : null;
    Recipient recipient = context.isPresent() ? context.get().recipient() : null;
    Rewrite cached = cache.getIfPresent(new Key(sql, purpose, recipient, k.rewriter(), path, post));
    if (cached != null) {
      tellLookup(true);
      return cached;
    }
    tellLookup(false);
    Known checked = current(session, true);
    if (checked != k) {
      path = searchPath(checked, sql, session);
    }
    // One lookup-or-load, not a second getIfPresent: the miss was counted above.
    return load(new Key(sql, purpose, recipient, checked.rewriter(), path, post), checked.rewriter(), sql,
        context, path, post);
  }

  /** The search path to resolve {@code sql}'s names along, when its rewrite depends on it; else null. */
  private static List<String> searchPath(Known k, String sql, Connection session) throws SQLException {
    return session != null && k.rewriter().needsSearchPath(sql) ? k.rewriter().searchPath(session) : null;
  }

  /**
   * What a guarded connection would run for {@code sql} under {@code context}, from the same
   * rewrite (and cache) as {@link #intercept}, with the clock's time now. Reads no data and writes
   * no audit event; a statement the rewriter refuses throws what its execution would throw.
   *
   * @throws ConsentSQLException as {@link #intercept} would refuse the statement
   */
  public org.consent4j.jdbc.wrapper.RewrittenSql explain(String sql, AccessContext context) throws SQLException {
    Objects.requireNonNull(sql, "sql");
    Objects.requireNonNull(context, "context");
    Rewrite cached;
    String pushdownReason;
    try {
      boolean post = postFilterNow();
      cached = rewrite(null, sql, Optional.of(context), post);
      pushdownReason = cached.statement().pushdownReason();
      if (!post && form == org.consent4j.jdbc.ReadForm.AUTO && cached.statement().protectedData()) {
        // Would it be post-filtered with the index in use? Then that is why it is not.
        RewrittenStatement other = rewrite(null, sql, Optional.of(context), true).statement();
        pushdownReason = other.postFilter().isPresent() ? INDEX_NOT_IN_USE : other.pushdownReason();
      }
    } catch (RewriteRefusedException e) {
      throw new ConsentSQLException(reason(e.why()), e.getMessage());
    } catch (UndeclaredException e) {
      throw new ConsentSQLException(ReasonCode.UNKNOWN_PURPOSE, e.getMessage(), e);
    }
    String why = pushdownReason;
    RewrittenStatement r = cached.statement();
    Instant now = engine.clock().instant();
    String text = r.sql(now);
    if (!r.protectedData()) {
      return new org.consent4j.jdbc.wrapper.RewrittenSql(sql, sql, java.util.Collections.emptySortedMap(), false,
          new TreeSet<>(), 0);
    }
    boolean post = r.postFilter().isPresent();
    return cached.prepared()
        .map(p -> new org.consent4j.jdbc.wrapper.RewrittenSql(text, p.sql(), p.values(now), true, r.tables(),
            r.hiddenColumns(), post, why))
        .orElseGet(() -> new org.consent4j.jdbc.wrapper.RewrittenSql(text, text,
            java.util.Collections.emptySortedMap(), true, r.tables(), r.hiddenColumns(), post, why));
  }

  /**
   * What the rewrite of {@code sql} depends on in {@code session} now: the rewriter's knowledge of
   * the catalog (checked for changes as often as a cached statement is) and, when {@code sql}
   * names a table that objects of several schemas are named like, the session's search path.
   */
  @Override
  public Object resolution(String sql, Connection session) throws SQLException {
    Known k = current(session, false);
    return new Resolution(k.rewriter(), searchPath(k, sql, session));
  }

  @Override
  public Interception intercept(String sql, SqlKind kind) throws SQLException {
    return intercept(sql, kind, null);
  }

  /**
   * As {@link #intercept(String, SqlKind)}; when the statement names a table that objects of
   * several schemas are named like, unqualified names are resolved along {@code session}'s search
   * path, read from it now (one query, only for such statements: the path changes in ways the
   * wrapper cannot see, such as {@code SET search_path}, {@code set_config}, {@code USE}, the end
   * of a transaction or {@code RESET}), and the rewrite is cached under that path.
   */
  @Override
  public Interception intercept(String sql, SqlKind kind, Connection session) throws SQLException {
    return intercept(sql, kind, session, postFilterNow());
  }

  /**
   * As {@link #intercept(String, SqlKind, Connection)}, in the form {@code previous} was prepared
   * in: a prepared statement keeps its form (both are exact), so a change of form since it was
   * prepared does not make it differ from what the database prepared.
   */
  @Override
  public Interception interceptAgain(String sql, SqlKind kind, Connection session, Interception previous)
      throws SQLException {
    Objects.requireNonNull(previous, "previous");
    boolean post = previous.listener() instanceof Completion c ? c.statement.postFilter().isPresent()
        : postFilterNow();
    return intercept(sql, kind, session, post);
  }

  private Interception intercept(String sql, SqlKind kind, Connection session, boolean post) throws SQLException {
    Interception out;
    try {
      out = interceptUnobserved(sql, kind, session, post);
    } catch (ConsentSQLException e) {
      tellStatement(org.consent4j.jdbc.spi.StatementObserver.Form.REFUSED);
      throw e;
    }
    tellStatement(!out.touchesProtectedData() ? org.consent4j.jdbc.spi.StatementObserver.Form.PLAIN
        : out.listener() instanceof Completion c && c.statement.postFilter().isPresent()
            ? org.consent4j.jdbc.spi.StatementObserver.Form.POST_FILTERED
            : org.consent4j.jdbc.spi.StatementObserver.Form.PUSHDOWN);
    return out;
  }

  /**
   * Sets who is told the form of each statement and each rewrite cache lookup (metrics); replaces
   * the previous observer.
   */
  public void observe(org.consent4j.jdbc.spi.StatementObserver observer) {
    this.observer = Objects.requireNonNull(observer, "observer");
  }

  /** An observer that throws is ignored: metrics never change a statement's outcome. */
  private void tellStatement(org.consent4j.jdbc.spi.StatementObserver.Form form) {
    try {
      observer.onStatement(form);
    } catch (RuntimeException ignored) {
      // deliberately guarded (STYLE.md: user callbacks that fail are guarded deliberately)
    }
  }

  private void tellLookup(boolean hit) {
    try {
      observer.onRewriteCacheLookup(hit);
    } catch (RuntimeException ignored) {
      // as tellStatement
    }
  }

  private Interception interceptUnobserved(String sql, SqlKind kind, Connection session, boolean post)
      throws SQLException {
    Optional<AccessContext> context = engine.currentContext();
    Rewrite cached;
    try {
      cached = rewrite(session, sql, context, post);
    } catch (RewriteRefusedException e) {
      if (context.isPresent()) {
        refused(context.get(), kind, sql, e.why().name());
      }
      throw new ConsentSQLException(reason(e.why()), e.getMessage());
    } catch (UndeclaredException e) {
      throw new ConsentSQLException(ReasonCode.UNKNOWN_PURPOSE, e.getMessage(), e);
    }
    RewrittenStatement r = cached.statement();
    if (kind == SqlKind.CALL) {
      if (context.isPresent()) {
        refused(context.get(), kind, sql, "BYPASS_REFUSED");
      }
      return refuseCall();
    }
    if (!r.protectedData()) {
      return Interception.plain(sql);
    }
    AccessContext ctx = context.orElseThrow();
    Instant now = engine.clock().instant();
    if (kind != SqlKind.PREPARE && kind != SqlKind.NATIVE && !r.writeChecks().isEmpty()) {
      checkCollection(ctx, kind, r, List.of(java.util.Map.of()));
    }
    if (kind == SqlKind.NATIVE) {
      return Interception.protectedData(r.sql(now), new StatementListener() {});
    }
    if (kind != SqlKind.PREPARE) {
      audit(ctx, now, kind, r, cached.shape(), "EXECUTING", Outcome.PERMIT, -1);
    }
    Interception out;
    if (kind == SqlKind.PREPARE && cached.prepared().isPresent()) {
      // one SQL text for every execution, so the database reuses its parse and plan
      // The text was built once per cache entry; the values are an immutable view of the entry's
      // time-parameter positions, so a hit copies no SQL and builds no map.
      out = new PreparedInterception(cached.prepared().get().sql(),
          new Completion(ctx, kind, r, cached.shape(), now, cached.prepared().get()), r.hiddenColumns(),
          !r.writesMappedRows(),
          cached.prepared().get().values(now), cached.prepared().get().nullFlags());
    } else {
      out = Interception.protectedData(r.sql(now), new Completion(ctx, kind, r, cached.shape(), now, null),
          r.hiddenColumns(), !r.writesMappedRows());
    }
    List<String> generated = generatedSubjectColumns(r);
    return generated.isEmpty() ? out : new Generating(out, generated, r.returnsGeneratedSubjects());
  }

  /** The subject columns whose values the database generates, which the wrapper must read back. */
  private static List<String> generatedSubjectColumns(RewrittenStatement r) {
    java.util.Set<String> out = new java.util.LinkedHashSet<>();
    for (org.consent4j.jdbc.internal.rewrite.WriteCheck w : r.writeChecks()) {
      for (org.consent4j.jdbc.internal.rewrite.WriteCheck.Source s : w.subjects()) {
        s.generatedColumn().ifPresent(out::add);
      }
    }
    return List.copyOf(out);
  }

  /** An interception of an INSERT whose subject the database generates: checked after it ran. */
  private record Generating(Interception inner, List<String> generatedSubjectColumns,
      boolean generatedSubjectsReturned) implements Interception {
    @Override
    public String sql() {
      return inner.sql();
    }

    @Override
    public boolean touchesProtectedData() {
      return true;
    }

    @Override
    public StatementListener listener() {
      return inner.listener();
    }

    @Override
    public int hiddenColumns() {
      return inner.hiddenColumns();
    }

    @Override
    public boolean allowsGeneratedKeys() {
      return inner.allowsGeneratedKeys();
    }

    @Override
    public java.util.SortedMap<Integer, Long> boundParameters() {
      return inner.boundParameters();
    }

    @Override
    public java.util.SortedMap<Integer, Integer> nullFlagParameters() {
      return inner.nullFlagParameters();
    }
  }

  /**
   * No passive collection (GDPR Art. 5(1)(b), 25), and nothing learnt about hidden rows: every row
   * an INSERT writes into a mapped table must be one the context could see, permitted for its
   * subjects with every category it stores, under the context — by the engine's rules, so by a
   * grant for a consent purpose and by the declared categories for another basis; so must every
   * row of a mapped table it refers to. The engine audits the decisions (operation {@code sql
   * insert}); a refusal is audited too. Rows whose subject the database generates are checked
   * after the INSERT ran ({@link #checkGenerated}).
   */
  private void checkCollection(AccessContext ctx, SqlKind kind, RewrittenStatement r,
      List<java.util.Map<Integer, Object>> parameterSets) throws SQLException {
    List<Row> rows = new ArrayList<>();
    for (java.util.Map<Integer, Object> params : parameterSets) {
      for (org.consent4j.jdbc.internal.rewrite.WriteCheck w : r.writeChecks()) {
        if (!w.generated()) {
          row(ctx, kind, r, w, params, null).ifPresent(rows::add);
        }
      }
    }
    decide(ctx, kind, r, rows);
  }

  /**
   * The rows of an INSERT whose subject the database generated, now that it ran: {@code keys}
   * holds the generated keys of every row it wrote (of each batch entry, in order), so that row
   * {@code i} of the keys is VALUES row {@code i % rows} of entry {@code i / rows}. A key that is
   * missing, or a number of keys that does not match, refuses the statement as of an unknown
   * subject; the caller rolls back what it wrote.
   */
  private void checkGenerated(AccessContext ctx, SqlKind kind, RewrittenStatement r,
      List<java.util.Map<Integer, Object>> parameterSets, GeneratedKeys keys) throws SQLException {
    int perExecution = 0;
    for (org.consent4j.jdbc.internal.rewrite.WriteCheck w : r.writeChecks()) {
      perExecution = Math.max(perExecution, w.row() + 1);
    }
    if (keys.rows().size() != perExecution * parameterSets.size()) {
      refused(ctx, kind, r, "SUBJECT_UNKNOWN");
      throw new ConsentSQLException(ReasonCode.SUBJECT_UNKNOWN, "an INSERT into a mapped table whose subject the"
          + " database generates returned " + keys.rows().size() + " generated keys for "
          + perExecution * parameterSets.size() + " rows, so the subjects' consent cannot be checked; it was rolled"
          + " back");
    }
    List<Row> rows = new ArrayList<>();
    for (int e = 0; e < parameterSets.size(); e++) {
      for (org.consent4j.jdbc.internal.rewrite.WriteCheck w : r.writeChecks()) {
        if (w.generated()) {
          int at = e * perExecution + w.row();
          row(ctx, kind, r, w, parameterSets.get(e),
              source -> keys.value(at, source.generatedColumn().orElseThrow(), source.autoIncrement()))
              .ifPresent(rows::add);
        }
      }
    }
    decide(ctx, kind, r, rows);
  }

  /** One written (or referenced) row to decide on: its subjects and the categories it stores. */
  private record Row(org.consent4j.jdbc.internal.rewrite.WriteCheck check, List<org.consent4j.SubjectId> subjects,
      java.util.SortedSet<org.consent4j.DataCategory> categories) {}

  private Optional<Row> row(AccessContext ctx, SqlKind kind, RewrittenStatement r,
      org.consent4j.jdbc.internal.rewrite.WriteCheck w, java.util.Map<Integer, Object> params,
      java.util.function.Function<org.consent4j.jdbc.internal.rewrite.WriteCheck.Source, Object> generated)
      throws SQLException {
    List<org.consent4j.SubjectId> subjects = new ArrayList<>();
    for (org.consent4j.jdbc.internal.rewrite.WriteCheck.Source source : w.subjects()) {
      Object value = source.literal().isPresent() ? source.literal().get()
          : source.generatedColumn().isPresent() ? generated.apply(source) : params.get(source.parameter());
      if (w.reference() && value == null && (source.literal().isPresent() || params.containsKey(source.parameter()))) {
        return Optional.empty(); // a NULL reference refers to no row
      }
      subjects.add(subject(ctx, kind, r, source, value));
    }
    return Optional.of(new Row(w, subjects, w.stored(params)));
  }

  private void decide(AccessContext ctx, SqlKind kind, RewrittenStatement r, List<Row> rows) throws SQLException {
    java.util.Map<java.util.SortedSet<org.consent4j.DataCategory>, java.util.Set<org.consent4j.SubjectId>> groups =
        new java.util.LinkedHashMap<>();
    for (Row row : rows) {
      groups.computeIfAbsent(row.categories(), k -> new java.util.LinkedHashSet<>()).addAll(row.subjects());
    }
    java.util.Map<java.util.SortedSet<org.consent4j.DataCategory>,
        java.util.Map<org.consent4j.SubjectId, org.consent4j.Decision>> decided = new java.util.HashMap<>();
    for (var e : groups.entrySet()) {
      try {
        decided.put(e.getKey(), engine.checkAll(e.getValue(), ctx, e.getKey(), "sql insert"));
      } catch (AuditUnavailableException x) {
        throw new ConsentSQLException(ReasonCode.AUDIT_UNAVAILABLE, x.getMessage(), x);
      } catch (org.consent4j.ConsentStoreUnavailableException x) {
        throw new ConsentSQLException(ReasonCode.CONSENT_STORE_UNAVAILABLE, x.getMessage(), x);
      }
    }
    for (Row row : rows) {
      java.util.Set<String> reasons = new java.util.TreeSet<>();
      for (org.consent4j.SubjectId s : row.subjects()) {
        org.consent4j.Decision d = decided.get(row.categories()).get(s);
        if (!d.subjectPermitted()) {
          reasons.add(d.subjectReason().name());
        }
        d.categories().forEach((c, why) -> {
          if (!why.permits()) {
            reasons.add(c + ":" + why);
          }
        });
      }
      if (!reasons.isEmpty()) {
        refused(ctx, kind, r, "COLLECTION_NOT_PERMITTED");
        // The same words whether or not a row with that key exists: the refusal must not tell.
        throw new ConsentSQLException(ReasonCode.COLLECTION_NOT_PERMITTED, row.check().reference()
            ? "INSERT refers to a row of the mapped table " + row.check().table() + " that purpose " + ctx.purpose()
                + " and recipient " + ctx.recipient() + " may not see (" + String.join(", ", reasons) + "): a write"
                + " may refer only to rows its context may see"
            : "INSERT into " + row.check().table() + " would store a row" + (row.categories().isEmpty() ? ""
                : " with " + row.categories()) + " of a subject whose consent under purpose " + ctx.purpose()
                + " and recipient " + ctx.recipient() + " does not cover it (" + String.join(", ", reasons)
                + "): record the subject's grant first, or leave personal columns NULL (no passive collection, GDPR"
                + " Art. 5(1)(b), 25; a row this context could not see cannot be written by it either)");
      }
    }
  }

  private org.consent4j.SubjectId subject(AccessContext ctx, SqlKind kind, RewrittenStatement r,
      org.consent4j.jdbc.internal.rewrite.WriteCheck.Source source, Object value)
      throws SQLException {
    String id = value instanceof String str ? str
        : value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte
            || value instanceof java.math.BigInteger ? value.toString()
        : value instanceof java.math.BigDecimal b && b.stripTrailingZeros().scale() <= 0
            ? b.toBigIntegerExact().toString()
        : null;
    try {
      if (id != null) {
        return org.consent4j.SubjectId.of(id);
      }
    } catch (IllegalArgumentException e) {
      // not a valid subject id: refused below like any other unknown subject
    }
    refused(ctx, kind, r, "SUBJECT_UNKNOWN");
    throw new ConsentSQLException(ReasonCode.SUBJECT_UNKNOWN, "an INSERT into a mapped table writes a row, but its"
        + " subject " + (source.literal().isPresent() ? "literal is not a valid subject id"
        : source.generatedColumn().isPresent() ? "column " + source.generatedColumn().get() + " is generated by the"
            + " database and its value was not returned as a generated key (MariaDB returns only AUTO_INCREMENT"
            + " values), so the insert was rolled back"
        : "parameter " + source.parameter() + (value == null ? " is not set or NULL"
        : " was set with a setter consent4j does not read (use setString, setInt, setLong or setObject)"))
        + ": the subject's consent cannot be checked");
  }

  private Interception refuseCall() throws ConsentSQLException {
    throw new ConsentSQLException(ReasonCode.BYPASS_REFUSED, "prepareCall is refused on a consent-guarded"
        + " connection: a stored procedure can read personal data consent4j cannot see; query the tables directly");
  }

  /** Writes the rows a statement returned or changed, once, when that is known. */
  private final class Completion implements StatementListener {
    private final AccessContext ctx;
    private final SqlKind kind;
    private final RewrittenStatement statement;
    private final AuditShape shape;
    private final AtomicBoolean done = new AtomicBoolean();

    /** The time the statement's consent check is bound to: when it was prepared, or last re-bound. */
    private Instant boundAt;
    /** The positions of the time parameters when the wrapper binds them, else null (time in the text). */
    private final org.consent4j.jdbc.internal.rewrite.TimeParameters time;

    Completion(AccessContext ctx, SqlKind kind, RewrittenStatement statement, AuditShape shape, Instant preparedAt,
        org.consent4j.jdbc.internal.rewrite.TimeParameters time) {
      this.ctx = ctx;
      this.kind = kind;
      this.statement = statement;
      this.shape = shape;
      this.boundAt = preparedAt;
      this.time = time;
    }

    /**
     * A prepared statement whose time is a parameter gets the clock's time again for each
     * execution, so it may run any time after it was prepared. (A batch keeps the time its entries
     * were bound with; {@link #beforeExecute} judges its age.)
     */
    @Override
    public java.util.SortedMap<Integer, Long> boundParametersForExecution() {
      if (time == null) {
        return java.util.Collections.emptySortedMap();
      }
      boundAt = engine.clock().instant();
      return time.values(boundAt);
    }

    /**
     * The SQL carries the context and the time its check is bound to. Running it under another
     * context would apply the wrong purpose; running it long after that time would judge expiries
     * by a stale clock (a batch, or a statement with the time in its text, executed more than
     * {@link #MAX_PREPARED_AGE} after it was prepared; a statement that does not compare with the
     * clock at all, as under a non-consent purpose, has no such limit). Both are refused, and the
     * execution is audited before it runs.
     */
    @Override
    public void beforeExecute() throws SQLException {
      Optional<AccessContext> now = engine.currentContext();
      if (now.isEmpty()) {
        throw new ConsentSQLException(ReasonCode.NO_CONTEXT, "a statement on mapped tables was executed with no"
            + " processing context bound to this thread: open engine.process(...) around the execution");
      }
      if (!now.get().equals(ctx)) {
        refused(now.get(), kind, statement, "CONTEXT_CHANGED");
        throw new ConsentSQLException(ReasonCode.DENIED, "a statement prepared for purpose " + ctx.purpose()
            + " and recipient " + ctx.recipient() + " was executed under purpose " + now.get().purpose()
            + " and recipient " + now.get().recipient() + ": prepare it again under the current context");
      }
      if (statement.postFilter().isPresent()) {
        // No time in its SQL: its rows are decided at the time of each execution.
        boundAt = engine.clock().instant();
      }
      if (kind == SqlKind.PREPARE) {
        Instant at = engine.clock().instant();
        boolean readsClock = statement.readsClock(); // else no time in the SQL can go stale
        if (readsClock && java.time.Duration.between(boundAt, at).compareTo(MAX_PREPARED_AGE) > 0) {
          refused(ctx, kind, statement, "PREPARED_TOO_LONG_AGO");
          throw new ConsentSQLException(ReasonCode.DENIED, "a statement on mapped tables was prepared (or its batch"
              + " entries bound) more than " + MAX_PREPARED_AGE.toMillis() + " ms before it was executed, so its"
              + " consent check would use a stale clock: prepare it again, or add the batch entries just before"
              + " executeBatch");
        }
        audit(ctx, at, kind, statement, shape, "EXECUTING", Outcome.PERMIT, -1);
      }
    }

    /** Only a statement that writes mapped rows checks its values (no passive collection). */
    @Override
    public boolean checksParameters() {
      return !statement.writeChecks().isEmpty();
    }

    @Override
    public void checkParameters(List<java.util.Map<Integer, Object>> parameterSets) throws SQLException {
      if (!statement.writeChecks().isEmpty()) {
        Optional<AccessContext> now = engine.currentContext();
        if (now.isEmpty() || !now.get().equals(ctx)) {
          return; // beforeExecute refuses it, with the reason
        }
        checkCollection(ctx, kind, statement, parameterSets);
      }
    }

    @Override
    public void afterGeneratedKeys(List<java.util.Map<Integer, Object>> parameterSets, GeneratedKeys keys)
        throws SQLException {
      checkGenerated(ctx, kind, statement, parameterSets, keys);
    }

    /** Subject ids read so far from the hidden columns, in first-read order. */
    private final java.util.Set<org.consent4j.SubjectId> subjects = new java.util.LinkedHashSet<>();
    private int columns = -1;

    /**
     * A post-filtered statement's result set is filtered and masked by the engine's decisions at
     * the instant its SQL is bound to (the same instant the pushdown form would compare with).
     */
    @Override
    public org.consent4j.jdbc.wrapper.RowFilter rowFilter() {
      return statement.postFilter().<org.consent4j.jdbc.wrapper.RowFilter>map(
          plan -> new PostFilteredRows(engine, ctx, plan, boundAt)).orElse(null);
    }

    @Override
    public void onResultSetRow(java.sql.ResultSet row) throws SQLException {
      int hidden = statement.hiddenColumns();
      // A post-filtered statement has subject columns at every level; they name subjects only at SUBJECT.
      if (hidden == 0 || statement.postFilter().isPresent() && level != org.consent4j.jdbc.AuditLevel.SUBJECT) {
        return;
      }
      if (columns < 0) {
        columns = row.getMetaData().getColumnCount();
      }
      for (int i = columns - hidden + 1; i <= columns; i++) {
        String id = row.getString(i);
        if (id != null) {
          subjects.add(org.consent4j.SubjectId.of(id));
        }
      }
    }

    @Override
    public void onResultSetClosed(long rows) throws SQLException {
      SortedMap<String, String> details = new TreeMap<>(shape.base()); // fingerprint and tables
      details.put("rows", Long.toString(rows));
      if (level == org.consent4j.jdbc.AuditLevel.SUBJECT && statement.hiddenColumns() == 0) {
        details.put("subjects", "not-collected");
      }
      List<org.consent4j.SubjectId> read = subjects.isEmpty() ? List.of() : List.copyOf(subjects);
      subjects.clear();
      columns = -1;
      record(ctx, engine.clock().instant(), kind, statement.categories(), Outcome.PERMIT, "ROWS_RETURNED", details,
          read);
    }

    @Override
    public void onUpdateCount(long count) throws SQLException {
      audit(ctx, engine.clock().instant(), kind, statement, shape, "ROWS_AFFECTED", Outcome.PERMIT, count);
    }

    @Override
    public void onFailure(SQLException failure) throws SQLException {
      if (done.compareAndSet(false, true)) {
        audit(ctx, engine.clock().instant(), kind, statement, shape, "FAILED", Outcome.DENY, -1);
      }
    }
  }

  /**
   * Refusals are decisions too (rule 8): audited under the context that asked, with the shape of
   * the statement. If the trail itself is down, the refusal stands and the statement stays refused.
   */
  private void refused(AccessContext ctx, SqlKind kind, String sql, String reason) throws SQLException {
    SortedMap<String, String> details = new TreeMap<>();
    details.put("fingerprint", org.consent4j.jdbc.internal.rewrite.StatementShape.fingerprint(sql));
    record(ctx, engine.clock().instant(), kind, new TreeSet<>(), Outcome.DENY, reason, details);
  }

  private void refused(AccessContext ctx, SqlKind kind, RewrittenStatement r, String reason) throws SQLException {
    SortedMap<String, String> details = new TreeMap<>();
    details.put("fingerprint", r.fingerprint());
    details.put("tables", String.join(",", r.tables()));
    record(ctx, engine.clock().instant(), kind, new TreeSet<>(r.categories()), Outcome.DENY, reason, details);
  }

  private void record(AccessContext ctx, Instant now, SqlKind kind, java.util.SortedSet<org.consent4j.DataCategory> cats,
      Outcome outcome, String reason, SortedMap<String, String> details) throws SQLException {
    record(ctx, now, kind, cats, outcome, reason, details, List.of());
  }

  private void record(AccessContext ctx, Instant now, SqlKind kind, java.util.SortedSet<org.consent4j.DataCategory> cats,
      Outcome outcome, String reason, SortedMap<String, String> details, List<org.consent4j.SubjectId> subjects)
      throws SQLException {
    try {
      engine.audit().submit(new AuditEvent(now, ctx.actor(), ctx.purpose(), ctx.recipient(), OPERATIONS[kind.ordinal()],
          subjects, cats, outcome, reason, 0, details));
    } catch (AuditUnavailableException e) {
      throw new ConsentSQLException(ReasonCode.AUDIT_UNAVAILABLE, e.getMessage(), e);
    } catch (ConsentException e) {
      throw new ConsentSQLException(ReasonCode.DENIED, e.getMessage(), e);
    }
  }

  /**
   * Audits an execution of {@code r}: its fingerprint, tables and GDPR rules from {@code shape},
   * and the rows when {@code rows} is not negative. The event copies what it is given, so the
   * shape's maps and the statement's categories are passed as they are.
   */
  private void audit(AccessContext ctx, Instant now, SqlKind kind, RewrittenStatement r, AuditShape shape,
      String reason, Outcome outcome, long rows) throws SQLException {
    SortedMap<String, String> details = shape.executing();
    if (rows >= 0) {
      details = new TreeMap<>(details);
      details.put("rows", Long.toString(rows));
    }
    record(ctx, now, kind, r.categories(), outcome, reason, details);
  }

  /**
   * Names the GDPR rules the statement was rewritten under, so that the trail of a query shows
   * them: a transfer that needs explicit consent (Art. 49(1)(a)) and the special categories
   * (Art. 9) it may read.
   */
  private void gdprDetails(AccessContext ctx, RewrittenStatement r, SortedMap<String, String> details) {
    org.consent4j.Catalog catalog = engine.catalog();
    if (catalog.transferNeedsExplicitConsent(ctx.recipient())) {
      details.put("transfer", "explicit-consent-required");
    }
    java.util.StringJoiner special = new java.util.StringJoiner(",");
    for (org.consent4j.DataCategory c : new TreeSet<>(r.categories())) {
      if (catalog.isSpecial(c)) {
        special.add(c.name());
      }
    }
    if (special.length() > 0) {
      details.put("special-categories", special.toString());
    }
  }

  private static SortedMap<String, String> details(RewrittenStatement r, long rows) {
    SortedMap<String, String> details = new TreeMap<>();
    details.put("fingerprint", r.fingerprint());
    details.put("tables", String.join(",", r.tables()));
    if (rows >= 0) {
      details.put("rows", Long.toString(rows));
    }
    return details;
  }

  private static ReasonCode reason(RewriteRefusedException.Why why) {
    return switch (why) {
      case NO_CONTEXT -> ReasonCode.NO_CONTEXT;
      case UNANALYSABLE_SQL -> ReasonCode.UNANALYSABLE_SQL;
      case BYPASS_REFUSED -> ReasonCode.BYPASS_REFUSED;
      case MASKED_WRITE_REFUSED -> ReasonCode.MASKED_WRITE_REFUSED;
      case SUBJECT_UNKNOWN -> ReasonCode.SUBJECT_UNKNOWN;
    };
  }
}
