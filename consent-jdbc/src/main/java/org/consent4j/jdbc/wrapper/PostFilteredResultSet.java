package org.consent4j.jdbc.wrapper;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.List;

/**
 * The driver's result set of a post-filtered statement, as the pushdown form would have produced
 * it: rows its {@link RowFilter} refuses are skipped, and the values it masks read as NULL
 * ({@code getObject} and {@code getString} return null, {@code getInt} 0, {@code getBoolean} false,
 * and {@code wasNull()} is true), by index and by label. The hidden columns stay readable here;
 * {@link ResultSetWrapper} keeps them from the application, as for any hidden column.
 *
 * <p>A scrollable result set is scrolled over its visible rows: the first cursor move other than
 * {@code next} reads the driver's rows once to number the visible ones. A forward-only one
 * answers {@code getRow}, {@code isFirst} and {@code isAfterLast} itself; {@code isBeforeFirst}
 * and {@code isLast}, which would need to read ahead, are not supported there.
 *
 * <p>Not thread-safe, as a result set is not.
 */
final class PostFilteredResultSet implements InvocationHandler {
  private final ResultSet raw;
  private final RowFilter filter;
  private final int hidden;
  private int visible = -1;
  /**
   * The current row's masks (the filter's array, which it may refill on its next call); null when the
   * cursor is not on a (visible) row.
   */
  private boolean[] masks;
  private boolean lastMasked;
  /** Forward-only: visible rows passed; whether the end was reached. */
  private int count;
  private boolean after;
  /** Scroll mode: the driver's row numbers of the visible rows, and the position among them. */
  private List<Integer> rows;
  private int pos;
  /**
   * Set when deciding a row failed: the driver's cursor may then stand on a row the application
   * must not see, so nothing but closing is answered any more.
   */
  private SQLException failed;

  private PostFilteredResultSet(ResultSet raw, RowFilter filter, int hidden) {
    this.raw = raw;
    this.filter = filter;
    this.hidden = hidden;
  }

  static ResultSet wrap(ResultSet raw, RowFilter filter, int hidden) {
    return (ResultSet) Proxy.newProxyInstance(ResultSet.class.getClassLoader(), new Class<?>[] {ResultSet.class},
        new PostFilteredResultSet(raw, filter, hidden));
  }

  private int visible() throws SQLException {
    if (visible < 0) {
      visible = raw.getMetaData().getColumnCount() - hidden;
    }
    return visible;
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    String name = method.getName();
    int n = args == null ? 0 : args.length;
    if (failed != null && !name.equals("close") && !name.equals("isClosed")) {
      throw new SQLException("this post-filtered result set failed to decide a row and cannot be read further", "HY000",
          failed);
    }
    switch (name) {
      case "next":
        if (n == 0) {
          return rows == null ? forward() : moveTo(pos + 1);
        }
        break;
      case "previous":
      case "first":
      case "last":
      case "absolute":
      case "relative":
      case "beforeFirst":
      case "afterLast":
        return scroll(name, n == 0 ? 0 : (Integer) args[0]);
      case "getRow":
        return rows != null ? (pos >= 1 && pos <= rows.size() ? pos : 0) : masks != null ? count : 0;
      case "isFirst":
        return rows != null ? pos == 1 && !rows.isEmpty() : masks != null && count == 1;
      case "isAfterLast":
        return rows != null ? !rows.isEmpty() && pos == rows.size() + 1 : after && count > 0;
      case "isBeforeFirst":
      case "isLast":
        if (rows == null && raw.getType() == ResultSet.TYPE_FORWARD_ONLY) {
          throw new SQLFeatureNotSupportedException(name + " is not supported on a forward-only result set of a"
              + " post-filtered statement (it would read ahead past rows the application must not see); use"
              + " next(), or a scrollable result set");
        }
        number();
        return name.equals("isLast") ? pos == rows.size() && !rows.isEmpty() : pos == 0 && !rows.isEmpty();
      case "wasNull":
        return lastMasked || raw.wasNull();
      case "getMetaData":
        return metaData(raw.getMetaData());
      case "unwrap":
        return Wrappers.unwrap(proxy, (Class<?>) args[0]);
      case "isWrapperFor":
        return Wrappers.isWrapperFor(proxy, (Class<?>) args[0]);
      case "equals":
        return proxy == args[0];
      case "hashCode":
        return System.identityHashCode(proxy);
      case "toString":
        return "post-filtered result set";
      default:
        break;
    }
    if (name.startsWith("get") && n >= 1 && (args[0] instanceof Integer || args[0] instanceof String)
        && masks != null) {
      int column = args[0] instanceof Integer i ? i : column((String) args[0]);
      if (column >= 1 && column <= masks.length && masks[column - 1]) {
        lastMasked = true;
        return absent(method.getReturnType());
      }
      lastMasked = false;
      if (n == 1 && args[0] instanceof Integer i) {
        // the getters an export reads most, without reflection
        switch (name) {
          case "getString":
            return raw.getString(i);
          case "getLong":
            return raw.getLong(i);
          case "getInt":
            return raw.getInt(i);
          case "getObject":
            return raw.getObject(i);
          default:
            break;
        }
      }
    }
    return call(raw, method, args);
  }

  private int column(String label) {
    try {
      return raw.findColumn(label);
    } catch (SQLException e) {
      return -1; // the driver's getter throws its own error for an unknown label
    }
  }

  private static Object call(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static Object absent(Class<?> type) {
    if (!type.isPrimitive()) {
      return null;
    }
    if (type == boolean.class) {
      return false;
    }
    if (type == byte.class) {
      return (byte) 0;
    }
    if (type == short.class) {
      return (short) 0;
    }
    if (type == int.class) {
      return 0;
    }
    if (type == long.class) {
      return 0L;
    }
    if (type == float.class) {
      return 0f;
    }
    if (type == double.class) {
      return 0d;
    }
    return null;
  }

  private boolean forward() throws SQLException {
    lastMasked = false;
    while (raw.next()) {
      masks = null;
      masks = decide();
      if (masks != null) {
        count++;
        return true;
      }
    }
    masks = null;
    after = true;
    return false;
  }

  private boolean[] decide() throws SQLException {
    try {
      return filter.decide(raw, visible());
    } catch (SQLException | RuntimeException e) {
      failed = e instanceof SQLException x ? x : new SQLException(e);
      throw e;
    }
  }

  /** Numbers the visible rows (once), keeping the position reached so far. */
  private void number() throws SQLException {
    if (rows != null) {
      return;
    }
    List<Integer> out = new ArrayList<>();
    raw.beforeFirst();
    while (raw.next()) {
      if (decide() != null) {
        out.add(raw.getRow());
      }
    }
    rows = out;
    int at = after ? rows.size() + 1 : count;
    moveTo(at);
  }

  private Object scroll(String name, int arg) throws SQLException {
    number();
    int size = rows.size();
    switch (name) {
      case "previous":
        return moveTo(pos - 1);
      case "first":
        return moveTo(1);
      case "last":
        return moveTo(size);
      case "absolute":
        return moveTo(arg >= 0 ? arg : size + 1 + arg);
      case "relative":
        return moveTo(pos + arg);
      case "beforeFirst":
        moveTo(0);
        return null;
      default: // afterLast
        moveTo(size + 1);
        return null;
    }
  }

  private boolean moveTo(int k) throws SQLException {
    lastMasked = false;
    int size = rows.size();
    if (k <= 0 || size == 0 && k > 0) {
      if (k <= 0) {
        raw.beforeFirst();
        pos = 0;
      } else {
        raw.afterLast();
        pos = 1;
      }
      masks = null;
      return false;
    }
    if (k > size) {
      raw.afterLast();
      pos = size + 1;
      masks = null;
      return false;
    }
    masks = null;
    raw.absolute(rows.get(k - 1));
    masks = decide();
    pos = k;
    if (masks == null) {
      throw new SQLException("a row of a post-filtered result set changed its decision while scrolled", "HY000");
    }
    return true;
  }

  /** The driver's metadata, saying that a column this result set may mask may read NULL. */
  private ResultSetMetaData metaData(ResultSetMetaData md) {
    if (md == null) {
      return null;
    }
    return (ResultSetMetaData) Proxy.newProxyInstance(ResultSetMetaData.class.getClassLoader(),
        new Class<?>[] {ResultSetMetaData.class}, (p, m, a) -> {
          if (m.getName().equals("isNullable") && a != null && a.length == 1 && a[0] instanceof Integer i
              && maskable(i)) {
            return ResultSetMetaData.columnNullable;
          }
          if (m.getName().equals("unwrap")) {
            return Wrappers.unwrap(p, (Class<?>) a[0]);
          }
          if (m.getName().equals("isWrapperFor")) {
            return Wrappers.isWrapperFor(p, (Class<?>) a[0]);
          }
          return call(md, m, a);
        });
  }

  private boolean maskable(int column) {
    return filter.mayMask(column);
  }
}
