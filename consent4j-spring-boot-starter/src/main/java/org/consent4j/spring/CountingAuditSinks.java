package org.consent4j.spring;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.consent4j.AuditEvent;
import org.consent4j.AuditRecord;
import org.consent4j.spi.AuditSink;
import org.consent4j.spi.SharedChainAuditSink;

/**
 * Audit sinks that count what the sink they decorate stored (by outcome and reason) and otherwise
 * pass everything through; a failed write counts nothing. A shared-chain sink stays one, since the
 * trail treats those differently.
 */
final class CountingAuditSinks {
  private CountingAuditSinks() {}

  static AuditSink counting(AuditSink sink, ConsentMetrics metrics) {
    return sink instanceof SharedChainAuditSink shared ? new Shared(shared, metrics) : new Plain(sink, metrics);
  }

  static AuditSink underlying(AuditSink sink) {
    return sink instanceof Plain p ? p.sink : sink instanceof Shared s ? s.sink : sink;
  }

  private static class Plain implements AuditSink {
    final AuditSink sink;
    final ConsentMetrics metrics;

    Plain(AuditSink sink, ConsentMetrics metrics) {
      this.sink = sink;
      this.metrics = metrics;
    }

    @Override
    public void write(List<AuditRecord> records) {
      sink.write(records);
      metrics.storedRecords(records);
    }

    @Override
    public Optional<AuditRecord> last() {
      return sink.last();
    }

    @Override
    public Stream<AuditRecord> read() {
      return sink.read();
    }

    @Override
    public void close() {
      sink.close();
    }

    @Override
    public String toString() {
      return sink.toString();
    }
  }

  private static final class Shared extends Plain implements SharedChainAuditSink {
    Shared(SharedChainAuditSink sink, ConsentMetrics metrics) {
      super(sink, metrics);
    }

    @Override
    public List<AuditRecord> append(String appendId, List<AuditEvent> events) {
      List<AuditRecord> out = ((SharedChainAuditSink) sink).append(appendId, events);
      metrics.stored(events);
      return out;
    }
  }
}
