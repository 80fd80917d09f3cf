package org.consent4j.benchmarks;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.consent4j.AuditRecord;
import org.consent4j.spi.AuditSink;

/**
 * An in-process audit sink that keeps only the last record written (enough for the trail to
 * continue its chain) and counts the rest, so that a benchmark measures the trail and its hash
 * chain rather than a list growing by millions of records. Thread-safe.
 */
public final class LastRecordSink implements AuditSink {
  private volatile AuditRecord last;
  private volatile long written;

  @Override
  public synchronized void write(List<AuditRecord> records) {
    if (!records.isEmpty()) {
      last = records.get(records.size() - 1);
      written += records.size();
    }
  }

  @Override
  public Optional<AuditRecord> last() {
    return Optional.ofNullable(last);
  }

  /** Not kept: this sink is for measuring only. */
  @Override
  public Stream<AuditRecord> read() {
    throw new UnsupportedOperationException("a LastRecordSink keeps only the last record; it cannot be read back");
  }

  /** Records written so far. */
  public long written() {
    return written;
  }
}
