package org.consent4j.jdbc.wrapper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Calendar;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.h2.jdbcx.JdbcDataSource;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
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

  /** Every getter of a column of {@link ResultSet}, by index or by label, found by reflection. */
  static List<Method> getters() {
    return Arrays.stream(ResultSet.class.getMethods())
        .filter(m -> !Modifier.isStatic(m.getModifiers()) && m.getName().startsWith("get")
            && m.getParameterCount() >= 1
            && (m.getParameterTypes()[0] == int.class || m.getParameterTypes()[0] == String.class))
        .sorted(Comparator.comparing(Method::toString))
        .toList();
  }

  @Test
  void theGettersFoundAreAllOfThem() {
    // Java 17: 34 getters by index, 34 by label
    assertTrue(getters().size() >= 68, "found only " + getters().size());
    assertTrue(getters().stream().anyMatch(m -> m.getName().equals("getSQLXML")));
  }

  @Provide
  Arbitrary<Method> getter() {
    return Arbitraries.of(getters());
  }

  /**
   * Whatever the getter, a masked value reads as its type's NULL (null, 0, false) and {@code wasNull}
   * says so, by index and by label; the driver's value ('c', which most getters cannot even convert)
   * must not come through. Checked on the post-filtered result set itself, so {@code getRef}, which
   * {@link ResultSetWrapper} refuses before it gets there, is covered too.
   */
  @Property(tries = 400)
  void everyGetterReadsAMaskedValueAsNull(@ForAll("getter") Method getter) throws Exception {
    JdbcDataSource h2 = H2.database("postfiltered-getters");
    try (Connection c = h2.getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS PERSON(ID INT PRIMARY KEY, EMAIL VARCHAR(20))");
      s.execute("MERGE INTO PERSON VALUES (1, 'a'), (2, 'b'), (3, 'c')");
      try (ResultSet rs = PostFilteredResultSet.wrap(
          s.executeQuery("SELECT ID, EMAIL, ID AS C4J_S0 FROM PERSON ORDER BY ID"), FILTER, 1)) {
        assertTrue(rs.next());
        assertTrue(rs.next(), "row 2 is skipped");
        assertEquals(3, rs.getInt(1));
        Object[] args = new Object[getter.getParameterCount()];
        Class<?>[] types = getter.getParameterTypes();
        args[0] = types[0] == int.class ? (Object) 2 : "EMAIL";
        for (int i = 1; i < args.length; i++) {
          args[i] = types[i] == Class.class ? String.class
              : types[i] == Map.class ? Map.of()
              : types[i] == Calendar.class ? Calendar.getInstance()
              : types[i] == int.class ? (Object) 0 : null;
        }
        Object value;
        try {
          value = getter.invoke(rs, args);
        } catch (InvocationTargetException e) {
          throw new AssertionError(getter + " did not mask the value: the driver answered", e.getCause());
        }
        Class<?> type = getter.getReturnType();
        Object absent = type == boolean.class ? Boolean.FALSE
            : type == byte.class ? (Object) (byte) 0
            : type == short.class ? (Object) (short) 0
            : type == int.class ? (Object) 0
            : type == long.class ? (Object) 0L
            : type == float.class ? (Object) 0f
            : type == double.class ? (Object) 0d
            : null;
        assertEquals(absent, value, getter.toString());
        assertTrue(rs.wasNull(), getter + ": wasNull");
        assertEquals("3", rs.getString(1), "an unmasked column still reads");
        assertFalse(rs.wasNull());
      }
    }
  }
}
