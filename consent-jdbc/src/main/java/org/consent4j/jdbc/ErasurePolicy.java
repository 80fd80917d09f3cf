package org.consent4j.jdbc;

/**
 * What {@link Erasure#erase} does to a subject's rows in a mapped table (GDPR Art. 17), declared
 * per table in the mapping ({@code "erasure": "delete"} or {@code "erasure": "nullify"}).
 */
public enum ErasurePolicy {
  /** Delete every row naming the subject in any subject column. */
  DELETE,
  /**
   * Set every personal column of the rows naming the subject to NULL, keeping the rows (and their
   * subject columns, a pseudonymous key) for the application's integrity. Not allowed on a table
   * with a row category, whose rows are personal data themselves, nor on one without personal
   * columns.
   */
  NULLIFY;

  /** The name used in the mapping JSON. */
  public String jsonName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
