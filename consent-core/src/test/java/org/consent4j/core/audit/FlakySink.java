package org.consent4j.core.audit;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.consent4j.AuditRecord;
import org.consent4j.spi.AuditSink;

/** An in-memory sink that fails on demand, for fault injection. */
final class FlakySink implements AuditSink {
  enum Mode { WORK, FAIL, STORE_THEN_FAIL }

  final InMemoryAuditSink delegate = new InMemoryAuditSink();
  volatile Mode mode = Mode.WORK;
  /** While positive, each write fails and counts it down; then {@link #mode} applies. */
  final AtomicInteger failNextWrites = new AtomicInteger();
  /** While positive, each write stores the records, then fails, and counts it down. */
  final AtomicInteger storeThenFailNextWrites = new AtomicInteger();
  final AtomicInteger writeCalls = new AtomicInteger();
  final AtomicInteger closeCalls = new AtomicInteger();

  @Override
  public void write(List<AuditRecord> records) {
    writeCalls.incrementAndGet();
    if (failNextWrites.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw new IllegalStateException("disk full");
    }
    if (storeThenFailNextWrites.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      delegate.write(records);
      throw new IllegalStateException("acknowledgement lost");
    }
    switch (mode) {
      case WORK -> delegate.write(records);
      case FAIL -> throw new IllegalStateException("disk full");
      case STORE_THEN_FAIL -> {
        delegate.write(records);
        throw new IllegalStateException("acknowledgement lost");
      }
    }
  }

  @Override
  public Optional<AuditRecord> last() {
    return delegate.last();
  }

  @Override
  public Stream<AuditRecord> read() {
    return delegate.read();
  }

  @Override
  public void close() {
    closeCalls.incrementAndGet();
  }

  List<AuditRecord> records() {
    return delegate.records();
  }
}
