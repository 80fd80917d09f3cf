package org.consent4j.jdbc.internal.rewrite;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import org.consent4j.DataCategory;

/**
 * How the result set of a post-filtered statement (see {@link PostFilter}) is filtered and masked:
 * the statement ran over the mapped tables themselves, with each mapped table reference's subject
 * columns appended as hidden trailing columns; a row is shown when every reference's subjects are
 * permitted (with its row category), and a personal column is shown when its reference's subjects
 * are all permitted its category. Immutable. Not API.
 *
 * @param sources the mapped table references of the top-level FROM, in order
 * @param columns for each column the application sees (1-based position {@code i} at index
 *     {@code i - 1}), the mask that decides it, or empty when it is shown as it is
 * @param categories every category a decision must answer for: the references' row categories
 *     and the masked columns' categories
 * @param hiddenColumns how many subject columns were appended, after the visible ones
 */
public record PostFilterPlan(List<Source> sources, List<Optional<Mask>> columns, SortedSet<DataCategory> categories,
    int hiddenColumns) {

  /** Copies and validates. */
  public PostFilterPlan {
    sources = List.copyOf(sources);
    columns = List.copyOf(columns);
    categories = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(categories));
    int subjects = 0;
    for (Source s : sources) {
      if (s.firstHidden() != subjects) {
        throw new IllegalArgumentException("the sources' hidden columns must follow each other");
      }
      subjects += s.subjects();
    }
    if (subjects != hiddenColumns) {
      throw new IllegalArgumentException("hiddenColumns must be the sources' subject columns");
    }
    for (Optional<Mask> m : columns) {
      if (m.isPresent() && m.get().source() >= sources.size()) {
        throw new IllegalArgumentException("a mask names no source");
      }
    }
  }

  /**
   * One mapped table reference.
   *
   * @param alias its alias (or bare name) in the statement, for explain
   * @param firstHidden the 0-based index of its first subject column among the hidden ones
   * @param subjects how many subject columns it has (all integral, see {@link PostFilter})
   * @param rowCategory the table's row category, which every subject must be permitted
   */
  public record Source(String alias, int firstHidden, int subjects, Optional<DataCategory> rowCategory) {
    /** Validates. */
    public Source {
      Objects.requireNonNull(alias, "alias");
      Objects.requireNonNull(rowCategory, "rowCategory");
      if (firstHidden < 0 || subjects < 1) {
        throw new IllegalArgumentException("a source has at least one subject column");
      }
    }
  }

  /**
   * A personal column of a source: shown only when each of the source's subjects is permitted
   * {@code category}.
   *
   * @param source the index in {@link #sources()}
   * @param category the column's data category
   */
  public record Mask(int source, DataCategory category) {
    /** Validates. */
    public Mask {
      Objects.requireNonNull(category, "category");
      if (source < 0) {
        throw new IllegalArgumentException("source must not be negative");
      }
    }
  }
}
