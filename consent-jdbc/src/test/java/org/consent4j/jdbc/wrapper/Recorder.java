package org.consent4j.jdbc.wrapper;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A statement interceptor and listener that write down what they were told. SQL matching {@code
 * protectedIf} is treated as touching protected data; everything passes through unchanged.
 */
final class Recorder implements StatementInterceptor, StatementListener {
  /** "KIND sql" for each interception, in order. */
  final List<String> intercepted = new CopyOnWriteArrayList<>();
  /** "row 1", "closed 3", "count 2", "failure 42S02" for each listener call, in order. */
  final List<String> events = new CopyOnWriteArrayList<>();
  private final Predicate<String> protectedIf;
  /** Whether onResultSetRow reads column 1 of the row (the walk moves cursors under it). */
  private final boolean readRows;

  Recorder(Predicate<String> protectedIf, boolean readRows) {
    this.protectedIf = protectedIf;
    this.readRows = readRows;
  }

  /** Protects SQL that mentions the CONTACT table. */
  static Recorder protectingContact() {
    return new Recorder(sql -> sql.toUpperCase().contains("CONTACT"), true);
  }

  @Override
  public Interception intercept(String sql, SqlKind kind) {
    intercepted.add(kind + " " + sql);
    return protectedIf.test(sql) ? Interception.protectedData(sql, this) : Interception.plain(sql);
  }

  @Override
  public void onResultSetRow(ResultSet row) throws SQLException {
    events.add(readRows ? "row " + row.getObject(1) : "row");
  }

  @Override
  public void onResultSetClosed(long rows) {
    events.add("closed " + rows);
  }

  @Override
  public void onUpdateCount(long count) {
    events.add("count " + count);
  }

  @Override
  public void onFailure(SQLException failure) {
    events.add("failure " + failure.getSQLState());
  }
}
