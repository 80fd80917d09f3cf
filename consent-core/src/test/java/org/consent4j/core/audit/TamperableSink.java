package org.consent4j.core.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.consent4j.AuditRecord;
import org.consent4j.spi.AuditSink;

/** A sink whose records a test may change behind the trail's back. */
class TamperableSink implements AuditSink {
  final List<AuditRecord> records;

  TamperableSink(List<AuditRecord> records) {
    this.records = new ArrayList<>(records);
  }

  @Override
  public synchronized void write(List<AuditRecord> batch) {
    records.addAll(batch);
  }

  @Override
  public synchronized Optional<AuditRecord> last() {
    return records.isEmpty() ? Optional.empty() : Optional.of(records.get(records.size() - 1));
  }

  @Override
  public synchronized Stream<AuditRecord> read() {
    return List.copyOf(records).stream();
  }
}
