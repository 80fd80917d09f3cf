package org.consent4j.jdbc.revocation.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.consent4j.jdbc.internal.Schema;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Listens on PostgreSQL's channel {@code <prefix>changes}, where a trigger on the ledger sends
 * {@code <seq>:<subject>} for every record when its append commits.
 *
 * <p>Freshness comes from heartbeats sent through the same channel: PostgreSQL delivers
 * notifications to a listener in the order their transactions committed, so when this listener
 * receives its own heartbeat sent at time t, it has received every notification of every append
 * committed before t. A listener that does not get its heartbeat back within the staleness bound
 * treats its connection as broken. Not API; not thread-safe (the feed's thread only). Loaded only
 * on PostgreSQL, so the driver is needed only there.
 */
public final class PgChangeListener implements AutoCloseable {
  private final Connection connection;
  private final PGConnection pg;
  private final String channel;
  private final String heartbeatPrefix;
  private long heartbeatNumber;
  /** nanoTime the outstanding heartbeat was sent, or -1. */
  private long heartbeatSentAt = -1;
  private long lastHeartbeatAt;
  private long notifications;

  /**
   * Takes {@code connection} (closed by {@link #close()}), LISTENs, and reports {@link
   * ChangeSink#changedAll()}: whatever happened before it listened is unknown.
   */
  public PgChangeListener(Connection connection, Schema schema, ChangeSink sink) throws SQLException {
    this.connection = connection;
    try {
      this.pg = connection.unwrap(PGConnection.class);
      this.channel = schema.changeChannel();
      this.heartbeatPrefix = "hb:" + UUID.randomUUID() + ":";
      connection.setAutoCommit(true);
      try (Statement s = connection.createStatement()) {
        s.execute("LISTEN " + channel);
      }
    } catch (SQLException | RuntimeException e) {
      try {
        connection.close();
      } catch (SQLException c) {
        e.addSuppressed(c);
      }
      throw e;
    }
    sink.changedAll();
  }

  /** How many change notifications (not heartbeats) arrived. */
  public long notifications() {
    return notifications;
  }

  /**
   * Sends a heartbeat when one is due, then waits up to {@code waitMillis} for notifications and
   * reports them.
   *
   * @throws SQLException if the connection failed, or a heartbeat did not come back within
   *     {@code stalenessNanos}
   */
  public void step(ChangeSink sink, long heartbeatIntervalNanos, long stalenessNanos, int waitMillis)
      throws SQLException {
    long now = System.nanoTime();
    if (heartbeatSentAt >= 0 && now - heartbeatSentAt > stalenessNanos) {
      throw new SQLException("no heartbeat came back on channel " + channel + " within the staleness bound");
    }
    if (heartbeatSentAt < 0 && now - lastHeartbeatAt >= heartbeatIntervalNanos) {
      heartbeatNumber++;
      heartbeatSentAt = System.nanoTime();
      lastHeartbeatAt = heartbeatSentAt;
      try (PreparedStatement s = connection.prepareStatement("SELECT pg_notify(?, ?)")) {
        s.setString(1, channel);
        s.setString(2, heartbeatPrefix + heartbeatNumber);
        s.execute();
      }
    }
    PGNotification[] received = pg.getNotifications(Math.max(1, waitMillis));
    if (received == null) {
      return;
    }
    for (PGNotification n : received) {
      String payload = n.getParameter();
      if (payload.startsWith("hb:")) {
        if (payload.equals(heartbeatPrefix + heartbeatNumber) && heartbeatSentAt >= 0) {
          sink.heardAt(heartbeatSentAt);
          heartbeatSentAt = -1;
        }
        continue; // another node's heartbeat, or an old one of ours
      }
      int colon = payload.indexOf(':');
      if (colon < 0) {
        sink.changedAll(); // not ours: be safe
        continue;
      }
      notifications++;
      sink.changed(payload.substring(colon + 1));
    }
  }

  @Override
  public void close() {
    try (Statement s = connection.createStatement()) {
      s.execute("UNLISTEN *"); // a pooled connection must not keep collecting notifications
    } catch (SQLException ignored) {
      // Broken already: the pool discards it.
    }
    try {
      connection.close();
    } catch (SQLException ignored) {
      // The connection is broken already; a pool discards it.
    }
  }
}
