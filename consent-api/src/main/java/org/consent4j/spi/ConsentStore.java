package org.consent4j.spi;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.consent4j.ConsentRecord;
import org.consent4j.ConsentStoreUnavailableException;
import org.consent4j.LedgerEntry;
import org.consent4j.SubjectId;

/**
 * The append-only consent ledger. Implementations must be thread-safe, must never change or
 * remove an entry, and must give every appended record a sequence number greater than every
 * earlier one.
 *
 * <p>Every method throws {@link ConsentStoreUnavailableException} when the store cannot be
 * reached; the engine then denies access (fail closed).
 */
public interface ConsentStore {

  /**
   * Appends a record durably and returns it with its sequence number. When this method returns,
   * every later {@link #history} call sees the record.
   */
  LedgerEntry append(ConsentRecord record, Instant recordedAt);

  /** Every record of one subject, in sequence order; empty when there are none. */
  List<LedgerEntry> history(SubjectId subject);

  /**
   * The histories of many subjects in one round trip. The map has an entry, possibly empty, for
   * every subject asked for.
   */
  Map<SubjectId, List<LedgerEntry>> histories(Collection<SubjectId> subjects);
}
