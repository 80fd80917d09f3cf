package org.consent4j.jdbc.revocation;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.consent4j.ConsentStoreUnavailableException;
import org.consent4j.SubjectId;
import org.consent4j.core.ConsentEngine;
import org.consent4j.jdbc.internal.Dialect;
import org.consent4j.jdbc.internal.Migrations;
import org.consent4j.jdbc.internal.Schema;
import org.consent4j.jdbc.revocation.internal.ChangeSink;
import org.consent4j.jdbc.revocation.internal.LedgerPoller;
import org.consent4j.jdbc.revocation.internal.PgChangeListener;

/**
 * Carries grants, withdrawals and objections committed by other application nodes to this
 * node's engine cache, and stops the engine from trusting its cache when this node has not heard
 * from the database for longer than a staleness bound.
 *
 * <pre>{@code
 * ConsentChangeFeed feed = ConsentChangeFeed.builder(dataSource).stalenessBound(Duration.ofSeconds(2)).build();
 * ConsentEngine engine = ConsentEngine.builder().catalog(catalog).store(JdbcConsentStore.create(dataSource))
 *     .cacheTrustedWhile(feed::isFresh).build();
 * feed.start(engine);
 * }</pre>
 *
 * <p><b>How changes arrive.</b> On PostgreSQL (mode {@link Mode#AUTO}) the feed LISTENs on the
 * channel {@code <prefix>changes}, to which a trigger on the ledger sends every record's subject
 * when its append commits, and invalidates that subject's cached state at once; it holds one
 * connection of the DataSource for this. Every {@code heartbeatInterval} it sends a heartbeat
 * through the same channel; since PostgreSQL delivers notifications in commit order, getting it
 * back proves that every change committed before it was sent has arrived. If listening fails, the
 * feed polls (below) until it can listen again. On MariaDB, MySQL and H2 — or in {@link
 * Mode#POLLING} — it polls the ledger every {@code pollInterval} for records with a sequence
 * number above the last one seen (the ledger's sequence is the change counter), keeping track of
 * numbers that commit out of order.
 *
 * <p><b>Staleness bound.</b> {@link #isFresh()} is true while the last proof of freshness (a
 * heartbeat that came back, a poll that succeeded) was started less than {@code stalenessBound}
 * ago. Passed to {@link ConsentEngine.Builder#cacheTrustedWhile}, it makes a node that lost
 * touch with the database (connection gone, feed thread stalled, database down) stop answering
 * from its cache: every check then reads the store, and is denied if the store does not answer.
 * So a withdrawal committed at time t is honoured by every node for every check starting after t
 * plus the staleness bound — on every path, not just in the common case. Before {@link #start}
 * and after {@link #close}, the feed is not fresh.
 *
 * <p>Thread-safe; one daemon thread per feed.
 */
public final class ConsentChangeFeed implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ConsentChangeFeed.class.getName());
  /** How long a number skipped by the ledger's sequence is awaited before it is presumed rolled back. */
  private static final Duration GAP_TIMEOUT = Duration.ofMinutes(1);

  /** How the feed learns of changes. */
  public enum Mode {
    /** LISTEN/NOTIFY on PostgreSQL (polling while listening fails); polling elsewhere. */
    AUTO,
    /** Polling the ledger, on every database. */
    POLLING
  }

  private final DataSource dataSource;
  /** The table names; qualified with the named schema once the database was reached. */
  private volatile Schema schema;
  private final Optional<String> schemaName;
  private final Mode mode;
  /** Null until the feed has reached the database (built lazily). */
  private volatile Dialect dialect;
  private volatile boolean listen;
  private final long pollNanos;
  private final long heartbeatNanos;
  private final long stalenessNanos;
  private final Duration stalenessBound;

  private final AtomicLong lastHeard = new AtomicLong();
  private volatile boolean heard;
  private volatile boolean running;
  private volatile boolean listening;
  private final AtomicLong changes = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private Thread thread;
  private ConsentEngine engine;

  private ConsentChangeFeed(Builder b, Dialect dialect, Schema schema) {
    this.dataSource = b.dataSource;
    this.schema = schema;
    this.schemaName = b.schemaName;
    this.mode = b.mode;
    this.dialect = dialect;
    this.listen = dialect != null && b.mode == Mode.AUTO && dialect == Dialect.POSTGRESQL;
    this.pollNanos = b.pollInterval.toNanos();
    this.heartbeatNanos = b.heartbeatInterval.toNanos();
    this.stalenessNanos = b.stalenessBound.toNanos();
    this.stalenessBound = b.stalenessBound;
  }

  /** Starts configuring a feed for the consent store on this database. */
  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  /**
   * True while this node has proof, started less than the staleness bound ago, that it has
   * received every change committed before that proof. Lock-free; meant for {@link
   * ConsentEngine.Builder#cacheTrustedWhile}.
   */
  public boolean isFresh() {
    return running && heard && System.nanoTime() - lastHeard.get() < stalenessNanos;
  }

  /**
   * How long ago the last proof of freshness (a heartbeat back, a poll done) started; empty before
   * the first. For metrics: the feed is fresh while this is below the staleness bound. Lock-free.
   */
  public java.util.Optional<Duration> staleness() {
    return heard ? java.util.Optional.of(Duration.ofNanos(System.nanoTime() - lastHeard.get()))
        : java.util.Optional.empty();
  }

  /** True while the feed receives PostgreSQL notifications (false while it polls). */
  public boolean isListening() {
    return listening;
  }

  /** How many changes the feed has passed to the engine so far (subjects invalidated). */
  public long changesSeen() {
    return changes.get();
  }

  /** How many times reaching the database failed so far. */
  public long failures() {
    return failures.get();
  }

  /**
   * Starts the feed's thread, invalidating {@code engine}'s cache for every change. The engine
   * should have been built with {@code cacheTrustedWhile(feed::isFresh)}.
   *
   * @throws IllegalStateException if already started
   */
  public synchronized void start(ConsentEngine engine) {
    Objects.requireNonNull(engine, "engine");
    if (thread != null) {
      throw new IllegalStateException("the consent change feed is already started");
    }
    this.engine = engine;
    running = true;
    thread = new Thread(this::run, "consent4j-change-feed-" + schema.prefix());
    thread.setDaemon(true);
    thread.start();
  }

  /** Stops the feed; the engine no longer trusts its cache afterwards. Idempotent. */
  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      running = false;
      t = thread;
    }
    if (t != null) {
      t.interrupt();
      boolean interrupted = false;
      while (t.isAlive()) {
        try {
          t.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private final ChangeSink sink = new ChangeSink() {
    @Override
    public void changed(String subject) {
      changes.incrementAndGet();
      try {
        engine.invalidateCache(SubjectId.of(subject));
      } catch (RuntimeException e) {
        engine.invalidateCache();
      }
    }

    @Override
    public void changedAll() {
      engine.invalidateCache();
    }

    @Override
    public void heardAt(long nanoTime) {
      lastHeard.accumulateAndGet(nanoTime, Math::max);
      heard = true;
    }
  };

  /** Built lazily: reaches the database, migrating if needed, until it answers or the feed closes. */
  private boolean setUp() {
    boolean warnedSetUp = false;
    while (running && dialect == null) {
      try (Connection c = dataSource.getConnection()) {
        Dialect d = Dialect.fromProductName(c.getMetaData().getDatabaseProductName());
        Schema qualified = Schema.of(schema.prefix(), schemaName, d, c.getMetaData());
        Migrations.migrate(c, d, qualified);
        schema = qualified;
        listen = mode == Mode.AUTO && d == Dialect.POSTGRESQL;
        dialect = d;
      } catch (SQLException | RuntimeException e) {
        failures.incrementAndGet();
        if (!warnedSetUp) {
          LOG.log(Level.WARNING, "consent change feed cannot reach the database to set up (" + describe(e)
              + "); retrying every " + Duration.ofNanos(pollNanos) + ". The engine reads the store for every check"
              + " meanwhile", e);
          warnedSetUp = true;
        }
        sleep(pollNanos);
      }
    }
    return dialect != null;
  }

  private void run() {
    if (!setUp()) {
      return;
    }
    LedgerPoller poller = new LedgerPoller(schema, GAP_TIMEOUT.toNanos());
    PgChangeListener listener = null;
    boolean warned = false;
    try {
      while (running) {
        if (listen) {
          try {
            if (listener == null) {
              listener = new PgChangeListener(dataSource.getConnection(), schema, sink);
              listening = true;
              poller.reset();
              if (warned) {
                LOG.log(Level.INFO, "consent change feed listens on " + schema.changeChannel() + " again");
                warned = false;
              }
            }
            listener.step(sink, heartbeatNanos, stalenessNanos, (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(
                Math.min(heartbeatNanos, pollNanos))));
            continue;
          } catch (SQLException | RuntimeException e) {
            failures.incrementAndGet();
            listening = false;
            if (listener != null) {
              listener.close();
              listener = null;
            }
            if (!warned) {
              LOG.log(Level.WARNING, "consent change feed cannot listen on " + schema.changeChannel() + " ("
                  + describe(e) + "); polling the ledger until it can. Cached consent state is trusted only while"
                  + " a poll succeeded within " + stalenessBound, e);
              warned = true;
            }
          }
        }
        pollOnce(poller);
        sleep(pollNanos);
      }
    } finally {
      listening = false;
      if (listener != null) {
        listener.close();
      }
    }
  }

  private boolean pollWarned;

  private void pollOnce(LedgerPoller poller) {
    try (Connection c = dataSource.getConnection()) {
      poller.poll(c, sink);
      if (pollWarned) {
        LOG.log(Level.INFO, "consent change feed polls " + schema.ledger() + " again");
        pollWarned = false;
      }
    } catch (SQLException | RuntimeException e) {
      failures.incrementAndGet();
      poller.reset(); // what happened meanwhile is unknown: start afresh (invalidating everything)
      if (!pollWarned) {
        LOG.log(Level.WARNING, "consent change feed cannot poll " + schema.ledger() + " (" + describe(e) + ");"
            + " after " + stalenessBound + " without news the engine stops trusting its cache and reads the"
            + " store for every check", e);
        pollWarned = true;
      }
    }
  }

  private static String describe(Exception e) {
    if (e instanceof SQLException s && s.getSQLState() != null) {
      return "SQLState " + s.getSQLState();
    }
    return e.getClass().getSimpleName();
  }

  private void sleep(long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      // close() interrupts; the loop condition ends the thread.
    }
  }

  @Override
  public String toString() {
    Dialect d = dialect;
    return "ConsentChangeFeed[" + (d == null ? "database not reached yet" : d.productName()) + ", " + schema.describe() + ", "
        + (listen ? "LISTEN/NOTIFY" : "polling") + ", staleness bound " + stalenessBound + "]";
  }

  /** Configures a {@link ConsentChangeFeed}. Not thread-safe. */
  public static final class Builder {
    private final DataSource dataSource;
    private Schema schema = new Schema(Schema.DEFAULT_PREFIX);
    private Optional<String> schemaName = Optional.empty();
    private Mode mode = Mode.AUTO;
    private Duration pollInterval = Duration.ofMillis(500);
    private Duration heartbeatInterval = Duration.ofMillis(250);
    private Duration stalenessBound = Duration.ofSeconds(2);

    private Builder(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** The consent store's table prefix, {@code consent4j_} by default. */
    public Builder tablePrefix(String prefix) {
      this.schema = new Schema(Objects.requireNonNull(prefix, "prefix"));
      return this;
    }

    /**
     * The schema (on MariaDB/MySQL, the database) of the consent store's tables, when the store
     * was built with {@code JdbcConsentStore.Builder.schema}: the same name.
     *
     * @throws IllegalArgumentException naming the schema if it is not valid
     */
    public Builder schema(String name) {
      this.schemaName = Optional.of(Schema.validName(Objects.requireNonNull(name, "name")));
      return this;
    }

    /** {@link Mode#AUTO} (the default) or {@link Mode#POLLING}. */
    public Builder mode(Mode mode) {
      this.mode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /**
     * How often to poll the ledger when polling, 500 ms by default.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder pollInterval(Duration interval) {
      this.pollInterval = positive("pollInterval", interval);
      return this;
    }

    /**
     * How often a listening feed proves its freshness with a heartbeat, 250 ms by default.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder heartbeatInterval(Duration interval) {
      this.heartbeatInterval = positive("heartbeatInterval", interval);
      return this;
    }

    /**
     * How long the engine may answer from its cache after the feed's last proof of freshness, 2 s
     * by default; must exceed the poll and heartbeat intervals.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder stalenessBound(Duration bound) {
      this.stalenessBound = positive("stalenessBound", bound);
      return this;
    }

    /**
     * Returns a feed without touching the database: its thread reaches the database, creating
     * or migrating the tables, once {@link ConsentChangeFeed#start started}, retrying every poll
     * interval until it answers. The feed is not fresh (the engine reads the store for every
     * check) until then. Lets an application start while its database is down.
     *
     * @throws IllegalArgumentException if the staleness bound does not exceed both intervals
     */
    public ConsentChangeFeed buildLazily() {
      checkIntervals();
      return new ConsentChangeFeed(this, null, schema);
    }

    private void checkIntervals() {
      if (stalenessBound.compareTo(pollInterval) <= 0 || stalenessBound.compareTo(heartbeatInterval) <= 0) {
        throw new IllegalArgumentException("stalenessBound (" + stalenessBound + ") must exceed pollInterval ("
            + pollInterval + ") and heartbeatInterval (" + heartbeatInterval + "), or the feed could never be fresh");
      }
    }

    private static Duration positive(String name, Duration d) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, got " + d);
      }
      return d;
    }

    /**
     * Detects the database and makes sure the store's tables (and, on PostgreSQL, its change
     * trigger) exist. The feed does not run until {@link ConsentChangeFeed#start}.
     *
     * @throws IllegalArgumentException if the staleness bound does not exceed both intervals, or
     *     the database is not supported
     * @throws ConsentStoreUnavailableException if the database cannot be reached or migrated
     */
    public ConsentChangeFeed build() {
      checkIntervals();
      try (Connection c = dataSource.getConnection()) {
        Dialect dialect = Dialect.fromProductName(c.getMetaData().getDatabaseProductName());
        Schema qualified = Schema.of(schema.prefix(), schemaName, dialect, c.getMetaData());
        Migrations.migrate(c, dialect, qualified);
        return new ConsentChangeFeed(this, dialect, qualified);
      } catch (SQLException e) {
        throw new ConsentStoreUnavailableException("cannot set up the consent change feed on the tables "
            + schema.describe() + schemaName.map(n -> " in schema " + n).orElse("") + ": the database could not be reached or migrated" + (e.getSQLState() == null ? ""
            : " (SQLState " + e.getSQLState() + ")") + ". Check the database URL, credentials and network", e);
      }
    }
  }
}
