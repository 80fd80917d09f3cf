package org.consent4j.jdbc.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import javax.sql.DataSource;
import org.consent4j.AuditEvent;
import org.consent4j.AuditRecord;
import org.consent4j.AuditUnavailableException;
import org.consent4j.DataCategory;
import org.consent4j.Outcome;
import org.consent4j.Purpose;
import org.consent4j.Recipient;
import org.consent4j.SubjectId;
import org.consent4j.core.audit.AuditChain;
import org.consent4j.jdbc.internal.Dialect;
import org.consent4j.jdbc.internal.Migrations;
import org.consent4j.jdbc.internal.Schema;
import org.consent4j.spi.SharedChainAuditSink;

/**
 * The audit trail in tables of the application's database (H2, PostgreSQL, MariaDB/MySQL): one
 * append-only hash chain that every thread, every engine and every application node on the
 * database appends to, without forks or gaps.
 *
 * <pre>{@code
 * JdbcAuditSink sink = JdbcAuditSink.create(dataSource);               // creates or migrates its tables
 * AuditTrail trail = AuditTrail.builder(sink).build();                 // synchronous
 * ConsentEngine engine = ConsentEngine.builder().catalog(catalog).auditTrail(trail).build();
 * }</pre>
 *
 * <p><b>One chain across nodes.</b> Each {@link #append} is one transaction: it locks the single
 * row of {@code <prefix>audit_head} ({@code SELECT ... FOR UPDATE}), seals the events with {@link
 * AuditChain} after the head it found — so the hash is exactly the core's — inserts them in one
 * multi-row INSERT, moves the head and commits. Appenders in every process take turns on that
 * row lock, so sequence numbers run 1, 2, 3… without gaps and every record names its
 * predecessor's hash. An append whose acknowledgement was lost is not stored twice when retried
 * under the same append id.
 *
 * <p><b>Verification</b> ({@link org.consent4j.core.audit.AuditTrail#verify(org.consent4j.spi.AuditSink,
 * java.util.Optional)}) reads the table through {@link #read()} in pages of {@value #PAGE_SIZE} rows by
 * keyset pagination ({@code WHERE seq > ? ORDER BY seq}), each page on a briefly borrowed
 * connection, so millions of records are checked in constant memory.
 *
 * <p><b>Append-only.</b> The sink only INSERTs audit rows and UPDATEs the head row; a DBA can
 * grant the application INSERT and SELECT on {@code <prefix>audit} and {@code
 * <prefix>audit_append}, and SELECT and UPDATE on {@code <prefix>audit_head}, only. Tampering with rows is detected by verification, not prevented.
 *
 * <p><b>Errors</b> throw {@link AuditUnavailableException} naming the database, the tables and
 * the SQL state, never event content; the trail then refuses the access (fail closed). {@link
 * Builder#build()} needs the database (it migrates the tables); afterwards every call borrows a
 * connection of its own, so the sink keeps working when the database goes away and comes back.
 *
 * <p>Thread-safe.
 */
public final class JdbcAuditSink implements SharedChainAuditSink {

  /** How many rows {@link #read()} fetches per query. */
  public static final int PAGE_SIZE = 1000;
  /** How many rows one INSERT statement carries at most. */
  private static final int ROWS_PER_INSERT = 500;
  private static final int COLUMNS = 15;
  private static final String SELECT_COLUMNS = "seq, prev_hash, hash, event_sec, event_nano, actor, purpose,"
      + " recipient, operation, subjects, categories, outcome, reason, state_version, details";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final DataSource dataSource;
  /** Null until the tables are set up (a sink built with {@link Builder#buildLazily()}). */
  private volatile Dialect dialect;
  /** The table names; qualified with the named schema once the database was reached. */
  private volatile Schema schema;
  private final Optional<String> schemaName;

  private JdbcAuditSink(DataSource dataSource, Builder.SetUp setUp, Schema schema, Optional<String> schemaName) {
    this.dataSource = dataSource;
    this.schemaName = schemaName;
    // the schema first: a reader that sees the dialect sees the qualified names
    this.schema = setUp == null ? schema : setUp.schema();
    this.dialect = setUp == null ? null : setUp.dialect();
  }

  /** Sets the tables up on first use when built lazily; afterwards a volatile read. */
  private Dialect dialect() {
    Dialect d = dialect;
    if (d != null) {
      return d;
    }
    synchronized (this) {
      if (dialect == null) {
        Builder.SetUp setUp = Builder.setUp(dataSource, schema, schemaName);
        schema = setUp.schema();
        dialect = setUp.dialect();
      }
      return dialect;
    }
  }

  private String productName() {
    Dialect d = dialect;
    return d == null ? "database not reached yet" : d.productName();
  }

  /**
   * A sink on this database with the default table prefix {@code consent4j_}, tables created or
   * migrated before this returns.
   *
   * @throws IllegalArgumentException if the database is not H2, PostgreSQL, MariaDB or MySQL
   * @throws AuditUnavailableException if the database cannot be reached or migrated
   */
  public static JdbcAuditSink create(DataSource dataSource) {
    return builder(dataSource).build();
  }

  /** Starts configuring a sink on this database. */
  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  /** The prefix of this sink's table names. */
  public String tablePrefix() {
    return schema.prefix();
  }

  /** The schema (on MariaDB/MySQL, the database) of this sink's tables, if one was named. */
  public Optional<String> schema() {
    return schemaName;
  }

  // ---------------------------------------------------------------- appending

  /**
   * Seals and stores the events as the next records of the chain, in one transaction under the
   * lock of the chain head; see the class comment.
   *
   * @throws NullPointerException if an argument or event is null
   * @throws IllegalArgumentException if {@code events} is empty or {@code appendId} is blank or
   *     longer than 64 characters
   * @throws AuditUnavailableException if the database fails; if the commit itself failed the
   *     records may be stored, and a retry with the same id finds them
   */
  @Override
  public List<AuditRecord> append(String appendId, List<AuditEvent> events) {
    Objects.requireNonNull(appendId, "appendId");
    Objects.requireNonNull(events, "events");
    if (appendId.isBlank() || appendId.length() > 64) {
      throw new IllegalArgumentException("appendId must be 1 to 64 characters, got " + appendId.length());
    }
    if (events.isEmpty()) {
      throw new IllegalArgumentException("append needs at least one event");
    }
    events.forEach(e -> Objects.requireNonNull(e, "events element"));
    return inTransaction("append " + events.size() + " audit event(s)", c -> {
      Head head = lockHead(c);
      List<AuditRecord> earlier = readAppend(c, appendId);
      if (!earlier.isEmpty()) {
        return earlier; // a retry of an append whose commit succeeded
      }
      List<AuditRecord> sealed = new ArrayList<>(events.size());
      long seq = head.sequence();
      String previous = head.hash();
      for (AuditEvent e : events) {
        AuditRecord r = AuditChain.seal(++seq, previous, e);
        sealed.add(r);
        previous = r.hash();
      }
      insert(c, sealed);
      recordAppend(c, appendId, sealed);
      moveHead(c, sealed.get(sealed.size() - 1));
      return sealed;
    });
  }

  /**
   * Stores records sealed elsewhere (a copy of another sink's chain, say), in one transaction,
   * only if they continue this sink's chain exactly.
   *
   * @throws AuditUnavailableException if they do not continue the chain, or the database fails
   */
  @Override
  public void write(List<AuditRecord> records) {
    Objects.requireNonNull(records, "records");
    if (records.isEmpty()) {
      return;
    }
    inTransaction("write " + records.size() + " sealed audit record(s)", c -> {
      Head head = lockHead(c);
      long seq = head.sequence();
      String previous = head.hash();
      for (AuditRecord r : records) {
        if (r.sequence() != seq + 1 || !r.previousHash().equals(previous)) {
          throw new AuditUnavailableException("audit record " + r.sequence() + " does not continue the chain in "
              + schema.audit() + " (its head is at sequence " + seq + "); another writer appended first, so"
              + " records sealed elsewhere cannot be written here");
        }
        seq = r.sequence();
        previous = r.hash();
      }
      insert(c, records);
      moveHead(c, records.get(records.size() - 1));
      return null;
    });
  }

  private record Head(long sequence, String hash) {}

  private Head lockHead(Connection c) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT seq, hash FROM " + schema.auditHead()
        + " WHERE id = 1 FOR UPDATE");
        ResultSet r = s.executeQuery()) {
      if (!r.next()) {
        throw new SQLException("the audit chain head row is missing from " + schema.auditHead()
            + " (it was deleted outside consent4j)");
      }
      return new Head(r.getLong(1), r.getString(2).trim());
    }
  }

  private void moveHead(Connection c, AuditRecord last) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("UPDATE " + schema.auditHead() + " SET seq = ?, hash = ? WHERE id = 1")) {
      s.setLong(1, last.sequence());
      s.setString(2, last.hash());
      if (s.executeUpdate() != 1) {
        throw new SQLException("the audit chain head row of " + schema.auditHead() + " could not be moved");
      }
    }
  }

  private List<AuditRecord> readAppend(Connection c, String appendId) throws SQLException {
    long first;
    long last;
    try (PreparedStatement s = c.prepareStatement("SELECT first_seq, last_seq FROM " + schema.auditAppend()
        + " WHERE append_id = ?")) {
      s.setString(1, appendId);
      try (ResultSet r = s.executeQuery()) {
        if (!r.next()) {
          return List.of();
        }
        first = r.getLong(1);
        last = r.getLong(2);
      }
    }
    try (PreparedStatement s = c.prepareStatement("SELECT " + SELECT_COLUMNS + " FROM " + schema.audit()
        + " WHERE seq BETWEEN ? AND ? ORDER BY seq")) {
      s.setLong(1, first);
      s.setLong(2, last);
      return readAll(s);
    }
  }

  private void recordAppend(Connection c, String appendId, List<AuditRecord> records) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("INSERT INTO " + schema.auditAppend()
        + " (append_id, first_seq, last_seq) VALUES (?, ?, ?)")) {
      s.setString(1, appendId);
      s.setLong(2, records.get(0).sequence());
      s.setLong(3, records.get(records.size() - 1).sequence());
      s.executeUpdate();
    }
  }

  private void insert(Connection c, List<AuditRecord> records) throws SQLException {
    if (dialect() == Dialect.POSTGRESQL && records.size() > 1) {
      insertUnnest(c, records);
      return;
    }
    for (int from = 0; from < records.size(); from += ROWS_PER_INSERT) {
      List<AuditRecord> chunk = records.subList(from, Math.min(records.size(), from + ROWS_PER_INSERT));
      StringBuilder sql = new StringBuilder("INSERT INTO ").append(schema.audit())
          .append(" (").append(SELECT_COLUMNS).append(") VALUES ");
      String row = "(" + "?, ".repeat(COLUMNS - 1) + "?)";
      for (int i = 0; i < chunk.size(); i++) {
        sql.append(i == 0 ? "" : ", ").append(row);
      }
      try (PreparedStatement s = c.prepareStatement(sql.toString())) {
        int p = 1;
        for (AuditRecord r : chunk) {
          AuditEvent e = r.event();
          s.setLong(p++, r.sequence());
          s.setString(p++, r.previousHash());
          s.setString(p++, r.hash());
          s.setLong(p++, e.time().getEpochSecond());
          s.setInt(p++, e.time().getNano());
          s.setString(p++, e.actor());
          s.setString(p++, e.purpose().name());
          s.setString(p++, e.recipient().id());
          s.setString(p++, e.operation());
          s.setString(p++, subjectsJson(e));
          s.setString(p++, categoriesJson(e));
          s.setString(p++, e.outcome().name());
          s.setString(p++, e.reason());
          s.setLong(p++, e.stateVersion());
          s.setString(p++, detailsJson(e));
        }
        s.executeUpdate();
      }
    }
  }

  /**
   * PostgreSQL: one INSERT ... SELECT FROM unnest(arrays) per batch, whatever its size: fifteen
   * array parameters instead of fifteen per row, so the statement text never changes and the
   * server parses no 7,500-parameter statement.
   */
  private void insertUnnest(Connection c, List<AuditRecord> records) throws SQLException {
    int n = records.size();
    Long[] seq = new Long[n];
    String[] prev = new String[n];
    String[] hash = new String[n];
    Long[] sec = new Long[n];
    Integer[] nano = new Integer[n];
    String[] actor = new String[n];
    String[] purpose = new String[n];
    String[] recipient = new String[n];
    String[] operation = new String[n];
    String[] subjects = new String[n];
    String[] categories = new String[n];
    String[] outcome = new String[n];
    String[] reason = new String[n];
    Long[] version = new Long[n];
    String[] details = new String[n];
    for (int i = 0; i < n; i++) {
      AuditRecord r = records.get(i);
      AuditEvent e = r.event();
      seq[i] = r.sequence();
      prev[i] = r.previousHash();
      hash[i] = r.hash();
      sec[i] = e.time().getEpochSecond();
      nano[i] = e.time().getNano();
      actor[i] = e.actor();
      purpose[i] = e.purpose().name();
      recipient[i] = e.recipient().id();
      operation[i] = e.operation();
      subjects[i] = subjectsJson(e);
      categories[i] = categoriesJson(e);
      outcome[i] = e.outcome().name();
      reason[i] = e.reason();
      version[i] = e.stateVersion();
      details[i] = detailsJson(e);
    }
    try (PreparedStatement s = c.prepareStatement("INSERT INTO " + schema.audit() + " (" + SELECT_COLUMNS
        + ") SELECT * FROM unnest(?::bigint[], ?::text[], ?::text[], ?::bigint[], ?::int[],"
        + " ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[],"
        + " ?::text[]) AS u")) {
      int p = 1;
      s.setArray(p++, c.createArrayOf("bigint", seq));
      s.setArray(p++, c.createArrayOf("text", prev));
      s.setArray(p++, c.createArrayOf("text", hash));
      s.setArray(p++, c.createArrayOf("bigint", sec));
      s.setArray(p++, c.createArrayOf("int4", nano));
      for (String[] texts : List.of(actor, purpose, recipient, operation, subjects, categories, outcome, reason)) {
        s.setArray(p++, c.createArrayOf("text", texts));
      }
      s.setArray(p++, c.createArrayOf("bigint", version));
      s.setArray(p++, c.createArrayOf("text", details));
      if (s.executeUpdate() != n) {
        throw new SQLException("the audit insert stored fewer rows than it was given");
      }
    }
  }

  // ---------------------------------------------------------------- reading

  /**
   * The last record of the chain, read from the table (not from the head row).
   *
   * @throws AuditUnavailableException if the database fails or the row cannot be read
   */
  @Override
  public Optional<AuditRecord> last() {
    return withConnection("read the last audit record", c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT " + SELECT_COLUMNS + " FROM " + schema.audit()
          + " ORDER BY seq DESC LIMIT 1")) {
        List<AuditRecord> r = readAll(s);
        return r.isEmpty() ? Optional.empty() : Optional.of(r.get(0));
      }
    });
  }

  /**
   * How many records the table holds (for monitoring and checkpoints; verification counts for
   * itself).
   *
   * @throws AuditUnavailableException if the database fails
   */
  public long count() {
    return withConnection("count the audit records", c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM " + schema.audit());
          ResultSet r = s.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    });
  }

  /**
   * Every record in sequence order, read lazily in pages of {@value #PAGE_SIZE} rows (keyset
   * pagination on {@code seq}), each page on a connection borrowed for that query only. A page
   * that cannot be read, or a row that is not a valid record, makes the stream throw {@link
   * AuditUnavailableException}; verification reports it as a broken chain.
   */
  @Override
  public Stream<AuditRecord> read() {
    Iterator<AuditRecord> pages = new Iterator<>() {
      private List<Row> page = List.of();
      private int index;
      private long after = Long.MIN_VALUE;
      private boolean exhausted;

      @Override
      public boolean hasNext() {
        if (index < page.size()) {
          return true;
        }
        if (exhausted) {
          return false;
        }
        page = readPage(after);
        index = 0;
        if (page.size() < PAGE_SIZE) {
          exhausted = true;
        }
        if (!page.isEmpty()) {
          after = page.get(page.size() - 1).sequence();
        }
        return !page.isEmpty();
      }

      @Override
      public AuditRecord next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return page.get(index++).record();
      }
    };
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(pages, Spliterator.ORDERED | Spliterator.NONNULL),
        false);
  }

  private List<Row> readPage(long after) {
    return withConnection("read audit records after sequence " + after, c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT " + SELECT_COLUMNS + " FROM " + schema.audit()
          + " WHERE seq > ? ORDER BY seq LIMIT " + PAGE_SIZE)) {
        s.setLong(1, after);
        List<Row> out = new ArrayList<>();
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            out.add(row(r));
          }
        }
        return out;
      }
    });
  }

  private static List<AuditRecord> readAll(PreparedStatement s) throws SQLException {
    List<AuditRecord> out = new ArrayList<>();
    try (ResultSet r = s.executeQuery()) {
      while (r.next()) {
        out.add(row(r).record());
      }
    }
    return out;
  }

  /**
   * One row: its record, or why it is not one. A stream of records reports an invalid row only
   * when it reaches it, so verification proves every record before it.
   */
  private record Row(long sequence, AuditRecord valid, AuditUnavailableException invalid) {
    AuditRecord record() {
      if (invalid != null) {
        throw invalid;
      }
      return valid;
    }
  }

  /** One row as a record; a row that is not a valid record was changed outside consent4j. */
  private static Row row(ResultSet r) throws SQLException {
    long seq = r.getLong(1);
    try {
      AuditEvent e = new AuditEvent(
          Instant.ofEpochSecond(r.getLong(4), r.getInt(5)),
          r.getString(6),
          Purpose.of(r.getString(7)),
          Recipient.of(r.getString(8)),
          r.getString(9),
          subjects(r.getString(10)),
          categories(r.getString(11)),
          Outcome.valueOf(r.getString(12)),
          r.getString(13),
          r.getLong(14),
          details(r.getString(15)));
      return new Row(seq, new AuditRecord(seq, e, trim(r.getString(2)), trim(r.getString(3))), null);
    } catch (RuntimeException | JsonProcessingException e) {
      return new Row(seq, null, new AuditUnavailableException("audit row " + seq + " is not a valid audit record ("
          + e.getClass().getSimpleName() + "): the table was changed outside consent4j", null));
    }
  }

  private static String trim(String hash) {
    return hash == null ? null : hash.trim();
  }

  private static String subjectsJson(AuditEvent e) {
    ArrayNode a = JSON.createArrayNode();
    e.subjects().forEach(s -> a.add(s.value()));
    return a.toString();
  }

  private static String categoriesJson(AuditEvent e) {
    ArrayNode a = JSON.createArrayNode();
    e.categories().forEach(c -> a.add(c.name()));
    return a.toString();
  }

  private static String detailsJson(AuditEvent e) {
    ObjectNode o = JSON.createObjectNode();
    e.details().forEach(o::put);
    return o.toString();
  }

  private static List<SubjectId> subjects(String json) throws JsonProcessingException {
    List<SubjectId> out = new ArrayList<>();
    for (JsonNode n : array(json)) {
      out.add(SubjectId.of(text(n)));
    }
    return out;
  }

  private static TreeSet<DataCategory> categories(String json) throws JsonProcessingException {
    TreeSet<DataCategory> out = new TreeSet<>();
    for (JsonNode n : array(json)) {
      out.add(DataCategory.of(text(n)));
    }
    return out;
  }

  private static TreeMap<String, String> details(String json) throws JsonProcessingException {
    JsonNode o = JSON.readTree(Objects.requireNonNull(json, "details"));
    if (!o.isObject()) {
      throw new IllegalArgumentException("details are not a JSON object");
    }
    TreeMap<String, String> out = new TreeMap<>();
    o.fields().forEachRemaining(f -> out.put(f.getKey(), text(f.getValue())));
    return out;
  }

  private static JsonNode array(String json) throws JsonProcessingException {
    JsonNode a = JSON.readTree(Objects.requireNonNull(json, "list"));
    if (!a.isArray()) {
      throw new IllegalArgumentException("not a JSON array");
    }
    return a;
  }

  private static String text(JsonNode n) {
    if (!n.isTextual()) {
      throw new IllegalArgumentException("not a JSON string");
    }
    return n.textValue();
  }

  // ---------------------------------------------------------------- connections

  @FunctionalInterface
  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private <T> T withConnection(String operation, Work<T> work) {
    try (Connection c = connect(operation)) {
      return work.run(c);
    } catch (SQLException e) {
      throw failed(operation, e, false);
    }
  }

  private <T> T inTransaction(String operation, Work<T> work) {
    Connection c = connect(operation);
    boolean committing = false;
    try {
      c.setAutoCommit(false);
      T result = work.run(c);
      committing = true;
      c.commit();
      c.setAutoCommit(true);
      c.close();
      return result;
    } catch (SQLException | RuntimeException e) {
      try (c) {
        if (!c.isClosed()) {
          c.rollback();
          c.setAutoCommit(true);
        }
      } catch (SQLException r) {
        e.addSuppressed(r);
      }
      if (e instanceof SQLException sql) {
        throw failed(operation, sql, committing);
      }
      throw (RuntimeException) e;
    }
  }

  private Connection connect(String operation) {
    dialect();
    try {
      Connection c = dataSource.getConnection();
      if (c == null) {
        throw new SQLException("the DataSource returned no connection");
      }
      return c;
    } catch (SQLException e) {
      throw new AuditUnavailableException("cannot reach the audit database (" + productName() + ", tables "
          + schema.prefix() + "audit*" + inSchema() + ") to " + operation + ": the DataSource gave no connection" + state(e)
          + ". Check the database URL, credentials, network and pool size; audited access is refused until it"
          + " answers", e);
    }
  }

  private AuditUnavailableException failed(String operation, SQLException e, boolean committing) {
    // The driver's message stays in the cause only: it may quote SQL or values.
    return new AuditUnavailableException("the audit database (" + productName() + ", tables "
        + schema.prefix() + "audit*" + inSchema() + ") could not " + operation + state(e)
        + (committing ? "; the commit failed, so the records may or may not be stored" : "; nothing was stored")
        + ". Check that the database is reachable and its user may SELECT and INSERT on " + schema.audit() + " and "
        + schema.auditAppend() + " and UPDATE " + schema.auditHead() + "; audited access is refused until it answers",
        e);
  }

  private String inSchema() {
    return schemaName.map(n -> " in schema " + n).orElse("");
  }

  private static String state(SQLException e) {
    return e.getSQLState() == null ? "" : " (SQLState " + e.getSQLState() + ", vendor code " + e.getErrorCode() + ")";
  }

  /** The database product and table prefix, e.g. {@code JdbcAuditSink[PostgreSQL, consent4j_audit]}. */
  @Override
  public String toString() {
    return "JdbcAuditSink[" + productName() + ", " + schema.audit() + "]";
  }

  /**
   * Configures a {@link JdbcAuditSink}. Not thread-safe.
   */
  public static final class Builder {
    private final DataSource dataSource;
    private Schema schema = new Schema(Schema.DEFAULT_PREFIX);
    private Optional<String> schemaName = Optional.empty();

    private Builder(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * Puts the tables in the named schema (on MariaDB/MySQL, the named database), created if
     * missing, and names them qualified in every statement; give the consent store's builder the
     * same name to keep the ledger and the trail together. See {@code JdbcConsentStore.Builder.schema}.
     *
     * @throws IllegalArgumentException naming the schema if it is not valid
     */
    public Builder schema(String name) {
      this.schemaName = Optional.of(Schema.validName(Objects.requireNonNull(name, "name")));
      return this;
    }

    /**
     * Sets the prefix of every table name, {@code consent4j_} by default; the same prefix as the
     * consent store's keeps the ledger and the audit trail together (they share the migrations).
     *
     * @throws IllegalArgumentException naming the prefix if it is not valid
     */
    public Builder tablePrefix(String prefix) {
      this.schema = new Schema(Objects.requireNonNull(prefix, "prefix"));
      return this;
    }

    /**
     * Detects the database, creates or migrates the tables (the consent store's too: they share
     * one schema version), makes sure the chain head row exists, and returns the sink.
     *
     * @throws IllegalArgumentException naming the product if the database is not supported
     * @throws AuditUnavailableException if the database cannot be reached or migrated
     */
    public JdbcAuditSink build() {
      return new JdbcAuditSink(dataSource, setUp(dataSource, schema, schemaName), schema, schemaName);
    }

    /**
     * Returns a sink without touching the database: the tables are detected, created or migrated
     * by the first call that needs them, and again by each later call until that succeeds. Lets an
     * application start while its database is down; every audited access is refused (with {@link
     * AuditUnavailableException}) until the database answers.
     */
    public JdbcAuditSink buildLazily() {
      return new JdbcAuditSink(dataSource, null, schema, schemaName);
    }

    /** The database's dialect and the table names qualified for it. */
    record SetUp(Dialect dialect, Schema schema) {}

    static SetUp setUp(DataSource dataSource, Schema unqualified, Optional<String> schemaName) {
      String product = "the database";
      try (Connection c = dataSource.getConnection()) {
        product = c.getMetaData().getDatabaseProductName();
        Dialect dialect = Dialect.fromProductName(product);
        product = dialect.productName();
        Schema schema = Schema.of(unqualified.prefix(), schemaName, dialect, c.getMetaData());
        Migrations.migrate(c, dialect, schema);
        ensureHead(c, schema);
        return new SetUp(dialect, schema);
      } catch (SQLException e) {
        throw new AuditUnavailableException("cannot set up the audit tables " + unqualified.prefix() + "audit*"
            + schemaName.map(n -> " in schema " + n).orElse("") + " on "
            + product + state(e) + ": check that the database is reachable and that its user may create tables,"
            + " or have a DBA create them as docs/AUDIT-JDBC.md shows; audited access is refused until then", e);
      }
    }

    /** Inserts the head row of an empty chain unless it exists; another process may race us to it. */
    private static void ensureHead(Connection c, Schema schema) throws SQLException {
      try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM " + schema.auditHead());
          ResultSet r = s.executeQuery()) {
        r.next();
        if (r.getLong(1) > 0) {
          return;
        }
      }
      try (PreparedStatement s = c.prepareStatement("INSERT INTO " + schema.auditHead()
          + " (id, seq, hash) VALUES (1, 0, ?)")) {
        s.setString(1, AuditRecord.GENESIS);
        s.executeUpdate();
      } catch (SQLException e) {
        try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM " + schema.auditHead());
            ResultSet r = s.executeQuery()) {
          if (r.next() && r.getLong(1) == 1) {
            return; // another process inserted it first
          }
        }
        throw e;
      }
    }
  }
}
