package org.consent4j.spring;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.consent4j.SubjectId;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.audit.AuditTrail;
import org.consent4j.jdbc.revocation.ConsentChangeFeed;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Actuator health of consent4j ({@code /actuator/health/consent4j}): UP when the consent store
 * answers, the audit trail can take records, and the change feed (if any) is fresh; DOWN otherwise,
 * with which of them failed in the details. While it is DOWN, consent4j denies the accesses that
 * depend on the failing part. The details name components and states only, never personal data.
 */
public final class ConsentHealthIndicator extends AbstractHealthIndicator {
  /** A subject id no application uses: its (empty) history is the store probe. */
  private static final SubjectId PROBE = SubjectId.of("consent4j-health-probe");
  private final ConsentEngine engine;
  private final DataSource raw;
  private final Optional<ConsentChangeFeed> feed;
  private final int queueCapacity;

  ConsentHealthIndicator(ConsentEngine engine, DataSource raw, Optional<ConsentChangeFeed> feed, int queueCapacity) {
    super("consent4j health check failed");
    this.engine = Objects.requireNonNull(engine, "engine");
    this.raw = Objects.requireNonNull(raw, "raw");
    this.feed = Objects.requireNonNull(feed, "feed");
    this.queueCapacity = queueCapacity;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    boolean up = true;
    try {
      engine.store().history(PROBE);
      builder.withDetail("store", "reachable");
    } catch (RuntimeException e) {
      up = false;
      builder.withDetail("store", "unreachable: " + e.getClass().getSimpleName());
    }
    AuditTrail audit = engine.audit();
    try {
      audit.sink().last();
      try (Connection c = raw.getConnection()) {
        if (!c.isValid(2)) {
          throw new SQLException("connection not valid");
        }
      }
      long depth = audit.queueDepth();
      builder.withDetail("auditQueueDepth", depth);
      if (audit.isAsynchronous() && depth >= queueCapacity) {
        up = false;
        builder.withDetail("audit", "queue full: accesses are refused until the sink catches up");
      } else {
        builder.withDetail("audit", audit.isAsynchronous() ? "asynchronous" : "synchronous");
      }
    } catch (RuntimeException | SQLException e) {
      up = false;
      builder.withDetail("audit", "sink unreachable: " + e.getClass().getSimpleName());
    }
    if (feed.isPresent()) {
      boolean fresh = feed.get().isFresh();
      builder.withDetail("changeFeed", fresh ? "fresh" : "stale: consent checks bypass the cache and read the store");
      up &= fresh;
    } else {
      builder.withDetail("changeFeed", "off");
    }
    if (up) {
      builder.up();
    } else {
      builder.down();
    }
  }
}
