package org.consent4j.jdbc;

import java.util.Locale;

/**
 * Where a guarded {@code DataSource} checks consent for the rows a SELECT reads (see
 * docs/REWRITING.md, "Post-filtered reads").
 */
public enum ReadForm {
  /**
   * The default: {@link #POST_FILTER} while the engine's consent index is in use ({@code
   * engine.consentIndex()} present and {@link org.consent4j.core.ConsentIndex#isUsable()
   * usable}), {@link #PUSHDOWN} otherwise; chosen for each statement when it is prepared or
   * executed. Both forms are exact whichever is chosen; the index decides which is cheap: a
   * post-filtered result set decides its subjects through the engine, which without a usable
   * index reads the cache and then the store, one round trip per subject not cached. The index is
   * on by default only where it is safe (the engine's own store, or a store with a change feed
   * attached, see docs/CONSENT-INDEX.md), so this form post-filters exactly there.
   */
  AUTO,
  /**
   * Every statement is rewritten so that the database filters and masks the rows (each mapped
   * table read through a filtered, masked view over the consent state table). Always current: it
   * reads the consent state as the database holds it when the statement runs.
   */
  PUSHDOWN,
  /**
   * A SELECT whose result filtered and masked after the database produced it is exactly the
   * pushdown result (the rewriter decides per statement) runs over the mapped tables themselves,
   * with their subject columns added as hidden columns; the result set drops the rows and masks
   * the values the engine's decisions at the statement's instant do not permit. Every other
   * statement keeps the pushdown form. The decisions come from the engine (its cache, or its
   * consent index), so they are as current as the engine is: safe on a single node, or where the
   * engine follows every node's changes.
   */
  POST_FILTER;

  /**
   * The system property that sets {@link #configuredDefault()}: {@code auto}, {@code pushdown} or
   * {@code post_filter}.
   */
  public static final String PROPERTY = "consent4j.jdbc.readForm";

  /**
   * The form a data source wrapped without naming one uses: {@link #AUTO}, unless the system
   * property {@value #PROPERTY} names another (case-insensitive; {@code post-filter} is read as
   * {@code post_filter}).
   *
   * @throws IllegalArgumentException if the property names no form
   */
  public static ReadForm configuredDefault() {
    String value = System.getProperty(PROPERTY);
    if (value == null || value.isBlank()) {
      return AUTO;
    }
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("system property " + PROPERTY + " is '" + value
          + "'; it must be auto, pushdown or post_filter", e);
    }
  }
}
