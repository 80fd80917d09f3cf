package org.consent4j.jdbc.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.consent4j.core.audit.ChainHead;
import org.consent4j.spi.AuditSink;

/**
 * Takes signed {@link AuditCheckpoint}s of an audit chain and appends them to a file that the
 * audit database's users cannot write — another volume, a mount shipped to write-once storage,
 * a directory a log shipper forwards to the SIEM. Periodically with {@link #start(Duration)},
 * or on demand with {@link #checkpoint()}.
 *
 * <pre>{@code
 * AuditCheckpoints checkpoints = new AuditCheckpoints(sink, Path.of("/var/lib/crm/audit-checkpoints"), key, Clock.systemUTC());
 * checkpoints.start(Duration.ofHours(1));
 * ...
 * Verification v = AuditTrail.verify(sink, Optional.of(checkpoints.latest().orElseThrow()));
 * }</pre>
 *
 * <p>Each line is fsynced before {@link #checkpoint()} returns. Several nodes may write to their
 * own files; any node's latest checkpoint proves the chain up to it. Thread-safe.
 */
public final class AuditCheckpoints implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(AuditCheckpoints.class.getName());

  private final AuditSink sink;
  private final Path file;
  private final byte[] key;
  private final Clock clock;
  private ScheduledExecutorService timer;

  /**
   * @param sink the chain to take checkpoints of
   * @param file where to append checkpoint lines; created if absent
   * @param key the HMAC key, at least 32 bytes, kept away from the audit database
   * @param clock the time stamped on checkpoints
   * @throws IllegalArgumentException if the key is shorter than 32 bytes
   */
  public AuditCheckpoints(AuditSink sink, Path file, byte[] key, Clock clock) {
    this.sink = Objects.requireNonNull(sink, "sink");
    this.file = Objects.requireNonNull(file, "file");
    this.key = Objects.requireNonNull(key, "key").clone();
    this.clock = Objects.requireNonNull(clock, "clock");
    if (key.length < 32) {
      throw new IllegalArgumentException("the checkpoint key must have at least 32 bytes, got " + key.length);
    }
  }

  /**
   * Reads the head of the chain from the sink, signs it and appends it to the file.
   *
   * @return the checkpoint written
   * @throws org.consent4j.AuditUnavailableException if the sink cannot be read
   * @throws UncheckedIOException if the file cannot be written
   */
  public synchronized AuditCheckpoint checkpoint() {
    ChainHead head = sink.last().map(ChainHead::of).orElse(ChainHead.empty());
    AuditCheckpoint c = AuditCheckpoint.sign(head, clock.instant(), key);
    try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND)) {
      ByteBuffer line = ByteBuffer.wrap((c.toLine() + "\n").getBytes(StandardCharsets.US_ASCII));
      while (line.hasRemaining()) {
        out.write(line);
      }
      out.force(true);
    } catch (IOException e) {
      throw new UncheckedIOException("could not append the audit checkpoint to " + file, e);
    }
    return c;
  }

  /**
   * The newest checkpoint in the file whose signature is proven, as the head to verify against.
   *
   * @return empty if the file has no checkpoint
   * @throws SecurityException if the newest line's signature does not match (never falls back to
   *     an older line silently)
   * @throws UncheckedIOException if the file cannot be read
   */
  public Optional<ChainHead> latest() {
    List<String> lines;
    try {
      lines = Files.exists(file) ? Files.readAllLines(file, StandardCharsets.US_ASCII) : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the audit checkpoints in " + file, e);
    }
    for (int i = lines.size() - 1; i >= 0; i--) {
      if (!lines.get(i).isBlank()) {
        return Optional.of(AuditCheckpoint.parse(lines.get(i)).verifiedHead(key));
      }
    }
    return Optional.empty();
  }

  /**
   * Takes a checkpoint every {@code interval} on a daemon thread until {@link #close()}. A
   * checkpoint that fails is logged and tried again at the next interval.
   *
   * @throws IllegalStateException if already started
   * @throws IllegalArgumentException if the interval is not positive
   */
  public synchronized void start(Duration interval) {
    Objects.requireNonNull(interval, "interval");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be positive, got " + interval);
    }
    if (timer != null) {
      throw new IllegalStateException("audit checkpoints are already being taken");
    }
    timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "consent4j-audit-checkpoints");
      t.setDaemon(true);
      return t;
    });
    long nanos = interval.toNanos();
    timer.scheduleAtFixedRate(() -> {
      try {
        checkpoint();
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "could not take an audit checkpoint; trying again in " + interval, e);
      }
    }, nanos, nanos, TimeUnit.NANOSECONDS);
  }

  /** Stops periodic checkpoints. Idempotent. */
  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.shutdownNow();
      timer = null;
    }
  }
}
