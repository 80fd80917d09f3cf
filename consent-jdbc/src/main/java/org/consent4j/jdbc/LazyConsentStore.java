package org.consent4j.jdbc;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.consent4j.ConsentRecord;
import org.consent4j.ConsentStoreUnavailableException;
import org.consent4j.LedgerEntry;
import org.consent4j.SubjectId;
import org.consent4j.spi.ConsentStore;

/**
 * A {@link JdbcConsentStore} built on first use, so that an application can start while its
 * database is down: until {@link JdbcConsentStore.Builder#build()} succeeds (it detects the
 * database and creates or migrates the tables), every call tries it again and, if the database
 * still does not answer, throws {@link ConsentStoreUnavailableException} — the engine denies
 * access — and access resumes by itself once it does.
 *
 * <pre>{@code
 * ConsentStore store = LazyConsentStore.of(JdbcConsentStore.builder(dataSource).tablePrefix("crm_"));
 * }</pre>
 *
 * <p>Thread-safe; the builder must not be changed after it is passed here.
 */
public final class LazyConsentStore implements ConsentStore {
  private final JdbcConsentStore.Builder builder;
  private volatile JdbcConsentStore store;

  private LazyConsentStore(JdbcConsentStore.Builder builder) {
    this.builder = builder;
  }

  /**
   * A store that builds {@code builder} on first use.
   *
   * @throws NullPointerException if {@code builder} is null
   */
  public static LazyConsentStore of(JdbcConsentStore.Builder builder) {
    return new LazyConsentStore(Objects.requireNonNull(builder, "builder"));
  }

  /** The prefix of the store's table names, as configured on the builder; known before the store is built. */
  public String tablePrefix() {
    return builder.tablePrefix();
  }

  /**
   * The schema (on MariaDB/MySQL, the database) of the store's tables, as configured on the
   * builder (empty: the connection's current one); known before the store is built.
   */
  public java.util.Optional<String> schema() {
    return builder.schemaName();
  }

  /** True once the database was reached and the store built. */
  public boolean isReady() {
    return store != null;
  }

  private JdbcConsentStore store() {
    JdbcConsentStore s = store;
    if (s != null) {
      return s;
    }
    synchronized (this) {
      if (store == null) {
        store = builder.build(); // throws ConsentStoreUnavailableException while the database is down
      }
      return store;
    }
  }

  /** See {@link JdbcConsentStore#append}; also throws while the store could not be set up yet. */
  @Override
  public LedgerEntry append(ConsentRecord record, Instant recordedAt) {
    Objects.requireNonNull(record, "record");
    Objects.requireNonNull(recordedAt, "recordedAt");
    return store().append(record, recordedAt);
  }

  /** See {@link JdbcConsentStore#history}; also throws while the store could not be set up yet. */
  @Override
  public List<LedgerEntry> history(SubjectId subject) {
    Objects.requireNonNull(subject, "subject");
    return store().history(subject);
  }

  /** See {@link JdbcConsentStore#histories}; also throws while the store could not be set up yet. */
  @Override
  public Map<SubjectId, List<LedgerEntry>> histories(Collection<SubjectId> subjects) {
    Objects.requireNonNull(subjects, "subjects");
    return store().histories(subjects);
  }

  @Override
  public String toString() {
    JdbcConsentStore s = store;
    return "LazyConsentStore[" + (s == null ? "database not reached yet" : s) + "]";
  }
}
