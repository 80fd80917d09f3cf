package org.consent4j.core;

import java.util.List;
import java.util.function.Consumer;
import org.consent4j.LedgerEntry;

/**
 * A consent store that can hand over every subject's ledger in one pass, so that a {@link
 * ConsentIndex} can be loaded from it. Implemented by {@link InMemoryConsentStore} and by
 * consent-jdbc's {@code JdbcConsentStore}.
 */
public interface LedgerSource {
  /**
   * Passes the ledger of every subject that has one to {@code sink}, normally one call per
   * subject, each list non-empty, in sequence order and holding that subject's records only.
   * Subjects may come in any order. A source may pass one subject's ledger in more than one part
   * (a database collation that compares two ids equal may interleave their rows); a reader that
   * sees a subject again must read that subject's ledger alone. A record appended while this runs
   * may or may not be passed.
   *
   * @throws org.consent4j.ConsentStoreUnavailableException if the store cannot be read; some
   *     ledgers may have been passed already
   */
  void forEachLedger(Consumer<List<LedgerEntry>> sink);

  /**
   * As {@link #forEachLedger(Consumer)}, but the source may read with up to {@code parallelism}
   * threads and call {@code sink} from all of them at once (so the sink must be thread-safe). All
   * parts of one subject's ledger are passed by the same thread, and all threads read one state
   * of the store. By default this is the single-threaded read.
   *
   * @param parallelism the most threads to read with; 1 or less reads with the calling thread only
   * @throws org.consent4j.ConsentStoreUnavailableException if the store cannot be read; some
   *     ledgers may have been passed already
   */
  default void forEachLedger(Consumer<List<LedgerEntry>> sink, int parallelism) {
    forEachLedger(sink);
  }
}
