package org.consent4j.jdbc.wrapper;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.testing.NullPointerTester;
import java.sql.Array;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.consent4j.jdbc.ConsentSQLException;
import org.consent4j.jdbc.ConsentSQLException.ReasonCode;
import org.h2.jdbc.JdbcConnection;
import org.h2.jdbc.JdbcResultSet;
import org.h2.jdbc.JdbcStatement;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

final class ConsentDataSourceTest {
  private static final String CONTACTS = "SELECT ID, EMAIL FROM CONTACT ORDER BY ID";

  private JdbcDataSource h2;
  private Connection raw;
  private Recorder recorder;
  private ConsentDataSource dataSource;

  @BeforeEach
  void createDatabase() throws SQLException {
    h2 = H2.database("wrapper");
    raw = h2.getConnection();
    H2.reset(raw);
    recorder = Recorder.protectingContact();
    dataSource = ConsentDataSource.wrap(h2, recorder);
  }

  @AfterEach
  void dropDatabase() throws SQLException {
    try (Statement statement = raw.createStatement()) {
      statement.execute("SHUTDOWN");
    }
  }

  @Test
  void backReferencesReturnTheWrappers() throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      Statement statement = connection.createStatement();
      assertSame(connection, statement.getConnection());
      ResultSet resultSet = statement.executeQuery(CONTACTS);
      assertSame(statement, resultSet.getStatement());

      assertTrue(statement.execute("SELECT TEXT FROM NOTE"));
      ResultSet current = statement.getResultSet();
      assertSame(statement, current.getStatement());
      assertSame(current, statement.getResultSet(), "asked twice, the same wrapper");

      PreparedStatement prepared =
          connection.prepareStatement("SELECT EMAIL FROM CONTACT WHERE ID = ?");
      assertSame(connection, prepared.getConnection());
      prepared.setInt(1, 1);
      assertSame(prepared, prepared.executeQuery().getStatement());

      CallableStatement call = connection.prepareCall("CALL ABS(-1)");
      assertSame(connection, call.getConnection());

      DatabaseMetaData metaData = connection.getMetaData();
      assertSame(connection, metaData.getConnection());
      ResultSet tables = metaData.getTables(null, null, "CONTACT", null);
      assertTrue(tables.next());
      assertNull(tables.getStatement(), "metadata results come from no statement");
      assertInsideConsent4j(tables);

      Statement insert = connection.createStatement();
      insert.executeUpdate(
          "INSERT INTO NOTE(TEXT) VALUES ('again')", Statement.RETURN_GENERATED_KEYS);
      ResultSet keys = insert.getGeneratedKeys();
      assertSame(insert, keys.getStatement());
      assertTrue(keys.next());
      assertEquals(2, keys.getInt(1));
    }
  }

  @Test
  void unwrapHandsOutTheWrapperButNeverTheDriversObject() throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      assertSame(connection, connection.unwrap(Connection.class));
      assertTrue(connection.isWrapperFor(Connection.class));
      assertFalse(connection.isWrapperFor(JdbcConnection.class));
      ConsentSQLException refused =
          assertThrows(ConsentSQLException.class, () -> connection.unwrap(JdbcConnection.class));
      assertEquals(ReasonCode.WRAPPER_UNWRAP_REFUSED, refused.reasonCode());
      assertEquals("42501", refused.getSQLState());
      assertTrue(
          refused.getMessage()
              .startsWith("consent4j does not hand out the underlying driver object"));

      Statement statement = connection.createStatement();
      assertRefused(ReasonCode.WRAPPER_UNWRAP_REFUSED, () -> statement.unwrap(JdbcStatement.class));
      ResultSet resultSet = statement.executeQuery("SELECT TEXT FROM NOTE");
      assertSame(resultSet, resultSet.unwrap(ResultSet.class));
      assertRefused(ReasonCode.WRAPPER_UNWRAP_REFUSED, () -> resultSet.unwrap(JdbcResultSet.class));
      assertRefused(
          ReasonCode.WRAPPER_UNWRAP_REFUSED,
          () -> connection.getMetaData().unwrap(org.h2.jdbc.JdbcDatabaseMetaData.class));
      assertRefused(ReasonCode.WRAPPER_UNWRAP_REFUSED, () -> connection.unwrap(null));
    }
    assertSame(dataSource, dataSource.unwrap(javax.sql.DataSource.class));
    assertFalse(dataSource.isWrapperFor(JdbcDataSource.class));
    assertRefused(ReasonCode.WRAPPER_UNWRAP_REFUSED, () -> dataSource.unwrap(JdbcDataSource.class));
  }

  @Test
  void resultSetOfProtectedDataRefusesEveryKindOfWrite() throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement =
            connection.createStatement(
                ResultSet.TYPE_SCROLL_INSENSITIVE, ResultSet.CONCUR_UPDATABLE)) {
      ResultSet contacts = statement.executeQuery(CONTACTS);
      assertEquals(ResultSet.CONCUR_READ_ONLY, contacts.getConcurrency());
      assertTrue(contacts.next());
      assertRefused(
          ReasonCode.UPDATABLE_RESULT_REFUSED, () -> contacts.updateString("EMAIL", "x@evil.org"));
      assertRefused(ReasonCode.UPDATABLE_RESULT_REFUSED, contacts::updateRow);
      assertRefused(ReasonCode.UPDATABLE_RESULT_REFUSED, contacts::deleteRow);
      assertRefused(ReasonCode.UPDATABLE_RESULT_REFUSED, contacts::refreshRow);
      assertRefused(ReasonCode.UPDATABLE_RESULT_REFUSED, contacts::moveToInsertRow);
      assertRefused(ReasonCode.UPDATABLE_RESULT_REFUSED, contacts::insertRow);
      assertEquals("a@x.org", contacts.getString("EMAIL"));
    }
    assertEquals(List.of("1 a@x.org", "2 b@x.org", "3 c@y.org"), rawRows(CONTACTS));
  }

  @Test
  void resultSetOfUnprotectedDataStaysUpdatable() throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement =
            connection.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_UPDATABLE);
        ResultSet notes = statement.executeQuery("SELECT ID, TEXT FROM NOTE")) {
      assertEquals(ResultSet.CONCUR_UPDATABLE, notes.getConcurrency());
      assertTrue(notes.next());
      notes.updateString("TEXT", "changed");
      notes.updateRow();
    }
    assertEquals(List.of("1 changed"), rawRows("SELECT ID, TEXT FROM NOTE"));
  }

  @Test
  void updatableConcurrencyIsRefusedWhenPreparingProtectedSql() throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      ReasonCode refused = ReasonCode.UPDATABLE_RESULT_REFUSED;
      int type = ResultSet.TYPE_FORWARD_ONLY;
      int updatable = ResultSet.CONCUR_UPDATABLE;
      int hold = ResultSet.HOLD_CURSORS_OVER_COMMIT;
      assertRefused(refused, () -> connection.prepareStatement(CONTACTS, type, updatable));
      assertRefused(refused, () -> connection.prepareStatement(CONTACTS, type, updatable, hold));
      assertRefused(refused, () -> connection.prepareCall(CONTACTS, type, updatable));
      assertRefused(refused, () -> connection.prepareCall(CONTACTS, type, updatable, hold));

      try (PreparedStatement readOnly =
          connection.prepareStatement(CONTACTS, type, ResultSet.CONCUR_READ_ONLY)) {
        assertTrue(readOnly.executeQuery().next());
      }
      connection.prepareStatement("SELECT TEXT FROM NOTE", type, updatable).close();
    }
  }

  @Test
  void listenerCountsRowsAndHearsOfTheCloseExactlyOnce() throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      ResultSet contacts = statement.executeQuery(CONTACTS);
      while (contacts.next()) {
        contacts.getString("EMAIL");
      }
      contacts.close();
      contacts.close();
    }
    assertEquals(List.of("row 1", "row 2", "row 3", "closed 3"), recorder.events);
  }

  @Test
  void closingOnlyTheConnectionClosesProtectedResultSetsAndTellsTheirListenersOnce()
      throws SQLException {
    Connection connection = dataSource.getConnection();
    ResultSet contacts = connection.createStatement().executeQuery(CONTACTS);
    PreparedStatement prepared = connection.prepareStatement(CONTACTS);
    ResultSet again = prepared.executeQuery();
    assertTrue(contacts.next());
    assertTrue(contacts.next());
    assertTrue(again.next());

    connection.close();

    assertTrue(contacts.isClosed());
    assertTrue(again.isClosed());
    contacts.close();
    assertEquals(List.of("row 1", "row 2", "row 1", "closed 1", "closed 2"), sortedCloses());
  }

  @Test
  void closingTheStatementOrRunningItAgainClosesItsProtectedResultSets() throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      Statement statement = connection.createStatement();
      ResultSet first = statement.executeQuery(CONTACTS);
      assertTrue(first.next());
      ResultSet second = statement.executeQuery(CONTACTS);
      assertTrue(first.isClosed());
      assertEquals(List.of("row 1", "closed 1"), recorder.events);

      statement.close();
      assertTrue(second.isClosed());
      assertEquals(List.of("row 1", "closed 1", "closed 0"), recorder.events);
    }
    assertEquals(3, recorder.events.size(), "closing the connection reports nothing twice");
  }

  @Test
  void getMoreResultsClosesTheCurrentProtectedResultSet() throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      assertTrue(statement.execute(CONTACTS));
      ResultSet contacts = statement.getResultSet();
      assertTrue(contacts.next());
      assertFalse(statement.getMoreResults());
      assertTrue(contacts.isClosed());
    }
    assertEquals(List.of("row 1", "closed 1"), recorder.events);
  }

  @Test
  void aFailingListenerFailsTheReadAndStillClosesTheResultSet() throws SQLException {
    StatementListener failing =
        new StatementListener() {
          @Override
          public void onResultSetRow(ResultSet row) throws SQLException {
            throw new ConsentSQLException(ReasonCode.AUDIT_UNAVAILABLE, "audit is down");
          }

          @Override
          public void onResultSetClosed(long rows) throws SQLException {
            throw new ConsentSQLException(ReasonCode.AUDIT_UNAVAILABLE, "audit is down");
          }
        };
    ConsentDataSource audited =
        ConsentDataSource.wrap(h2, (sql, kind) -> Interception.protectedData(sql, failing));
    try (Connection connection = audited.getConnection();
        Statement statement = connection.createStatement()) {
      ResultSet contacts = statement.executeQuery(CONTACTS);
      assertRefused(ReasonCode.AUDIT_UNAVAILABLE, contacts::next);
      assertRefused(ReasonCode.AUDIT_UNAVAILABLE, contacts::close);
      assertTrue(contacts.isClosed());
      contacts.close();
    }
  }

  @Test
  void batchEntriesAreInterceptedAndTheirCountsReported() throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.addBatch("INSERT INTO CONTACT(ID, EMAIL) VALUES (4, 'd@x.org')");
      statement.addBatch("INSERT INTO NOTE(TEXT) VALUES ('n')");
      statement.addBatch("UPDATE CONTACT SET EMAIL = 'e@x.org' WHERE ID > 2");
      assertArrayEquals(new int[] {1, 1, 2}, statement.executeBatch());
    }
    assertEquals(
        List.of(
            "BATCH INSERT INTO CONTACT(ID, EMAIL) VALUES (4, 'd@x.org')",
            "BATCH INSERT INTO NOTE(TEXT) VALUES ('n')",
            "BATCH UPDATE CONTACT SET EMAIL = 'e@x.org' WHERE ID > 2"),
        recorder.intercepted);
    assertEquals(
        List.of("count 1", "count 2"), recorder.events, "only protected entries are reported");
  }

  @Test
  void preparedBatchReportsEachEntry() throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement insert =
            connection.prepareStatement("INSERT INTO CONTACT(ID, EMAIL) VALUES (?, ?)")) {
      for (int id = 4; id <= 5; id++) {
        insert.setInt(1, id);
        insert.setString(2, id + "@x.org");
        insert.addBatch();
      }
      assertArrayEquals(new long[] {1, 1}, insert.executeLargeBatch());
    }
    assertEquals(
        List.of("PREPARE INSERT INTO CONTACT(ID, EMAIL) VALUES (?, ?)"), recorder.intercepted);
    assertEquals(List.of("count 1", "count 1"), recorder.events);
  }

  @Test
  void updatesAndFailuresOfProtectedStatementsAreReported() throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      assertEquals(2, statement.executeUpdate("UPDATE CONTACT SET EMAIL = NULL WHERE ID < 3"));
      assertFalse(statement.execute("DELETE FROM CONTACT WHERE ID = 3"));
      assertThrows(SQLException.class, () -> statement.executeQuery("SELECT NOPE FROM CONTACT"));
      assertEquals(1, statement.executeUpdate("DELETE FROM NOTE"));
    }
    assertEquals(List.of("count 2", "count 1", "failure 42S22"), recorder.events);
  }

  @Test
  void theDriverRunsWhatTheInterceptorReturns() throws SQLException {
    ConsentDataSource rewriting =
        ConsentDataSource.wrap(
            h2, (sql, kind) -> Interception.plain(sql.replace("CONTACT", "CONTACT WHERE ID = 2")));
    try (Connection connection = rewriting.getConnection()) {
      String query = "SELECT ID, EMAIL FROM CONTACT";
      assertEquals(List.of("2 b@x.org"), rows(connection.createStatement().executeQuery(query)));
      assertEquals(List.of("2 b@x.org"), rows(connection.prepareStatement(query).executeQuery()));
      assertTrue(connection.nativeSQL("SELECT * FROM CONTACT").contains("WHERE ID = 2"));
    }
  }

  @Test
  void aRefusingInterceptorStopsTheStatementBeforeTheDriverSeesIt() throws SQLException {
    ConsentDataSource refusing =
        ConsentDataSource.wrap(
            h2,
            (sql, kind) -> {
              throw new ConsentSQLException(ReasonCode.DENIED, "no deletes here");
            });
    try (Connection connection = refusing.getConnection();
        Statement statement = connection.createStatement()) {
      assertRefused(ReasonCode.DENIED, () -> statement.executeUpdate("DELETE FROM CONTACT"));
      assertRefused(ReasonCode.DENIED, () -> statement.addBatch("DELETE FROM CONTACT"));
      assertArrayEquals(new int[0], statement.executeBatch());
      assertRefused(ReasonCode.DENIED, () -> connection.prepareStatement("DELETE FROM CONTACT"));
      assertRefused(ReasonCode.DENIED, () -> connection.nativeSQL("DELETE FROM CONTACT"));
    }
    assertEquals(3, rawRows(CONTACTS).size());
  }

  @Test
  void anInterceptorThatAnswersNothingFailsClosed() throws SQLException {
    ConsentDataSource broken = ConsentDataSource.wrap(h2, (sql, kind) -> null);
    try (Connection connection = broken.getConnection()) {
      Statement statement = connection.createStatement();
      assertRefused(ReasonCode.UNANALYSABLE_SQL, () -> statement.execute("DELETE FROM CONTACT"));
      assertRefused(ReasonCode.UNANALYSABLE_SQL, () -> connection.prepareStatement(null));
    }
    assertEquals(3, rawRows(CONTACTS).size());
  }

  @Test
  void aPassThroughInterceptorChangesNoResult() throws SQLException {
    ConsentDataSource passThrough =
        ConsentDataSource.wrap(h2, (sql, kind) -> Interception.plain(sql));
    String query =
        "SELECT C.ID, C.EMAIL, N.TEXT FROM CONTACT C LEFT JOIN NOTE N ON N.ID = C.ID ORDER BY C.ID";
    try (Connection connection = passThrough.getConnection()) {
      assertEquals(rawRows(query), rows(connection.createStatement().executeQuery(query)));
      ResultSet contacts = connection.createStatement().executeQuery(CONTACTS);
      assertTrue(contacts.next());
      assertEquals(rawRows(CONTACTS).get(0), contacts.getInt(1) + " " + contacts.getString(2));
    }
  }

  @Test
  void arraysAreValuesButTheirResultSetsAreWrappedAndReadOnly() throws SQLException {
    try (Connection connection = dataSource.getConnection();
        ResultSet contacts =
            connection.createStatement().executeQuery("SELECT TAGS FROM CONTACT WHERE ID = 1")) {
      assertTrue(contacts.next());
      Array tags = contacts.getArray(1);
      assertArrayEquals(new Object[] {1, 2}, (Object[]) tags.getArray());
      ResultSet elements = tags.getResultSet();
      assertInsideConsent4j(elements);
      assertEquals(ResultSet.CONCUR_READ_ONLY, elements.getConcurrency());
      assertRefused(ReasonCode.WRAPPER_UNWRAP_REFUSED, () -> elements.unwrap(JdbcResultSet.class));
      assertInsideConsent4j(contacts.getObject(1));

      PreparedStatement insert =
          connection.prepareStatement("INSERT INTO CONTACT(ID, TAGS) VALUES (9, ?)");
      insert.setArray(1, tags);
      assertEquals(1, insert.executeUpdate(), "the driver accepts an array it handed out, wrapped");
    }
  }

  @Test
  void refValuesAreRefused() throws SQLException {
    try (Connection connection = dataSource.getConnection();
        ResultSet notes = connection.createStatement().executeQuery("SELECT ID FROM NOTE")) {
      assertTrue(notes.next());
      assertRefused(ReasonCode.BYPASS_REFUSED, () -> notes.getRef(1));
    }
  }

  @Test
  void wrappingTwiceIsRefused() {
    assertThrows(
        IllegalArgumentException.class, () -> ConsentDataSource.wrap(dataSource, recorder));
  }

  @Test
  void publicEntryPointsRejectNulls() throws NoSuchMethodException {
    org.h2.jdbcx.JdbcDataSource h2 = new org.h2.jdbcx.JdbcDataSource();
    h2.setURL("jdbc:h2:mem:npe" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
    NullPointerTester tester = new NullPointerTester().setDefault(String.class, "SELECT 1")
        .setDefault(org.consent4j.core.ConsentEngine.class, org.consent4j.core.ConsentEngine.builder()
            .catalog(org.consent4j.Catalog.builder().purpose("p", org.consent4j.LegalBasis.CONSENT).build()).build())
        .setDefault(org.consent4j.jdbc.SchemaMapping.class, org.consent4j.jdbc.SchemaMapping.empty())
        .setDefault(org.consent4j.jdbc.JdbcConsentStore.class, org.consent4j.jdbc.JdbcConsentStore.create(h2))
        .setDefault(javax.sql.DataSource.class, h2);
    tester.testAllPublicStaticMethods(ConsentDataSource.class);
    tester.testAllPublicStaticMethods(Interception.class);
    tester.testConstructor(
        ConsentSQLException.class.getConstructor(ReasonCode.class, String.class));
    Throwable cause = new SQLException("cause");
    assertThrows(NullPointerException.class, () -> new ConsentSQLException(null, "m", cause));
    assertThrows(
        NullPointerException.class, () -> new ConsentSQLException(ReasonCode.DENIED, null, cause));
    assertNull(
        new ConsentSQLException(ReasonCode.DENIED, "m", null).getCause(), "the cause may be null");
  }

  @Test
  void refusalsCarryAPrivilegeSqlStateAndUnavailabilityASystemErrorState() {
    for (ReasonCode reason : ReasonCode.values()) {
      ConsentSQLException e = new ConsentSQLException(reason, "m");
      boolean unavailable =
          reason == ReasonCode.CONSENT_STORE_UNAVAILABLE || reason == ReasonCode.AUDIT_UNAVAILABLE;
      assertEquals(unavailable ? "58000" : reason == ReasonCode.WRITE_CONFLICT ? "23000" : "42501", e.getSQLState(),
          reason.name());
      assertEquals(0, e.getErrorCode());
      assertFalse(e.getSQLState().startsWith("08"), "pools evict connections on class 08");
    }
  }

  private List<String> sortedCloses() {
    List<String> rows = new ArrayList<>();
    List<String> closes = new ArrayList<>();
    for (String event : recorder.events) {
      (event.startsWith("closed") ? closes : rows).add(event);
    }
    closes.sort(null);
    rows.addAll(closes);
    return rows;
  }

  private List<String> rawRows(String sql) throws SQLException {
    try (Statement statement = raw.createStatement()) {
      return rows(statement.executeQuery(sql));
    }
  }

  private static List<String> rows(ResultSet resultSet) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (resultSet) {
      int columns = resultSet.getMetaData().getColumnCount();
      while (resultSet.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= columns; i++) {
          row.append(i > 1 ? " " : "").append(resultSet.getString(i));
        }
        rows.add(row.toString());
      }
    }
    return rows;
  }

  private static void assertInsideConsent4j(Object jdbcObject) {
    assertEquals(
        ConsentDataSource.class.getPackageName(), jdbcObject.getClass().getPackageName(),
        jdbcObject.getClass().getName());
  }

  private static void assertRefused(ReasonCode reason, Executable action) {
    ConsentSQLException refused = assertThrows(ConsentSQLException.class, action);
    assertEquals(reason, refused.reasonCode(), refused.getMessage());
  }
}
