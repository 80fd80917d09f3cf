package org.consent4j.jdbc.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.consent4j.AccessContext;
import org.consent4j.AuditEvent;
import org.consent4j.AuditRecord;
import org.consent4j.Catalog;
import org.consent4j.Grant;
import org.consent4j.LegalBasis;
import org.consent4j.SubjectId;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.ProcessingScope;
import org.consent4j.core.audit.InMemoryAuditSink;
import org.consent4j.jdbc.AuditLevel;
import org.consent4j.jdbc.JdbcConsentStore;
import org.consent4j.jdbc.ReadForm;
import org.consent4j.jdbc.SchemaMapping;
import org.consent4j.jdbc.TestDatabases;
import org.consent4j.jdbc.TestDatabases.Database;
import org.consent4j.jdbc.wrapper.ConsentDataSource;
import org.consent4j.jdbc.wrapper.RewrittenSql;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Which statements run post-filtered ({@code PostFilter}), one refusal per condition, and what the
 * application sees of a post-filtered result set: only visible rows, masked values as NULL (with
 * {@code wasNull}), no hidden column anywhere, scrolling over visible rows, and an audit that names
 * the subjects returned. H2; {@link PostFilterProperties} holds the results to the pushdown's on
 * all three databases.
 */
@SuppressWarnings("try") // scopes are opened for their effect on the thread
final class PostFilterTest {
  static final Catalog CATALOG = Catalog.builder()
      .purpose("marketing", LegalBasis.CONSENT)
      .purpose("support", LegalBasis.CONTRACT, "contact.email")
      .categories("contact.email", "contact.phone", "commerce.order", "commerce.note")
      .build();
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-06-01T12:00:00Z"), ZoneOffset.UTC);
  static final AccessContext MARKETING = AccessContext.of("test", "marketing");

  static Database db;
  static String p;
  static ConsentEngine engine;
  static ConsentDataSource post;
  static ConsentDataSource pushdown;
  static ConsentDataSource postSubjects;

  @BeforeAll
  static void open() throws SQLException {
    db = TestDatabases.h2();
    p = db.newTablePrefix();
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE " + p + "contact (id INT PRIMARY KEY, country VARCHAR(2), email VARCHAR(100),"
          + " phone VARCHAR(30))");
      s.execute("CREATE TABLE " + p + "orders (id INT PRIMARY KEY, contact_id INT, amount INT, note VARCHAR(50))");
      s.execute("CREATE TABLE " + p + "person (login VARCHAR(20) PRIMARY KEY, email VARCHAR(100))");
      s.execute("CREATE TABLE " + p + "tag (contact_id INT, label VARCHAR(10))");
      for (int i = 1; i <= 4; i++) {
        s.execute("INSERT INTO " + p + "contact VALUES (" + i + ", 'NL', 'e" + i + "', 'p" + i + "')");
        s.execute("INSERT INTO " + p + "orders VALUES (" + i + ", " + i + ", " + 10 * i + ", 'n" + i + "')");
        s.execute("INSERT INTO " + p + "tag VALUES (" + i + ", 't')");
      }
    }
    JdbcConsentStore store = db.newStore();
    engine = ConsentEngine.builder().catalog(CATALOG).store(store).clock(CLOCK).build();
    Instant before = CLOCK.instant().minusSeconds(60);
    // 1 sees everything; 2 is visible with its phone masked and no orders; 3 and 4 are hidden
    engine.grant(Grant.builder(SubjectId.of(1)).purpose("marketing").category("contact").category("commerce")
        .grantedAt(before));
    engine.grant(Grant.builder(SubjectId.of(2)).purpose("marketing").category("contact.email").grantedAt(before));
    SchemaMapping mapping = SchemaMapping.fromJson("{ \"tables\": ["
        + " { \"table\": \"" + p + "contact\", \"subject\": \"id\","
        + "   \"columns\": { \"email\": \"contact.email\", \"phone\": \"contact.phone\" } },"
        + " { \"table\": \"" + p + "orders\", \"subject\": \"contact_id\", \"rowCategory\": \"commerce.order\","
        + "   \"columns\": { \"note\": \"commerce.note\" } },"
        + " { \"table\": \"" + p + "person\", \"subject\": \"login\", \"columns\": { \"email\": \"contact.email\" } }"
        + " ] }");
    post = ConsentDataSource.wrap(db.dataSource(), engine, mapping, AuditLevel.STATEMENT, ReadForm.POST_FILTER);
    pushdown = ConsentDataSource.wrap(db.dataSource(), engine, mapping, AuditLevel.STATEMENT, ReadForm.PUSHDOWN);
    postSubjects = ConsentDataSource.wrap(db.dataSource(), engine, mapping, AuditLevel.SUBJECT, ReadForm.POST_FILTER);
  }

  @AfterAll
  static void close() throws Exception {
    engine.close();
    db.close();
  }

  static String sql(String s) {
    return s.replace("$", p);
  }

  // ------------------------------------------------------------------ which form

  static Stream<String> eligible() {
    return Stream.of(
        "SELECT id, email, phone FROM $contact",
        "SELECT * FROM $contact",
        "SELECT c.* FROM $contact c WHERE c.id > 1 ORDER BY c.id",
        "SELECT c.id, c.email, o.note FROM $contact c JOIN $orders o ON o.contact_id = c.id WHERE o.amount >= 10",
        "SELECT a.email, b.phone FROM $contact a INNER JOIN $contact b ON a.country = b.country",
        "SELECT c.email, o.amount FROM $contact c, $orders o WHERE o.contact_id = c.id",
        "SELECT c.email FROM $contact c CROSS JOIN $orders o",
        "SELECT c.id AS k, 'x', 42, NULL, ? FROM $contact c WHERE c.id IN (1, 2) ORDER BY k",
        "SELECT c.email FROM $contact c WHERE c.country = 'NL' AND (c.id BETWEEN 1 AND 3 OR c.id IS NULL)");
  }

  @ParameterizedTest
  @MethodSource("eligible")
  void aShapeWhoseFilteredResultIsThePushdownsRunsPostFiltered(String statement) throws SQLException {
    RewrittenSql r = post.explain(sql(statement), MARKETING);
    assertTrue(r.postFiltered(), () -> statement + ": " + r.pushdownReason());
    assertEquals("", r.pushdownReason());
    assertFalse(r.sql().contains("consent_state"), "the post-filtered form reads no consent state: " + r.sql());
    assertTrue(r.sql().contains("c4j_s0"), r.sql());
    assertFalse(pushdown.explain(sql(statement), MARKETING).postFiltered(), "the pushdown data source never does");
  }

  static Stream<Arguments> ineligible() {
    return Stream.of(
        Arguments.of("SELECT DISTINCT country FROM $contact", "distinct"),
        Arguments.of("SELECT country FROM $contact GROUP BY country", "groupBy"),
        Arguments.of("SELECT COUNT(*) FROM $contact", "expression"),
        Arguments.of("SELECT id, ROW_NUMBER() OVER (ORDER BY id) FROM $contact", "expression"),
        Arguments.of("SELECT id FROM $contact UNION SELECT id FROM $contact", "plain SELECT"),
        Arguments.of("WITH x AS (SELECT id FROM $contact) SELECT id FROM x", "withItemsList"),
        // on H2 the subquery compares an unmapped column, so it is guarded before it is seen as one
        Arguments.of("SELECT id FROM $contact c WHERE EXISTS (SELECT 1 FROM $tag t WHERE t.contact_id = c.id)",
            "guarded"),
        Arguments.of("SELECT id FROM $contact c WHERE c.id IN (SELECT o.contact_id FROM $orders o)", "subquery"),
        Arguments.of("SELECT id, (SELECT MAX(label) FROM $tag) FROM $contact", "subquery"),
        Arguments.of("SELECT x.id FROM (SELECT id FROM $contact) x", "not a table"),
        Arguments.of("SELECT id, email FROM $contact ORDER BY id LIMIT 2", "limit"),
        Arguments.of("SELECT id, email FROM $contact ORDER BY id OFFSET 1 ROWS", "offset"),
        Arguments.of("SELECT id, email FROM $contact ORDER BY id FETCH FIRST 2 ROWS ONLY", "fetch"),
        Arguments.of("SELECT id FROM $contact WHERE id = 1 FOR UPDATE", "forMode"),
        Arguments.of("SELECT c.id, o.note FROM $contact c LEFT JOIN $orders o ON o.contact_id = c.id", "left"),
        Arguments.of("SELECT c.id FROM $contact c NATURAL JOIN $orders o", "natural"),
        Arguments.of("SELECT a.id FROM $contact a JOIN $contact b USING (id)", "usingColumns"),
        Arguments.of("SELECT id FROM $contact WHERE email = 'e1'", "personal column"),
        Arguments.of("SELECT c.id FROM $contact c JOIN $contact b ON b.phone = c.phone", "personal column"),
        Arguments.of("SELECT id FROM $contact ORDER BY email", "ORDER BY"),
        Arguments.of("SELECT id, email AS m FROM $contact ORDER BY m", "ORDER BY"),
        Arguments.of("SELECT id, email FROM $contact ORDER BY 2", "ORDER BY"),
        Arguments.of("SELECT UPPER(email) FROM $contact", "expression"),
        Arguments.of("SELECT id + 1 FROM $contact", "expression"),
        Arguments.of("SELECT id FROM $contact WHERE 1 / (id - 2) = 1", "guarded"),
        Arguments.of("SELECT login, email FROM $person", "not an integer"),
        Arguments.of("SELECT t.* FROM $contact c JOIN $tag t ON t.contact_id = c.id", "t.*"),
        Arguments.of("SELECT * FROM $contact c JOIN $orders o ON o.contact_id = c.id JOIN $tag t ON t.contact_id ="
            + " c.id", "fenced"),
        Arguments.of("SELECT a.id FROM $contact a JOIN $contact b ON a.id = b.id WHERE id = 1", "guarded"),
        Arguments.of("SELECT email FROM $contact a JOIN $contact b ON a.id = b.id", "cannot be told"),
        // a column the rewriter did not read from the table (added since): the view would not have it
        Arguments.of("SELECT id, added_later FROM $contact", "cannot be told"),
        Arguments.of("SELECT c.added_later FROM $contact c", "cannot be told"),
        Arguments.of("SELECT id, email FROM $contact INTO OUTFILE '/tmp/x'", ""));
  }

  @ParameterizedTest
  @MethodSource("ineligible")
  void aShapeThatCouldDifferKeepsThePushdown(String statement, String reason) throws SQLException {
    RewrittenSql r;
    try {
      r = post.explain(sql(statement), MARKETING);
    } catch (SQLException refused) {
      return; // refused outright (as with the pushdown data source): not post-filtered either
    }
    assertFalse(r.postFiltered(), statement);
    assertTrue(r.pushdownReason().contains(reason), () -> statement + " kept the pushdown for: " + r.pushdownReason());
    assertTrue(r.sql().contains("consent_state"), "the pushdown form: " + r.sql());
  }

  @Test
  void aNonConsentPurposeKeepsThePushdown() throws SQLException {
    RewrittenSql r = post.explain(sql("SELECT id, email FROM $contact"), AccessContext.of("test", "support"));
    assertFalse(r.postFiltered());
    assertTrue(r.pushdownReason().contains("not consent"), r.pushdownReason());
  }

  @Test
  void writesKeepThePushdown() throws SQLException {
    RewrittenSql r = post.explain(sql("UPDATE $contact SET country = 'FR' WHERE id = 1"), MARKETING);
    assertFalse(r.postFiltered());
  }

  // ------------------------------------------------------------------ what the application sees

  @Test
  void hiddenRowsAreSkippedAndMaskedValuesReadAsNullByIndexAndLabel() throws SQLException {
    try (ProcessingScope scope = engine.process(MARKETING); Connection c = post.getConnection();
         Statement s = c.createStatement();
         ResultSet rs = s.executeQuery(sql("SELECT id, email, phone FROM $contact ORDER BY id"))) {
      ResultSetMetaData md = rs.getMetaData();
      assertEquals(3, md.getColumnCount(), "the hidden subject column is not counted");
      assertEquals(ResultSetMetaData.columnNullable, md.isNullable(3), "a maskable column may read NULL");
      assertThrows(SQLException.class, () -> rs.findColumn("c4j_s0"));
      assertTrue(rs.next());
      assertEquals(1, rs.getInt(1));
      assertEquals("p1", rs.getString("phone"));
      assertFalse(rs.wasNull());
      assertTrue(rs.next());
      assertEquals(2, rs.getInt("id"));
      assertEquals("e2", rs.getString(2));
      assertNull(rs.getString(3), "subject 2 did not grant contact.phone");
      assertTrue(rs.wasNull());
      assertNull(rs.getObject("phone"));
      assertTrue(rs.wasNull());
      assertNull(rs.getObject(3, String.class));
      assertEquals(0, rs.getInt(3), "a masked value reads as SQL NULL through every getter");
      assertTrue(rs.wasNull());
      assertEquals(2, rs.getInt(1));
      assertFalse(rs.wasNull(), "wasNull follows the last column read");
      assertThrows(SQLException.class, () -> rs.getString(4), "the hidden column cannot be read");
      assertFalse(rs.next(), "subjects 3 and 4 have no grant: their rows are skipped");
    }
  }

  @Test
  void aJoinShowsOnlyCombinationsOfVisibleRowsWithTheirMasks() throws SQLException {
    String q = "SELECT c.id, c.phone, o.id, o.note FROM $contact c JOIN $orders o ON o.contact_id = c.id";
    assertEquals(rows(pushdown, q, false), rows(post, q, false));
    assertEquals(List.of("1|p1|1|n1"), rows(post, q, false), "subject 2 has no commerce.order grant");
  }

  @Test
  void aScrollableResultSetScrollsOverTheVisibleRows() throws SQLException {
    try (ProcessingScope scope = engine.process(MARKETING); Connection c = post.getConnection();
         Statement s = c.createStatement(ResultSet.TYPE_SCROLL_INSENSITIVE, ResultSet.CONCUR_READ_ONLY);
         ResultSet rs = s.executeQuery(sql("SELECT id, phone FROM $contact ORDER BY id"))) {
      assertTrue(rs.isBeforeFirst());
      assertTrue(rs.last());
      assertEquals(2, rs.getRow(), "two visible rows");
      assertEquals(2, rs.getInt(1));
      assertNull(rs.getString(2));
      assertTrue(rs.isLast());
      assertTrue(rs.previous());
      assertTrue(rs.isFirst());
      assertEquals("p1", rs.getString(2));
      assertFalse(rs.absolute(3));
      assertTrue(rs.isAfterLast());
      assertTrue(rs.absolute(-1));
      assertEquals(2, rs.getInt(1));
      assertFalse(rs.next());
    }
  }

  @Test
  void aForwardOnlyResultSetRefusesToLookAhead() throws SQLException {
    try (ProcessingScope scope = engine.process(MARKETING); Connection c = post.getConnection();
         Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql("SELECT id FROM $contact"))) {
      assertThrows(SQLFeatureNotSupportedException.class, rs::isBeforeFirst);
      assertTrue(rs.next());
      assertEquals(1, rs.getRow());
      assertTrue(rs.isFirst());
      assertTrue(rs.next());
      assertFalse(rs.next());
      assertTrue(rs.isAfterLast());
    }
  }

  @Test
  void theAuditNamesTheSubjectsReturnedAtSubjectLevelAndCountsVisibleRows() throws SQLException {
    int mark = audit().size();
    assertEquals(2, rows(postSubjects, "SELECT id, email FROM $contact", false).size());
    AuditEvent done = audit().subList(mark, audit().size()).stream().map(AuditRecord::event)
        .filter(e -> e.reason().equals("ROWS_RETURNED")).findFirst().orElseThrow();
    assertEquals(List.of(SubjectId.of(1), SubjectId.of(2)), done.subjects());
    assertEquals("2", done.details().get("rows"));
    mark = audit().size();
    rows(post, "SELECT id, email FROM $contact", true);
    done = audit().subList(mark, audit().size()).stream().map(AuditRecord::event)
        .filter(e -> e.reason().equals("ROWS_RETURNED")).findFirst().orElseThrow();
    assertEquals(List.of(), done.subjects(), "at statement level no subject is named");
    assertEquals("2", done.details().get("rows"));
  }

  static List<AuditRecord> audit() {
    engine.audit().flush();
    return ((InMemoryAuditSink) engine.audit().sink()).records();
  }

  static List<String> rows(ConsentDataSource ds, String q, boolean prepared) throws SQLException {
    try (ProcessingScope scope = engine.process(MARKETING); Connection c = ds.getConnection()) {
      try (Statement s = prepared ? c.prepareStatement(sql(q)) : c.createStatement();
           ResultSet rs = prepared ? ((java.sql.PreparedStatement) s).executeQuery() : s.executeQuery(sql(q))) {
        List<String> out = new ArrayList<>();
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          StringBuilder b = new StringBuilder();
          for (int i = 1; i <= n; i++) {
            b.append(i == 1 ? "" : "|").append(rs.getString(i));
          }
          out.add(b.toString());
        }
        out.sort(null);
        return out;
      }
    }
  }

  @Test
  void aPreparedStatementDecidesItsRowsAtEachExecution() throws Exception {
    PostFilterProperties.MovableClock clock = new PostFilterProperties.MovableClock(CLOCK.instant());
    try (ConsentEngine moving = ConsentEngine.builder().catalog(CATALOG).store(db.newStore()).clock(clock).build()) {
      moving.grant(Grant.builder(SubjectId.of(3)).purpose("marketing").category("contact")
          .grantedAt(CLOCK.instant().minusSeconds(10)).expiresAt(CLOCK.instant().plusSeconds(30)));
      ConsentDataSource ds = ConsentDataSource.wrap(db.dataSource(), moving, SchemaMapping.fromJson("{ \"tables\":"
          + " [ { \"table\": \"" + p + "contact\", \"subject\": \"id\", \"columns\": { \"email\":"
          + " \"contact.email\" } } ] }"), AuditLevel.STATEMENT, ReadForm.POST_FILTER);
      try (ProcessingScope scope = moving.process(MARKETING); Connection c = ds.getConnection();
           java.sql.PreparedStatement ps = c.prepareStatement(sql("SELECT id, email FROM $contact WHERE id = ?"))) {
        assertTrue(ds.explain(sql("SELECT id, email FROM $contact WHERE id = ?"), MARKETING).postFiltered());
        ps.setInt(1, 3);
        try (ResultSet rs = ps.executeQuery()) {
          assertTrue(rs.next(), "the grant is in effect");
          assertEquals("e3", rs.getString(2));
        }
        clock.set(CLOCK.instant().plusSeconds(30)); // the instant the grant expires
        try (ResultSet rs = ps.executeQuery()) {
          assertFalse(rs.next(), "decided at the second execution, when the grant has expired");
        }
      }
    }
  }

  @Test
  void theDefaultFormComesFromTheSystemProperty() {
    String old = System.getProperty(ReadForm.PROPERTY);
    try {
      System.clearProperty(ReadForm.PROPERTY);
      assertEquals(ReadForm.AUTO, ReadForm.configuredDefault());
      System.setProperty(ReadForm.PROPERTY, " ");
      assertEquals(ReadForm.AUTO, ReadForm.configuredDefault());
      System.setProperty(ReadForm.PROPERTY, "post_filter");
      assertEquals(ReadForm.POST_FILTER, ReadForm.configuredDefault());
      System.setProperty(ReadForm.PROPERTY, "Post-Filter");
      assertEquals(ReadForm.POST_FILTER, ReadForm.configuredDefault());
      System.setProperty(ReadForm.PROPERTY, "pushdown");
      assertEquals(ReadForm.PUSHDOWN, ReadForm.configuredDefault());
      System.setProperty(ReadForm.PROPERTY, "auto");
      assertEquals(ReadForm.AUTO, ReadForm.configuredDefault());
      System.setProperty(ReadForm.PROPERTY, "nonsense");
      assertThrows(IllegalArgumentException.class, ReadForm::configuredDefault);
    } finally {
      if (old == null) {
        System.clearProperty(ReadForm.PROPERTY);
      } else {
        System.setProperty(ReadForm.PROPERTY, old);
      }
    }
  }
}
