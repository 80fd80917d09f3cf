package org.consent4j.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.consent4j.ConsentRecord;
import org.consent4j.ConsentStoreUnavailableException;
import org.consent4j.LedgerEntry;
import org.consent4j.SubjectId;
import org.consent4j.jdbc.internal.ConsentState;
import org.consent4j.jdbc.internal.Dialect;
import org.consent4j.jdbc.internal.InvalidLedgerException;
import org.consent4j.jdbc.internal.LedgerReader;
import org.consent4j.jdbc.internal.LedgerWriter;
import org.consent4j.jdbc.internal.Migrations;
import org.consent4j.jdbc.internal.Schema;
import org.consent4j.spi.ConsentStore;

/**
 * A consent ledger kept in tables of a relational database: H2, PostgreSQL or MariaDB/MySQL.
 *
 * <pre>{@code
 * ConsentStore store = JdbcConsentStore.create(dataSource);   // creates or migrates its tables
 * ConsentEngine engine = ConsentEngine.builder().catalog(catalog).store(store).build();
 * }</pre>
 *
 * <p><b>Tables.</b> {@link #create} and {@link Builder#build} create the tables (named
 * {@code consent4j_ledger}, {@code consent4j_grant}, … by default; see {@link Builder#tablePrefix})
 * or bring them up to the version this release expects. Migrations are versioned, idempotent,
 * and safe when several processes start at once. A database already at the current version is
 * only read, so the application may run as a user allowed nothing but SELECT and INSERT on these
 * tables once a DBA has created them. {@code docs/JDBC-STORE.md} lists every table and column.
 * {@link Builder#schema} puts them in a named schema (a database on MariaDB/MySQL), which every
 * statement of consent4j then names, so guarded connections need not have it on their search path.
 *
 * <p><b>Append-only.</b> The store only ever INSERTs into and SELECTs from the ledger tables; it
 * never updates or deletes a ledger row, since the ledger is the proof of consent (GDPR Art.
 * 7(1)). A DBA can enforce this by granting the application user INSERT and SELECT only on them
 * ({@code REVOKE UPDATE, DELETE, TRUNCATE ON ... FROM app}). Each record is appended in one
 * transaction, which also rewrites the subject's rows of the derived <em>current consent state</em>
 * table ({@code consent4j_consent_state}, which the SQL rewriter reads) under a lock on the
 * subject's row of {@code consent4j_state_subject}: either all of it happens or none. Those two
 * tables need DELETE and UPDATE (for {@code SELECT ... FOR UPDATE}) as well.
 *
 * <p><b>Exactness.</b> A record read back is {@code equals} to the one appended. Instants are
 * stored as seconds and nanoseconds since the epoch (UTC), so they round-trip exactly, to the
 * nanosecond, on every database, with no time-zone conversion.
 *
 * <p><b>Sequence numbers</b> come from the database's identity column: they increase with every
 * append, across all subjects, and may have gaps (a rolled-back append uses one up).
 *
 * <p><b>Errors.</b> Every database failure throws {@link ConsentStoreUnavailableException}, whose
 * message names the operation and the tables but no personal data; the engine then denies access
 * (fail closed).
 *
 * <p>Thread-safe: every call borrows a connection from the {@link DataSource} and closes it before
 * it returns. Use a pooling DataSource in production.
 */
public final class JdbcConsentStore implements ConsentStore, org.consent4j.core.LedgerSource {
  private final DataSource dataSource;
  private final Dialect dialect;
  private final Schema schema;
  private final LedgerWriter writer;
  private final LedgerReader reader;
  private final ConsentState state;

  private JdbcConsentStore(DataSource dataSource, Dialect dialect, Schema schema) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.schema = schema;
    this.writer = new LedgerWriter(schema);
    this.reader = new LedgerReader(schema);
    this.state = new ConsentState(dialect, schema);
  }

  /**
   * A store on this database with the default table prefix {@code consent4j_}, whose tables are
   * created or migrated before this returns.
   *
   * @throws IllegalArgumentException if the database is not H2, PostgreSQL, MariaDB or MySQL
   * @throws ConsentStoreUnavailableException if the database cannot be reached or migrated
   */
  public static JdbcConsentStore create(DataSource dataSource) {
    return builder(dataSource).build();
  }

  /** Starts configuring a store on this database. */
  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  /** The prefix of this store's table names. */
  public String tablePrefix() {
    return schema.prefix();
  }

  /**
   * The schema (on MariaDB/MySQL, the database) the store's tables live in, as given to {@link
   * Builder#schema}; empty when they live in the connection's current schema.
   */
  public Optional<String> schema() {
    return schema.name();
  }

  /** The store's table names, qualified as every statement of the store writes them. */
  Schema tables() {
    return schema;
  }

  /**
   * Appends the record in one transaction and returns it with the sequence number the database
   * gave it.
   *
   * @throws ConsentStoreUnavailableException if the database cannot be reached or refuses an
   *     insert (then nothing was recorded), or if the commit fails (then, as with any database,
   *     the record may or may not be durable; the message says so)
   */
  @Override
  public LedgerEntry append(ConsentRecord record, Instant recordedAt) {
    Objects.requireNonNull(record, "record");
    Objects.requireNonNull(recordedAt, "recordedAt");
    String operation = "append a " + record.getClass().getSimpleName().toLowerCase(Locale.ROOT)
        + " for subject " + record.subject();
    for (int attempt = 1; ; attempt++) {
      try {
        return appendOnce(record, recordedAt, operation, attempt < APPEND_ATTEMPTS);
      } catch (RetryableConflict retry) {
        // rolled back whole: nothing was recorded, so trying again cannot record twice; a short
        // random pause keeps the contenders from meeting again at once
        try {
          Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextInt(1, 5 + 10 * attempt));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new ConsentStoreUnavailableException("interrupted while retrying to " + operation
              + " after a deadlock; nothing was recorded", e);
        }
      }
    }
  }

  /** How often an append that lost a deadlock or serialization conflict before its commit is tried. */
  private static final int APPEND_ATTEMPTS = 5;

  /** A deadlock or serialization failure before the commit, after a full rollback. */
  private static final class RetryableConflict extends Exception {
    private static final long serialVersionUID = 1L;

    RetryableConflict() {
      super(null, null, false, false);
    }
  }

  private LedgerEntry appendOnce(ConsentRecord record, Instant recordedAt, String operation, boolean mayRetry)
      throws RetryableConflict {
    Connection c = connect(operation);
    boolean autoCommit = true;
    int isolation = Connection.TRANSACTION_READ_COMMITTED;
    boolean committing = false;
    long seq;
    try {
      autoCommit = c.getAutoCommit();
      isolation = c.getTransactionIsolation();
      c.setAutoCommit(false);
      if (isolation != Connection.TRANSACTION_READ_COMMITTED) {
        // Each statement sees what committed before it (the refresh reads the subject's ledger after
        // taking its lock), and MariaDB takes no gap locks on the state table's deletes.
        c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
      }
      state.lock(c, record.subject());
      seq = writer.append(c, record, recordedAt);
      state.refresh(c, record.subject());
      committing = true;
      c.commit();
    } catch (SQLException | RuntimeException e) {
      try (c) {
        c.rollback();
        restore(c, autoCommit, isolation);
      } catch (SQLException r) {
        e.addSuppressed(r);
      }
      if (e instanceof SQLException sql) {
        if (!committing && mayRetry && isConflict(sql)) {
          throw new RetryableConflict();
        }
        throw failed(operation + (committing
            ? " (the commit failed, so the record may or may not be recorded: read the subject's history"
                + " before retrying)"
            : " (nothing was recorded)"), sql);
      }
      throw (RuntimeException) e;
    }
    releaseAfterCommit(c, autoCommit, isolation);
    return new LedgerEntry(seq, recordedAt, record);
  }

  /** Deadlock or serialization failure: SQLState class 40 on every supported database. */
  private static boolean isConflict(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && s.getSQLState() != null && s.getSQLState().startsWith("40")) {
        return true;
      }
    }
    return false;
  }

  private static void restore(Connection c, boolean autoCommit, int isolation) throws SQLException {
    c.setAutoCommit(autoCommit);
    if (c.getTransactionIsolation() != isolation) {
      c.setTransactionIsolation(isolation);
    }
  }

  /**
   * Restores the connection's auto-commit mode and closes it after a committed append. The
   * record is durable by then, so a failure here must not be reported as a failed append: the
   * engine would keep a stale cached ledger, and the caller would believe nothing was recorded.
   * A pool discards a connection it cannot reset.
   */
  private static void releaseAfterCommit(Connection c, boolean autoCommit, int isolation) {
    try (c) {
      restore(c, autoCommit, isolation);
    } catch (SQLException deliberatelyIgnored) {
      // See above: reporting it would be worse than dropping it.
    }
  }

  /**
   * Every record of one subject, in sequence order; empty when there are none.
   *
   * @throws ConsentStoreUnavailableException if the database cannot be read
   */
  @Override
  public List<LedgerEntry> history(SubjectId subject) {
    Objects.requireNonNull(subject, "subject");
    return read(List.of(subject), "read the ledger of subject " + subject).get(subject);
  }

  /**
   * The histories of many subjects, with an entry (possibly empty) for each distinct subject
   * asked for, in the order asked. Takes one connection and two queries per 500 subjects (one
   * when none of them has a grant), never one query per subject.
   *
   * @throws ConsentStoreUnavailableException if the database cannot be read
   */
  @Override
  public Map<SubjectId, List<LedgerEntry>> histories(Collection<SubjectId> subjects) {
    Objects.requireNonNull(subjects, "subjects");
    Set<SubjectId> distinct = new LinkedHashSet<>();
    for (SubjectId s : subjects) {
      distinct.add(Objects.requireNonNull(s, "subjects element"));
    }
    if (distinct.isEmpty()) {
      return Map.of();
    }
    List<SubjectId> list = new ArrayList<>(distinct);
    return read(list, "read the ledgers of " + describe(list));
  }

  /** "subject c-1", "subjects c-1, c-2", "1200 subjects (c-1, c-2, c-3, ...)". */
  /** Rows a full read fetches at a time. */
  static final int LOAD_FETCH_SIZE = 10_000;
  /** Rows between two progress lines of a full read. */
  static final long LOAD_PROGRESS_EVERY = 1_000_000;
  /** The sort memory of a full read's transaction on PostgreSQL ({@code SET LOCAL work_mem}). */
  static final String LOAD_WORK_MEM = "128MB";
  /**
   * The longest a full read's transaction on PostgreSQL waits for a lock ({@code SET LOCAL
   * lock_timeout}): see {@link #beginLoad}.
   */
  static final String LOAD_LOCK_TIMEOUT = "2s";
  private static final System.Logger LOG = System.getLogger(JdbcConsentStore.class.getName());

  /**
   * Streams every subject's ledger, for loading a {@link org.consent4j.core.ConsentIndex}, on one
   * connection in a read-only transaction, {@value #LOAD_FETCH_SIZE} rows at a time, logging the
   * number of rows read every million (no subject ids). On PostgreSQL: the grant sets first, in
   * sequence order, then five narrow queries (ledger, grants, withdrawals, objections, withdrawals
   * of one grant) in byte order of the subject id, merged by sequence, in one REPEATABLE READ
   * snapshot; every subject comes whole. On H2 and MariaDB: one SELECT over the ledger and its
   * detail tables in subject order; a subject whose rows the database's collation interleaves
   * with another's (ids it compares equal) may be passed in parts, and the index re-reads such a
   * subject alone.
   *
   * @throws ConsentStoreUnavailableException if the store cannot be read
   */
  @Override
  public void forEachLedger(java.util.function.Consumer<List<LedgerEntry>> sink) {
    forEachLedger(sink, 1);
  }

  /**
   * As {@link #forEachLedger(java.util.function.Consumer)}; on PostgreSQL with {@code parallelism}
   * of 2 or more, with one more connection than that: the first exports its snapshot ({@code
   * pg_export_snapshot}) and reads the grant sets, each of the others imports it and reads one
   * range of subject ids (byte order, split at points sampled from the ledger), on a thread of its
   * own. All connections so read one state of the store. If the DataSource gives no further
   * connection, the first reads everything alone.
   *
   * @throws ConsentStoreUnavailableException if the store cannot be read
   */
  @Override
  public void forEachLedger(java.util.function.Consumer<List<LedgerEntry>> sink, int parallelism) {
    Objects.requireNonNull(sink, "sink");
    String operation = "read every ledger";
    Connection c = connect(operation);
    try (c) {
      boolean autoCommit = c.getAutoCommit();
      int isolation = c.getTransactionIsolation();
      // PostgreSQL streams with a fetch size only inside a transaction
      c.setAutoCommit(false);
      try {
        long started = System.nanoTime();
        java.util.function.LongConsumer progress = rows -> LOG.log(System.Logger.Level.INFO,
            "consent store: {0} ledger rows read for a full load ({1} s)", rows,
            (System.nanoTime() - started) / 1_000_000_000L);
        if (dialect == Dialect.POSTGRESQL) {
          beginLoad(c, null, schema);
          if (parallelism < 2 || !readInParallel(c, sink, parallelism, progress)) {
            reader.readAllMerged(c, LOAD_FETCH_SIZE, sink, LOAD_PROGRESS_EVERY, progress);
          }
        } else {
          reader.readAll(c, LOAD_FETCH_SIZE, sink, LOAD_PROGRESS_EVERY, progress);
        }
      } finally {
        c.rollback();
        c.setTransactionIsolation(isolation);
        c.setAutoCommit(autoCommit);
      }
    } catch (SQLException e) {
      throw failed(operation, e);
    }
  }

  /**
   * {@code parts + 1} grant sequences that split the grants' sequences into {@code parts} ranges
   * of equal width (the first from the lowest, the last to past the highest).
   */
  private long[] grantSeqBounds(Connection c, int parts) throws SQLException {
    long[] bounds = new long[parts + 1];
    try (java.sql.Statement s = c.createStatement();
        java.sql.ResultSet r = s.executeQuery("SELECT min(seq), max(seq) FROM " + schema.grant())) {
      r.next();
      long min = r.getLong(1);
      long max = r.wasNull() ? min - 1 : r.getLong(2);
      long width = Math.max(1, (max - min + parts) / parts);
      for (int i = 0; i <= parts; i++) {
        bounds[i] = i == parts ? max + 1 : Math.min(max + 1, min + i * width);
      }
    }
    return bounds;
  }

  /**
   * Starts a load's read-only REPEATABLE READ transaction on {@code c} (auto-commit off), with
   * the exported {@code snapshot} when given; its sorts get {@value #LOAD_WORK_MEM} of memory.
   *
   * <p>It then takes every lock the load's queries need ({@code ACCESS SHARE} on the ledger
   * tables), waiting at most {@value #LOAD_LOCK_TIMEOUT} for any lock. A parallel load is one
   * transaction per connection, and the first waits in Java for the others: had a range's
   * connection taken its first lock only when its query ran, a DDL statement on a ledger table
   * (waiting for the first connection's lock) would have queued that request behind it, and the
   * three would have waited for each other for ever, out of sight of the database's deadlock
   * detector, and every later statement on that table with them. Locked up front, a range's
   * connection either has all it needs before it reads, or fails to get it in time (the load then
   * reads on one connection); a lock still waited for later (an index's) fails the load after the
   * timeout, which the index retries.
   */
  private static void beginLoad(Connection c, String snapshot, Schema schema) throws SQLException {
    c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
    try (java.sql.Statement s = c.createStatement()) {
      s.execute("SET TRANSACTION READ ONLY");
      if (snapshot != null) {
        if (!snapshot.matches("[0-9A-Fa-f-]+")) {
          throw new SQLException("unexpected snapshot id from pg_export_snapshot");
        }
        s.execute("SET TRANSACTION SNAPSHOT '" + snapshot + "'");
      }
      s.execute("SET LOCAL work_mem = '" + LOAD_WORK_MEM + "'");
      s.execute("SET LOCAL lock_timeout = '" + LOAD_LOCK_TIMEOUT + "'");
      s.execute("LOCK TABLE " + String.join(", ", LedgerReader.tables(schema)) + " IN ACCESS SHARE MODE");
    }
  }

  /**
   * The parallel read of {@link #forEachLedger(java.util.function.Consumer, int)}; false (nothing
   * read) when the DataSource gives no further connection or the ledger is too small to split.
   */
  private boolean readInParallel(Connection c, java.util.function.Consumer<List<LedgerEntry>> sink, int parallelism,
      java.util.function.LongConsumer progress) throws SQLException {
    String snapshot;
    try (java.sql.Statement s = c.createStatement(); java.sql.ResultSet r = s.executeQuery("SELECT pg_export_snapshot()")) {
      r.next();
      snapshot = r.getString(1);
    }
    List<String> points = reader.splitPoints(c, parallelism);
    if (points.isEmpty()) {
      return false;
    }
    List<Connection> others = new ArrayList<>();
    List<Integer> isolations = new ArrayList<>();
    List<Boolean> autoCommits = new ArrayList<>();
    try {
      try {
        for (int i = 0; i <= points.size(); i++) {
          Connection o = dataSource.getConnection();
          if (o == null) {
            throw new SQLException("the DataSource returned no connection");
          }
          others.add(o);
          autoCommits.add(o.getAutoCommit());
          isolations.add(o.getTransactionIsolation());
          o.setAutoCommit(false);
          beginLoad(o, snapshot, schema);
        }
      } catch (SQLException e) {
        LOG.log(System.Logger.Level.INFO, "consent store: a parallel full load could not begin on a further"
            + " connection (" + e.getClass().getSimpleName() + (e.getSQLState() == null ? ""
                : ", SQLState " + e.getSQLState() + ("55P03".equals(e.getSQLState())
                    ? ": a lock on a ledger table that another session holds or waits for" : ""))
            + "); reading on one");
        return false;
      }
      // the grant sets: each range's connection reads one range of grant sequences, all wait for all
      long[] seqBounds = grantSeqBounds(c, others.size());
      List<java.util.concurrent.CompletableFuture<LedgerReader.GrantSetTable>> parts = new ArrayList<>();
      for (int i = 0; i < others.size(); i++) {
        parts.add(new java.util.concurrent.CompletableFuture<>());
      }
      java.util.concurrent.CompletableFuture<LedgerReader.GrantSetTable> sets = java.util.concurrent.CompletableFuture
          .allOf(parts.toArray(java.util.concurrent.CompletableFuture[]::new)).thenApply(done -> {
            LedgerReader.GrantSetTable all = parts.get(0).join();
            for (int i = 1; i < parts.size(); i++) {
              all.append(parts.get(i).join());
            }
            return all;
          });
      long setsStarted = System.nanoTime();
      java.util.concurrent.atomic.AtomicLong rows = new java.util.concurrent.atomic.AtomicLong();
      List<Thread> threads = new ArrayList<>();
      Throwable[] failures = new Throwable[others.size()];
      for (int i = 0; i < others.size(); i++) {
        int range = i;
        Connection o = others.get(i);
        String from = i == 0 ? null : points.get(i - 1);
        String to = i == points.size() ? null : points.get(i);
        Thread t = new Thread(() -> {
          try {
            reader.readRange(o, LOAD_FETCH_SIZE, () -> {
              try {
                parts.get(range).complete(reader.readSets(o, LOAD_FETCH_SIZE, seqBounds[range], seqBounds[range + 1]));
              } catch (SQLException | RuntimeException e) {
                parts.get(range).completeExceptionally(e);
              }
              try {
                LedgerReader.GrantSetTable all = sets.join();
                if (range == 0) {
                  LOG.log(all.grants() >= LOAD_PROGRESS_EVERY ? System.Logger.Level.INFO : System.Logger.Level.DEBUG,
                      "consent store: the sets of {0} grants read ({1} distinct) on {2} connections in {3} ms",
                      all.grants(), all.combinations(), parts.size(), (System.nanoTime() - setsStarted) / 1_000_000);
                }
                return all;
              } catch (java.util.concurrent.CompletionException e) {
                throw new SQLException("the grant sets could not be read", e.getCause());
              }
            }, from, to, sink, rows, LOAD_PROGRESS_EVERY, progress);
          } catch (Throwable e) {
            failures[range] = e;
            // the others may wait for this range's grant sets
            parts.get(range).completeExceptionally(e);
          }
        }, "consent4j-load-" + i);
        t.setDaemon(true);
        threads.add(t);
        t.start();
      }
      for (Thread t : threads) {
        try {
          t.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new SQLException("interrupted while reading every ledger", e);
        }
      }
      for (Throwable f : failures) {
        if (f instanceof SQLException e) {
          throw e;
        }
        if (f instanceof RuntimeException e) {
          throw e;
        }
        if (f instanceof Error e) {
          throw e;
        }
      }
      return true;
    } finally {
      for (int i = 0; i < others.size(); i++) {
        Connection o = others.get(i);
        try (o) {
          o.rollback();
          if (i < isolations.size()) {
            o.setTransactionIsolation(isolations.get(i));
            o.setAutoCommit(autoCommits.get(i));
          }
        } catch (SQLException ignored) {
          // the connection is closed anyway; the load's outcome is decided above
        }
      }
    }
  }

  private static String describe(List<SubjectId> subjects) {
    int shown = Math.min(3, subjects.size());
    String names = String.join(", ", subjects.subList(0, shown).stream().map(SubjectId::value).toList());
    if (subjects.size() == 1) {
      return "subject " + names;
    }
    return subjects.size() == shown ? "subjects " + names : subjects.size() + " subjects (" + names + ", ...)";
  }

  private Map<SubjectId, List<LedgerEntry>> read(List<SubjectId> subjects, String operation) {
    Connection c = connect(operation);
    try (c) {
      return Collections.unmodifiableMap(reader.read(c, subjects));
    } catch (SQLException e) {
      throw failed(operation, e);
    }
  }

  private Connection connect(String operation) {
    try {
      Connection c = dataSource.getConnection();
      if (c == null) {
        throw new SQLException("the DataSource returned no connection");
      }
      return c;
    } catch (SQLException e) {
      throw new ConsentStoreUnavailableException("cannot reach the consent store (" + dialect.productName()
          + ") to " + operation + ": the DataSource gave no connection" + state(e) + ". Check the database URL,"
          + " credentials, network and pool size; access is denied until the store answers", e);
    }
  }

  private ConsentStoreUnavailableException failed(String operation, SQLException e) {
    return failure(dialect.productName(), schema, operation, e,
        "Check that the database is reachable and that its user may SELECT and INSERT on these tables");
  }

  private static ConsentStoreUnavailableException failure(String product, Schema schema, String operation,
      SQLException e, String fix) {
    if (e instanceof InvalidLedgerException invalid) {
      return new ConsentStoreUnavailableException("the consent store (" + product + ", tables " + schema.describe()
          + ") could not " + operation + ": ledger row " + invalid.sequence() + " is not a valid record, so the"
          + " tables were changed outside consent4j. Restore them from a backup; access is denied until then", e);
    }
    // The driver's message stays in the cause: it may quote SQL or values, so it is not repeated here.
    return new ConsentStoreUnavailableException("the consent store (" + product + ", tables " + schema.describe()
        + ") could not " + operation + state(e) + ". " + fix + "; access is denied until the store answers", e);
  }

  private static String state(SQLException e) {
    return e.getSQLState() == null ? "" : " (SQLState " + e.getSQLState() + ", vendor code " + e.getErrorCode() + ")";
  }

  /** The database product and table prefix, e.g. {@code JdbcConsentStore[PostgreSQL, consent4j_*]}. */
  @Override
  public String toString() {
    return "JdbcConsentStore[" + dialect.productName() + ", " + schema.describe() + "]";
  }

  /**
   * Configures a {@link JdbcConsentStore}. Not thread-safe; {@link #build()} may be called more
   * than once, each time migrating if needed and returning a new store on the same tables.
   */
  public static final class Builder {
    private final DataSource dataSource;
    private Schema schema = new Schema(Schema.DEFAULT_PREFIX);
    private Optional<String> schemaName = Optional.empty();

    private Builder(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * Puts the store's tables in the named schema (on MariaDB/MySQL, the named database) instead
     * of the connection's current one, created if missing. Every statement consent4j writes for the
     * store — its own, the SQL rewriter's consent checks, the change feed's, erasure's and the
     * recipient notifier's — then names the tables qualified, so guarded connections need not have
     * the schema on their search path. Give the same name to {@code JdbcAuditSink} and {@code
     * ConsentChangeFeed} builders on these tables.
     *
     * @param name 1 to 63 characters of {@code [a-z0-9_]}, starting with a letter; quoted in SQL,
     *     in the case the database stores unquoted names in ({@code CONSENT} on H2)
     * @throws IllegalArgumentException naming the schema if it is not valid
     */
    public Builder schema(String name) {
      this.schemaName = Optional.of(Schema.validName(Objects.requireNonNull(name, "name")));
      return this;
    }

    private String describe() {
      return schema.describe() + schemaName.map(n -> " in schema " + n).orElse("");
    }

    /**
     * Sets the prefix of every table name, {@code consent4j_} by default, so that several
     * stores (tenants, tests) can share a database without sharing tables.
     *
     * @param prefix 1 to 31 characters of {@code [a-z0-9_]}, starting with a letter
     * @throws IllegalArgumentException naming the prefix if it is not valid
     */
    public Builder tablePrefix(String prefix) {
      this.schema = new Schema(Objects.requireNonNull(prefix, "prefix"));
      return this;
    }

    /** The table prefix set so far. */
    String tablePrefix() {
      return schema.prefix();
    }

    /** The schema set so far, if any. */
    Optional<String> schemaName() {
      return schemaName;
    }

    /**
     * Detects the database from its metadata, creates or migrates the tables, and returns the
     * store.
     *
     * @throws IllegalArgumentException naming the product if the database is not H2, PostgreSQL,
     *     MariaDB or MySQL
     * @throws ConsentStoreUnavailableException if the database cannot be reached or migrated
     */
    public JdbcConsentStore build() {
      Connection c;
      try {
        c = dataSource.getConnection();
      } catch (SQLException e) {
        throw new ConsentStoreUnavailableException("cannot reach the database to set up the consent store"
            + " (tables " + describe() + "): the DataSource gave no connection" + state(e) + ". Check the"
            + " database URL, credentials and network; access is denied until the store answers", e);
      }
      String product = "the database";
      Schema tables = schema;
      try (c) {
        product = c.getMetaData().getDatabaseProductName();
        Dialect dialect = Dialect.fromProductName(product);
        product = dialect.productName();
        tables = Schema.of(schema.prefix(), schemaName, dialect, c.getMetaData());
        Migrations.migrate(c, dialect, tables);
        return new JdbcConsentStore(dataSource, dialect, tables);
      } catch (SQLException e) {
        throw failure(product, tables, "create or migrate its tables to schema version "
            + Migrations.latestVersion(), e, "Check that the database is reachable and that its user may create"
            + " tables, or have a DBA create them as docs/JDBC-STORE.md shows");
      }
    }
  }
}
