package org.consent4j.jdbc.wrapper;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The generated keys a driver returned for one execution of an INSERT, read into memory: what a
 * {@link StatementListener} is told after an INSERT whose subject the database generates
 * ({@link Interception#generatedSubjectColumns()}). Immutable.
 *
 * @param columns the column labels, as the driver reports them
 * @param rows the values of each row, in the order the driver returned them (one per inserted row)
 */
public record GeneratedKeys(List<String> columns, List<List<Object>> rows) {
  /** Copies the lists; values may be null. */
  public GeneratedKeys {
    columns = List.copyOf(columns);
    List<List<Object>> copy = new ArrayList<>();
    for (List<Object> row : rows) {
      copy.add(java.util.Collections.unmodifiableList(new ArrayList<>(row)));
    }
    rows = List.copyOf(copy);
  }

  /**
   * The value of {@code column} (matched case-insensitively) in row {@code row}, or null when the
   * driver did not return that column. When {@code soleColumn} is true and the driver returned
   * exactly one column under another name (MariaDB calls its AUTO_INCREMENT value {@code
   * insert_id}), that column's value.
   *
   * @throws IndexOutOfBoundsException if there is no such row
   */
  public Object value(int row, String column, boolean soleColumn) {
    Objects.requireNonNull(column, "column");
    List<Object> values = rows.get(row);
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i) != null && columns.get(i).equalsIgnoreCase(column)) {
        return values.get(i);
      }
    }
    return soleColumn && columns.size() == 1 ? values.get(0) : null;
  }
}
