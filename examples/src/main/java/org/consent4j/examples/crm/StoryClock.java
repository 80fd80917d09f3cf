package org.consent4j.examples.crm;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * The clock the CRM story runs by: it stands still until the story moves it, so that expiry,
 * grant times and the audit trail's timestamps are the same on every run. Give an engine a clock
 * like this in tests; in production, leave the engine on the system clock.
 *
 * <p>Thread-safe.
 */
public final class StoryClock extends Clock {
  private volatile Instant now;

  /** A clock that reads {@code start} until {@linkplain #advance advanced}. */
  public StoryClock(Instant start) {
    this.now = Objects.requireNonNull(start, "start");
  }

  /** Moves the clock forward by {@code d}. */
  public void advance(Duration d) {
    Objects.requireNonNull(d, "d");
    if (d.isNegative()) {
      throw new IllegalArgumentException("a story clock only moves forward, got " + d);
    }
    now = now.plus(d);
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("a story clock is UTC only");
  }
}
