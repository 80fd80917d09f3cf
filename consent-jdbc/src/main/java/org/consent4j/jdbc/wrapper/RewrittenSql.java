package org.consent4j.jdbc.wrapper;

import java.util.Collections;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a guarded connection would send to the database for one SQL string under one access
 * context, as {@link ConsentDataSource#explain} tells it: to run {@code EXPLAIN} on the rewritten
 * statement, or to show support what consent4j made of a query. It holds SQL that consent4j
 * generated from the statement, the mapping, the catalog and the clock, never a row's value.
 *
 * <p>Immutable and thread-safe.
 *
 * @param sql what {@code Statement.execute(sql)} would run now: the engine clock's time is written
 *     into it as numbers, so it runs as it is (prefix it with {@code EXPLAIN} on a connection that
 *     consent4j does not guard, since a guarded one refuses {@code EXPLAIN})
 * @param preparedSql what {@code Connection.prepareStatement(sql)} would prepare: where the time
 *     is a parameter, it has placeholders of its own, listed in {@code boundParameters}
 * @param boundParameters the placeholders of {@code preparedSql} that the wrapper binds itself
 *     (1-based position in {@code preparedSql}), with the values it would bind now; the
 *     application's own placeholders are the other positions, in order. Empty when there are none
 * @param protectedData whether the statement reads or writes a mapped table; when false both texts
 *     are the statement as it was given
 * @param tables the mapped tables the statement reads or writes, by their lower-case names
 * @param hiddenColumns how many subject columns the rewrite appended to each result row for
 *     subject-level auditing ({@code AuditLevel.SUBJECT}); the wrapper never shows them to the
 *     application
 * @param postFiltered whether the statement runs in the post-filtered form (see {@link
 *     org.consent4j.jdbc.ReadForm#POST_FILTER}): the texts read the mapped tables themselves, with
 *     their subject columns as hidden columns, and the result set drops and masks what the engine's
 *     decisions do not permit
 * @param pushdownReason when the data source may post-filter ({@link
 *     org.consent4j.jdbc.ReadForm#AUTO} or {@code POST_FILTER}) but this statement keeps the
 *     pushdown form, why (for instance "the select list holds an expression ...", or under {@code
 *     AUTO} "the engine's consent index is not in use ..."); else empty
 */
public record RewrittenSql(String sql, String preparedSql, SortedMap<Integer, Long> boundParameters,
    boolean protectedData, SortedSet<String> tables, int hiddenColumns, boolean postFiltered, String pushdownReason) {

  /**
   * A statement in the pushdown form.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException as the canonical constructor
   */
  public RewrittenSql(String sql, String preparedSql, SortedMap<Integer, Long> boundParameters,
      boolean protectedData, SortedSet<String> tables, int hiddenColumns) {
    this(sql, preparedSql, boundParameters, protectedData, tables, hiddenColumns, false, "");
  }

  /**
   * Validates and copies.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code hiddenColumns} is negative or a parameter position
   *     is not positive
   */
  public RewrittenSql {
    Objects.requireNonNull(sql, "sql");
    Objects.requireNonNull(preparedSql, "preparedSql");
    Objects.requireNonNull(pushdownReason, "pushdownReason");
    boundParameters = Collections.unmodifiableSortedMap(new TreeMap<>(Objects.requireNonNull(boundParameters,
        "boundParameters")));
    tables = Collections.unmodifiableSortedSet(new TreeSet<>(Objects.requireNonNull(tables, "tables")));
    if (hiddenColumns < 0) {
      throw new IllegalArgumentException("hiddenColumns must not be negative, got " + hiddenColumns);
    }
    if (!boundParameters.isEmpty() && boundParameters.firstKey() < 1) {
      throw new IllegalArgumentException("parameter positions start at 1, got " + boundParameters.firstKey());
    }
  }
}
