package org.consent4j.jdbc.audit;

import org.consent4j.AuditEvent;

/** Synthetic audit events for tests outside this package. */
public final class AuditEventsForFaults {
  private AuditEventsForFaults() {}

  /** A distinct synthetic event for {@code i}. */
  public static AuditEvent event(long i) {
    return AuditEvents.event(i);
  }
}
