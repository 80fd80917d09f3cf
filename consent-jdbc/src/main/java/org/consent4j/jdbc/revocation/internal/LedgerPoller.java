package org.consent4j.jdbc.revocation.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.consent4j.jdbc.internal.Schema;

/**
 * Polls the ledger for records appended since the last poll. The ledger's sequence is the change
 * counter: every grant, withdrawal and objection is a new row with a higher sequence.
 *
 * <p>Sequence numbers are handed out when a row is inserted, not when it commits, so a row can
 * become visible after rows with higher numbers (two appends committing out of order), and a
 * rolled-back append leaves a number that never appears. A number skipped over is therefore
 * kept as a <i>gap</i> and looked up again on every poll until it appears (its subject is then
 * invalidated) or until {@code gapTimeout} passes (it is then presumed rolled back, and
 * everything is invalidated once, in case it was only slow). Not API; not thread-safe (the feed's
 * thread only).
 */
public final class LedgerPoller {
  /** How far below the first high-water mark to look for appends still in flight. */
  static final int INITIAL_LOOKBACK = 1000;
  /** More gaps than this (a burst of rollbacks) and the poller forgets them all and invalidates everything. */
  static final int MAX_GAPS = 10_000;
  private static final int IN_CHUNK = 500;

  private final Schema schema;
  private final long gapTimeoutNanos;
  private boolean initialised;
  private long high;
  /** Sequence numbers skipped over, with the nanoTime they were first missed. */
  private final Map<Long, Long> gaps = new LinkedHashMap<>();

  public LedgerPoller(Schema schema, long gapTimeoutNanos) {
    this.schema = schema;
    this.gapTimeoutNanos = gapTimeoutNanos;
  }

  /** Forget the high-water mark: the next poll starts afresh and invalidates everything. */
  public void reset() {
    initialised = false;
    gaps.clear();
  }

  /** How many sequence numbers are awaited. */
  public int gapCount() {
    return gaps.size();
  }

  /**
   * One poll on {@code c}. Reports every subject whose record committed since the last poll, then
   * {@link ChangeSink#heardAt} with the time taken before the first query.
   */
  public void poll(Connection c, ChangeSink sink) throws SQLException {
    long t0 = System.nanoTime();
    if (!initialised) {
      initialise(c, t0);
      sink.changedAll();
      sink.heardAt(t0);
      return;
    }
    long expected = high + 1;
    try (PreparedStatement s = c.prepareStatement("SELECT seq, subject_id FROM " + schema.ledger()
        + " WHERE seq > ? ORDER BY seq")) {
      s.setLong(1, high);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          long seq = r.getLong(1);
          for (long missing = expected; missing < seq; missing++) {
            gaps.put(missing, t0);
          }
          expected = seq + 1;
          high = seq;
          sink.changed(r.getString(2));
        }
      }
    }
    if (!gaps.isEmpty()) {
      lookUpGaps(c, sink);
      boolean expired = false;
      for (Iterator<Long> i = gaps.values().iterator(); i.hasNext(); ) {
        if (t0 - i.next() > gapTimeoutNanos) {
          i.remove();
          expired = true;
        }
      }
      if (expired || gaps.size() > MAX_GAPS) {
        gaps.clear();
        sink.changedAll();
      }
    }
    sink.heardAt(t0);
  }

  private void initialise(Connection c, long t0) throws SQLException {
    gaps.clear();
    long max;
    try (PreparedStatement s = c.prepareStatement("SELECT MAX(seq) FROM " + schema.ledger());
        ResultSet r = s.executeQuery()) {
      r.next();
      max = r.getLong(1);
    }
    // Appends in flight now may have numbers below the maximum: await those missing nearby.
    long from = Math.max(0, max - INITIAL_LOOKBACK);
    boolean[] present = new boolean[(int) (max - from)];
    try (PreparedStatement s = c.prepareStatement("SELECT seq FROM " + schema.ledger() + " WHERE seq > ?")) {
      s.setLong(1, from);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          long seq = r.getLong(1);
          if (seq <= max) {
            present[(int) (seq - from - 1)] = true;
          }
        }
      }
    }
    for (int i = 0; i < present.length; i++) {
      if (!present[i]) {
        gaps.put(from + 1 + i, t0);
      }
    }
    high = max;
    initialised = true;
  }

  private void lookUpGaps(Connection c, ChangeSink sink) throws SQLException {
    List<Long> all = new ArrayList<>(gaps.keySet());
    for (int from = 0; from < all.size(); from += IN_CHUNK) {
      List<Long> chunk = all.subList(from, Math.min(all.size(), from + IN_CHUNK));
      String marks = "?, ".repeat(chunk.size() - 1) + "?";
      try (PreparedStatement s = c.prepareStatement("SELECT seq, subject_id FROM " + schema.ledger()
          + " WHERE seq IN (" + marks + ")")) {
        for (int i = 0; i < chunk.size(); i++) {
          s.setLong(i + 1, chunk.get(i));
        }
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            gaps.remove(r.getLong(1));
            sink.changed(r.getString(2));
          }
        }
      }
    }
  }
}
