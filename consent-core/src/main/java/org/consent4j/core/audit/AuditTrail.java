package org.consent4j.core.audit;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.consent4j.AuditEvent;
import org.consent4j.AuditRecord;
import org.consent4j.AuditUnavailableException;
import org.consent4j.spi.AuditSink;
import org.consent4j.spi.SharedChainAuditSink;

/**
 * The append-only, hash-chained audit trail: every access decision is {@linkplain #record
 * recorded} as an {@link AuditEvent}, sealed into the chain by {@link AuditChain}, and written to
 * an {@link AuditSink}; {@link #verify()} proves the records were not altered, removed, inserted
 * or reordered.
 *
 * <p><b>Synchronous mode</b> (the default): {@link #record} returns only after the sink has
 * written the record, so no access happens without a durable record. <b>Asynchronous mode</b>:
 * {@code record} seals the record and puts it on a bounded queue; one daemon thread writes queued
 * records to the sink in batches. When the sink is slow or failing the queue fills and {@code
 * record} waits, then refuses; records are never dropped: a failed batch is retried, with a
 * backoff from 50 ms to 1 s, until it is written or the trail is closed. Queued records are lost
 * if the process ends without {@link #close()}. {@link #submit} records an event without
 * returning its sealed record, which lets the writer thread seal it instead of the caller (same
 * chain, same order). The writer waits up to 1 ms for a fuller batch before writing a smaller one;
 * {@link #flush()} and {@link #close()} cut that wait short.
 *
 * <p>A trail continues the chain it finds in its sink, so a restarted application appends to the
 * same chain. Only one trail may write to a sink at a time — except a {@link SharedChainAuditSink}
 * (such as the JDBC audit sink), which keeps the head of the chain itself and seals each event
 * as it stores it: any number of trails, in any number of processes, may then append to one
 * chain. Over such a sink, {@link #record} in asynchronous mode queues the event unsealed and
 * returns an empty result; the writer thread hands batches to {@link
 * SharedChainAuditSink#append}, retrying a failed batch under the same id so that it is stored
 * exactly once.
 *
 * <p>Every method is thread-safe. Records are sealed in the order their {@code record} calls take
 * the trail's lock, and written in that order.
 *
 * <pre>{@code
 * try (AuditTrail trail = AuditTrail.builder(new JsonLinesAuditSink(path))
 *     .asynchronous(10_000, 500, Duration.ofSeconds(2))
 *     .build()) {
 *   trail.record(event);
 *   trail.flush();
 *   ChainHead checkpoint = trail.head(); // keep it elsewhere
 *   Verification v = trail.verify(checkpoint);
 * }
 * }</pre>
 */
public final class AuditTrail implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(AuditTrail.class.getName());
  private static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** How many offer timeouts flush and close wait while the writer writes nothing. */
  private static final int STALL_FACTOR = 10;
  /** How long the asynchronous writer waits for a fuller batch before it writes a smaller one. */
  private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  private final AuditSink sink;
  /** The sink when it seals records itself; null when this trail seals them. */
  private final SharedChainAuditSink shared;
  /** Shared sink: the thread is inside {@code append}, so a nested record would deadlock or loop. */
  private final ThreadLocal<Boolean> inSharedSink = new ThreadLocal<>();
  private final boolean asynchronous;
  private final int maxBatchSize;
  private final long offerTimeoutNanos;
  private final Duration offerTimeout;

  private final ReentrantLock lock = new ReentrantLock();
  /** Signals the writer: records queued, closing, or abandoned. */
  private final Condition work = lock.newCondition();
  /** Signals flush and close: records written, or the writer stopped. */
  private final Condition progress = lock.newCondition();

  // Guarded by lock; closed is also read without it, to refuse fast.
  /** The last sealed record; in asynchronous mode events accepted by {@link #submit} may follow it unsealed. */
  private long headSequence;
  private String headHash;
  /**
   * Asynchronous mode: how many events accepted by {@link #submit} wait in the queue unsealed.
   * They are its last entries: everything before them is sealed, or taken by the writer.
   */
  private long unsealed;
  /** How many of the unsealed events the writer has taken and is sealing outside the lock. */
  private long sealingByWriter;
  /** Signals the end of the writer's sealing of a batch. */
  private final Condition sealed = lock.newCondition();
  /** Callers of flush waiting (or the trail closed): the writer stops lingering for a fuller batch. */
  private int urgent;
  private volatile boolean closed;
  /** Synchronous mode: a record whose write failed, and which the sink may hold all the same. */
  private AuditRecord uncertain;

  // Asynchronous mode; guarded by lock.
  /**
   * Sealed records, events accepted by {@link #submit} that the writer seals (their sequence is
   * their place in this queue), or events the shared sink seals; in order.
   */
  private final ArrayDeque<Object> queue = new ArrayDeque<>();
  /** How many records were accepted into the queue, and how many of them are written. */
  private long acceptedCount;
  private long writtenCount;
  private boolean writerStopped;
  private boolean abandoned;
  private Exception lastWriteFailure;
  /**
   * One permit per record that is queued or being written. Taken before the lock, so callers
   * wait for room without blocking each other's sealing; released only once the sink has written
   * the record, so the capacity bounds every record not yet durable.
   */
  private final Semaphore room;
  private final Thread writer;

  private AuditTrail(Builder b) {
    this.sink = b.sink;
    this.shared = b.sink instanceof SharedChainAuditSink s ? s : null;
    this.asynchronous = b.asynchronous;
    this.maxBatchSize = b.maxBatchSize;
    this.offerTimeout = b.offerTimeout;
    this.offerTimeoutNanos = b.offerTimeout.toNanos();
    if (shared == null) {
      Optional<AuditRecord> last;
      try {
        last = sink.last();
      } catch (Exception e) {
        throw new AuditUnavailableException("the audit trail could not read the last record of its sink, so it"
            + " cannot continue the chain; check that the sink is reachable and its last record is intact", e);
      }
      this.headSequence = last.map(AuditRecord::sequence).orElse(0L);
      this.headHash = last.map(AuditRecord::hash).orElse(AuditRecord.GENESIS);
    } else {
      // The shared sink holds the head; it need not be reachable now (records fail until it is).
      this.headSequence = 0;
      this.headHash = AuditRecord.GENESIS;
    }
    if (asynchronous) {
      room = new Semaphore(b.queueCapacity, true);
      writer = new Thread(this::runWriter, "consent4j-audit-writer");
      writer.setDaemon(true);
      writer.start();
    } else {
      room = null;
      writer = null;
    }
  }

  /**
   * A synchronous trail over a new {@link InMemoryAuditSink}, for tests and examples.
   */
  public static AuditTrail inMemory() {
    return builder(new InMemoryAuditSink()).build();
  }

  /**
   * Starts building a trail that writes to {@code sink}. The trail owns the sink: closing the
   * trail closes it.
   *
   * @throws NullPointerException if {@code sink} is null
   */
  public static Builder builder(AuditSink sink) {
    return new Builder(sink);
  }

  /** The sink this trail writes to. */
  public AuditSink sink() {
    return sink;
  }

  /** True when {@link #record} queues records instead of writing them before it returns. */
  public boolean isAsynchronous() {
    return asynchronous;
  }

  /**
   * Seals {@code event} as the next record of the chain and writes it (synchronous mode) or
   * queues it (asynchronous mode). When this throws, the access the event describes must be
   * refused, and the head of the chain has not moved. (Should a sink report a failure after
   * storing the record all the same, the next call finds it there and keeps it in the chain
   * rather than fork the chain.)
   *
   * @return the sealed record; in asynchronous mode it may not be written yet (see {@link #flush});
   *     empty in asynchronous mode over a {@link SharedChainAuditSink}, where the sink seals the
   *     record when the writer stores it
   * @throws NullPointerException if {@code event} is null
   * @throws IllegalArgumentException if a text of the event is not well-formed Unicode
   * @throws AuditUnavailableException if the sink could not write the record (synchronous), the
   *     queue stayed full for the offer timeout (asynchronous), the thread was interrupted while
   *     waiting, or the trail is closed
   */
  public Optional<AuditRecord> record(AuditEvent event) {
    Objects.requireNonNull(event, "event");
    if (lock.isHeldByCurrentThread() || inSharedSink.get() != null) {
      // A sink (or something it calls) that records again would seal a second record with the
      // same sequence and fork the chain.
      throw new AuditUnavailableException("the audit trail was called again from inside its own sink on thread "
          + Thread.currentThread().getName() + "; a sink must not produce audit events (do not write the audit"
          + " trail through a consent-guarded DataSource)");
    }
    if (shared != null) {
      if (asynchronous) {
        enqueue(event, false);
        return Optional.empty();
      }
      return Optional.of(appendShared(event));
    }
    return Optional.of(asynchronous ? enqueue(event, true) : writeNow(event));
  }

  /**
   * Records {@code event} exactly as {@link #record} does, with the same guarantees and failures,
   * without returning the sealed record. In asynchronous mode this lets the trail seal the event
   * on its writer thread instead of the caller's: the caller only checks that the event can be
   * hashed and queues it, and the writer hashes queued events into the chain, in queue order, just
   * before it writes them. The chain is the same as with {@code record}: events are sealed in the
   * order their calls take the trail's lock. In synchronous mode, and over a {@link
   * SharedChainAuditSink}, this is {@code record}.
   *
   * @throws NullPointerException if {@code event} is null
   * @throws IllegalArgumentException if a text of the event is not well-formed Unicode
   * @throws AuditUnavailableException as {@link #record}
   */
  public void submit(AuditEvent event) {
    Objects.requireNonNull(event, "event");
    if (!asynchronous || shared != null) {
      record(event);
      return;
    }
    if (lock.isHeldByCurrentThread()) {
      throw new AuditUnavailableException("the audit trail was called again from inside its own sink on thread "
          + Thread.currentThread().getName() + "; a sink must not produce audit events (do not write the audit"
          + " trail through a consent-guarded DataSource)");
    }
    // Checked here, so that an event the writer could not seal is refused to its caller.
    AuditChain.requireHashable(event);
    enqueue(event, false);
  }

  /** One synchronous caller's event in a group commit, and what became of it. Guarded by groupLock. */
  private static final class Pending {
    final AuditEvent event;
    AuditRecord record;
    Exception failure;
    boolean done;

    Pending(AuditEvent event) {
      this.event = event;
    }
  }

  /** The most events one group commit stores. */
  private static final int MAX_GROUP = 1000;
  private final ReentrantLock groupLock = new ReentrantLock();
  private final Condition groupDone = groupLock.newCondition();
  private final ArrayDeque<Pending> forming = new ArrayDeque<>();
  private boolean groupActive;

  /**
   * Synchronous mode over a shared sink, with group commit: while one thread's append is in
   * flight, the events of threads that call meanwhile gather, and the first of them to be woken
   * stores them all in one append. Every caller still returns only after its own event is
   * committed, and fails if the append that carried it failed; the sink's lock is taken once per
   * group instead of once per event. The trail's own lock is not held while the sink works.
   */
  private AuditRecord appendShared(AuditEvent event) {
    requireOpen();
    Pending me = new Pending(event);
    List<Pending> group = new ArrayList<>();
    groupLock.lock();
    try {
      forming.addLast(me);
      while (groupActive && !me.done) {
        groupDone.awaitUninterruptibly();
      }
      if (me.done) {
        return outcome(me);
      }
      groupActive = true;
      // This caller's own event first: it must be in the group it leads.
      forming.remove(me);
      group.add(me);
      while (!forming.isEmpty() && group.size() < MAX_GROUP) {
        group.add(forming.pollFirst());
      }
    } finally {
      groupLock.unlock();
    }
    List<AuditRecord> written = null;
    Exception failure = null;
    inSharedSink.set(Boolean.TRUE);
    try {
      List<AuditEvent> events = new ArrayList<>(group.size());
      group.forEach(p -> events.add(p.event));
      written = shared.append(UUID.randomUUID().toString(), events);
      if (written.size() != events.size()) {
        failure = new AuditUnavailableException("the audit sink returned " + written.size() + " records for "
            + events.size() + " events");
      }
    } catch (Exception e) {
      failure = e;
    } finally {
      inSharedSink.remove();
    }
    if (failure == null) {
      advanceToShared(written);
    }
    groupLock.lock();
    try {
      for (int i = 0; i < group.size(); i++) {
        Pending p = group.get(i);
        if (failure == null) {
          p.record = written.get(i);
        } else {
          p.failure = failure;
        }
        p.done = true;
      }
      groupActive = false;
      groupDone.signalAll();
      return outcome(me);
    } finally {
      groupLock.unlock();
    }
  }

  private static AuditRecord outcome(Pending p) {
    if (p.failure != null) {
      throw new AuditUnavailableException("the audit sink could not store the audit event, so the access was"
          + " refused (" + AuditChain.describe(p.failure) + ")", p.failure);
    }
    return p.record;
  }

  private AuditRecord writeNow(AuditEvent event) {
    lock.lock();
    try {
      requireOpen();
      if (uncertain != null) {
        resolveUncertain();
      }
      AuditRecord r = AuditChain.seal(headSequence + 1, headHash, event);
      try {
        sink.write(List.of(r));
      } catch (Exception e) {
        uncertain = r;
        throw new AuditUnavailableException("audit sink could not write audit record " + r.sequence()
            + "; the access was refused", e);
      }
      advance(r);
      return r;
    } finally {
      lock.unlock();
    }
  }

  /**
   * A sink whose write failed may have stored the record all the same (the failure came after the
   * data was stored). Sealing the next record over the old head would then fork the chain, so the
   * sink is asked what it holds first.
   */
  private void resolveUncertain() {
    Optional<AuditRecord> last;
    try {
      last = sink.last();
    } catch (Exception e) {
      throw new AuditUnavailableException("audit sink could not be read after a failed write, so the chain"
          + " cannot be continued safely; the access was refused", e);
    }
    long lastSequence = last.map(AuditRecord::sequence).orElse(0L);
    String lastHash = last.map(AuditRecord::hash).orElse(AuditRecord.GENESIS);
    if (lastSequence == uncertain.sequence() && lastHash.equals(uncertain.hash())) {
      advance(uncertain);
    } else if (lastSequence != headSequence || !lastHash.equals(headHash)) {
      throw new AuditUnavailableException("after a failed write, the audit sink's last record is sequence "
          + lastSequence + ", which continues neither this trail's record " + headSequence + " nor the failed record "
          + uncertain.sequence() + "; is another writer using the sink? The access was refused");
    }
    uncertain = null;
  }

  /**
   * Queues the event; returns the sealed record, or null when the writer or the shared sink seals
   * it later.
   */
  private AuditRecord enqueue(AuditEvent event, boolean sealHere) {
    if (closed) {
      throw closedException();
    }
    boolean acquired;
    try {
      acquired = room.tryAcquire(offerTimeoutNanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AuditUnavailableException("interrupted while waiting for room in the audit queue;"
          + " the access was refused", e);
    }
    if (!acquired) {
      throw new AuditUnavailableException("the audit queue stayed full for " + offerTimeout
          + " because the audit sink is slow or failing; the access was refused", lastWriteFailure());
    }
    boolean queued = false;
    lock.lock();
    try {
      requireOpen();
      if (writerStopped) {
        throw new AuditUnavailableException("the audit writer thread has stopped; the access was refused",
            lastWriteFailure);
      }
      if (shared != null || !sealHere) {
        acceptedCount++;
        queue.addLast(event);
        queued = true;
        if (shared == null) {
          unsealed++;
        }
        wakeWriter();
        return null;
      }
      // Sealed and queued under one lock hold: the chain order is the queue order, and the head
      // never moves past a record that was not queued. Events queued unsealed before come first.
      sealQueued();
      AuditRecord r = AuditChain.seal(headSequence + 1, headHash, event);
      acceptedCount++;
      queue.addLast(r);
      queued = true;
      advance(r);
      wakeWriter();
      return r;
    } finally {
      lock.unlock();
      if (!queued) {
        room.release();
      }
    }
  }

  /**
   * Wakes the writer when the queue has just become non-empty or holds a full batch. In between,
   * the writer is either busy or lingering for a fuller batch, and waking it for every event would
   * cost each caller a thread hand-off. Holding the lock.
   */
  private void wakeWriter() {
    if (queue.size() == 1 || queue.size() >= maxBatchSize) {
      work.signal();
    }
  }

  /**
   * Seals, in queue order, the events {@link #submit} queued unsealed, so that the head is the
   * last accepted record; first waits for the writer to finish sealing the batch it took. Holding
   * the lock. An event that cannot be sealed (which {@code submit} has ruled out) stops the trail.
   */
  private void sealQueued() {
    while (sealingByWriter > 0) {
      sealed.awaitUninterruptibly();
    }
    if (unsealed == 0) {
      return;
    }
    ArrayDeque<AuditEvent> events = new ArrayDeque<>();
    java.util.Iterator<Object> tail = queue.descendingIterator();
    for (long i = 0; i < unsealed; i++) {
      events.addFirst((AuditEvent) tail.next());
    }
    // All sealed before the queue changes, so a failure leaves it as it was.
    List<AuditRecord> records = new ArrayList<>(events.size());
    long sequence = headSequence;
    String hash = headHash;
    for (AuditEvent e : events) {
      AuditRecord r = AuditChain.seal(++sequence, hash, e);
      records.add(r);
      hash = r.hash();
    }
    for (int i = 0; i < records.size(); i++) {
      queue.pollLast();
    }
    queue.addAll(records);
    advance(records.get(records.size() - 1));
    unsealed = 0;
  }

  private void advance(AuditRecord r) {
    headSequence = r.sequence();
    headHash = r.hash();
  }

  /**
   * After records were appended to a shared chain: moves this trail's head to the last of them,
   * unless appends seen since (from another thread of this trail) already moved it further.
   */
  private void advanceToShared(List<AuditRecord> written) {
    AuditRecord last = written.get(written.size() - 1);
    lock.lock();
    try {
      if (last.sequence() > headSequence) {
        advance(last);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until every record accepted before this call has been written to the sink. Returns at
   * once in synchronous mode, where {@link #record} already waits.
   *
   * @throws AuditUnavailableException if the sink wrote nothing for ten times the offer timeout
   *     (it is failing or stuck; the records stay queued and are still retried), the writer
   *     stopped, or the thread was interrupted
   */
  public void flush() {
    if (!asynchronous) {
      return;
    }
    lock.lock();
    try {
      urgent++;
      work.signal();
      try {
        awaitWritten(acceptedCount, "flush");
      } finally {
        urgent--;
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * "records 4 to 9" when this trail sealed them (the head is the last accepted record), "6
   * accepted events" when a shared sink seals them on writing. Holding the lock.
   */
  private String unwritten(long target) {
    long count = target - writtenCount;
    if (shared != null) {
      return count + " accepted events";
    }
    long accepted = headSequence + sealingByWriter + unsealed;
    return "records " + (accepted - count + 1) + " to " + accepted;
  }

  /** Waits, holding the lock, while the writer makes progress towards {@code target} records written. */
  private void awaitWritten(long target, String what) {
    long stallNanos = Math.multiplyExact(offerTimeoutNanos, (long) STALL_FACTOR);
    long seen = writtenCount;
    long deadline = System.nanoTime() + stallNanos;
    while (writtenCount < target) {
      if (writerStopped) {
        throw new AuditUnavailableException("audit " + what + " failed: the audit writer stopped with "
            + unwritten(target) + " unwritten", lastWriteFailure);
      }
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        throw new AuditUnavailableException("audit " + what + " failed: the audit sink wrote nothing for "
            + offerTimeout.multipliedBy(STALL_FACTOR) + " and " + unwritten(target) + " are still queued",
            lastWriteFailure);
      }
      try {
        progress.awaitNanos(remaining);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AuditUnavailableException("audit " + what + " was interrupted with " + unwritten(target)
            + " still queued", e);
      }
      if (writtenCount != seen) {
        seen = writtenCount;
        deadline = System.nanoTime() + stallNanos;
      }
    }
  }

  /**
   * How many accepted records are not yet written to the sink: queued or in the batch being
   * written (asynchronous mode); 0 in synchronous mode, where nothing is accepted before it is
   * written. For metrics and health. Thread-safe.
   */
  public long queueDepth() {
    lock.lock();
    try {
      return acceptedCount - writtenCount;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The time of the oldest event still waiting in the queue (not yet taken by the writer), if
   * any; empty in synchronous mode. Its age is the audit lag. For metrics. Thread-safe.
   */
  public Optional<java.time.Instant> oldestQueuedEventTime() {
    lock.lock();
    try {
      Object first = queue.peekFirst();
      if (first instanceof AuditRecord r) {
        return Optional.of(r.event().time());
      }
      return first instanceof AuditEvent e ? Optional.of(e.time()) : Optional.empty();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The head of the chain: the last record this trail accepted, or the sink's last record when
   * nothing was recorded yet. In asynchronous mode call {@link #flush()} first when saving the
   * head as a checkpoint, or the checkpoint may be ahead of the sink. Over a {@link
   * SharedChainAuditSink}, the head is the sink's last stored record, whoever appended it.
   *
   * @throws AuditUnavailableException if a shared sink cannot be read
   */
  public ChainHead head() {
    if (shared != null) {
      try {
        return shared.last().map(ChainHead::of).orElse(ChainHead.empty());
      } catch (AuditUnavailableException e) {
        throw e;
      } catch (RuntimeException e) {
        throw new AuditUnavailableException("the audit sink could not be read to find the head of the chain ("
            + AuditChain.describe(e) + ")", e);
      }
    }
    lock.lock();
    try {
      sealQueued();
      return new ChainHead(headSequence, headHash);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Checks every record in the sink: that each one's hash matches its content, that sequences
   * run 1, 2, 3… without gaps, and that each record names the hash of the one before. Detects
   * altered, removed, inserted and reordered records, but not records cut off the end or a chain
   * rewritten and re-sealed from scratch: for that, see {@link #verify(ChainHead)}.
   *
   * <p>Reads the sink as a stream, in constant memory. Records still queued in asynchronous mode
   * are not checked.
   *
   * @return the result; a record the sink could not read makes it invalid too
   */
  public Verification verify() {
    return verify(Optional.empty());
  }

  /**
   * As {@link #verify()}, and also proves that the chain still holds the record at {@code
   * checkpoint.sequence()} with the checkpoint's hash: that no record up to the checkpoint was cut
   * off and that the chain was not rewritten up to it.
   *
   * @param checkpoint a head saved earlier, outside the sink
   * @throws NullPointerException if {@code checkpoint} is null
   */
  public Verification verify(ChainHead checkpoint) {
    return verify(Optional.of(Objects.requireNonNull(checkpoint, "checkpoint")));
  }

  private Verification verify(Optional<ChainHead> checkpoint) {
    return verify(sink, checkpoint);
  }

  /**
   * Verifies the records of any sink, as {@link #verify(ChainHead)} does, without a trail: for an
   * auditor's tool, or a sink that several trails share.
   *
   * @param checkpoint a head saved earlier outside the sink, or empty
   * @throws NullPointerException if an argument is null
   */
  public static Verification verify(AuditSink sink, Optional<ChainHead> checkpoint) {
    Objects.requireNonNull(sink, "sink");
    Objects.requireNonNull(checkpoint, "checkpoint");
    Stream<AuditRecord> records;
    try {
      records = sink.read();
    } catch (RuntimeException e) {
      return Verification.broken(0, 1, "the audit sink could not be read, so no record from sequence 1 on can be proven intact: "
          + AuditChain.describe(e));
    }
    try (records) {
      return AuditChain.verify(records.iterator(), checkpoint);
    }
  }

  /**
   * Stops accepting records, waits until the queued ones are written (asynchronous mode), stops
   * the writer and closes the sink. Idempotent. After this, {@link #record} throws {@link
   * AuditUnavailableException}.
   *
   * @throws AuditUnavailableException if queued records could not be written (see {@link
   *     #flush()}); the writer then stops after its current attempt and closes the sink itself
   */
  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      work.signalAll();
      if (asynchronous) {
        try {
          awaitWritten(acceptedCount, "close");
        } catch (AuditUnavailableException e) {
          if (writerStopped) {
            closeSink(e);
          } else {
            abandoned = true; // the writer closes the sink, once it is no longer using it
            work.signalAll();
          }
          throw e;
        }
      }
    } finally {
      lock.unlock();
    }
    if (asynchronous) {
      joinWriter();
    }
    sink.close();
  }

  private void joinWriter() {
    boolean interrupted = false;
    while (true) {
      try {
        // The writer has nothing left to write and is told to stop, so this wait is short.
        writer.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void closeSink(Exception primary) {
    try {
      sink.close();
    } catch (Exception e) {
      if (primary != null) {
        primary.addSuppressed(e);
      } else {
        LOG.log(Level.WARNING, "audit sink could not be closed", e);
      }
    }
  }

  private void requireOpen() {
    if (closed) {
      throw closedException();
    }
  }

  private static AuditUnavailableException closedException() {
    return new AuditUnavailableException("the audit trail is closed; the access was refused");
  }

  private Exception lastWriteFailure() {
    lock.lock();
    try {
      return lastWriteFailure;
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------- the writer thread

  private void runWriter() {
    try {
      List<Object> batch = new ArrayList<>(maxBatchSize);
      while (true) {
        batch.clear();
        int toSeal;
        long sequence;
        String hash;
        lock.lock();
        try {
          while (queue.isEmpty() && !closed) {
            work.awaitUninterruptibly();
          }
          if (queue.isEmpty()) {
            return; // closed and drained
          }
          // Linger briefly for a fuller batch: fewer wake-ups for the callers, fewer sink writes.
          long linger = LINGER_NANOS;
          while (queue.size() < maxBatchSize && !closed && urgent == 0 && linger > 0) {
            try {
              linger = work.awaitNanos(linger);
            } catch (InterruptedException e) {
              break; // nobody interrupts the writer; write what is queued
            }
          }
          // Unsealed events are the last `unsealed` entries of the queue; the batch is its head.
          long sealedBefore = queue.size() - unsealed;
          while (batch.size() < maxBatchSize && !queue.isEmpty()) {
            batch.add(queue.pollFirst());
          }
          toSeal = (int) Math.max(0, batch.size() - sealedBefore);
          unsealed -= toSeal;
          sealingByWriter = toSeal;
          sequence = headSequence;
          hash = headHash;
        } finally {
          lock.unlock();
        }
        if (toSeal > 0 && !sealBatch(batch, toSeal, sequence, hash)) {
          return;
        }
        if (!(shared != null ? appendWithRetry(batch) : writeWithRetry(records(batch)))) {
          return;
        }
        lock.lock();
        try {
          writtenCount += batch.size();
          progress.signalAll();
        } finally {
          lock.unlock();
        }
        room.release(batch.size());
      }
    } finally {
      boolean closeSink;
      lock.lock();
      try {
        writerStopped = true;
        closeSink = abandoned;
        progress.signalAll();
      } finally {
        lock.unlock();
      }
      if (closeSink) {
        closeSink(null);
      }
    }
  }

  /**
   * Seals the last {@code count} entries of the batch (events queued by {@link #submit}) after
   * the record at {@code sequence} with {@code hash}, outside the lock, then moves the head past
   * them. False if one could not be sealed, which {@code submit}'s check rules out: the writer
   * then stops and every later call is refused.
   */
  private boolean sealBatch(List<Object> batch, int count, long sequence, String hash) {
    RuntimeException failure = null;
    AuditRecord last = null;
    try {
      for (int i = batch.size() - count; i < batch.size(); i++) {
        last = AuditChain.seal(++sequence, hash, (AuditEvent) batch.get(i));
        batch.set(i, last);
        hash = last.hash();
      }
    } catch (RuntimeException e) {
      failure = e;
      LOG.log(Level.ERROR, "the audit writer could not seal a queued event; the trail stops and refuses every"
          + " later access", e);
    }
    lock.lock();
    try {
      if (failure == null) {
        advance(last);
      } else {
        lastWriteFailure = failure;
      }
      sealingByWriter = 0;
      sealed.signalAll();
    } finally {
      lock.unlock();
    }
    return failure == null;
  }

  private static List<AuditRecord> records(List<Object> batch) {
    List<AuditRecord> out = new ArrayList<>(batch.size());
    batch.forEach(o -> out.add((AuditRecord) o));
    return out;
  }

  /**
   * Hands the batch of events to the shared sink, retrying under the same append id until it is
   * stored (true) or the trail is abandoned (false). The id makes the retry of a batch whose
   * commit was acknowledged too late store nothing twice.
   */
  private boolean appendWithRetry(List<Object> batch) {
    List<AuditEvent> events = new ArrayList<>(batch.size());
    batch.forEach(o -> events.add((AuditEvent) o));
    String appendId = UUID.randomUUID().toString();
    return retry(retrying -> {
      advanceToShared(shared.append(appendId, events));
    }, () -> "audit sink could not store a batch of " + events.size() + " events",
        () -> "a batch of " + events.size() + " queued events is stored",
        () -> "a batch of " + events.size() + " events and any queued after them unstored");
  }

  /** Writes the batch, retrying until it is written (true) or the trail is abandoned (false). */
  private boolean writeWithRetry(List<AuditRecord> batch) {
    long last = batch.get(batch.size() - 1).sequence();
    List<AuditRecord> remaining = new ArrayList<>(batch);
    return retry(retrying -> {
      if (retrying) {
        List<AuditRecord> left = unwritten(remaining);
        if (left.size() < remaining.size()) {
          remaining.subList(0, remaining.size() - left.size()).clear();
        }
      }
      if (!remaining.isEmpty()) {
        sink.write(remaining);
      }
    }, () -> "audit sink could not write records " + remaining.get(0).sequence() + " to " + last,
        () -> "records up to " + last + " are written",
        () -> "records " + remaining.get(0).sequence() + " to " + last + " and any queued after them unwritten");
  }

  /** One attempt to store a batch; {@code retrying} is false the first time. */
  private interface Attempt {
    void run(boolean retrying) throws Exception;
  }

  /**
   * Runs {@code attempt} until it succeeds (true) or the trail is abandoned (false), backing off
   * from 50 ms, doubling up to 1 s, and
   * keeping the last failure for the callers' error messages. Logs the first failure, the recovery
   * and an abandonment once each; the messages name sequences and counts, never record content.
   */
  private boolean retry(Attempt attempt, Supplier<String> failed, Supplier<String> recovered,
      Supplier<String> unstored) {
    long backoff = FIRST_BACKOFF_NANOS;
    boolean failing = false;
    while (true) {
      try {
        attempt.run(failing);
        if (failing) {
          LOG.log(Level.INFO, "audit sink recovered; " + recovered.get());
        }
        return true;
      } catch (Exception e) {
        lock.lock();
        try {
          lastWriteFailure = e;
        } finally {
          lock.unlock();
        }
        if (!failing) {
          LOG.log(Level.WARNING, failed.get() + "; retrying, and callers wait for queue room meanwhile", e);
        }
        failing = true;
      }
      if (!sleepUnlessAbandoned(backoff)) {
        LOG.log(Level.ERROR, "audit trail closed with " + unstored.get());
        return false;
      }
      backoff = Math.min(backoff * 2, MAX_BACKOFF_NANOS);
    }
  }

  /**
   * The part of a failed batch the sink does not hold yet: a sink may have stored some or all of
   * it before it failed, and writing those again would put duplicates in the chain.
   */
  private List<AuditRecord> unwritten(List<AuditRecord> batch) {
    Optional<AuditRecord> last = sink.last();
    if (last.isEmpty()) {
      return batch;
    }
    long index = last.get().sequence() - batch.get(0).sequence();
    if (index >= 0 && index < batch.size() && batch.get((int) index).hash().equals(last.get().hash())) {
      return batch.subList((int) index + 1, batch.size());
    }
    return batch;
  }

  private boolean sleepUnlessAbandoned(long nanos) {
    lock.lock();
    try {
      long remaining = nanos;
      while (!abandoned && remaining > 0) {
        remaining = work.awaitNanos(remaining);
      }
      return !abandoned;
    } catch (InterruptedException e) {
      // Nobody interrupts the writer; if someone does, keep retrying rather than lose records.
      return !abandoned;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    if (shared != null) {
      // head() would ask the database, and toString must not fail.
      return "AuditTrail[" + (asynchronous ? "asynchronous" : "synchronous") + ", shared chain, " + sink + "]";
    }
    ChainHead head = head();
    return "AuditTrail[" + (asynchronous ? "asynchronous" : "synchronous") + ", head " + head.sequence() + ", "
        + sink + "]";
  }

  /**
   * Builds an {@link AuditTrail}. Not thread-safe; each setter rejects a bad value at once.
   */
  public static final class Builder {
    private final AuditSink sink;
    private boolean asynchronous;
    private int queueCapacity = 1;
    private int maxBatchSize = 1;
    private Duration offerTimeout = Duration.ofSeconds(1);

    private Builder(AuditSink sink) {
      this.sink = Objects.requireNonNull(sink, "sink");
    }

    /**
     * Synchronous mode, the default: {@link AuditTrail#record} returns once the sink has written
     * the record.
     */
    public Builder synchronous() {
      asynchronous = false;
      return this;
    }

    /**
     * Asynchronous mode: records are queued and written by one background thread in batches.
     *
     * @param queueCapacity how many records may be accepted and not yet written, at least 1
     * @param maxBatchSize how many records one {@link AuditSink#write} call gets at most, from 1
     *     to {@code queueCapacity}
     * @param offerTimeout how long {@link AuditTrail#record} waits for room in a full queue before
     *     it refuses; positive
     * @throws NullPointerException if {@code offerTimeout} is null
     * @throws IllegalArgumentException if a value is out of range
     */
    public Builder asynchronous(int queueCapacity, int maxBatchSize, Duration offerTimeout) {
      Objects.requireNonNull(offerTimeout, "offerTimeout");
      if (queueCapacity < 1) {
        throw new IllegalArgumentException("queueCapacity must be at least 1, got " + queueCapacity);
      }
      if (maxBatchSize < 1 || maxBatchSize > queueCapacity) {
        throw new IllegalArgumentException("maxBatchSize must be from 1 to queueCapacity (" + queueCapacity
            + "), got " + maxBatchSize);
      }
      if (offerTimeout.isNegative() || offerTimeout.isZero()) {
        throw new IllegalArgumentException("offerTimeout must be positive, got " + offerTimeout);
      }
      // Converted once here so that an absurd timeout fails now, not on the first full queue.
      try {
        Math.multiplyExact(offerTimeout.toNanos(), (long) STALL_FACTOR);
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException("offerTimeout is too long, got " + offerTimeout, e);
      }
      this.asynchronous = true;
      this.queueCapacity = queueCapacity;
      this.maxBatchSize = maxBatchSize;
      this.offerTimeout = offerTimeout;
      return this;
    }

    /**
     * Builds the trail, continuing the chain from the sink's last record; in asynchronous mode,
     * starts its writer thread.
     *
     * @throws AuditUnavailableException if the sink's last record cannot be read
     */
    public AuditTrail build() {
      return new AuditTrail(this);
    }
  }
}
