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
import java.util.SortedSet;
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

  /** Every table a full read of {@code schema}'s ledger reads (the ledger, its detail rows, the grants' sets). */
  public static List<String> tables(Schema schema) {
    return List.of(schema.ledger(), schema.grant(), schema.withdrawal(), schema.objection(), schema.grantWithdrawal(),
        schema.grantPurpose(), schema.grantCategory(), schema.grantRecipient(), schema.grantExplicit());
  }

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
        Ledgers ledgers = new Ledgers(sink);
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
            ledgers.add(row.toEntry(sets));
          }
          row = Row.read(r, ledgers.subject(r.getString(2)));
          sets = row.kind == RecordKind.GRANT ? new GrantSets() : null;
          if (sets != null) {
            addSet(r, seq, sets);
          }
        }
        if (row != null) {
          ledgers.add(row.toEntry(sets));
        }
        ledgers.flush();
      }
    }
  }

  /**
   * Streams every ledger of a PostgreSQL store to {@code sink}, as {@link #readAll} does, but
   * without the wide join (which repeats every ledger column for each of a grant's set rows, and
   * sorts all of them). First the grant sets of every grant, in sequence order (a merge of the set
   * tables' primary keys: no sort), kept as the number of each grant's combination of sets (see
   * {@link GrantSetTable}); then five narrow queries on the one connection, each in byte order of the
   * subject id ({@code COLLATE "C"}, which compares no two different ids equal, so no subject is
   * passed in parts) then sequence: the ledger rows, the grants, the withdrawals, the objections
   * and the withdrawals of one grant. The detail streams are subsequences of the ledger stream in
   * the same order, so they are merged by sequence without any lookup. A detail row without its
   * ledger row (or out of its order: its subject differs), a ledger row without its detail row, or
   * one with two, fails the read ({@link InvalidLedgerException}). The caller runs it in one
   * REPEATABLE READ transaction, so all six queries read one snapshot. SELECT only.
   *
   * @param progress called with the number of ledger rows read, every {@code progressEvery} rows
   * @throws SQLException if a query fails
   * @throws InvalidLedgerException if a row does not form a valid record
   */
  public void readAllMerged(Connection c, int fetchSize, java.util.function.Consumer<List<LedgerEntry>> sink,
      long progressEvery, java.util.function.LongConsumer progress) throws SQLException {
    GrantSetTable sets = readSets(c, fetchSize, null, null);
    java.util.concurrent.atomic.AtomicLong rows = new java.util.concurrent.atomic.AtomicLong();
    readRange(c, fetchSize, () -> sets, null, null, sink, rows, progressEvery, progress);
  }

  /**
   * The subject ids (byte order) that split the ledger into {@code parts} ranges of about equal
   * size, from a sample of about one percent of its pages (the whole ledger when that sample holds
   * fewer than 100 rows per part); fewer when ids repeat, none for an empty ledger. Only the
   * balance of the ranges depends on the sample, not what is read.
   */
  public List<String> splitPoints(Connection c, int parts) throws SQLException {
    List<String> out = new ArrayList<>();
    if (parts < 2) {
      return out;
    }
    StringJoiner fractions = new StringJoiner(",", "ARRAY[", "]::float8[]");
    for (int i = 1; i < parts; i++) {
      fractions.add(Double.toString((double) i / parts));
    }
    // a sample of about 1% of the pages; a ledger too small to give one is read whole (it is small)
    for (String sample : List.of(" TABLESAMPLE SYSTEM (1)", "")) {
      try (PreparedStatement s = c.prepareStatement("SELECT percentile_disc(" + fractions + ") WITHIN GROUP (ORDER BY"
          + " subject_id COLLATE \"C\"), count(*) FROM " + schema.ledger() + sample);
          ResultSet r = s.executeQuery()) {
        if (r.next() && r.getLong(2) >= 100L * parts || sample.isEmpty() && r.getArray(1) != null) {
          for (Object o : (Object[]) r.getArray(1).getArray()) {
            if (o != null && (out.isEmpty() || !out.get(out.size() - 1).equals(o))) {
              out.add((String) o);
            }
          }
          return out;
        }
      }
    }
    return out;
  }

  /**
   * The sets of the grants with a sequence in [{@code fromSeq}, {@code toSeq}) (null: unbounded),
   * for {@link #readRange}: the four set tables read in sequence order on the one connection (each
   * by its primary key, no sort) and merged by sequence, kept as one sorted array of grant
   * sequences and the number of each grant's combination of sets, 12 bytes per grant while a load
   * runs (the combinations repeat). PostgreSQL. SELECT only.
   *
   * @throws SQLException if a query fails
   */
  public GrantSetTable readSets(Connection c, int fetchSize, Long fromSeq, Long toSeq) throws SQLException {
    Schema t = schema;
    String where = (fromSeq == null ? "" : " WHERE seq >= ?") + (toSeq == null ? "" : (fromSeq == null ? " WHERE" : " AND")
        + " seq < ?");
    GrantSetTable table = new GrantSetTable();
    try (Stream purposes = new Stream(c, fetchSize, "SELECT seq, purpose FROM " + t.grantPurpose() + where
            + " ORDER BY seq", fromSeq, toSeq);
        Stream categories = new Stream(c, fetchSize, "SELECT seq, category FROM " + t.grantCategory() + where
            + " ORDER BY seq", fromSeq, toSeq);
        Stream recipients = new Stream(c, fetchSize, "SELECT seq, recipient FROM " + t.grantRecipient() + where
            + " ORDER BY seq", fromSeq, toSeq);
        Stream explicit = new Stream(c, fetchSize, "SELECT seq, scope FROM " + t.grantExplicit() + where
            + " ORDER BY seq", fromSeq, toSeq)) {
      Stream[] streams = {purposes, categories, recipients, explicit};
      long previous = Long.MIN_VALUE;
      while (true) {
        long seq = Long.MAX_VALUE;
        boolean any = false;
        for (Stream x : streams) {
          if (x.hasRow()) {
            seq = Math.min(seq, x.rows.getLong(1));
            any = true;
          }
        }
        if (!any) {
          break;
        }
        if (seq <= previous) {
          throw new InvalidLedgerException(seq, "the grant sets did not come in sequence order", null);
        }
        previous = seq;
        GrantSets g = new GrantSets();
        take(purposes, seq, g.purposes);
        take(categories, seq, g.categories);
        take(recipients, seq, g.recipients);
        take(explicit, seq, g.explicit);
        table.add(seq, g);
      }
    }
    return table;
  }

  /** Moves the values of the stream's rows of grant {@code seq} into {@code into}. */
  private static void take(Stream x, long seq, List<String> into) throws SQLException {
    while (x.hasRow() && x.rows.getLong(1) == seq) {
      into.add(x.rows.getString(2));
      x.advance();
    }
  }

  /** Supplies the grant sets once they are read (another connection may still be reading them). */
  @FunctionalInterface
  public interface SetSupplier {
    /**
     * The grant sets.
     *
     * @throws SQLException if reading them failed
     */
    GrantSetTable get() throws SQLException;
  }

  /**
   * The merge of {@link #readAllMerged} for the subjects whose ids are, in byte order, at least
   * {@code from} and less than {@code to} (null: unbounded). Ranges that split the ids at the same
   * points pass every subject exactly once, whole. The caller runs it in a REPEATABLE READ
   * transaction (on several connections: one exported snapshot). The five queries are run (and
   * sorted by PostgreSQL) before the grant sets are asked for. SELECT only.
   *
   * @param rows the rows read so far, shared by the ranges of one load
   * @throws SQLException if a query fails
   * @throws InvalidLedgerException if a row does not form a valid record
   */
  public void readRange(Connection c, int fetchSize, SetSupplier setSupplier, String from, String to,
      java.util.function.Consumer<List<LedgerEntry>> sink, java.util.concurrent.atomic.AtomicLong rows,
      long progressEvery, java.util.function.LongConsumer progress) throws SQLException {
    Schema t = schema;
    String where = (from == null ? "" : " subject_id COLLATE \"C\" >= ?")
        + (from != null && to != null ? " AND" : "") + (to == null ? "" : " subject_id COLLATE \"C\" < ?");
    String order = (where.isEmpty() ? "" : " WHERE" + where) + " ORDER BY subject_id COLLATE \"C\", seq";
    try (Stream ledger = new Stream(c, fetchSize, "SELECT seq, subject_id, kind, recorded_at_sec, recorded_at_nano FROM "
            + t.ledger() + order, from, to);
        Stream grants = new Stream(c, fetchSize, "SELECT seq, grant_id, granted_at_sec, granted_at_nano,"
            + " expires_at_sec, expires_at_nano, notice_id, notice_version, evidence_method, evidence_ref FROM "
            + t.grant() + order, from, to);
        Stream withdrawals = new Stream(c, fetchSize, "SELECT seq, purpose, recipient, withdrawn_at_sec,"
            + " withdrawn_at_nano, evidence_method, evidence_ref FROM " + t.withdrawal() + order, from, to);
        Stream objections = new Stream(c, fetchSize, "SELECT seq, purpose, objected_at_sec, objected_at_nano,"
            + " evidence_method, evidence_ref FROM " + t.objection() + order, from, to);
        Stream byId = new Stream(c, fetchSize, "SELECT seq, grant_id, withdrawn_at_sec, withdrawn_at_nano,"
            + " evidence_method, evidence_ref FROM " + t.grantWithdrawal() + order, from, to)) {
      GrantSetTable setTable = setSupplier.get();
      ResultSet r = ledger.rows;
      Ledgers ledgers = new Ledgers(sink);
      while (r.next()) {
        long n = rows.incrementAndGet();
        if (progressEvery > 0 && n % progressEvery == 0) {
          progress.accept(n);
        }
        Row row = Row.ledgerColumns(r, ledgers.subject(r.getString(2)));
        long seq = row.seq;
        GrantSets sets = null;
        switch (row.kind) {
          case GRANT -> {
            ResultSet g = grants.at(seq);
            row.detailMissing = g == null;
            if (g != null) {
              row.grantColumns(g, 2);
              sets = setTable.of(seq);
              grants.advance();
            }
          }
          case WITHDRAWAL -> {
            ResultSet w = withdrawals.at(seq);
            ResultSet x = byId.at(seq);
            if (w != null && x != null) {
              throw new InvalidLedgerException(seq, "the withdrawal has both a purpose and a grant row", null);
            }
            row.detailMissing = w == null && x == null;
            if (w != null) {
              row.withdrawalColumns(w, 2);
              withdrawals.advance();
            } else if (x != null) {
              row.grantWithdrawalColumns(x, 2);
              byId.advance();
            }
          }
          case OBJECTION -> {
            ResultSet o = objections.at(seq);
            row.detailMissing = o == null;
            if (o != null) {
              row.objectionColumns(o, 2);
              objections.advance();
            }
          }
          default -> throw new AssertionError(row.kind);
        }
        ledgers.add(row.toEntry(sets));
      }
      for (Stream s : List.of(grants, withdrawals, objections, byId)) {
        if (s.hasRow()) {
          throw new InvalidLedgerException(s.rows.getLong(1), "a detail row has no matching ledger row, or is out of"
              + " its ledger row's order (its subject differs)", null);
        }
      }
      ledgers.flush();
    }
  }

  /**
   * Gathers the entries of consecutive rows with one subject id into one ledger, passed to the
   * sink (unmodifiable) when the id changes and at {@link #flush}.
   */
  private static final class Ledgers {
    private final java.util.function.Consumer<List<LedgerEntry>> sink;
    private String value;
    private SubjectId subject;
    private List<LedgerEntry> ledger = new ArrayList<>();

    Ledgers(java.util.function.Consumer<List<LedgerEntry>> sink) {
      this.sink = sink;
    }

    /** The subject of a row whose subject id is {@code id}; passes the previous ledger on when the id changed. */
    SubjectId subject(String id) {
      if (!id.equals(value)) {
        flush();
        value = id;
        subject = SubjectId.of(id);
      }
      return subject;
    }

    void add(LedgerEntry entry) {
      ledger.add(entry);
    }

    /** Passes the ledger gathered so far on, if any. */
    void flush() {
      if (!ledger.isEmpty()) {
        sink.accept(Collections.unmodifiableList(ledger));
        ledger = new ArrayList<>();
      }
    }
  }

  /** Grant sequences (ascending) and the number of their combination of sets; read-only once read. */
  public static final class GrantSetTable {
    GrantSetTable() {}

    private long[] seqs = new long[1024];
    private int[] combos = new int[1024];
    private int size;
    private final Map<GrantSets, Integer> ids = new HashMap<>();
    private final List<GrantSets> distinct = new ArrayList<>();

    void add(long seq, GrantSets g) throws InvalidLedgerException {
      g.sort();
      Integer id = ids.get(g);
      if (id == null) {
        try {
          g.parse();
        } catch (IllegalArgumentException e) {
          throw new InvalidLedgerException(seq, e.getMessage(), e);
        }
        id = distinct.size();
        ids.put(g, id);
        distinct.add(g);
      }
      if (size == seqs.length) {
        seqs = java.util.Arrays.copyOf(seqs, size * 2);
        combos = java.util.Arrays.copyOf(combos, size * 2);
      }
      seqs[size] = seq;
      combos[size] = id;
      size++;
    }

    /**
     * Appends {@code next}, whose grants all come after this table's.
     *
     * @throws IllegalArgumentException if they do not
     */
    public void append(GrantSetTable next) {
      if (next.size == 0) {
        return;
      }
      if (size > 0 && next.seqs[0] <= seqs[size - 1]) {
        throw new IllegalArgumentException("the grant sets of the next part do not follow");
      }
      int[] remap = new int[next.distinct.size()];
      for (int i = 0; i < remap.length; i++) {
        GrantSets g = next.distinct.get(i);
        Integer id = ids.get(g);
        if (id == null) {
          id = distinct.size();
          ids.put(g, id);
          distinct.add(g);
        }
        remap[i] = id;
      }
      if (size + next.size > seqs.length) {
        seqs = java.util.Arrays.copyOf(seqs, size + next.size);
        combos = java.util.Arrays.copyOf(combos, size + next.size);
      }
      System.arraycopy(next.seqs, 0, seqs, size, next.size);
      for (int i = 0; i < next.size; i++) {
        combos[size + i] = remap[next.combos[i]];
      }
      size += next.size;
    }

    /** The number of grants with sets. */
    public int grants() {
      return size;
    }

    /** The number of distinct combinations of sets. */
    public int combinations() {
      return distinct.size();
    }

    /** The sets of grant {@code seq}, or null when it has none. */
    GrantSets of(long seq) {
      int i = java.util.Arrays.binarySearch(seqs, 0, size, seq);
      return i < 0 ? null : distinct.get(combos[i]);
    }
  }

  /** The instant in columns {@code secondsColumn} (seconds) and the next (nanos); null when either is NULL. */
  private static Instant instant(ResultSet r, int secondsColumn) throws SQLException {
    long seconds = r.getLong(secondsColumn);
    if (r.wasNull()) {
      return null;
    }
    int nanos = r.getInt(secondsColumn + 1);
    return r.wasNull() ? null : Instant.ofEpochSecond(seconds, nanos);
  }

  /** One detail query, read ahead by one row, for the merge of {@link #readAllMerged}. */
  private static final class Stream implements AutoCloseable {
    final PreparedStatement statement;
    final ResultSet rows;
    private boolean has;

    Stream(Connection c, int fetchSize, String sql, Object... bounds) throws SQLException {
      statement = c.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
      try {
        statement.setFetchSize(fetchSize);
        int p = 1;
        for (Object b : bounds) {
          if (b instanceof String text) {
            statement.setString(p++, text);
          } else if (b instanceof Long number) {
            statement.setLong(p++, number);
          }
        }
        rows = statement.executeQuery();
      } catch (SQLException | RuntimeException e) {
        statement.close();
        throw e;
      }
    }

    /** Not yet positioned: the first {@link #hasRow} moves to the first row. */
    private boolean first = true;

    boolean hasRow() throws SQLException {
      if (first) {
        first = false;
        has = rows.next();
      }
      return has;
    }

    /** The current row when its sequence is {@code seq}, else null. */
    ResultSet at(long seq) throws SQLException {
      return hasRow() && rows.getLong(1) == seq ? rows : null;
    }

    void advance() throws SQLException {
      has = rows.next();
    }

    @Override
    public void close() throws SQLException {
      statement.close();
    }
  }

  private static void addSet(String which, String value, long seq, GrantSets g) throws InvalidLedgerException {
    switch (which.trim()) {
      case "P" -> g.purposes.add(value);
      case "C" -> g.categories.add(value);
      case "R" -> g.recipients.add(value);
      case "X" -> g.explicit.add(value);
      default -> throw new InvalidLedgerException(seq, "unexpected grant set '" + which + "'", null);
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

    /** The names parsed (validated), once per distinct combination of a {@link GrantSetTable}. */
    SortedSet<Purpose> purposeSet;
    SortedSet<DataCategory> categorySet;
    SortedSet<Recipient> recipientSet;

    /** @throws IllegalArgumentException if a name is not valid */
    void parse() {
      TreeSet<Purpose> p = new TreeSet<>();
      purposes.forEach(x -> p.add(Purpose.of(x)));
      TreeSet<DataCategory> c = new TreeSet<>();
      categories.forEach(x -> c.add(DataCategory.of(x)));
      TreeSet<Recipient> r = new TreeSet<>();
      recipients.forEach(x -> r.add(Recipient.of(x)));
      categorySet = c;
      recipientSet = r;
      purposeSet = p;
    }

    /** Puts each list in order, so that equal sets are equal lists. */
    void sort() {
      Collections.sort(purposes);
      Collections.sort(categories);
      Collections.sort(recipients);
      Collections.sort(explicit);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof GrantSets g && purposes.equals(g.purposes) && categories.equals(g.categories)
          && recipients.equals(g.recipients) && explicit.equals(g.explicit);
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(purposes, categories, recipients, explicit);
    }
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

    /**
     * The ledger row's own columns, which every query that reads ledger rows selects first: seq,
     * subject_id, kind, recorded_at_sec, recorded_at_nano.
     */
    static Row ledgerColumns(ResultSet r, SubjectId subject) throws SQLException {
      Row row = new Row();
      row.seq = r.getLong(1);
      row.subject = subject;
      try {
        row.kind = RecordKind.of(r.getString(3));
      } catch (IllegalArgumentException e) {
        throw new InvalidLedgerException(row.seq, e.getMessage(), e);
      }
      row.recordedAt = Instant.ofEpochSecond(r.getLong(4), r.getInt(5));
      return row;
    }

    /**
     * A grant row's columns from column {@code c} on, as both the wide and the merged queries select
     * them: grant_id, granted_at (sec, nano), expires_at (sec, nano), notice_id, notice_version,
     * evidence_method, evidence_ref.
     */
    void grantColumns(ResultSet r, int c) throws SQLException {
      grantId = r.getString(c);
      grantedAt = instant(r, c + 1);
      expiresAt = instant(r, c + 3);
      noticeId = r.getString(c + 5);
      noticeVersion = r.getObject(c + 6, Integer.class);
      evidenceMethod = r.getString(c + 7);
      evidenceRef = r.getString(c + 8);
    }

    /** A withdrawal row's columns from {@code c} on: purpose, recipient, withdrawn_at (sec, nano), evidence_method, evidence_ref. */
    void withdrawalColumns(ResultSet r, int c) throws SQLException {
      purpose = r.getString(c);
      recipient = r.getString(c + 1);
      at = instant(r, c + 2);
      evidenceMethod = r.getString(c + 4);
      evidenceRef = r.getString(c + 5);
    }

    /** A grant withdrawal row's columns from {@code c} on: grant_id, withdrawn_at (sec, nano), evidence_method, evidence_ref. */
    void grantWithdrawalColumns(ResultSet r, int c) throws SQLException {
      withdrawnGrant = r.getString(c);
      at = instant(r, c + 1);
      evidenceMethod = r.getString(c + 3);
      evidenceRef = r.getString(c + 4);
    }

    /** An objection row's columns from {@code c} on: purpose, objected_at (sec, nano), evidence_method, evidence_ref. */
    void objectionColumns(ResultSet r, int c) throws SQLException {
      purpose = r.getString(c);
      at = instant(r, c + 1);
      evidenceMethod = r.getString(c + 3);
      evidenceRef = r.getString(c + 4);
    }

    static Row read(ResultSet r, SubjectId subject) throws SQLException {
      Row row = ledgerColumns(r, subject);
      switch (row.kind) {
        case GRANT -> {
          row.grantColumns(r, 6);
          row.detailMissing = row.grantId == null;
        }
        case WITHDRAWAL -> {
          boolean byPurpose = r.getString(15) != null;
          boolean byGrant = r.getString(26) != null;
          if (byPurpose && byGrant) {
            throw new InvalidLedgerException(row.seq, "the withdrawal has both a purpose and a grant row", null);
          }
          row.detailMissing = !byPurpose && !byGrant;
          if (byGrant) {
            row.grantWithdrawalColumns(r, 26);
          } else {
            row.withdrawalColumns(r, 15);
          }
        }
        case OBJECTION -> {
          row.objectionColumns(r, 21);
          row.detailMissing = row.purpose == null;
        }
        default -> throw new AssertionError(row.kind);
      }
      return row;
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
          if (g.purposeSet == null) {
            g.parse();
          }
          yield new Grant(GrantId.of(grantId), subject, g.purposeSet, g.categorySet, g.recipientSet,
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
