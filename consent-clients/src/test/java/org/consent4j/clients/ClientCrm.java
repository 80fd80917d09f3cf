package org.consent4j.clients;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.consent4j.AccessContext;
import org.consent4j.AuditEvent;
import org.consent4j.AuditRecord;
import org.consent4j.Catalog;
import org.consent4j.LegalBasis;
import org.consent4j.Purpose;
import org.consent4j.SubjectId;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.audit.InMemoryAuditSink;
import org.consent4j.jdbc.JdbcConsentStore;
import org.consent4j.jdbc.SchemaMapping;
import org.consent4j.jdbc.TestDatabases.Database;
import org.consent4j.jdbc.wrapper.ConsentDataSource;

/**
 * The CRM of consent-jdbc's end-to-end tests, for the client libraries: a {@code contact} table
 * under a unique prefix ({@code $} in SQL stands for it), the engine on a JDBC consent store in the
 * same database, the mapping from JSON, the guarded data source over the test pool.
 *
 * <pre>
 * contact  id  country  email            phone   grant (purpose marketing)  under MARKETING   under SUPPORT
 *          1   NL       c1@example.org   +31 1   contact                    email, phone      email
 *          2   NL       c2@example.org   +31 2   contact.email              email             email
 *          3   NL       c3@example.org   +31 3   contact.phone              phone             email
 *          4   NL       c4@example.org   +31 4   contact, withdrawn         absent            email
 *          5   DE       c5@example.org   +49 5   none                       absent            email
 * </pre>
 *
 * {@code support} is a contract purpose declared for {@code contact.email}: every row, e-mail
 * visible, phone NULL. {@code export_list} is not mapped.
 */
public final class ClientCrm implements AutoCloseable {
  /** The purposes and categories of the CRM. */
  public static final Catalog CATALOG = Catalog.builder()
      .purpose("marketing", LegalBasis.CONSENT)
      .purpose("marketing.email", LegalBasis.CONSENT)
      .purpose("support", LegalBasis.CONTRACT, "contact.email")
      .categories("contact.email", "contact.phone")
      .build();
  /** A consent purpose. */
  public static final AccessContext MARKETING = AccessContext.of("campaign", "marketing.email");
  /** A contract purpose. */
  public static final AccessContext SUPPORT = AccessContext.of("helpdesk", "support");

  /** The database. */
  public final Database db;
  /** The table prefix. */
  public final String p;
  /** The consent store. */
  public final JdbcConsentStore store;
  /** The engine. */
  public final ConsentEngine engine;
  /** The mapping. */
  public final SchemaMapping mapping;
  /** The guarded data source. */
  public final ConsentDataSource guarded;

  /** Creates the tables, grants and guarded data source on {@code db}. */
  public ClientCrm(Database db) throws SQLException {
    this.db = db;
    this.store = db.newStore();
    this.p = db.newTablePrefix();
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute(sql("CREATE TABLE $contact (id INT PRIMARY KEY, country VARCHAR(2), email VARCHAR(100),"
          + " phone VARCHAR(30))"));
      s.execute(sql("CREATE TABLE $export_list (id INT PRIMARY KEY, email VARCHAR(100))"));
      for (int i = 1; i <= 5; i++) {
        s.execute(sql("INSERT INTO $contact VALUES (" + i + ", '" + (i == 5 ? "DE" : "NL") + "', 'c" + i
            + "@example.org', '+" + (i == 5 ? "49" : "31") + " " + i + "')"));
      }
      s.execute(sql("INSERT INTO $export_list VALUES (1, 'x1@example.org')"));
    }
    Clock clock = new FixedClock(Instant.parse("2026-06-01T12:00:00Z"));
    engine = ConsentEngine.builder().catalog(CATALOG).store(store).clock(clock).build();
    engine.grant(org.consent4j.Grant.builder(SubjectId.of(1)).purpose("marketing").category("contact"));
    engine.grant(org.consent4j.Grant.builder(SubjectId.of(2)).purpose("marketing").category("contact.email"));
    engine.grant(org.consent4j.Grant.builder(SubjectId.of(3)).purpose("marketing").category("contact.phone"));
    engine.grant(org.consent4j.Grant.builder(SubjectId.of(4)).purpose("marketing").category("contact"));
    ((FixedClock) clock).advance(Duration.ofMinutes(1));
    engine.withdraw(SubjectId.of(4), Purpose.of("marketing"));
    ((FixedClock) clock).advance(Duration.ofMinutes(1));
    mapping = SchemaMapping.fromJson(sql("""
        { "tables": [
          { "table": "$contact", "subject": "id",
            "columns": { "email": "contact.email", "phone": "contact.phone" } } ] }
        """));
    guarded = ConsentDataSource.wrap(db.dataSource(), engine, mapping, store);
  }

  /** {@code sql} with {@code $} replaced by the table prefix. */
  public String sql(String sql) {
    return sql.replace("$", p);
  }

  /** A table name as this database stores an unquoted name (H2 folds to upper case). */
  public String stored(String table) {
    String name = sql(table);
    return db.name().equals("H2") ? name.toUpperCase(Locale.ROOT) : name;
  }

  /** Straight to the database, around consent4j: what is really stored. */
  public List<List<Object>> rawQuery(String sql) throws SQLException {
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql(sql))) {
      List<List<Object>> rows = new ArrayList<>();
      int n = r.getMetaData().getColumnCount();
      while (r.next()) {
        Object[] row = new Object[n];
        for (int i = 0; i < n; i++) {
          Object v = r.getObject(i + 1);
          row[i] = v instanceof Number number ? (Object) number.intValue() : v;
        }
        rows.add(Arrays.asList(row));
      }
      return rows;
    }
  }

  /** How many audit records were written so far. */
  public int auditMark() {
    return auditRecords().size();
  }

  /** The audit events written since {@code mark}. */
  public List<AuditEvent> auditEventsSince(int mark) {
    List<AuditRecord> all = auditRecords();
    return all.subList(mark, all.size()).stream().map(AuditRecord::event).toList();
  }

  private List<AuditRecord> auditRecords() {
    engine.audit().flush();
    return ((InMemoryAuditSink) engine.audit().sink()).records();
  }

  @Override
  public void close() {
    engine.close();
  }

  /** A clock moved by hand. */
  private static final class FixedClock extends Clock {
    private volatile Instant now;

    FixedClock(Instant now) {
      this.now = now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
