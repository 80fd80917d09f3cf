package org.consent4j.jdbc.internal.rewrite;

import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import org.consent4j.DataCategory;

/**
 * What one SQL string became: the SQL to run (with the current time filled in per execution),
 * and what it touches, for the audit. Immutable; cached and shared between threads. Not API.
 *
 * @param parts the rewritten SQL split at the time markers; one part when it has none
 * @param nanos for each gap between parts, true when the nanosecond goes there, false for the second
 * @param protectedData true when the statement reads or writes a mapped table
 * @param tables the mapped tables it touches, lower-case
 * @param categories the data categories of the personal columns it may read
 * @param fingerprint a hash of the statement's shape, without its literal values
 * @param hiddenColumns how many subject-id columns were added at the end of each result row, for
 *     the audit; the application must not see them
 * @param writesMappedRows true for an UPDATE or DELETE of a mapped table, whose generated keys
 *     (the rows' own columns) must not be handed out
 * @param writeChecks the rows INSERTs store into mapped tables, whose subjects' consent is checked
 *     before each execution (no passive collection)
 * @param nullFlags for each gap between parts, 0 when it holds the time ({@code nanos} says which
 *     part of it), or the 1-based index of an application parameter when it holds that
 *     parameter's NULL flag: 1 when the value bound to it is NULL, else 0 (see {@link
 *     MaskedWriteBack}). In the text form ({@link #sql}) a flag is always 0.
 * @param postFilter present when the statement runs in the post-filtered form ({@link PostFilter}):
 *     its result sets are filtered and masked by the wrapper as the plan says, and its hidden
 *     columns are the plan's subject columns
 * @param pushdownReason when post-filtering was asked for but the pushdown form is kept, why; else empty
 */
public record RewrittenStatement(List<String> parts, List<Boolean> nanos, boolean protectedData, SortedSet<String> tables,
    SortedSet<DataCategory> categories, String fingerprint, int hiddenColumns, boolean writesMappedRows,
    List<WriteCheck> writeChecks, List<Integer> nullFlags, java.util.Optional<PostFilterPlan> postFilter,
    String pushdownReason) {

  /** A statement in the pushdown form. */
  public RewrittenStatement(List<String> parts, List<Boolean> nanos, boolean protectedData, SortedSet<String> tables,
      SortedSet<DataCategory> categories, String fingerprint, int hiddenColumns, boolean writesMappedRows,
      List<WriteCheck> writeChecks, List<Integer> nullFlags) {
    this(parts, nanos, protectedData, tables, categories, fingerprint, hiddenColumns, writesMappedRows, writeChecks,
        nullFlags, java.util.Optional.empty(), "");
  }

  /** Copies the collections. */
  public RewrittenStatement {
    parts = List.copyOf(parts);
    nanos = List.copyOf(nanos);
    if (nanos.size() != parts.size() - 1) {
      throw new IllegalArgumentException("one marker between each two parts");
    }
    nullFlags = List.copyOf(nullFlags);
    if (nullFlags.size() != nanos.size()) {
      throw new IllegalArgumentException("one null flag entry per marker");
    }
    tables = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(tables));
    categories = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(categories));
    writeChecks = List.copyOf(writeChecks);
    java.util.Objects.requireNonNull(postFilter, "postFilter");
    java.util.Objects.requireNonNull(pushdownReason, "pushdownReason");
    if (postFilter.isPresent() && postFilter.get().hiddenColumns() != hiddenColumns) {
      throw new IllegalArgumentException("a post-filtered statement's hidden columns are its plan's");
    }
  }

  /** A statement whose every marker holds the time. */
  public RewrittenStatement(List<String> parts, List<Boolean> nanos, boolean protectedData, SortedSet<String> tables,
      SortedSet<DataCategory> categories, String fingerprint, int hiddenColumns, boolean writesMappedRows,
      List<WriteCheck> writeChecks) {
    this(parts, nanos, protectedData, tables, categories, fingerprint, hiddenColumns, writesMappedRows, writeChecks,
        java.util.Collections.nCopies(nanos.size(), 0));
  }

  /**
   * Whether this is an INSERT whose subject the database generates and whose own RETURNING list
   * returns it, in its hidden trailing columns: the check after it ran reads the subjects from its
   * rows instead of from generated keys. (Only such an INSERT has both hidden columns and rows to
   * check after it ran; a query's hidden columns come with no write checks.)
   */
  public boolean returnsGeneratedSubjects() {
    return hiddenColumns > 0 && writeChecks.stream().anyMatch(WriteCheck::generated);
  }

  /** Whether the SQL compares with the clock (holds a time marker), so that its time can go stale. */
  public boolean readsClock() {
    return nullFlags.contains(0);
  }

  /** A statement that touches no mapped table and runs as it was written. */
  static RewrittenStatement untouched(String sql) {
    return new RewrittenStatement(List.of(sql), List.of(), false, new TreeSet<>(), new TreeSet<>(), "", 0, false,
        List.of());
  }

  /** The SQL to run at {@code now} (the engine clock's time). */
  public String sql(java.time.Instant now) {
    if (parts.size() == 1) {
      return parts.get(0);
    }
    String second = Long.toString(now.getEpochSecond());
    String nano = Integer.toString(now.getNano());
    StringBuilder sb = new StringBuilder(parts.size() * 64 + 256);
    sb.append(parts.get(0));
    for (int i = 1; i < parts.size(); i++) {
      // Without parameters of its own, a NULL flag is 0: the write is restricted as for a non-NULL value.
      sb.append(nullFlags.get(i - 1) != 0 ? "0" : nanos.get(i - 1) ? nano : second).append(parts.get(i));
    }
    return sb.toString();
  }
}
