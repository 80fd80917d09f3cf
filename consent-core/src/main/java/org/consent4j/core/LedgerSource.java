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
   * Passes the ledger of every subject that has one to {@code sink}, one call per subject, each
   * list non-empty, in sequence order and holding that subject's records only. Subjects may come
   * in any order. A record appended while this runs may or may not be passed.
   *
   * @throws org.consent4j.ConsentStoreUnavailableException if the store cannot be read; some
   *     ledgers may have been passed already
   */
  void forEachLedger(Consumer<List<LedgerEntry>> sink);
}
