package org.consent4j.jdbc.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.consent4j.ConsentRecord;
import org.consent4j.Evidence;
import org.consent4j.Grant;
import org.consent4j.GrantWithdrawal;
import org.consent4j.Objection;
import org.consent4j.Withdrawal;

/**
 * Appends records to the ledger tables: INSERT only, never UPDATE or DELETE. The caller owns the
 * transaction. Not API.
 */
public final class LedgerWriter {
  private final Schema schema;
  private final String insertLedger;
  private final String insertGrant;
  private final String insertPurpose;
  private final String insertCategory;
  private final String insertRecipient;
  private final String insertExplicit;
  private final String insertWithdrawal;
  private final String insertGrantWithdrawal;
  private final String grantPairs;
  private final String insertObjection;
  private final String insertNotification;

  /** The writer for the tables of {@code schema}. */
  public LedgerWriter(Schema schema) {
    this.schema = schema;
    this.insertLedger = "INSERT INTO " + schema.ledger()
        + " (subject_id, kind, recorded_at_sec, recorded_at_nano) VALUES (?, ?, ?, ?)";
    this.insertGrant = "INSERT INTO " + schema.grant()
        + " (seq, grant_id, subject_id, granted_at_sec, granted_at_nano, expires_at_sec, expires_at_nano,"
        + " notice_id, notice_version, evidence_method, evidence_ref) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    this.insertPurpose = "INSERT INTO " + schema.grantPurpose() + " (seq, purpose) VALUES (?, ?)";
    this.insertCategory = "INSERT INTO " + schema.grantCategory() + " (seq, category) VALUES (?, ?)";
    this.insertRecipient = "INSERT INTO " + schema.grantRecipient() + " (seq, recipient) VALUES (?, ?)";
    this.insertExplicit = "INSERT INTO " + schema.grantExplicit() + " (seq, scope) VALUES (?, ?)";
    this.insertWithdrawal = "INSERT INTO " + schema.withdrawal()
        + " (seq, subject_id, purpose, recipient, withdrawn_at_sec, withdrawn_at_nano, evidence_method,"
        + " evidence_ref) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    this.insertGrantWithdrawal = "INSERT INTO " + schema.grantWithdrawal()
        + " (seq, subject_id, grant_id, withdrawn_at_sec, withdrawn_at_nano, evidence_method, evidence_ref)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?)";
    this.grantPairs = "SELECT DISTINCT p.purpose, r.recipient FROM " + schema.grant() + " g JOIN " + schema.grantPurpose()
        + " p ON p.seq = g.seq JOIN " + schema.grantRecipient() + " r ON r.seq = g.seq"
        + " WHERE g.subject_id = ? AND g.grant_id = ? ORDER BY p.purpose, r.recipient";
    this.insertObjection = "INSERT INTO " + schema.objection()
        + " (seq, subject_id, purpose, objected_at_sec, objected_at_nano, evidence_method, evidence_ref)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?)";
    this.insertNotification = "INSERT INTO " + schema.notification()
        + " (subject_id, kind, purpose, recipient, created_at_sec, created_at_nano) VALUES (?, ?, ?, ?, ?, ?)";
  }

  /**
   * Queues the notification of the recipients of a withdrawal or erasure (Art. 19), in the caller's
   * transaction; {@code RecipientNotifier} delivers it.
   *
   * @param kind {@code 'W'} withdrawal or {@code 'E'} erasure
   */
  public void queueNotification(Connection c, org.consent4j.SubjectId subject, char kind,
      java.util.Optional<org.consent4j.Purpose> purpose, java.util.Optional<org.consent4j.Recipient> recipient,
      Instant at) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(insertNotification)) {
      s.setString(1, subject.value());
      s.setString(2, String.valueOf(kind));
      s.setString(3, purpose.map(org.consent4j.Purpose::name).orElse(null));
      s.setString(4, recipient.map(org.consent4j.Recipient::id).orElse(null));
      s.setLong(5, at.getEpochSecond());
      s.setInt(6, at.getNano());
      s.executeUpdate();
    }
  }

  /** The tables written to. */
  public Schema schema() {
    return schema;
  }

  /**
   * Inserts the record's rows and returns the sequence number the database gave it.
   *
   * @throws SQLException if an insert fails; the caller rolls back
   */
  public long append(Connection c, ConsentRecord record, Instant recordedAt) throws SQLException {
    long seq = insertLedger(c, record, recordedAt);
    if (record instanceof Grant g) {
      insertGrant(c, seq, g);
    } else if (record instanceof Withdrawal w) {
      insertWithdrawal(c, seq, w);
      queueNotification(c, w.subject(), 'W', java.util.Optional.of(w.purpose()), w.recipient(), recordedAt);
    } else if (record instanceof GrantWithdrawal w) {
      insertGrantWithdrawal(c, seq, w);
      // Art. 19: the recipients of what the grant covered, one notification per purpose and recipient
      for (String[] pair : grantPairs(c, w)) {
        queueNotification(c, w.subject(), 'W', java.util.Optional.of(org.consent4j.Purpose.of(pair[0])),
            java.util.Optional.of(org.consent4j.Recipient.of(pair[1])), recordedAt);
      }
    } else if (record instanceof Objection o) {
      insertObjection(c, seq, o);
    } else {
      throw new AssertionError("unknown record type " + record.getClass());
    }
    return seq;
  }

  private long insertLedger(Connection c, ConsentRecord record, Instant recordedAt) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(insertLedger, Statement.RETURN_GENERATED_KEYS)) {
      s.setString(1, record.subject().value());
      s.setString(2, String.valueOf(RecordKind.of(record).code()));
      s.setLong(3, recordedAt.getEpochSecond());
      s.setInt(4, recordedAt.getNano());
      s.executeUpdate();
      try (ResultSet keys = s.getGeneratedKeys()) {
        // PostgreSQL returns every column (RETURNING *), seq first; H2 and MariaDB the key only.
        if (!keys.next()) {
          throw new SQLException("the database returned no generated sequence number for the ledger row");
        }
        return keys.getLong(1);
      }
    }
  }

  private void insertGrant(Connection c, long seq, Grant g) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(insertGrant)) {
      s.setLong(1, seq);
      s.setString(2, g.id().value());
      s.setString(3, g.subject().value());
      s.setLong(4, g.grantedAt().getEpochSecond());
      s.setInt(5, g.grantedAt().getNano());
      if (g.expiresAt().isPresent()) {
        s.setLong(6, g.expiresAt().get().getEpochSecond());
        s.setInt(7, g.expiresAt().get().getNano());
      } else {
        s.setNull(6, Types.BIGINT);
        s.setNull(7, Types.INTEGER);
      }
      if (g.notice().isPresent()) {
        s.setString(8, g.notice().get().id());
        s.setInt(9, g.notice().get().version());
      } else {
        s.setNull(8, Types.VARCHAR);
        s.setNull(9, Types.INTEGER);
      }
      setEvidence(s, 10, g.evidence());
      s.executeUpdate();
    }
    insertSet(c, insertPurpose, seq, g.purposes().stream().map(p -> p.name()).toList());
    insertSet(c, insertCategory, seq, g.categories().stream().map(x -> x.name()).toList());
    insertSet(c, insertRecipient, seq, g.recipients().stream().map(r -> r.id()).toList());
    insertExplicit(c, seq, g);
  }

  private void insertExplicit(Connection c, long seq, Grant g) throws SQLException {
    List<String> scopes = new ArrayList<>(2);
    if (g.explicit()) {
      scopes.add("categories");
    }
    if (g.explicitTransfer()) {
      scopes.add("transfer");
    }
    if (!scopes.isEmpty()) {
      insertSet(c, insertExplicit, seq, scopes);
    }
  }

  private static void insertSet(Connection c, String sql, long seq, Collection<String> values) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      for (String v : values) {
        s.setLong(1, seq);
        s.setString(2, v);
        s.addBatch();
      }
      s.executeBatch();
    }
  }

  private void insertWithdrawal(Connection c, long seq, Withdrawal w) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(insertWithdrawal)) {
      s.setLong(1, seq);
      s.setString(2, w.subject().value());
      s.setString(3, w.purpose().name());
      if (w.recipient().isPresent()) {
        s.setString(4, w.recipient().get().id());
      } else {
        s.setNull(4, Types.VARCHAR);
      }
      s.setLong(5, w.withdrawnAt().getEpochSecond());
      s.setInt(6, w.withdrawnAt().getNano());
      setEvidence(s, 7, w.evidence());
      s.executeUpdate();
    }
  }

  private void insertGrantWithdrawal(Connection c, long seq, GrantWithdrawal w) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(insertGrantWithdrawal)) {
      s.setLong(1, seq);
      s.setString(2, w.subject().value());
      s.setString(3, w.grant().value());
      s.setLong(4, w.withdrawnAt().getEpochSecond());
      s.setInt(5, w.withdrawnAt().getNano());
      setEvidence(s, 6, w.evidence());
      s.executeUpdate();
    }
  }

  /** The purpose and recipient pairs of the subject's grants with the withdrawn id. */
  private List<String[]> grantPairs(Connection c, GrantWithdrawal w) throws SQLException {
    List<String[]> out = new ArrayList<>();
    try (PreparedStatement s = c.prepareStatement(grantPairs)) {
      s.setString(1, w.subject().value());
      s.setString(2, w.grant().value());
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          out.add(new String[] {r.getString(1), r.getString(2)});
        }
      }
    }
    return out;
  }

  private void insertObjection(Connection c, long seq, Objection o) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(insertObjection)) {
      s.setLong(1, seq);
      s.setString(2, o.subject().value());
      s.setString(3, o.purpose().name());
      s.setLong(4, o.objectedAt().getEpochSecond());
      s.setInt(5, o.objectedAt().getNano());
      setEvidence(s, 6, o.evidence());
      s.executeUpdate();
    }
  }

  private static void setEvidence(PreparedStatement s, int index, Evidence e) throws SQLException {
    s.setString(index, e.method().name());
    s.setString(index + 1, e.reference());
  }
}
