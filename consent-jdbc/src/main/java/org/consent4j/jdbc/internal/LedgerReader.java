package org.consent4j.jdbc.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.TreeSet;
import org.consent4j.CollectionMethod;
import org.consent4j.ConsentRecord;
import org.consent4j.DataCategory;
import org.consent4j.Evidence;
import org.consent4j.Grant;
import org.consent4j.GrantId;
import org.consent4j.GrantWithdrawal;
import org.consent4j.LedgerEntry;
import org.consent4j.Notice;
import org.consent4j.Objection;
import org.consent4j.Purpose;
import org.consent4j.Recipient;
import org.consent4j.SubjectId;
import org.consent4j.Withdrawal;

/**
 * Reads subjects' ledgers: for up to {@link #CHUNK} subjects, one query for the ledger rows (the
 * ledger joined to its grant, withdrawal, grant withdrawal and objection rows, in sequence order) and, when there
 * are grants, one for their purposes, categories and recipients. SELECT only. Not API.
 */
public final class LedgerReader {
  /** The most subjects one query asks for. */
  public static final int CHUNK = 500;

  /**
   * IN lists are padded to one of these lengths (repeating the last id), so a statement cache
   * sees a handful of SQL texts rather than one per list length.
   */
  private static final int[] LIST_SIZES = {1, 4, 16, 64, 256, CHUNK};

  private final Schema schema;
  private final Map<Integer, String> entrySql = new HashMap<>();
  private final Map<Integer, String> setSql = new HashMap<>();

  /** The reader for the tables of {@code schema}. */
  public LedgerReader(Schema schema) {
    this.schema = schema;
    for (int n : LIST_SIZES) {
      entrySql.put(n, entrySql(schema, n));
      setSql.put(n, setSql(schema, n));
    }
  }

  /**
   * The ledgers of these subjects, in sequence order, with an entry (possibly empty) for each.
   *
   * @param subjects distinct subjects
   * @throws SQLException if a query fails
   * @throws InvalidLedgerException if a row does not form a valid record
   */
  public Map<SubjectId, List<LedgerEntry>> read(Connection c, List<SubjectId> subjects) throws SQLException {
    Map<SubjectId, List<LedgerEntry>> out = new LinkedHashMap<>();
    for (int from = 0; from < subjects.size(); from += CHUNK) {
      List<SubjectId> chunk = subjects.subList(from, Math.min(subjects.size(), from + CHUNK));
      out.putAll(readChunk(c, chunk));
    }
    return out;
  }

  private Map<SubjectId, List<LedgerEntry>> readChunk(Connection c, List<SubjectId> chunk) throws SQLException {
    int size = paddedSize(chunk.size());
    // Keyed by the exact id: a database collation that pads or folds never merges two subjects.
    Map<String, SubjectId> wanted = new HashMap<>();
    chunk.forEach(s -> wanted.put(s.value(), s));
    List<Row> rows = new ArrayList<>();
    boolean anyGrant = false;
    try (PreparedStatement s = c.prepareStatement(entrySql.get(size))) {
      bind(s, chunk, size, 0);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          SubjectId subject = wanted.get(r.getString(2));
          if (subject != null) {
            Row row = Row.read(r, subject);
            rows.add(row);
            anyGrant |= row.kind == RecordKind.GRANT;
          }
        }
      }
    }
    Map<Long, GrantSets> sets = anyGrant ? readSets(c, chunk, size) : Map.of();

    Map<SubjectId, List<LedgerEntry>> out = new LinkedHashMap<>();
    chunk.forEach(s -> out.put(s, new ArrayList<>()));
    for (Row row : rows) {
      out.get(row.subject).add(row.toEntry(sets.get(row.seq)));
    }
    out.replaceAll((s, list) -> Collections.unmodifiableList(list));
    return out;
  }

  /**
   * Streams every ledger of the store to {@code sink}: one query, the entry query of {@link #read}
   * joined to the grants' sets, in subject then sequence order, read {@code fetchSize} rows at a
   * time. The rows of one record come together (they share subject and sequence); a subject whose
   * rows a database collation interleaves with another's (two ids it compares equal) may be passed
   * in more than one part, which {@link org.consent4j.core.LedgerSource} allows its readers to
   * detect. SELECT only.
   *
   * @param progress called with the number of rows read, every {@code progressEvery} rows
   * @throws SQLException if the query fails
   * @throws InvalidLedgerException if a row does not form a valid record
   */
  public void readAll(Connection c, int fetchSize, java.util.function.Consumer<List<LedgerEntry>> sink,
      long progressEvery, java.util.function.LongConsumer progress) throws SQLException {
    String sql = allSql(schema);
    try (PreparedStatement s = c.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
      s.setFetchSize(fetchSize);
      try (ResultSet r = s.executeQuery()) {
        String subjectValue = null;
        SubjectId subject = null;
        List<LedgerEntry> ledger = new ArrayList<>();
        Row row = null;
        GrantSets sets = null;
        long rows = 0;
        while (r.next()) {
          rows++;
          if (progressEvery > 0 && rows % progressEvery == 0) {
            progress.accept(rows);
          }
          long seq = r.getLong(1);
          if (row != null && row.seq == seq) {
            addSet(r, seq, sets);
            continue;
          }
          if (row != null) {
            ledger.add(row.toEntry(sets));
          }
          String value = r.getString(2);
          if (!value.equals(subjectValue)) {
            if (!ledger.isEmpty()) {
              sink.accept(Collections.unmodifiableList(ledger));
              ledger = new ArrayList<>();
            }
            subjectValue = value;
            subject = SubjectId.of(value);
          }
          row = Row.read(r, subject);
          sets = row.kind == RecordKind.GRANT ? new GrantSets() : null;
          if (sets != null) {
            addSet(r, seq, sets);
          }
        }
        if (row != null) {
          ledger.add(row.toEntry(sets));
          sink.accept(Collections.unmodifiableList(ledger));
        }
      }
    }
  }

  private static void addSet(ResultSet r, long seq, GrantSets g) throws SQLException {
    String which = r.getString(31);
    if (which == null || g == null) {
      return;
    }
    String value = r.getString(32);
    switch (which.trim()) {
      case "P" -> g.purposes.add(value);
      case "C" -> g.categories.add(value);
      case "R" -> g.recipients.add(value);
      case "X" -> g.explicit.add(value);
      default -> throw new InvalidLedgerException(seq, "unexpected grant set '" + which + "'", null);
    }
  }

  private static String allSql(Schema s) {
    String entry = entrySql(s, 1);
    String select = entry.substring(0, entry.indexOf(" FROM "));
    return select + ", gs.which_set, gs.set_value FROM " + s.ledger() + " l"
        + " LEFT JOIN " + s.grant() + " g ON g.seq = l.seq"
        + " LEFT JOIN " + s.withdrawal() + " w ON w.seq = l.seq"
        + " LEFT JOIN " + s.objection() + " o ON o.seq = l.seq"
        + " LEFT JOIN " + s.grantWithdrawal() + " x ON x.seq = l.seq"
        + " LEFT JOIN (SELECT seq, 'P' AS which_set, purpose AS set_value FROM " + s.grantPurpose()
        + " UNION ALL SELECT seq, 'C', category FROM " + s.grantCategory()
        + " UNION ALL SELECT seq, 'R', recipient FROM " + s.grantRecipient()
        + " UNION ALL SELECT seq, 'X', scope FROM " + s.grantExplicit() + ") gs ON gs.seq = l.seq"
        + " ORDER BY l.subject_id, l.seq";
  }

  private Map<Long, GrantSets> readSets(Connection c, List<SubjectId> chunk, int size) throws SQLException {
    Map<Long, GrantSets> sets = new HashMap<>();
    try (PreparedStatement s = c.prepareStatement(setSql.get(size))) {
      for (int i = 0; i < 4; i++) {
        bind(s, chunk, size, i * size);
      }
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          long seq = r.getLong(1);
          String which = r.getString(2);
          String value = r.getString(3);
          GrantSets g = sets.computeIfAbsent(seq, k -> new GrantSets());
          switch (which.trim()) {
            case "P" -> g.purposes.add(value);
            case "C" -> g.categories.add(value);
            case "R" -> g.recipients.add(value);
            case "X" -> g.explicit.add(value);
            default -> throw new InvalidLedgerException(seq, "unexpected grant set '" + which + "'", null);
          }
        }
      }
    }
    return sets;
  }

  private static void bind(PreparedStatement s, List<SubjectId> chunk, int size, int offset) throws SQLException {
    for (int i = 0; i < size; i++) {
      s.setString(offset + i + 1, chunk.get(Math.min(i, chunk.size() - 1)).value());
    }
  }

  private static int paddedSize(int n) {
    for (int size : LIST_SIZES) {
      if (n <= size) {
        return size;
      }
    }
    throw new IllegalArgumentException("at most " + CHUNK + " subjects per query, got " + n);
  }

  private static String inList(int n) {
    StringJoiner j = new StringJoiner(", ", "(", ")");
    for (int i = 0; i < n; i++) {
      j.add("?");
    }
    return j.toString();
  }

  private static String entrySql(Schema s, int n) {
    return "SELECT l.seq, l.subject_id, l.kind, l.recorded_at_sec, l.recorded_at_nano,"
        + " g.grant_id, g.granted_at_sec, g.granted_at_nano, g.expires_at_sec, g.expires_at_nano,"
        + " g.notice_id, g.notice_version, g.evidence_method, g.evidence_ref,"
        + " w.purpose, w.recipient, w.withdrawn_at_sec, w.withdrawn_at_nano, w.evidence_method, w.evidence_ref,"
        + " o.purpose, o.objected_at_sec, o.objected_at_nano, o.evidence_method, o.evidence_ref,"
        + " x.grant_id, x.withdrawn_at_sec, x.withdrawn_at_nano, x.evidence_method, x.evidence_ref"
        + " FROM " + s.ledger() + " l"
        + " LEFT JOIN " + s.grant() + " g ON g.seq = l.seq"
        + " LEFT JOIN " + s.withdrawal() + " w ON w.seq = l.seq"
        + " LEFT JOIN " + s.objection() + " o ON o.seq = l.seq"
        + " LEFT JOIN " + s.grantWithdrawal() + " x ON x.seq = l.seq"
        + " WHERE l.subject_id IN " + inList(n)
        + " ORDER BY l.seq";
  }

  private static String setSql(Schema s, int n) {
    String in = inList(n);
    return "SELECT x.seq, 'P', x.purpose FROM " + s.grantPurpose() + " x JOIN " + s.grant() + " g ON g.seq = x.seq"
        + " WHERE g.subject_id IN " + in
        + " UNION ALL SELECT x.seq, 'C', x.category FROM " + s.grantCategory() + " x JOIN " + s.grant()
        + " g ON g.seq = x.seq WHERE g.subject_id IN " + in
        + " UNION ALL SELECT x.seq, 'R', x.recipient FROM " + s.grantRecipient() + " x JOIN " + s.grant()
        + " g ON g.seq = x.seq WHERE g.subject_id IN " + in
        + " UNION ALL SELECT x.seq, 'X', x.scope FROM " + s.grantExplicit() + " x JOIN " + s.grant()
        + " g ON g.seq = x.seq WHERE g.subject_id IN " + in;
  }

  /** The tables read from. */
  public Schema schema() {
    return schema;
  }

  private static final class GrantSets {
    final List<String> purposes = new ArrayList<>();
    final List<String> categories = new ArrayList<>();
    final List<String> recipients = new ArrayList<>();
    final List<String> explicit = new ArrayList<>();
  }

  /** One row of the entry query, with the columns of its kind. */
  private static final class Row {
    long seq;
    SubjectId subject;
    RecordKind kind;
    Instant recordedAt;
    // grant
    String grantId;
    Instant grantedAt;
    Instant expiresAt;
    String noticeId;
    Integer noticeVersion;
    // withdrawal, objection
    String purpose;
    // withdrawal of one grant (kind W with a grant_withdrawal row)
    String withdrawnGrant;
    String recipient;
    Instant at;
    // every kind
    String evidenceMethod;
    String evidenceRef;
    boolean detailMissing;

    static Row read(ResultSet r, SubjectId subject) throws SQLException {
      Row row = new Row();
      row.seq = r.getLong(1);
      row.subject = subject;
      try {
        row.kind = RecordKind.of(r.getString(3));
      } catch (IllegalArgumentException e) {
        throw new InvalidLedgerException(row.seq, e.getMessage(), e);
      }
      row.recordedAt = Instant.ofEpochSecond(r.getLong(4), r.getInt(5));
      switch (row.kind) {
        case GRANT -> {
          row.grantId = r.getString(6);
          row.detailMissing = row.grantId == null;
          row.grantedAt = instant(r, 7);
          row.expiresAt = instant(r, 9);
          row.noticeId = r.getString(11);
          row.noticeVersion = r.getObject(12, Integer.class);
          row.evidenceMethod = r.getString(13);
          row.evidenceRef = r.getString(14);
        }
        case WITHDRAWAL -> {
          row.purpose = r.getString(15);
          row.withdrawnGrant = r.getString(26);
          if (row.purpose != null && row.withdrawnGrant != null) {
            throw new InvalidLedgerException(row.seq, "the withdrawal has both a purpose and a grant row", null);
          }
          row.detailMissing = row.purpose == null && row.withdrawnGrant == null;
          if (row.withdrawnGrant != null) {
            row.at = instant(r, 27);
            row.evidenceMethod = r.getString(29);
            row.evidenceRef = r.getString(30);
          } else {
            row.recipient = r.getString(16);
            row.at = instant(r, 17);
            row.evidenceMethod = r.getString(19);
            row.evidenceRef = r.getString(20);
          }
        }
        case OBJECTION -> {
          row.purpose = r.getString(21);
          row.detailMissing = row.purpose == null;
          row.at = instant(r, 22);
          row.evidenceMethod = r.getString(24);
          row.evidenceRef = r.getString(25);
        }
        default -> throw new AssertionError(row.kind);
      }
      return row;
    }

    private static Instant instant(ResultSet r, int secondsColumn) throws SQLException {
      Long seconds = r.getObject(secondsColumn, Long.class);
      Integer nanos = r.getObject(secondsColumn + 1, Integer.class);
      return seconds == null || nanos == null ? null : Instant.ofEpochSecond(seconds, nanos);
    }

    LedgerEntry toEntry(GrantSets sets) throws InvalidLedgerException {
      if (detailMissing) {
        throw new InvalidLedgerException(seq, "the ledger row has no matching " + kind.name().toLowerCase(java.util.Locale.ROOT)
            + " row", null);
      }
      try {
        return new LedgerEntry(seq, recordedAt, record(sets));
      } catch (RuntimeException e) {
        throw new InvalidLedgerException(seq, e.getMessage(), e);
      }
    }

    private ConsentRecord record(GrantSets sets) {
      Evidence evidence = Evidence.of(CollectionMethod.valueOf(evidenceMethod), evidenceRef);
      return switch (kind) {
        case GRANT -> {
          GrantSets g = sets == null ? new GrantSets() : sets;
          TreeSet<Purpose> purposes = new TreeSet<>();
          g.purposes.forEach(p -> purposes.add(Purpose.of(p)));
          TreeSet<DataCategory> categories = new TreeSet<>();
          g.categories.forEach(x -> categories.add(DataCategory.of(x)));
          TreeSet<Recipient> recipients = new TreeSet<>();
          g.recipients.forEach(x -> recipients.add(Recipient.of(x)));
          yield new Grant(GrantId.of(grantId), subject, purposes, categories, recipients,
              noticeId == null ? Optional.empty() : Optional.of(Notice.of(noticeId, noticeVersion)),
              grantedAt, Optional.ofNullable(expiresAt), evidence, g.explicit.contains("categories"),
              g.explicit.contains("transfer"));
        }
        case WITHDRAWAL -> withdrawnGrant != null
            ? new GrantWithdrawal(subject, GrantId.of(withdrawnGrant), at, evidence)
            : new Withdrawal(subject, Purpose.of(purpose), Optional.ofNullable(recipient).map(Recipient::of), at,
                evidence);
        case OBJECTION -> new Objection(subject, Purpose.of(purpose), at, evidence);
      };
    }
  }
}
