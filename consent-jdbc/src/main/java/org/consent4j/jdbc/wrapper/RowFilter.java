package org.consent4j.jdbc.wrapper;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Filters and masks the rows of one result set in the application, for a statement that runs in
 * the post-filtered form: the driver's rows include rows the application must not see, and values
 * it must see as NULL. Given by {@link StatementListener#rowFilter()} when a result set of the
 * statement opens; used by the thread reading that result set only.
 */
public interface RowFilter {
  /**
   * Decides the row the driver's result set is on.
   *
   * @param row the driver's result set, positioned on the row, with the statement's hidden columns
   *     after the {@code visibleColumns} the application sees; read it, do not move its cursor
   * @param visibleColumns how many columns the application sees
   * @return null when the row must be skipped; else, for each visible column (index {@code i - 1}
   *     for column {@code i}), whether it reads as NULL. The array is read only until the next call
   *     (the result set keeps no earlier row's array), so a filter may return the same array, refilled,
   *     for every row
   * @throws SQLException when the row cannot be decided; the cursor call that reached it throws it
   */
  boolean[] decide(ResultSet row, int visibleColumns) throws SQLException;

  /**
   * Whether visible column {@code column} (1-based) may read as NULL on some row because of this
   * filter, which its result set's metadata then reports as nullable. False by default.
   */
  default boolean mayMask(int column) {
    return false;
  }
}
