package org.consent4j.jdbc.wrapper;

import java.util.Objects;

/**
 * What one intercepted SQL string became: the SQL the driver is given instead, whether it touches
 * data protected by consent (which makes its result sets read-only and has its listener called),
 * and the listener. Made by a {@link StatementInterceptor}; {@link #plain} and {@link
 * #protectedData} cover the usual cases.
 *
 * <p>Implementations must be immutable: a prepared statement keeps its interception for its whole
 * life, and its result sets may be read from other threads than the one that prepared it.
 */
public interface Interception {
  /** The SQL to send to the driver; never null. */
  String sql();

  /**
   * Whether the statement reads or writes data protected by consent. If true, its result sets
   * refuse every update method, an updatable concurrency is refused when preparing it, and its
   * {@link #listener()} is called; if false, the wrapper adds nothing to the driver's work.
   */
  boolean touchesProtectedData();

  /**
   * Told what became of the statement; only called when {@link #touchesProtectedData()}. By
   * default {@link StatementListener#NONE}.
   */
  default StatementListener listener() {
    return StatementListener.NONE;
  }

  /**
   * An interception that runs {@code sql} and touches no protected data: the wrapper adds nothing
   * to the driver's work. An interceptor that lets a statement through unchanged may return this
   * for the SQL it was given.
   *
   * @throws NullPointerException if {@code sql} is null
   */
  static Interception plain(String sql) {
    return new PlainInterception(Objects.requireNonNull(sql, "sql"));
  }

  /**
   * How many columns at the end of each row of this statement's result sets consent4j added for
   * itself (subject ids for the audit): the application never sees them. Zero by default.
   */
  default int hiddenColumns() {
    return 0;
  }

  /**
   * Whether the application may ask for generated keys of this statement (which drivers return
   * by adding {@code RETURNING} to it). True by default.
   */
  default boolean allowsGeneratedKeys() {
    return true;
  }

  /**
   * The columns of an INSERT whose values the database generates and the listener must see before
   * the statement may stand (a mapped table's subject column filled in by an identity,
   * auto-increment or sequence): the wrapper runs such a statement inside a savepoint (or, under
   * auto-commit, a transaction of its own), asks the driver for these columns' generated keys,
   * hands them to {@link StatementListener#afterGeneratedKeys}, and rolls back what the statement
   * wrote if the listener throws. The application still gets exactly the generated keys it asked
   * for. Empty by default.
   */
  default java.util.List<String> generatedSubjectColumns() {
    return java.util.List.of();
  }

  /**
   * Whether {@link #generatedSubjectColumns()} come back as the statement's own result rows (an
   * INSERT with a RETURNING list), in its last {@link #hiddenColumns()} columns, in that order,
   * rather than as generated keys: the wrapper then reads every row into memory inside the
   * savepoint (or transaction of its own), hands the subjects to {@link
   * StatementListener#afterGeneratedKeys} as keys named by those columns, and serves the rows from
   * memory only once the listener accepted them. False by default.
   */
  default boolean generatedSubjectsReturned() {
    return false;
  }

  /**
   * Like {@link #protectedData(String, StatementListener)}, for SQL whose result rows end with
   * {@code hiddenColumns} columns that the application must not see; the listener's
   * {@link StatementListener#onResultSetRow} gets the driver's row, with them.
   */
  static Interception protectedData(String sql, StatementListener listener, int hiddenColumns) {
    return protectedData(sql, listener, hiddenColumns, true);
  }

  /**
   * Like {@link #protectedData(String, StatementListener, int)}; when {@code allowsGeneratedKeys}
   * is false, asking for generated keys of the statement is refused.
   */
  static Interception protectedData(String sql, StatementListener listener, int hiddenColumns,
      boolean allowsGeneratedKeys) {
    if (hiddenColumns < 0) {
      throw new IllegalArgumentException("hiddenColumns must not be negative");
    }
    return new ProtectedInterception(Objects.requireNonNull(sql, "sql"), Objects.requireNonNull(listener, "listener"),
        hiddenColumns, allowsGeneratedKeys, java.util.Collections.emptySortedMap());
  }

  /**
   * Parameters the interceptor binds itself on a prepared statement, by 1-based position among
   * all the placeholders of {@link #sql()}; the application's parameter indexes skip them. Empty
   * by default.
   */
  default java.util.SortedMap<Integer, Long> boundParameters() {
    return java.util.Collections.emptySortedMap();
  }

  /**
   * Parameters the interceptor places in a prepared statement's SQL to tell whether the
   * application's value of another parameter is NULL: by 1-based position among all the
   * placeholders of {@link #sql()}, the 1-based index (in the application's numbering) of the
   * parameter each reports on. Whenever the application sets that parameter, the wrapper binds
   * the flag with {@code setInt}: 1 when the value is NULL ({@code setNull}, or a null value), 0
   * otherwise. The application's parameter indexes skip these positions, as they skip {@link
   * #boundParameters()}. Empty by default.
   */
  default java.util.SortedMap<Integer, Integer> nullFlagParameters() {
    return java.util.Collections.emptySortedMap();
  }

  /**
   * As {@link #protectedData(String, StatementListener, int, boolean)}, for a prepared statement
   * whose SQL has placeholders the wrapper binds to {@code bound} (see {@link #boundParameters()}).
   */
  static Interception protectedData(String sql, StatementListener listener, int hiddenColumns,
      boolean allowsGeneratedKeys, java.util.SortedMap<Integer, Long> bound) {
    if (hiddenColumns < 0) {
      throw new IllegalArgumentException("hiddenColumns must not be negative");
    }
    return new ProtectedInterception(Objects.requireNonNull(sql, "sql"), Objects.requireNonNull(listener, "listener"),
        hiddenColumns, allowsGeneratedKeys, java.util.Collections.unmodifiableSortedMap(
            new java.util.TreeMap<>(Objects.requireNonNull(bound, "bound"))));
  }

  /**
   * An interception that runs {@code sql}, whose results are protected data: read-only, and
   * reported to {@code listener}.
   *
   * @throws NullPointerException if an argument is null
   */
  static Interception protectedData(String sql, StatementListener listener) {
    return new ProtectedInterception(
        Objects.requireNonNull(sql, "sql"), Objects.requireNonNull(listener, "listener"), 0, true,
        java.util.Collections.emptySortedMap());
  }
}
