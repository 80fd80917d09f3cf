package org.consent4j.jdbc.wrapper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/**
 * The result set wrapper over a {@link RowFilter}, with a filter of the test's own: rows it refuses
 * are skipped and not counted, masked values read as NULL, the hidden column stays hidden, and a
 * filter that fails leaves nothing readable (the driver's cursor may stand on a refused row).
 */
final class PostFilteredResultSetTest {

  /** Hides ID 2, masks EMAIL of ID 3, fails on ID 4 (the hidden column is ID again). */
  static final RowFilter FILTER = (row, visible) -> {
    int id = row.getInt(visible + 1);
    if (id == 4) {
      throw new SQLException("cannot decide", "08000");
    }
    return id == 2 ? null : new boolean[] {false, id == 3};
  };

  static final class Listener implements StatementListener {
    final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public RowFilter rowFilter() {
      return FILTER;
    }

    @Override
    public void onResultSetClosed(long rows) {
      events.add("closed " + rows);
    }
  }

  static ConsentDataSource guarded(Listener listener, String name) throws SQLException {
    JdbcDataSource h2 = H2.database(name);
    try (Connection raw = h2.getConnection(); Statement s = raw.createStatement()) {
      s.execute("DROP TABLE IF EXISTS PERSON");
      s.execute("CREATE TABLE PERSON(ID INT PRIMARY KEY, EMAIL VARCHAR(20))");
      s.execute("INSERT INTO PERSON VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd'), (5, 'e')");
    }
    return ConsentDataSource.wrap(h2, new StatementInterceptor() {
      @Override
      public Interception intercept(String sql, SqlKind kind) {
        return Interception.protectedData(sql, listener, 1);
      }
    });
  }

  @Test
  void refusedRowsAreSkippedMaskedValuesReadNullAndAFailedDecisionLeavesNothingReadable() throws SQLException {
    Listener listener = new Listener();
    ConsentDataSource ds = guarded(listener, "postfiltered1");
    try (Connection c = ds.getConnection(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT ID, EMAIL, ID AS C4J_S0 FROM PERSON ORDER BY ID")) {
      assertEquals(2, rs.getMetaData().getColumnCount());
      assertTrue(rs.next());
      assertEquals(1, rs.getInt(1));
      assertEquals("a", rs.getString("EMAIL"));
      assertTrue(rs.next(), "row 2 is skipped");
      assertEquals(3, rs.getInt(1));
      assertNull(rs.getString(2));
      assertTrue(rs.wasNull());
      assertNull(rs.getObject("EMAIL"));
      assertThrows(SQLException.class, () -> rs.getInt(3), "the hidden column");
      SQLException failed = assertThrows(SQLException.class, rs::next, "row 4 cannot be decided");
      assertEquals("08000", failed.getSQLState());
      assertThrows(SQLException.class, () -> rs.getString(2), "the cursor stands on row 4: nothing is read");
      assertThrows(SQLException.class, rs::next);
    }
    assertEquals(List.of("closed 2"), listener.events, "two rows were delivered");
  }
}
