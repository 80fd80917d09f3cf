package org.consent4j.core.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.consent4j.AuditRecord;
import org.consent4j.spi.AuditSink;

/**
 * An audit sink that keeps records in memory, for tests, examples and short-lived processes.
 * Nothing survives the process, so it does not keep the durability promise of {@link
 * AuditSink#write}: use a durable sink such as {@link JsonLinesAuditSink} in production.
 *
 * <p>Thread-safe. {@link #read()} and {@link #records()} see the records written before the call.
 */
public final class InMemoryAuditSink implements AuditSink {

  private final Object lock = new Object();
  private final List<AuditRecord> records = new ArrayList<>();

  /** An empty sink. */
  public InMemoryAuditSink() {}

  /**
   * Appends the records, all or none.
   *
   * @throws NullPointerException if {@code records} or one of them is null
   */
  @Override
  public void write(List<AuditRecord> records) {
    List<AuditRecord> copy = List.copyOf(records); // rejects nulls before anything is appended
    synchronized (lock) {
      this.records.addAll(copy);
    }
  }

  /** The last record written, if any. */
  @Override
  public Optional<AuditRecord> last() {
    synchronized (lock) {
      return records.isEmpty() ? Optional.empty() : Optional.of(records.get(records.size() - 1));
    }
  }

  /** The records written so far, in the order written. */
  @Override
  public Stream<AuditRecord> read() {
    return records().stream();
  }

  /** An immutable snapshot of the records written so far, in the order written. */
  public List<AuditRecord> records() {
    synchronized (lock) {
      return List.copyOf(records);
    }
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "InMemoryAuditSink[" + records.size() + " records]";
    }
  }
}
