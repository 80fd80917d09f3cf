package org.consent4j.jdbc.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.consent4j.DataCategory;
import org.consent4j.Grant;
import org.consent4j.GrantWithdrawal;
import org.consent4j.LedgerEntry;
import org.consent4j.Notice;
import org.consent4j.Purpose;
import org.consent4j.Recipient;
import org.consent4j.SubjectId;
import org.consent4j.Withdrawal;

/**
 * The current consent state table: the ledger's grants flattened to one narrow row per grant,
 * purpose, recipient and category, keyed by subject (as text and, when the id is a canonical
 * integer, as a number), so that the SQL consent check is one index probe for a point lookup and
 * one hash semi-join for an export. Not API.
 *
 * <p>The rows of a subject are a pure function of its ledger ({@link #rows}), recomputed in the
 * transaction of every append, under a lock on the subject's row in {@link Schema#stateSubject()}
 * so that concurrent appends for one subject cannot each miss the other's record. A row is left
 * out when a withdrawal voids it for every purpose it could serve: the withdrawal's purpose covers
 * the row's purpose, names no recipient or the row's, and came after the grant in the ledger or at
 * a later time than the grant was given (so importing an old consent after a withdrawal does not
 * bring it back), and every row of a grant the subject withdrew by its id is left out. A
 * withdrawal of a narrower purpose than the grant's voids only part of what the row serves: its
 * purpose goes into the row's {@code voided_purposes}, and the SQL check skips the row for every
 * purpose that overlaps one of them. So the check reads this one table, with no
 * subquery of its own, which lets the planner hash it (PostgreSQL turns such an EXISTS in a masked
 * column into a hashed subplan when many rows are read).
 */
public final class ConsentState {
  /** Subjects per query when the state is rebuilt from the whole ledger. */
  private static final int REBUILD_CHUNK = LedgerReader.CHUNK;

  private final Dialect dialect;
  private final Schema schema;
  private final LedgerReader reader;
  private final String lockInsert;
  private final String lockSelect;
  private final String delete;
  private final String insert;

  /** The state table of {@code schema} on {@code dialect}. */
  public ConsentState(Dialect dialect, Schema schema) {
    this.dialect = dialect;
    this.schema = schema;
    this.reader = new LedgerReader(schema);
    String lockTable = schema.stateSubject();
    this.lockInsert = switch (dialect) {
      case POSTGRESQL -> "INSERT INTO " + lockTable + " (subject_id) VALUES (?) ON CONFLICT DO NOTHING";
      case MARIADB, MYSQL -> "INSERT IGNORE INTO " + lockTable + " (subject_id) VALUES (?)";
      case H2 -> "MERGE INTO " + lockTable + " (subject_id) KEY (subject_id) VALUES (?)";
    };
    this.lockSelect = "SELECT subject_id FROM " + lockTable + " WHERE subject_id = ? FOR UPDATE";
    this.delete = "DELETE FROM " + schema.consentState() + " WHERE subject_id = ?";
    this.insert = "INSERT INTO " + schema.consentState()
        + " (grant_seq, subject_id, subject_num, purpose, recipient, category, granted_at_sec, granted_at_nano,"
        + " expires_at_sec, expires_at_nano, notice_id, notice_version, voided_purposes)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  }

  /**
   * One row of the state table.
   *
   * @param voidedFor the purposes of the withdrawals that void this row for some purposes but not
   *     all (a narrower purpose than the row's), sorted: the row serves no purpose overlapping one of them
   */
  public record Row(long grantSeq, SubjectId subject, Purpose purpose, Recipient recipient, DataCategory category,
      Instant grantedAt, Optional<Instant> expiresAt, Optional<Notice> notice,
      java.util.SortedSet<Purpose> voidedFor) {

    /** The voiding purposes as stored: {@code ,a,b,} (so that each is found as {@code ,a,}), or null. */
    public String voidedColumn() {
      if (voidedFor.isEmpty()) {
        return null;
      }
      StringBuilder sb = new StringBuilder(",");
      voidedFor.forEach(p -> sb.append(p.name()).append(','));
      return sb.toString();
    }
  }

  /**
   * The state rows of one subject's ledger, in ledger order.
   *
   * @param history the subject's entries in sequence order
   */
  public static List<Row> rows(List<LedgerEntry> history) {
    List<Row> out = new ArrayList<>();
    for (int i = 0; i < history.size(); i++) {
      if (!(history.get(i).record() instanceof Grant g) || withdrawnById(history, g)) {
        continue;
      }
      for (Purpose p : g.purposes()) {
        for (Recipient r : g.recipients()) {
          if (voidedForEveryPurpose(history, i, g, p, r)) {
            continue;
          }
          java.util.SortedSet<Purpose> partly = voidedForSomePurposes(history, i, g, p, r);
          for (DataCategory c : g.categories()) {
            out.add(new Row(history.get(i).sequence(), g.subject(), p, r, c, g.grantedAt(), g.expiresAt(),
                g.notice(), partly));
          }
        }
      }
    }
    return out;
  }

  /**
   * True when the subject withdrew this grant by its id: the grant then has no row at all, wherever
   * the withdrawal stands in the ledger (the same test as {@code ConsentRules.withdrawn}).
   */
  private static boolean withdrawnById(List<LedgerEntry> history, Grant g) {
    for (LedgerEntry e : history) {
      if (e.record() instanceof GrantWithdrawal w && w.voids(g)) {
        return true;
      }
    }
    return false;
  }

  /**
   * True when some withdrawal voids the grant's coverage of every purpose {@code p} covers, for
   * {@code r}: the same test as {@code ConsentRules.withdrawn}, for a withdrawal whose purpose
   * covers {@code p} and so overlaps every purpose the row can serve.
   */
  private static boolean voidedForEveryPurpose(List<LedgerEntry> history, int grantIndex, Grant g, Purpose p,
      Recipient r) {
    for (int j = 0; j < history.size(); j++) {
      if (j != grantIndex && history.get(j).record() instanceof Withdrawal w && w.purpose().covers(p)
          && w.recipient().map(r::equals).orElse(true)
          && (j > grantIndex || g.grantedAt().isBefore(w.withdrawnAt()))) {
        return true;
      }
    }
    return false;
  }

  /**
   * The purposes of the withdrawals that void the grant's coverage of {@code p} for {@code r} only
   * for part of what {@code p} covers: a withdrawal of a narrower purpose, voiding by the same test
   * as {@code ConsentRules.withdrawn}. The row then serves a purpose Q exactly when no purpose here
   * overlaps Q, which the SQL check tests on the row itself.
   */
  private static java.util.SortedSet<Purpose> voidedForSomePurposes(List<LedgerEntry> history, int grantIndex,
      Grant g, Purpose p, Recipient r) {
    java.util.SortedSet<Purpose> out = new java.util.TreeSet<>();
    for (int j = 0; j < history.size(); j++) {
      if (j != grantIndex && history.get(j).record() instanceof Withdrawal w && !w.purpose().covers(p)
          && p.covers(w.purpose()) && w.recipient().map(r::equals).orElse(true)
          && (j > grantIndex || g.grantedAt().isBefore(w.withdrawnAt()))) {
        out.add(w.purpose());
      }
    }
    return java.util.Collections.unmodifiableSortedSet(out);
  }

  /**
   * The subject id as the number an integer subject column holds, when it is the canonical
   * decimal form of a 64-bit integer ({@code "42"}, {@code "-7"}, not {@code "042"} or
   * {@code "+42"}): exactly the ids that {@code CAST(column AS VARCHAR)} of an integer column
   * produces, so comparing numbers gives the answer comparing text would.
   */
  public static Optional<Long> subjectNumber(String id) {
    int n = id.length();
    if (n == 0 || n > 20) {
      return Optional.empty();
    }
    for (int i = 0; i < n; i++) {
      char ch = id.charAt(i);
      if (!(ch >= '0' && ch <= '9') && !(i == 0 && ch == '-' && n > 1)) {
        return Optional.empty();
      }
    }
    try {
      long v = Long.parseLong(id);
      return Long.toString(v).equals(id) ? Optional.of(v) : Optional.empty();
    } catch (NumberFormatException tooLarge) {
      return Optional.empty();
    }
  }

  /**
   * Locks the subject's state row, creating it if needed, until the transaction ends. Call before
   * appending, in the append's transaction (auto-commit off).
   */
  public void lock(Connection c, SubjectId subject) throws SQLException {
    // The row exists after a subject's first append: lock it straight away. Inserting first would
    // take a shared lock on the existing row (InnoDB), which two appends would then both try to
    // upgrade: a deadlock.
    if (lockExisting(c, subject)) {
      return;
    }
    try (PreparedStatement s = c.prepareStatement(lockInsert)) {
      s.setString(1, subject.value());
      s.executeUpdate();
    } catch (SQLException e) {
      // H2's MERGE may lose a race to a concurrent insert of the same key; the row exists then.
      if (dialect != Dialect.H2 || !dialect.isAlreadyExists(e)) {
        throw e;
      }
    }
    if (!lockExisting(c, subject)) {
      throw new SQLException("the state lock row of a subject could not be read back in " + schema.stateSubject());
    }
  }

  private boolean lockExisting(Connection c, SubjectId subject) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(lockSelect)) {
      s.setString(1, subject.value());
      try (ResultSet r = s.executeQuery()) {
        return r.next();
      }
    }
  }

  /**
   * Replaces the subject's state rows by those of its ledger as this transaction sees it. Call
   * after {@link #lock} and the append, in the same transaction.
   */
  public void refresh(Connection c, SubjectId subject) throws SQLException {
    List<LedgerEntry> history = reader.read(c, List.of(subject)).get(subject);
    try (PreparedStatement s = c.prepareStatement(delete)) {
      s.setString(1, subject.value());
      s.executeUpdate();
    }
    write(c, rows(history));
  }

  /**
   * Empties the state table and fills it again from the whole ledger, reading 500 subjects per
   * query. Used by the migration that creates the table, and by bulk loads that wrote the ledger
   * tables directly. The caller owns the transaction and keeps appends out meanwhile.
   *
   * @return the number of state rows written
   */
  public long rebuild(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.executeUpdate("DELETE FROM " + schema.consentState());
    }
    List<SubjectId> subjects = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT DISTINCT subject_id FROM " + schema.grant())) {
      while (r.next()) {
        subjects.add(SubjectId.of(r.getString(1)));
      }
    }
    long written = 0;
    for (int from = 0; from < subjects.size(); from += REBUILD_CHUNK) {
      Map<SubjectId, List<LedgerEntry>> histories =
          reader.read(c, subjects.subList(from, Math.min(subjects.size(), from + REBUILD_CHUNK)));
      List<Row> rows = new ArrayList<>();
      histories.values().forEach(h -> rows.addAll(rows(h)));
      write(c, rows);
      written += rows.size();
    }
    try (PreparedStatement s = c.prepareStatement(lockInsert)) {
      for (int i = 0; i < subjects.size(); i++) {
        s.setString(1, subjects.get(i).value());
        s.addBatch();
        if (i % 1000 == 999) {
          s.executeBatch();
        }
      }
      s.executeBatch();
    }
    return written;
  }

  private void write(Connection c, List<Row> rows) throws SQLException {
    if (rows.isEmpty()) {
      return;
    }
    try (PreparedStatement s = c.prepareStatement(insert)) {
      for (Row row : rows) {
        s.setLong(1, row.grantSeq());
        s.setString(2, row.subject().value());
        Optional<Long> number = subjectNumber(row.subject().value());
        if (number.isPresent()) {
          s.setLong(3, number.get());
        } else {
          s.setNull(3, Types.BIGINT);
        }
        s.setString(4, row.purpose().name());
        s.setString(5, row.recipient().id());
        s.setString(6, row.category().name());
        s.setLong(7, row.grantedAt().getEpochSecond());
        s.setInt(8, row.grantedAt().getNano());
        if (row.expiresAt().isPresent()) {
          s.setLong(9, row.expiresAt().get().getEpochSecond());
          s.setInt(10, row.expiresAt().get().getNano());
        } else {
          s.setNull(9, Types.BIGINT);
          s.setNull(10, Types.INTEGER);
        }
        if (row.notice().isPresent()) {
          s.setString(11, row.notice().get().id());
          s.setInt(12, row.notice().get().version());
        } else {
          s.setNull(11, Types.VARCHAR);
          s.setNull(12, Types.INTEGER);
        }
        if (row.voidedColumn() == null) {
          s.setNull(13, Types.VARCHAR);
        } else {
          s.setString(13, row.voidedColumn());
        }
        s.addBatch();
      }
      s.executeBatch();
    }
  }
}
