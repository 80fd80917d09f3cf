package org.consent4j.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.consent4j.AuditEvent;
import org.consent4j.AuditRecord;
import org.consent4j.Outcome;
import org.consent4j.Purpose;
import org.consent4j.Recipient;
import org.consent4j.SubjectId;
import org.consent4j.core.ConsentEngine;
import org.consent4j.jdbc.internal.Schema;
import org.consent4j.jdbc.spi.RecipientListener;

/**
 * Delivers the notifications of GDPR Art. 19 from the outbox of a {@link JdbcConsentStore}: every
 * withdrawal the store records, and every {@link Erasure}, queues one in the same transaction;
 * {@link #deliverPending()} tells each recipient that received the subject's data — as the
 * subject-level audit events of the engine's trail show: a permitted access naming the subject,
 * for a third-party recipient, before the withdrawal or erasure, and for a withdrawal under a
 * purpose overlapping the one withdrawn (and for its recipient, when it names one).
 *
 * <p>At least once: a recipient's delivery is recorded only after the {@link RecipientListener}
 * returns; if it throws, the notification stays pending (its attempt count and the exception's
 * class are recorded, never its message) and the next run retries the recipients not yet
 * delivered. A notification is done when all its recipients are. Run {@code deliverPending} from a
 * scheduler. SQL access to the trail: audit levels that do not name subjects (the JDBC path's
 * default) do not count as evidence of a recipient; use {@code AuditLevel.SUBJECT}.
 *
 * <p>Thread-safe: runs of one notifier are serialised; notifiers on several nodes may deliver a
 * notification twice, which at-least-once allows.
 */
public final class RecipientNotifier {
  private final DataSource dataSource;
  private final Schema schema;
  private final ConsentEngine engine;
  private final RecipientListener listener;
  private final int batchSize;

  private RecipientNotifier(DataSource dataSource, Schema storeTables, ConsentEngine engine,
      RecipientListener listener, int batchSize) {
    this.dataSource = dataSource;
    this.schema = storeTables;
    this.engine = engine;
    this.listener = listener;
    this.batchSize = batchSize;
  }

  /**
   * A notifier over the outbox of {@code store} (in the database of {@code dataSource}), finding
   * recipients in {@code engine}'s audit trail and telling them through {@code listener}.
   */
  public static RecipientNotifier create(DataSource dataSource, JdbcConsentStore store, ConsentEngine engine,
      RecipientListener listener) {
    Objects.requireNonNull(dataSource, "dataSource");
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(listener, "listener");
    return new RecipientNotifier(dataSource, store.tables(), engine, listener, 500);
  }

  private record Pending(long id, SubjectId subject, char kind, Optional<Purpose> purpose,
      Optional<Recipient> recipient, Instant at) {}

  /**
   * Delivers up to 500 pending notifications, oldest first.
   *
   * @return how many deliveries to a recipient succeeded in this run
   * @throws SQLException if the outbox cannot be read or written (nothing is lost: the
   *     notification stays pending)
   */
  public synchronized int deliverPending() throws SQLException {
    List<Pending> pending = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement("SELECT id, subject_id, kind, purpose, recipient, created_at_sec,"
            + " created_at_nano FROM " + schema.notification() + " WHERE done = 0 ORDER BY id")) {
      s.setMaxRows(batchSize);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          pending.add(new Pending(r.getLong(1), SubjectId.of(r.getString(2)), r.getString(3).charAt(0),
              Optional.ofNullable(r.getString(4)).map(Purpose::of), Optional.ofNullable(r.getString(5)).map(Recipient::of),
              Instant.ofEpochSecond(r.getLong(6), r.getInt(7))));
        }
      }
    }
    if (pending.isEmpty()) {
      return 0;
    }
    Map<SubjectId, List<AuditEvent>> evidence = evidence(pending);
    int delivered = 0;
    for (Pending p : pending) {
      Set<Recipient> done = delivered(p.id());
      boolean failed = false;
      for (Recipient r : recipients(p, evidence.getOrDefault(p.subject(), List.of()))) {
        if (done.contains(r)) {
          continue;
        }
        try {
          listener.notify(new RecipientNotification(p.id(), p.subject(), r,
              p.kind() == 'W' ? RecipientNotification.Kind.WITHDRAWAL : RecipientNotification.Kind.ERASURE,
              p.purpose(), p.at()));
        } catch (Exception e) {
          // guarded deliberately: a failing recipient must not stop the others, and it is retried
          failed = true;
          recordFailure(p.id(), e);
          continue;
        }
        recordDelivery(p.id(), r);
        delivered++;
      }
      if (!failed) {
        markDone(p.id());
      }
    }
    return delivered;
  }

  /**
   * How many notifications are not yet delivered to all their recipients.
   *
   * @throws SQLException if the outbox cannot be read
   */
  public long pendingCount() throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement("SELECT count(*) FROM " + schema.notification() + " WHERE done = 0");
        ResultSet r = s.executeQuery()) {
      r.next();
      return r.getLong(1);
    }
  }

  private Map<SubjectId, List<AuditEvent>> evidence(List<Pending> pending) {
    Set<SubjectId> subjects = new HashSet<>();
    pending.forEach(p -> subjects.add(p.subject()));
    Map<SubjectId, List<AuditEvent>> out = new HashMap<>();
    engine.audit().flush();
    try (Stream<AuditRecord> records = engine.audit().sink().read()) {
      records.map(AuditRecord::event)
          .filter(e -> e.outcome() != Outcome.DENY && !e.recipient().isFirstParty())
          .forEach(e -> {
            for (SubjectId s : e.subjects()) {
              if (subjects.contains(s)) {
                out.computeIfAbsent(s, k -> new ArrayList<>()).add(e);
              }
            }
          });
    }
    return out;
  }

  private static Set<Recipient> recipients(Pending p, List<AuditEvent> events) {
    TreeSet<Recipient> out = new TreeSet<>();
    for (AuditEvent e : events) {
      if (e.time().isAfter(p.at())) {
        continue;
      }
      if (p.kind() == 'W' && !p.purpose().map(w -> w.overlaps(e.purpose())).orElse(true)) {
        continue;
      }
      if (p.recipient().isPresent() && !p.recipient().get().equals(e.recipient())) {
        continue;
      }
      out.add(e.recipient());
    }
    return out;
  }

  private Set<Recipient> delivered(long id) throws SQLException {
    Set<Recipient> out = new HashSet<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement("SELECT recipient FROM " + schema.notificationDelivery()
            + " WHERE notification_id = ?")) {
      s.setLong(1, id);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          out.add(Recipient.of(r.getString(1)));
        }
      }
    }
    return out;
  }

  private void recordDelivery(long id, Recipient r) throws SQLException {
    Instant now = engine.clock().instant();
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement("INSERT INTO " + schema.notificationDelivery()
            + " (notification_id, recipient, delivered_at_sec, delivered_at_nano) VALUES (?, ?, ?, ?)")) {
      s.setLong(1, id);
      s.setString(2, r.id());
      s.setLong(3, now.getEpochSecond());
      s.setInt(4, now.getNano());
      s.executeUpdate();
    }
  }

  private void recordFailure(long id, Exception e) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement("UPDATE " + schema.notification()
            + " SET attempts = attempts + 1, last_failure = ? WHERE id = ?")) {
      String name = e.getClass().getName();
      s.setString(1, name.length() > 200 ? name.substring(0, 200) : name);
      s.setLong(2, id);
      s.executeUpdate();
    }
  }

  private void markDone(long id) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement("UPDATE " + schema.notification() + " SET done = 1 WHERE id = ?")) {
      s.setLong(1, id);
      s.executeUpdate();
    }
  }
}
