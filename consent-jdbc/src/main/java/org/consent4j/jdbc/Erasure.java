package org.consent4j.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.consent4j.AccessContext;
import org.consent4j.AuditEvent;
import org.consent4j.DataCategory;
import org.consent4j.Outcome;
import org.consent4j.SubjectId;
import org.consent4j.core.ConsentEngine;
import org.consent4j.jdbc.internal.Dialect;
import org.consent4j.jdbc.internal.LedgerWriter;
import org.consent4j.jdbc.internal.Schema;

/**
 * The right to erasure (GDPR Art. 17): removes or anonymises one subject's rows in every mapped
 * table, as each table's {@linkplain TableMapping#erasure() erasure policy} says, in one
 * transaction, audited, and queues the notification of the recipients that received the data
 * (Art. 19; see {@link RecipientNotifier}).
 *
 * <pre>{@code
 * Erasure erasure = Erasure.create(rawDataSource, engine, mapping, store);
 * Erasure.Report r = erasure.erase(SubjectId.of("42"), AccessContext.of("dpo-desk", "privacy-requests"));
 * }</pre>
 *
 * <p>A row names the subject when any of its subject columns does. {@code delete} deletes those
 * rows; {@code nullify} sets their personal columns to NULL. Tables are processed in the order of
 * {@link SchemaMapping#tables()}; a foreign key between mapped tables that this order violates
 * makes the erasure fail and roll back (declare such keys {@code ON DELETE CASCADE}, or nullify). The consent ledger is not touched: it is
 * the proof of past consent (Art. 7(1)) and holds no personal data beyond the subject id. Fails
 * closed: a mapped table without an erasure policy refuses the whole erasure before anything is
 * changed; any failure rolls everything back. Runs on the raw {@link DataSource} (it must reach
 * the tables the guarded one would filter), which must also hold the consent store's tables.
 *
 * <p>Thread-safe.
 */
public final class Erasure {
  private static final Pattern PLAIN = Pattern.compile("[a-z_][a-z0-9_]*");

  private final DataSource dataSource;
  private final ConsentEngine engine;
  private final SchemaMapping mapping;
  private final LedgerWriter writer;

  private Erasure(DataSource dataSource, ConsentEngine engine, SchemaMapping mapping, Schema storeTables) {
    this.dataSource = dataSource;
    this.engine = engine;
    this.mapping = mapping;
    this.writer = new LedgerWriter(storeTables);
  }

  /**
   * An erasure over the mapped tables of {@code mapping} in {@code dataSource}, whose consent
   * store tables are those of {@code store}.
   *
   * @throws MappingException if the mapping does not fit the engine's catalog
   */
  public static Erasure create(DataSource dataSource, ConsentEngine engine, SchemaMapping mapping,
      JdbcConsentStore store) {
    Objects.requireNonNull(dataSource, "dataSource");
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(mapping, "mapping");
    Objects.requireNonNull(store, "store");
    mapping.validate(engine.catalog());
    return new Erasure(dataSource, engine, mapping, store.tables());
  }

  /**
   * What an erasure did.
   *
   * @param subject the subject erased
   * @param at when
   * @param rows per mapped table (qualified name), the rows deleted or nullified
   */
  public record Report(SubjectId subject, Instant at, Map<String, Long> rows) {
    /** Copies the map. */
    public Report {
      Objects.requireNonNull(subject, "subject");
      Objects.requireNonNull(at, "at");
      rows = Collections.unmodifiableMap(new LinkedHashMap<>(rows));
    }
  }

  /**
   * Erases {@code subject} from every mapped table, in one transaction, under {@code context}
   * (the purpose of handling erasure requests, typically a legal obligation), and audits it as
   * operation {@code erase} with reason {@code ERASED} (or {@code ERASURE_FAILED}).
   *
   * @throws IllegalStateException if a mapped table declares no erasure policy, or a name in the
   *     mapping cannot be written without quoting; nothing is changed
   * @throws SQLException if the database refuses; everything is rolled back
   * @throws org.consent4j.AuditUnavailableException if the erasure cannot be audited; rolled back
   */
  public Report erase(SubjectId subject, AccessContext context) throws SQLException {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(context, "context");
    engine.catalog().require(context);
    List<String> statements = new ArrayList<>();
    List<TableMapping> tables = new ArrayList<>(mapping.tables());
    TreeSet<DataCategory> categories = new TreeSet<>();
    Dialect dialect;
    try (Connection c = dataSource.getConnection()) {
      dialect = Dialect.fromProductName(c.getMetaData().getDatabaseProductName());
    }
    for (TableMapping t : tables) {
      statements.add(statement(t, dialect));
      categories.addAll(t.categories());
    }
    Instant now = engine.clock().instant();
    Map<String, Long> rows = new LinkedHashMap<>();
    try (Connection c = dataSource.getConnection()) {
      boolean auto = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        for (int i = 0; i < tables.size(); i++) {
          try (PreparedStatement s = c.prepareStatement(statements.get(i))) {
            for (int k = 1; k <= tables.get(i).subjectColumns().size(); k++) {
              s.setString(k, subject.value());
            }
            rows.put(tables.get(i).qualifiedName(), (long) s.executeUpdate());
          }
        }
        writer.queueNotification(c, subject, 'E', Optional.empty(), Optional.empty(), now);
        SortedMap<String, String> details = new TreeMap<>();
        StringBuilder sb = new StringBuilder();
        for (TableMapping t : tables) {
          sb.append(sb.length() == 0 ? "" : ",").append(t.qualifiedName()).append(':')
              .append(t.erasure().orElseThrow().jsonName()).append(':').append(rows.get(t.qualifiedName()));
        }
        details.put("tables", sb.toString());
        // audited before the commit: with a synchronous trail, no erasure without its event
        engine.audit().submit(new AuditEvent(now, context.actor(), context.purpose(), context.recipient(), "erase",
            List.of(subject), categories, Outcome.PERMIT, "ERASED", 0, details));
        c.commit();
      } catch (SQLException | RuntimeException e) {
        try {
          c.rollback();
        } catch (SQLException r) {
          e.addSuppressed(r);
        }
        try {
          SortedMap<String, String> details = new TreeMap<>();
          details.put("failed", e.getClass().getSimpleName());
          engine.audit().submit(new AuditEvent(engine.clock().instant(), context.actor(), context.purpose(),
              context.recipient(), "erase", List.of(subject), categories, Outcome.DENY, "ERASURE_FAILED", 0, details));
        } catch (RuntimeException a) {
          e.addSuppressed(a);
        }
        throw e;
      } finally {
        c.setAutoCommit(auto);
      }
    }
    return new Report(subject, now, rows);
  }

  private static String statement(TableMapping t, Dialect dialect) {
    ErasurePolicy policy = t.erasure().orElseThrow(() -> new IllegalStateException("table '" + t.qualifiedName()
        + "' declares no erasure policy, so the subject cannot be erased from it: add \"erasure\": \"delete\" or"
        + " \"erasure\": \"nullify\" to its mapping; nothing was erased"));
    StringBuilder where = new StringBuilder();
    for (String col : t.subjectColumns()) {
      String cast = switch (dialect) {
        case MARIADB, MYSQL -> "CAST(" + plain(t, col) + " AS CHAR(256))";
        case H2, POSTGRESQL -> "CAST(" + plain(t, col) + " AS VARCHAR(256))";
      };
      where.append(where.length() == 0 ? "" : " OR ").append(cast).append(" = ?");
    }
    String table = t.schema().map(s -> plain(t, s) + ".").orElse("") + plain(t, t.table());
    if (policy == ErasurePolicy.DELETE) {
      return "DELETE FROM " + table + " WHERE " + where;
    }
    StringBuilder set = new StringBuilder();
    for (String col : t.columns().keySet()) {
      set.append(set.length() == 0 ? "" : ", ").append(plain(t, col)).append(" = NULL");
    }
    return "UPDATE " + table + " SET " + set + " WHERE " + where;
  }

  /** Mapping names are validated identifiers; only plain ones are written, unquoted. */
  private static String plain(TableMapping t, String name) {
    if (!PLAIN.matcher(name).matches()) {
      throw new IllegalStateException("table '" + t.qualifiedName() + "': name '" + name + "' needs quoting, which"
          + " erasure does not support yet; nothing was erased");
    }
    return name;
  }
}
