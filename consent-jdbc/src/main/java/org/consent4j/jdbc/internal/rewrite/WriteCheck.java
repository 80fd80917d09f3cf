package org.consent4j.jdbc.internal.rewrite;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import org.consent4j.DataCategory;

/**
 * One row an INSERT stores into a mapped table: whose it is (from a literal or a bound parameter
 * of the statement) and which categories of personal data it stores (the personal columns given a
 * value other than NULL, and the table's row category). Checked against the subjects' consent
 * each time the statement runs. Immutable. Not API.
 *
 * @param table the mapped table, lower-case
 * @param subjects one source per subject column of the table
 * @param categories the categories the row stores; empty for an upsert's check that the row's
 *     subject is permitted at all (see {@link UpsertCheck#subjectChecks})
 */
public record WriteCheck(String table, List<Source> subjects, SortedSet<DataCategory> categories) {

  /** Copies the collections. */
  public WriteCheck {
    Objects.requireNonNull(table, "table");
    subjects = List.copyOf(subjects);
    categories = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(categories));
  }

  /**
   * Where a subject id comes from.
   *
   * @param literal the literal value written, if it is one
   * @param parameter otherwise the 1-based JDBC parameter index
   */
  public record Source(Optional<String> literal, int parameter) {
    /** A literal subject id. */
    public static Source literal(String value) {
      return new Source(Optional.of(value), 0);
    }

    /** A bound parameter. */
    public static Source parameter(int index) {
      return new Source(Optional.empty(), index);
    }
  }
}
