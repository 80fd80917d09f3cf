package org.consent4j.core;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BooleanSupplier;
import org.consent4j.AccessContext;
import org.consent4j.Catalog;
import org.consent4j.ConsentStoreUnavailableException;
import org.consent4j.DataCategory;
import org.consent4j.Decision;
import org.consent4j.Grant;
import org.consent4j.GrantWithdrawal;
import org.consent4j.LedgerEntry;
import org.consent4j.Notice;
import org.consent4j.Objection;
import org.consent4j.Purpose;
import org.consent4j.PurposeDefinition;
import org.consent4j.Reason;
import org.consent4j.Recipient;
import org.consent4j.SubjectId;
import org.consent4j.Withdrawal;
import org.consent4j.core.internal.ConsentRules;
import org.consent4j.spi.ConsentStore;
import org.roaringbitmap.RoaringBitmap;

/**
 * The complete current consent state of every subject of a store, held in memory so that a
 * decision reads no store: subjects whose ledgers decide alike are one <em>consent class</em>,
 * kept as a compact set of subjects (a {@link RoaringBitmap}), and each subject's entry is its
 * class and its state version.
 *
 * <p><b>Exactness.</b> Two ledgers are in one class when they have, grant by grant, the same
 * purposes, categories, recipients, notice, explicit flags, the same withdrawals voiding the grant
 * (by purpose and recipient, or by its id) and the same objections, and no grant that expires or
 * starts later than the instant it was indexed. {@link ConsentRules#decide} reads a ledger through
 * nothing else, so for every instant from the latest grant time of any class member on
 * ({@link #validSince()}), every member decides as the class's first member does, and its
 * decision is computed once per class, purpose, recipient and categories. A subject with a grant
 * that expires or starts in the future is kept aside with its whole ledger and decided by
 * {@code ConsentRules} at the instant asked, so a decision at any instant (the expiry itself and
 * a nanosecond either side included) equals the rules'. An instant before {@link #validSince()} is
 * not answered.
 *
 * <p><b>Currency.</b> {@link #refresh(SubjectId)} re-reads one subject's ledger from the store
 * and replaces its entry before it returns (the engine calls it after each of its own writes, and
 * for each change another node made as a change feed reports it). If that read fails the subject
 * is marked stale and not answered until a later refresh succeeds. While the condition given at
 * construction (a change feed's freshness) answers false, or while a (re)load runs, the index
 * answers nothing ({@link #isUsable()} is false); when the condition becomes true again the index
 * reloads everything in the background, since it may have missed changes meanwhile.
 *
 * <p><b>Ids.</b> A subject id that is the canonical decimal form of an int in [0, 2^31) is its own
 * number in the sets; any other id is given a number from a dictionary (numbers 2^31 and up, read
 * as unsigned) that holds the ids' UTF-8 bytes in one array.
 *
 * <p>Thread-safe: decisions are lock-free; refreshes of one subject are serialized.
 */
public final class ConsentIndex implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ConsentIndex.class.getName());
  private static final int CLASS_BITS = 20;
  private static final long CLASS_MASK = (1L << CLASS_BITS) - 1;
  private static final int STALE = (int) CLASS_MASK;
  private static final int EXACT = STALE - 1;
  /** Class ids 1..MAX_CLASS; 0 is the empty ledger. */
  private static final int MAX_CLASS = EXACT - 1;
  private static final long MAX_VERSION = (1L << (63 - CLASS_BITS)) - 1;
  private static final int STRIPES = 1024;
  private static final int MAX_TEMPLATE_KEYS = 10_000;
  /** How many ledgers a load reads between two progress lines. */
  static final int PROGRESS_EVERY = 1_000_000;
  /** The most threads a load reads with ({@link LedgerSource#forEachLedger(java.util.function.Consumer, int)}). */
  static final int LOAD_PARALLELISM = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));

  private final Catalog catalog;
  private final ConsentStore store;
  private final LedgerSource source;
  private final Clock clock;
  private final BooleanSupplier trusted;
  private final Object[] stripes = new Object[STRIPES];
  /** Refreshes hold it shared; the swap of a freshly loaded state holds it exclusively. */
  private final ReentrantReadWriteLock swap = new ReentrantReadWriteLock();
  private final AtomicBoolean distrusted = new AtomicBoolean();
  private final AtomicLong reloadRequests = new AtomicLong();
  private final AtomicBoolean loaderRunning = new AtomicBoolean();
  private volatile State state;
  /** The state a load is filling, or null. */
  private volatile State building;
  private volatile boolean complete;
  private volatile boolean closed;

  /**
   * An index over {@code store}, empty and not usable until {@link #load()} completes.
   *
   * @param catalog the catalog decisions are made against (the engine's)
   * @param store the store; it must also be a {@link LedgerSource}
   * @param clock the clock that says which grants are time-bounded when indexed (the engine's)
   * @param usableWhile asked by {@link #isUsable()}; a change feed's freshness, or {@code () -> true}
   *     for a single node
   * @throws IllegalArgumentException if the store is not a {@link LedgerSource}
   */
  public ConsentIndex(Catalog catalog, ConsentStore store, Clock clock, BooleanSupplier usableWhile) {
    this.catalog = Objects.requireNonNull(catalog, "catalog");
    this.store = Objects.requireNonNull(store, "store");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.trusted = Objects.requireNonNull(usableWhile, "usableWhile");
    if (!(store instanceof LedgerSource s)) {
      throw new IllegalArgumentException("a consent index loads every ledger of its store, but "
          + store.getClass().getName() + " is no " + LedgerSource.class.getName() + "; use InMemoryConsentStore or"
          + " JdbcConsentStore, or disable the index");
    }
    this.source = s;
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Object();
    }
    this.state = new State();
  }

  // ---------------------------------------------------------------- loading

  /**
   * Loads every ledger of the store, replacing what the index held, and makes the index usable
   * (if its condition allows) once complete. The store may read with up to as many threads as
   * there are processors (at most 4), each passing its ledgers straight into the new state.
   * Refreshes that run meanwhile are applied again to the loaded state before it is used. Logs
   * progress every million ledgers (counts only).
   *
   * @throws ConsentStoreUnavailableException if the store cannot be read; the index stays unusable
   */
  public void load() {
    complete = false;
    long started = System.nanoTime();
    State next = new State();
    building = next;
    AtomicLong subjects = new AtomicLong();
    AtomicLong entries = new AtomicLong();
    try {
      // the sink is called from several threads at once: one subject's parts all come from one
      source.forEachLedger(ledger -> {
        if (ledger.isEmpty()) {
          return;
        }
        SubjectId subject = ledger.get(0).record().subject();
        synchronized (stripe(subject)) {
          if (next.entry(subject) != 0) {
            // passed in parts (a collation that compares two ids equal interleaved them): read it whole
            refreshInto(next, subject);
          } else {
            next.apply(subject, ledger);
          }
        }
        long n = subjects.incrementAndGet();
        long e = entries.addAndGet(ledger.size());
        if (n % PROGRESS_EVERY == 0) {
          LOG.log(System.Logger.Level.INFO, "consent index: {0} subjects, {1} ledger entries loaded", n, e);
        }
      }, LOAD_PARALLELISM);
      swap.writeLock().lock();
      try {
        // Every subject a refresh touched while the load ran: its streamed ledger may be older.
        for (SubjectId s : next.touched) {
          refreshInto(next, s);
        }
        next.touched = null;
        state = next;
        building = null;
        complete = true;
      } finally {
        swap.writeLock().unlock();
      }
    } catch (RuntimeException e) {
      building = null;
      throw e instanceof ConsentStoreUnavailableException c ? c
          : new ConsentStoreUnavailableException("the consent index could not be loaded from the store ("
              + e.getClass().getSimpleName() + "); decisions read the store until it is", e);
    }
    LOG.log(subjects.get() >= PROGRESS_EVERY ? System.Logger.Level.INFO : System.Logger.Level.DEBUG, "consent index loaded:"
        + " {0} subjects, {1} ledger entries, {2} classes, {3} subjects kept exactly, in {4} ms", subjects.get(),
        entries.get(), next.classCount(), next.exact.size(),
        (System.nanoTime() - started) / 1_000_000);
  }

  /**
   * Asks for a reload in the background (on a daemon thread); the index is not usable until it
   * completes. A request while a reload runs makes it run once more. Retries every few seconds
   * while the store cannot be read.
   */
  public void reloadInBackground() {
    complete = false;
    reloadRequests.incrementAndGet();
    if (closed || !loaderRunning.compareAndSet(false, true)) {
      return;
    }
    Thread t = new Thread(this::reloadLoop, "consent4j-index-load");
    t.setDaemon(true);
    t.start();
  }

  private void reloadLoop() {
    long backoff = 500;
    try {
      while (!closed) {
        long request = reloadRequests.get();
        try {
          load();
          backoff = 500;
        } catch (ConsentStoreUnavailableException e) {
          LOG.log(System.Logger.Level.WARNING, "consent index load failed (" + e.getMessage() + "); retrying in "
              + backoff + " ms, decisions read the store meanwhile");
          sleep(backoff);
          backoff = Math.min(30_000, backoff * 2);
          continue;
        }
        if (reloadRequests.get() == request) {
          return;
        }
        complete = false;
      }
    } finally {
      loaderRunning.set(false);
      // a request that came in after the last check and before the flag was cleared
      if (!closed && !complete && reloadRequests.get() > 0 && loaderRunning.compareAndSet(false, true)) {
        Thread t = new Thread(this::reloadLoop, "consent4j-index-load");
        t.setDaemon(true);
        t.start();
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops background reloads; the index answers nothing afterwards. Idempotent. */
  @Override
  public void close() {
    closed = true;
    complete = false;
  }

  // ---------------------------------------------------------------- keeping current

  /**
   * Re-reads one subject's ledger from the store and replaces its entry before returning. If the
   * store cannot be read, the subject is marked stale (not answered by the index, so its decisions
   * read the store) until a later refresh succeeds; the failure is not thrown.
   */
  public void refresh(SubjectId subject) {
    Objects.requireNonNull(subject, "subject");
    swap.readLock().lock();
    try {
      State b = building;
      if (b != null) {
        b.touched.add(subject);
      }
      refreshInto(state, subject);
    } finally {
      swap.readLock().unlock();
    }
  }

  private void refreshInto(State target, SubjectId subject) {
    synchronized (stripe(subject)) {
      List<LedgerEntry> ledger;
      try {
        ledger = store.history(subject);
      } catch (RuntimeException e) {
        target.markStale(subject);
        LOG.log(System.Logger.Level.WARNING, "consent index: a subject's ledger could not be re-read ("
            + e.getClass().getSimpleName() + "); its decisions read the store until it can");
        return;
      }
      target.apply(subject, ledger);
    }
  }

  private Object stripe(SubjectId s) {
    int h = s.hashCode();
    return stripes[(h ^ (h >>> 16)) & (STRIPES - 1)];
  }

  // ---------------------------------------------------------------- deciding

  /**
   * True when the index is complete and its condition (a change feed's freshness) holds. The
   * first call that finds the condition true after it was false starts a background reload and
   * answers false.
   */
  public boolean isUsable() {
    if (closed) {
      return false;
    }
    if (!trusted.getAsBoolean()) {
      distrusted.set(true);
      return false;
    }
    if (distrusted.get() && distrusted.compareAndSet(true, false)) {
      reloadInBackground();
      return false;
    }
    return complete;
  }

  /** The earliest instant the index answers for (the latest grant time of any class member). */
  public Instant validSince() {
    long n = state.validSince.get();
    return Instant.ofEpochSecond(Math.floorDiv(n, 1_000_000_000L), Math.floorMod(n, 1_000_000_000L));
  }

  /**
   * The decision {@link ConsentRules#decide} makes for the subject at {@code at}, or empty when the
   * index cannot answer it (not {@link #isUsable() usable}, the subject stale, or {@code at} before
   * {@link #validSince()}).
   *
   * @param asked the declared categories asked about
   */
  public Optional<Decision> decide(SubjectId subject, PurposeDefinition definition, AccessContext context,
      SortedSet<DataCategory> asked, Instant at) {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(definition, "definition");
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(asked, "asked");
    Objects.requireNonNull(at, "at");
    if (!isUsable()) {
      return Optional.empty();
    }
    // the caller's set may change afterwards: it is not remembered
    return Optional.ofNullable(decideOrNull(subject, definition, context, asked, at, false));
  }

  /**
   * {@link #decide} without its Optional, for the engine's hot path; assumes {@link #isUsable()} was
   * asked. {@code asked} must not change afterwards (the engine's declared categories): the last
   * lookup of a class's decisions is remembered by its identity.
   */
  Decision decideOrNull(SubjectId subject, PurposeDefinition definition, AccessContext context,
      SortedSet<DataCategory> asked, Instant at) {
    return decideOrNull(subject, definition, context, asked, at, true);
  }

  /** {@link #decideOrNull}, remembering {@code asked} by its identity only when it is {@code fixedAsked}. */
  private Decision decideOrNull(SubjectId subject, PurposeDefinition definition, AccessContext context,
      SortedSet<DataCategory> asked, Instant at, boolean fixedAsked) {
    if (!ConsentRules.needsHistory(definition)) {
      return ConsentRules.decide(subject, catalog, definition, context, List.of(), asked, at);
    }
    State s = state;
    long entry = s.entry(subject);
    // After the entry: a refresh raises validSince before it writes the entry it belongs to.
    if (nanos(at) < s.validSince.get()) {
      return null;
    }
    int cls = (int) (entry & CLASS_MASK);
    if (cls == STALE) {
      return null;
    }
    if (cls == EXACT) {
      List<LedgerEntry> ledger = s.exact.get(subject);
      return ledger == null ? null : ConsentRules.decide(subject, catalog, definition, context, ledger, asked, at);
    }
    Template t = s.template(cls, definition, context, asked, at, catalog, fixedAsked);
    if (t == null) {
      return null;
    }
    return new Decision(subject, context, t.reason, t.categories, entry >>> CLASS_BITS);
  }

  /**
   * A decider for one purpose, recipient, categories and instant, answering per subject without
   * allocating (see {@link Decider}); the engine's {@link ConsentEngine#decider}.
   *
   * @param asked the declared categories asked about, at most {@link Decider#MAX_CATEGORIES}
   * @param fallback the engine's decision for a subject the index cannot answer (stale, kept
   *     exactly but not found, an instant before {@link #validSince()}, the index not usable)
   */
  Decider decider(PurposeDefinition definition, AccessContext context, SortedSet<DataCategory> asked, Instant at,
      java.util.function.Function<SubjectId, Decision> fallback) {
    return new Decider(definition, context, asked, at, fallback);
  }

  /**
   * The decisions of one statement, for one purpose, recipient, categories and instant, as bits:
   * {@link #permissions(long)} answers with {@link #SUBJECT} set when the subject is permitted and
   * {@link #category(DataCategory) category(c)} set when category {@code c} is, exactly as {@link
   * ConsentEngine#decideAll} would decide that subject at that instant ({@code
   * Decision.subjectPermitted()} and {@code Decision.permits(c)}). A subject of a consent class
   * costs an entry lookup and an array read: each class's answer is computed once, on first use.
   * Subjects the index keeps exactly are decided by the rules over their ledger; subjects the
   * index cannot answer (stale, the index not usable at the moment, an instant before {@link
   * #validSince()}) are decided by the engine's own path (its cache and store), failing closed as
   * it does. Every call reads the index's current state, so a withdrawal whose call has returned is
   * seen by every later call. For integrations that decide row by row and audit what they return
   * themselves (consent-jdbc's post-filtered reads); not audited.
   *
   * <p>Not thread-safe: one decider per statement and thread.
   */
  public final class Decider {
    /** The bit of {@link #permissions(long)} that says the subject is permitted. */
    public static final long SUBJECT = 1L;
    /** How many categories a decider takes at most (one bit each, after {@link #SUBJECT}). */
    public static final int MAX_CATEGORIES = 62;
    private static final long COMPUTED = Long.MIN_VALUE;
    private final PurposeDefinition definition;
    private final AccessContext context;
    private final SortedSet<DataCategory> asked;
    private final DataCategory[] order;
    private final Instant at;
    private final long atNanos;
    private final java.util.function.Function<SubjectId, Decision> fallback;
    /** The state {@link #byClass} and {@link #hashed} belong to: class ids are per state. */
    private State seen;
    /**
     * Per class id, its answer with {@link #COMPUTED} set, or 0 when not computed yet; used when the
     * state has at most {@link #DIRECT_CLASSES} classes, else null.
     */
    private long[] byClass = new long[0];
    /**
     * The answers computed so far by class id when the state has more classes: an array as long as
     * the class count would cost a statement that reads one row its zeroing (8 bytes per class).
     */
    private ClassAnswers hashed;

    private Decider(PurposeDefinition definition, AccessContext context, SortedSet<DataCategory> asked, Instant at,
        java.util.function.Function<SubjectId, Decision> fallback) {
      if (asked.size() > MAX_CATEGORIES) {
        throw new IllegalArgumentException("a decider takes at most " + MAX_CATEGORIES + " categories, got "
            + asked.size());
      }
      this.definition = definition;
      this.context = context;
      this.asked = asked;
      this.order = asked.toArray(new DataCategory[0]);
      this.at = at;
      this.atNanos = nanos(at);
      this.fallback = fallback;
    }

    /** The categories asked about, in the order of their bits. */
    public SortedSet<DataCategory> categories() {
      return java.util.Collections.unmodifiableSortedSet(asked);
    }

    /**
     * The bit of {@code category} in {@link #permissions(long)}.
     *
     * @throws IllegalArgumentException if the category was not asked about
     */
    public long category(DataCategory category) {
      for (int i = 0; i < order.length; i++) {
        if (order[i].equals(category)) {
          return 1L << (i + 1);
        }
      }
      throw new IllegalArgumentException("category " + category + " was not asked about by this decider");
    }

    /**
     * The permissions of the subject whose id is the decimal form of {@code subject}.
     *
     * @throws ConsentStoreUnavailableException if the subject's state must be read and cannot be
     */
    public long permissions(long subject) {
      if (subject < 0 || subject > Integer.MAX_VALUE) {
        return permissions(SubjectId.of(subject)); // a dictionary id
      }
      State s = current();
      if (s != null) {
        long p = fromEntry(s, s.numeric.get((int) subject), null, subject);
        if (p >= 0) {
          return p;
        }
      }
      return permissionsOf(SubjectId.of(subject));
    }

    /**
     * The permissions of {@code subject}; a text id is looked up in the index's dictionary.
     *
     * @throws ConsentStoreUnavailableException if the subject's state must be read and cannot be
     */
    public long permissions(SubjectId subject) {
      Objects.requireNonNull(subject, "subject");
      State s = current();
      if (s != null) {
        long p = fromEntry(s, s.entry(subject), subject, 0);
        if (p >= 0) {
          return p;
        }
      }
      return permissionsOf(subject);
    }

    private long permissionsOf(SubjectId subject) {
      return bits(fallback.apply(subject));
    }

    /** The index's state when it is usable, resetting the per-class answers when it was swapped. */
    private State current() {
      if (!isUsable()) {
        return null;
      }
      State s = state;
      if (s != seen) {
        seen = s;
        if (s.classes.length <= DIRECT_CLASSES) {
          byClass = new long[s.classes.length];
          hashed = null;
        } else {
          byClass = null;
          hashed = new ClassAnswers();
        }
      }
      return s;
    }

    /** The permissions an entry of {@code s} says, or -1 when the index cannot answer. */
    private long fromEntry(State s, long entry, SubjectId subject, long number) {
      // After the entry: a refresh raises validSince before it writes the entry it belongs to.
      if (atNanos < s.validSince.get()) {
        return -1;
      }
      int cls = (int) (entry & CLASS_MASK);
      if (cls == STALE) {
        return -1;
      }
      if (cls == EXACT) {
        SubjectId id = subject != null ? subject : SubjectId.of(number);
        List<LedgerEntry> ledger = s.exact.get(id);
        return ledger == null ? -1 : bits(ConsentRules.decide(id, catalog, definition, context, ledger, asked, at));
      }
      long[] b = byClass;
      if (b == null) {
        long known = hashed.get(cls);
        if (known != 0) {
          return known & ~COMPUTED;
        }
        Template t = s.template(cls, definition, context, asked, at, catalog, true);
        if (t == null) {
          return -1;
        }
        long p = bits(t.reason, t.categories);
        hashed.put(cls, p | COMPUTED);
        return p;
      }
      if (cls < b.length && b[cls] != 0) {
        return b[cls] & ~COMPUTED;
      }
      Template t = s.template(cls, definition, context, asked, at, catalog, true);
      if (t == null) {
        return -1;
      }
      long p = bits(t.reason, t.categories);
      if (cls >= b.length) {
        b = java.util.Arrays.copyOf(b, Math.max(cls + 1, s.classes.length));
        byClass = b;
      }
      b[cls] = p | COMPUTED;
      return p;
    }

    private long bits(Decision d) {
      return bits(d.subjectReason(), d.categories());
    }

    private long bits(Reason subject, SortedMap<DataCategory, Reason> categories) {
      long p = subject.permits() ? SUBJECT : 0;
      for (int i = 0; i < order.length; i++) {
        Reason r = categories.get(order[i]);
        if (r != null && r.permits()) {
          p |= 1L << (i + 1);
        }
      }
      return p;
    }

    @Override
    public String toString() {
      return "ConsentIndex.Decider[" + context + ", " + asked + " at " + at + "]";
    }
  }

  /** The most classes for which a decider keeps its per-class answers in a direct array. */
  static final int DIRECT_CLASSES = 256;

  /** Class id to a non-zero answer: open addressing with linear probing, grown at half full. */
  private static final class ClassAnswers {
    /** Class id + 1, 0 for a free slot. */
    private int[] keys = new int[16];
    private long[] values = new long[16];
    private int size;

    long get(int cls) {
      int[] k = keys;
      int mask = k.length - 1;
      for (int i = slot(cls, mask); ; i = (i + 1) & mask) {
        if (k[i] == cls + 1) {
          return values[i];
        }
        if (k[i] == 0) {
          return 0;
        }
      }
    }

    void put(int cls, long value) {
      if ((size + 1) * 2 > keys.length) {
        int[] oldKeys = keys;
        long[] oldValues = values;
        keys = new int[oldKeys.length * 2];
        values = new long[oldKeys.length * 2];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
          if (oldKeys[i] != 0) {
            insert(oldKeys[i] - 1, oldValues[i]);
          }
        }
      }
      insert(cls, value);
    }

    private void insert(int cls, long value) {
      int mask = keys.length - 1;
      int i = slot(cls, mask);
      while (keys[i] != 0 && keys[i] != cls + 1) {
        i = (i + 1) & mask;
      }
      if (keys[i] == 0) {
        size++;
      }
      keys[i] = cls + 1;
      values[i] = value;
    }

    private static int slot(int cls, int mask) {
      int h = cls * 0x9E3779B9;
      return (h ^ (h >>> 16)) & mask;
    }
  }

  /**
   * How many of the subjects with a ledger the context may process at {@code at} (for {@code
   * asked}, the subject as a whole when empty): the sizes of the permitted classes' sets plus the permitted subjects kept
   * exactly. Empty when the index cannot answer for that instant.
   */
  public Optional<Long> countPermitted(PurposeDefinition definition, AccessContext context,
      SortedSet<DataCategory> asked, Instant at) {
    Objects.requireNonNull(definition, "definition");
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(asked, "asked");
    Objects.requireNonNull(at, "at");
    State s = state;
    if (!isUsable() || !ConsentRules.needsHistory(definition) || nanos(at) < s.validSince.get()) {
      return Optional.empty();
    }
    long count = 0;
    ClassInfo[] classes = s.classes;
    for (int c = 1; c < classes.length; c++) {
      Template t = s.template(c, definition, context, asked, at, catalog, false);
      if (t != null && t.reason.permits()) {
        synchronized (s.classLock) {
          count += classes[c].members.getLongCardinality();
        }
      }
    }
    for (Map.Entry<SubjectId, List<LedgerEntry>> e : s.exact.entrySet()) {
      if (ConsentRules.decide(e.getKey(), catalog, definition, context, e.getValue(), asked, at).subjectPermitted()) {
        count++;
      }
    }
    return Optional.of(count);
  }

  private static long nanos(Instant i) {
    return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000_000L), i.getNano());
  }

  /** Sizes of the index, for monitoring and the benchmarks. */
  public Stats stats() {
    State s = state;
    return s.stats();
  }

  /**
   * Sizes of an index.
   *
   * @param subjects subjects with a non-empty ledger
   * @param classes consent classes
   * @param exactSubjects subjects kept with their whole ledger (time-bounded grants)
   * @param staleSubjects subjects not answered until re-read
   * @param textIds subject ids held in the dictionary
   * @param bitmapBytes bytes of the class sets
   * @param entryBytes bytes of the per-subject entries (class and version) and of the dictionary
   */
  public record Stats(long subjects, int classes, int exactSubjects, int staleSubjects, int textIds,
      long bitmapBytes, long entryBytes) {}

  @Override
  public String toString() {
    return "ConsentIndex[" + (complete ? "complete" : "not loaded") + ", " + stats() + "]";
  }

  // ---------------------------------------------------------------- state

  /** The decision of one class for one (purpose, recipient, categories), without subject and version. */
  private record Template(Reason reason, SortedMap<DataCategory, Reason> categories) {}

  private record TemplateKey(Purpose purpose, Recipient recipient, Set<DataCategory> categories) {}

  /** A row of templates and its key, the categories compared by identity (they never change). */
  private record LastRow(Purpose purpose, Recipient recipient, Set<DataCategory> asked, Template[] row) {}

  /** A withdrawal that voids a grant, as the rules read it. */
  private record Void(Purpose purpose, Optional<Recipient> recipient) {}

  private static final Comparator<Void> VOID_ORDER = Comparator.comparing((Void v) -> v.purpose().toString())
      .thenComparing(v -> v.recipient().map(Recipient::toString).orElse(""));

  /** A grant as {@link ConsentRules} reads it once it is in effect for good. */
  private record GrantShape(SortedSet<Purpose> purposes, SortedSet<DataCategory> categories,
      SortedSet<Recipient> recipients, Optional<Notice> notice, boolean explicit, boolean explicitTransfer,
      boolean voidedById, SortedSet<Void> voids) {}

  /** A ledger as {@link ConsentRules} reads it, for every instant after its last grant time. */
  private record Shape(List<GrantShape> grants, SortedSet<Purpose> objections) {}

  /**
   * The shape of a ledger, or null when it must be kept whole (a grant that expires, or starts
   * after {@code now}).
   */
  static Object shapeOf(List<LedgerEntry> ledger, Instant now) {
    List<GrantShape> grants = new ArrayList<>();
    TreeSet<Purpose> objections = new TreeSet<>();
    for (int i = 0; i < ledger.size(); i++) {
      if (ledger.get(i).record() instanceof Objection o) {
        objections.add(o.purpose());
      }
      if (!(ledger.get(i).record() instanceof Grant g)) {
        continue;
      }
      if (g.expiresAt().isPresent() || g.grantedAt().isAfter(now)) {
        return null;
      }
      boolean byId = false;
      TreeSet<Void> voids = new TreeSet<>(VOID_ORDER);
      for (int j = 0; j < ledger.size(); j++) {
        if (j != i && ledger.get(j).record() instanceof Withdrawal w
            && (j > i || g.grantedAt().isBefore(w.withdrawnAt()))) {
          voids.add(new Void(w.purpose(), w.recipient()));
        }
        if (ledger.get(j).record() instanceof GrantWithdrawal w && w.voids(g)) {
          byId = true;
        }
      }
      grants.add(new GrantShape(g.purposes(), g.categories(), g.recipients(), g.notice(), g.explicit(),
          g.explicitTransfer(), byId, voids));
    }
    return new Shape(List.copyOf(grants), objections);
  }

  private static final class ClassInfo {
    final List<LedgerEntry> representative;
    final RoaringBitmap members = new RoaringBitmap();

    ClassInfo(List<LedgerEntry> representative) {
      this.representative = representative;
    }
  }

  /** Per-subject entries in pages of longs: (version << CLASS_BITS) | class. */
  private static final class Pages {
    private static final int BITS = 12;
    private volatile AtomicLongArray[] table = new AtomicLongArray[16];
    private int pages;

    long get(int index) {
      AtomicLongArray[] t = table;
      int p = index >>> BITS;
      if (p >= t.length) {
        return 0;
      }
      AtomicLongArray a = t[p];
      return a == null ? 0 : a.get(index & ((1 << BITS) - 1));
    }

    synchronized void set(int index, long value) {
      int p = index >>> BITS;
      AtomicLongArray[] t = table;
      if (p >= t.length) {
        int n = t.length;
        while (n <= p) {
          n = n * 2;
        }
        t = java.util.Arrays.copyOf(t, n);
      }
      if (t[p] == null) {
        if (value == 0) {
          return;
        }
        t[p] = new AtomicLongArray(1 << BITS);
        pages++;
      }
      t[p].set(index & ((1 << BITS) - 1), value);
      table = t; // publishes a new page or table
    }

    synchronized long bytes() {
      return (long) pages * (16 + 8L * (1 << BITS)) + 16 + 4L * table.length;
    }
  }

  private final class State {
    final Pages numeric = new Pages();
    final Pages text = new Pages();
    final org.consent4j.core.internal.TextIds dictionary = new org.consent4j.core.internal.TextIds();
    final ConcurrentHashMap<SubjectId, List<LedgerEntry>> exact = new ConcurrentHashMap<>();
    final Object classLock = new Object();
    final Map<Shape, Integer> classIds = new HashMap<>(); // guarded by classLock
    volatile ClassInfo[] classes = {new ClassInfo(List.of())};
    final ConcurrentHashMap<TemplateKey, Template[]> templates = new ConcurrentHashMap<>();
    /** The row of {@link #templates} the last lookup found, by the identity of its categories. */
    volatile LastRow lastRow;
    final AtomicLong validSince = new AtomicLong(Long.MIN_VALUE);
    final AtomicLong subjects = new AtomicLong();
    final Set<SubjectId> stale = ConcurrentHashMap.newKeySet();
    /** Subjects refreshed while this state was being loaded; null once it is in use. */
    volatile Set<SubjectId> touched = ConcurrentHashMap.newKeySet();

    /** The number of a canonical int id, or -1. */
    private int numericId(String v) {
      int n = v.length();
      if (n == 0 || n > 10 || (n > 1 && v.charAt(0) == '0')) {
        return -1;
      }
      long x = 0;
      for (int i = 0; i < n; i++) {
        char c = v.charAt(i);
        if (c < '0' || c > '9') {
          return -1;
        }
        x = x * 10 + (c - '0');
      }
      return x > Integer.MAX_VALUE ? -1 : (int) x;
    }

    long entry(SubjectId subject) {
      int n = numericId(subject.value());
      if (n >= 0) {
        return numeric.get(n);
      }
      int t = dictionary.get(subject.value());
      return t < 0 ? 0 : text.get(t);
    }

    private void setEntry(SubjectId subject, long value) {
      int n = numericId(subject.value());
      if (n >= 0) {
        numeric.set(n, value);
        return;
      }
      int t = dictionary.get(subject.value());
      if (t < 0) {
        if (value == 0) {
          return;
        }
        t = dictionary.getOrAdd(subject.value());
      }
      text.set(t, value);
    }

    /** The number the subject has in the class sets (text ids 2^31 and up, as unsigned). */
    private int ordinal(SubjectId subject) {
      int n = numericId(subject.value());
      return n >= 0 ? n : (dictionary.get(subject.value()) | Integer.MIN_VALUE);
    }

    void markStale(SubjectId subject) {
      move(subject, STALE, 0);
      stale.add(subject);
    }

    /** Replaces the subject's entry by its ledger. The caller holds the subject's stripe. */
    void apply(SubjectId subject, List<LedgerEntry> ledger) {
      if (!wellFormed(subject, ledger)) {
        markStale(subject);
        return;
      }
      stale.remove(subject);
      if (ledger.isEmpty()) {
        move(subject, 0, 0);
        return;
      }
      long version = ledger.get(ledger.size() - 1).sequence();
      Object shape = version > MAX_VERSION ? null : shapeOf(ledger, clock.instant());
      int cls = shape == null ? EXACT : classFor((Shape) shape, ledger);
      if (cls == EXACT) {
        exact.put(subject, List.copyOf(ledger));
        move(subject, EXACT, version);
        return;
      }
      for (LedgerEntry e : ledger) {
        if (e.record() instanceof Grant g) {
          validSince.accumulateAndGet(nanos(g.grantedAt()), Math::max);
        }
      }
      move(subject, cls, version);
    }

    private void move(SubjectId subject, int cls, long version) {
      long old = entry(subject);
      int oldCls = (int) (old & CLASS_MASK);
      long value = (version << CLASS_BITS) | cls;
      boolean had = old != 0 && oldCls != 0;
      setEntry(subject, value);
      boolean has = value != 0 && cls != 0;
      if (has && !had) {
        subjects.incrementAndGet();
      } else if (had && !has) {
        subjects.decrementAndGet();
      }
      if (oldCls != cls && (isClass(oldCls) || isClass(cls))) {
        int ord = ordinal(subject);
        synchronized (classLock) {
          if (isClass(oldCls)) {
            classes[oldCls].members.remove(ord);
          }
          if (isClass(cls)) {
            classes[cls].members.add(ord);
          }
        }
      } else if (isClass(cls) && old == 0) {
        synchronized (classLock) {
          classes[cls].members.add(ordinal(subject));
        }
      }
      if (oldCls == EXACT && cls != EXACT) {
        exact.remove(subject);
      }
    }

    private boolean isClass(int cls) {
      return cls != 0 && cls != EXACT && cls != STALE;
    }

    private int classFor(Shape shape, List<LedgerEntry> ledger) {
      synchronized (classLock) {
        Integer id = classIds.get(shape);
        if (id != null) {
          return id;
        }
        ClassInfo[] c = classes;
        if (c.length > MAX_CLASS) {
          return EXACT;
        }
        ClassInfo[] grown = java.util.Arrays.copyOf(c, c.length + 1);
        grown[c.length] = new ClassInfo(List.copyOf(ledger));
        classes = grown;
        classIds.put(shape, c.length);
        return c.length;
      }
    }

    /**
     * The decisions of class {@code cls} for the context and categories, computed once per class
     * and key. With {@code fixedAsked} (the set never changes: the engine's declared categories),
     * the last key's row is remembered by the set's identity, which skips the key's hashing.
     */
    Template template(int cls, PurposeDefinition definition, AccessContext context, SortedSet<DataCategory> asked,
        Instant at, Catalog catalog, boolean fixedAsked) {
      ClassInfo[] c = classes;
      if (cls >= c.length) {
        return null;
      }
      LastRow last = lastRow;
      if (fixedAsked && last != null && last.asked == asked && last.purpose.equals(context.purpose())
          && last.recipient.equals(context.recipient()) && cls < last.row.length && last.row[cls] != null) {
        return last.row[cls];
      }
      TemplateKey key = new TemplateKey(context.purpose(), context.recipient(), asked);
      Template[] row = templates.get(key);
      if (row != null && cls < row.length && row[cls] != null) {
        if (fixedAsked) {
          lastRow = new LastRow(context.purpose(), context.recipient(), asked, row);
        }
        return row[cls];
      }
      Decision d = ConsentRules.decide(SubjectId.of("0"), catalog, definition, context,
          ConsentRules.needsHistory(definition) ? c[cls].representative : List.of(), asked, at);
      Template t = new Template(d.subjectReason(), d.categories());
      if (templates.size() >= MAX_TEMPLATE_KEYS) {
        templates.clear();
      }
      templates.compute(new TemplateKey(key.purpose(), key.recipient(), Set.copyOf(asked)), (k, old) -> {
        Template[] r = old == null || old.length < c.length ? java.util.Arrays.copyOf(
            old == null ? new Template[0] : old, c.length) : old;
        r[cls] = t;
        return r;
      });
      return t;
    }

    int classCount() {
      return classes.length - 1;
    }

    Stats stats() {
      long bitmaps = 0;
      synchronized (classLock) {
        for (ClassInfo c : classes) {
          bitmaps += c.members.getLongSizeInBytes();
        }
      }
      return new Stats(subjects.get(), classCount(), exact.size(), stale.size(), dictionary.size(), bitmaps,
          numeric.bytes() + text.bytes() + dictionary.bytes());
    }
  }

  /** The ledger's order and ownership, as {@link ConsentStateCache} checks them: a broken store is not believed. */
  private static boolean wellFormed(SubjectId subject, List<LedgerEntry> ledger) {
    long previous = 0;
    for (LedgerEntry e : ledger) {
      if (e.sequence() <= previous || !e.record().subject().equals(subject)) {
        return false;
      }
      previous = e.sequence();
    }
    return true;
  }
}
