package org.consent4j.spring;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import org.consent4j.core.audit.AuditTrail;
import org.consent4j.jdbc.revocation.ConsentChangeFeed;
import org.consent4j.jdbc.spi.StatementObserver;

/**
 * Registers the {@code consent4j.*} meters (docs/SPRING-BOOT.md, "Metrics"):
 * {@code consent4j.decisions} (outcome, reason), {@code consent4j.statements} (form),
 * {@code consent4j.rewrite.cache} (result hit/miss), {@code consent4j.audit.queue.depth},
 * {@code consent4j.audit.lag} (seconds), {@code consent4j.feed.fresh} (1/0) and
 * {@code consent4j.feed.changes}.
 */
final class ConsentMeterBinder implements MeterBinder {
  private final ConsentMetrics metrics;
  private final AuditTrail audit;
  private final Optional<ConsentChangeFeed> feed;
  private final Clock clock;

  ConsentMeterBinder(ConsentMetrics metrics, AuditTrail audit, Optional<ConsentChangeFeed> feed, Clock clock) {
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.audit = Objects.requireNonNull(audit, "audit");
    this.feed = Objects.requireNonNull(feed, "feed");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    metrics.onNewDecisionKey(key -> FunctionCounter.builder("consent4j.decisions", metrics, m -> m.decisions(key))
        .description("audited decisions, counted when their records are stored")
        .tag("outcome", key.outcome().name()).tag("reason", key.reason()).register(registry));
    for (StatementObserver.Form form : StatementObserver.Form.values()) {
      FunctionCounter.builder("consent4j.statements", metrics, m -> m.statements(form))
          .description("SQL strings through the guarded data source, by what became of them")
          .tag("form", form.name().toLowerCase(java.util.Locale.ROOT)).register(registry);
    }
    FunctionCounter.builder("consent4j.rewrite.cache", metrics, ConsentMetrics::rewriteCacheHits)
        .description("rewrite cache lookups").tag("result", "hit").register(registry);
    FunctionCounter.builder("consent4j.rewrite.cache", metrics, ConsentMetrics::rewriteCacheMisses)
        .description("rewrite cache lookups").tag("result", "miss").register(registry);
    Gauge.builder("consent4j.audit.queue.depth", audit, AuditTrail::queueDepth)
        .description("accepted audit records not yet stored (asynchronous mode)").register(registry);
    Gauge.builder("consent4j.audit.lag", audit, a -> a.oldestQueuedEventTime()
            .map(t -> Math.max(0, clock.millis() - t.toEpochMilli()) / 1000.0).orElse(0.0))
        .description("age of the oldest audit event waiting in the queue").baseUnit("seconds").register(registry);
    feed.ifPresent(f -> {
      Gauge.builder("consent4j.feed.fresh", f, x -> x.isFresh() ? 1 : 0)
          .description("1 while the change feed is within its staleness bound").register(registry);
      Gauge.builder("consent4j.feed.staleness", f, x -> x.staleness().map(d -> d.toNanos() / 1e9).orElse(Double.NaN))
          .description("time since the change feed's last proof of freshness").baseUnit("seconds").register(registry);
      FunctionCounter.builder("consent4j.feed.changes", f, ConsentChangeFeed::changesSeen)
          .description("changes of other nodes the feed heard").register(registry);
      FunctionCounter.builder("consent4j.feed.failures", f, ConsentChangeFeed::failures)
          .description("failures of the feed's connection or polls").register(registry);
    });
  }
}
