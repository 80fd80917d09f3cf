package org.consent4j;

import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The answer to "may this context process this subject's data, and which categories of it".
 * Immutable.
 *
 * <p>{@link #subjectReason()} says whether the subject's data may be processed at all (a row
 * about them is visible); {@link #categories()} says, for each category asked about, whether it
 * may be processed (a column of that category is shown rather than masked).
 *
 * @param subject the subject decided on
 * @param context the context that asked
 * @param subjectReason whether the subject's data may be processed at all, and why
 * @param categories the reason for each category asked about; a category is permitted only if
 *     the subject is
 * @param stateVersion the ledger sequence of the newest record of the subject's consent state
 *     the decision used (0 when the subject has none)
 */
public record Decision(
    SubjectId subject,
    AccessContext context,
    Reason subjectReason,
    SortedMap<DataCategory, Reason> categories,
    long stateVersion) {

  /** @throws IllegalArgumentException if a category is permitted while the subject is not */
  public Decision {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(subjectReason, "subjectReason");
    categories = Sorted.map("categories", categories);
    if (!subjectReason.permits()) {
      for (Map.Entry<DataCategory, Reason> e : categories.entrySet()) {
        if (e.getValue().permits()) {
          throw new IllegalArgumentException("category " + e.getKey() + " cannot be permitted for a denied subject");
        }
      }
    }
  }

  /** True when the subject's data may be processed at all. */
  public boolean subjectPermitted() {
    return subjectReason.permits();
  }

  /**
   * True when {@code category} may be processed.
   *
   * @throws IllegalArgumentException if the category was not asked about
   */
  public boolean permits(DataCategory category) {
    return reason(category).permits();
  }

  /**
   * The reason for {@code category}.
   *
   * @throws IllegalArgumentException if the category was not asked about
   */
  public Reason reason(DataCategory category) {
    Reason r = categories.get(Objects.requireNonNull(category, "category"));
    if (r == null) {
      throw new IllegalArgumentException("category " + category + " was not part of this decision");
    }
    return r;
  }

  /** The categories that may be processed. */
  public SortedSet<DataCategory> permittedCategories() {
    TreeSet<DataCategory> permitted = new TreeSet<>();
    categories.forEach((c, r) -> {
      if (r.permits()) {
        permitted.add(c);
      }
    });
    return java.util.Collections.unmodifiableSortedSet(permitted);
  }

  /** PERMIT when the subject and every category asked about are permitted, PARTIAL when only some are, DENY otherwise. */
  public Outcome outcome() {
    if (!subjectPermitted()) {
      return Outcome.DENY;
    }
    for (Reason r : categories.values()) {
      if (!r.permits()) {
        return Outcome.PARTIAL;
      }
    }
    return Outcome.PERMIT;
  }
}
