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
import org.consent4j.jdbc.internal.rewrite.LiveViews;
import org.consent4j.jdbc.internal.rewrite.ProtectedTable;
import org.consent4j.jdbc.internal.rewrite.RewriteRefusedException;
import org.consent4j.jdbc.internal.rewrite.RewrittenStatement;
import org.consent4j.jdbc.internal.rewrite.SqlRewriter;
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
  private final SqlRewriter rewriter;
  private final Cache<Key, Rewrite> cache;

  /** A cached rewrite, with its form for prepared statements (time as parameters) when it has one. */
  private record Rewrite(RewrittenStatement statement, java.util.Optional<org.consent4j.jdbc.internal.rewrite.TimeParameters> prepared) {}

  private record Key(String sql, Purpose purpose, Recipient recipient) {}

  private ConsentInterceptor(ConsentEngine engine, SqlRewriter rewriter, long cacheSize,
      org.consent4j.jdbc.AuditLevel level) {
    this.level = level;
    this.engine = engine;
    this.rewriter = rewriter;
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
    Objects.requireNonNull(level, "level");
    Objects.requireNonNull(dataSource, "dataSource");
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(mapping, "mapping");
    mapping.validate(engine.catalog());
    Dialect dialect;
    List<ProtectedTable> tables = new ArrayList<>();
    java.util.Set<String> unsafeViews;
    java.util.Set<String> unsafeFunctions;
    try (Connection c = dataSource.getConnection()) {
      mapping.validate(c);
      dialect = Dialect.fromProductName(c.getMetaData().getDatabaseProductName());
      for (TableMapping t : mapping.tables()) {
        tables.add(new ProtectedTable(t.schema(), t.table(), LiveColumns.read(c, t.schema().orElse(null), t.table()),
            t.subjectColumns(), t.rowCategory(), t.columns()));
      }
      unsafeViews = LiveViews.readingMappedTables(c, dialect, mapping.tableNames());
      unsafeFunctions = LiveRoutines.readingMappedTables(c, dialect, mapping.tableNames(), unsafeViews);
    }
    new Schema(consentTablePrefix); // validates the prefix
    return new ConsentInterceptor(engine,
        new SqlRewriter(tables, unsafeViews, unsafeFunctions, engine.catalog(), dialect, consentTablePrefix,
            level == org.consent4j.jdbc.AuditLevel.SUBJECT),
        cacheSize, level);
  }

  @Override
  public Interception intercept(String sql, SqlKind kind) throws SQLException {
    Optional<AccessContext> context = engine.currentContext();
    Rewrite cached;
    try {
      cached = cache.get(new Key(sql, context.map(AccessContext::purpose).orElse(null),
          context.map(AccessContext::recipient).orElse(null)), k -> {
            RewrittenStatement rewritten = rewriter.rewrite(sql, context);
            return new Rewrite(rewritten, org.consent4j.jdbc.internal.rewrite.TimeParameters.of(rewritten));
          });
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
    if (kind == SqlKind.NATIVE) {
      return Interception.protectedData(r.sql(now), new StatementListener() {});
    }
    if (kind != SqlKind.PREPARE) {
      audit(ctx, now, kind, r, "EXECUTING", Outcome.PERMIT, -1);
    }
    if (kind == SqlKind.PREPARE && cached.prepared().isPresent()) {
      // one SQL text for every execution, so the database reuses its parse and plan
      return Interception.protectedData(cached.prepared().get().sql(), new Completion(ctx, kind, r, now),
          r.hiddenColumns(), !r.writesMappedRows(), cached.prepared().get().values(now));
    }
    return Interception.protectedData(r.sql(now), new Completion(ctx, kind, r, now), r.hiddenColumns(),
        !r.writesMappedRows());
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
    private final AtomicBoolean done = new AtomicBoolean();

    private final Instant preparedAt;

    Completion(AccessContext ctx, SqlKind kind, RewrittenStatement statement, Instant preparedAt) {
      this.ctx = ctx;
      this.kind = kind;
      this.statement = statement;
      this.preparedAt = preparedAt;
    }

    /**
     * The SQL carries the context and the time it was prepared under. Running it under another
     * context would apply the wrong purpose; running it much later would judge expiries by a stale
     * clock. Both are refused, and the execution is audited before it runs.
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
      if (kind == SqlKind.PREPARE) {
        Instant at = engine.clock().instant();
        if (java.time.Duration.between(preparedAt, at).compareTo(MAX_PREPARED_AGE) > 0) {
          refused(ctx, kind, statement, "PREPARED_TOO_LONG_AGO");
          throw new ConsentSQLException(ReasonCode.DENIED, "a statement on mapped tables was prepared more than "
              + MAX_PREPARED_AGE.toMillis() + " ms before it was executed, so its consent check would use a stale"
              + " clock: prepare it again (prepare statements per use, as JdbcTemplate, jOOQ and Hibernate do)");
        }
        audit(ctx, at, kind, statement, "EXECUTING", Outcome.PERMIT, -1);
      }
    }

    /** Subject ids read so far from the hidden columns, in first-read order. */
    private final java.util.Set<org.consent4j.SubjectId> subjects = new java.util.LinkedHashSet<>();
    private int columns = -1;

    @Override
    public void onResultSetRow(java.sql.ResultSet row) throws SQLException {
      int hidden = statement.hiddenColumns();
      if (hidden == 0) {
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
      SortedMap<String, String> details = details(statement, rows);
      if (level == org.consent4j.jdbc.AuditLevel.SUBJECT && statement.hiddenColumns() == 0) {
        details.put("subjects", "not-collected");
      }
      List<org.consent4j.SubjectId> read = List.copyOf(subjects);
      subjects.clear();
      columns = -1;
      record(ctx, engine.clock().instant(), kind, new TreeSet<>(statement.categories()), Outcome.PERMIT,
          "ROWS_RETURNED", details, read);
    }

    @Override
    public void onUpdateCount(long count) throws SQLException {
      audit(ctx, engine.clock().instant(), kind, statement, "ROWS_AFFECTED", Outcome.PERMIT, count);
    }

    @Override
    public void onFailure(SQLException failure) throws SQLException {
      if (done.compareAndSet(false, true)) {
        audit(ctx, engine.clock().instant(), kind, statement, "FAILED", Outcome.DENY, -1);
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
      engine.audit().record(new AuditEvent(now, ctx.actor(), ctx.purpose(), ctx.recipient(),
          "sql " + kind.name().toLowerCase(java.util.Locale.ROOT), subjects, cats, outcome, reason, 0, details));
    } catch (AuditUnavailableException e) {
      throw new ConsentSQLException(ReasonCode.AUDIT_UNAVAILABLE, e.getMessage(), e);
    } catch (ConsentException e) {
      throw new ConsentSQLException(ReasonCode.DENIED, e.getMessage(), e);
    }
  }

  private void audit(AccessContext ctx, Instant now, SqlKind kind, RewrittenStatement r, String reason,
      Outcome outcome, long rows) throws SQLException {
    record(ctx, now, kind, new TreeSet<>(r.categories()), outcome, reason, details(r, rows));
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
    };
  }
}
