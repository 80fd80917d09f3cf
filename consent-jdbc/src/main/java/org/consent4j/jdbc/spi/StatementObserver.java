package org.consent4j.jdbc.spi;

/**
 * Told what the guarded data source did with each SQL string, for metrics. Register one with
 * {@link org.consent4j.jdbc.wrapper.ConsentDataSource#observe(StatementObserver)}. Called on the
 * application's thread, inside the JDBC call: implementations must be thread-safe, fast and must
 * not throw (an exception is ignored, never allowed to change the statement's outcome). It is told
 * no SQL text and no value, only the form.
 */
public interface StatementObserver {

  /** An observer that ignores everything. */
  StatementObserver NONE = new StatementObserver() {};

  /** What became of one SQL string handed to the guarded data source. */
  enum Form {
    /** It touches no mapped table and runs as given. */
    PLAIN,
    /** It touches mapped tables and runs rewritten, with the consent check pushed down into the SQL. */
    PUSHDOWN,
    /**
     * It touches mapped tables and runs with their subject columns added, its rows filtered and
     * masked in the result set (see {@code ReadForm.POST_FILTER}; under the default {@code
     * ReadForm.AUTO}, an eligible SELECT intercepted while the engine's consent index is in use).
     */
    POST_FILTERED,
    /** It was refused before the database saw it. */
    REFUSED
  }

  /** One SQL string was intercepted and took {@code form}. */
  default void onStatement(Form form) {}

  /** A rewrite was looked up in the rewrite cache: {@code hit} tells whether it was there. */
  default void onRewriteCacheLookup(boolean hit) {}
}
