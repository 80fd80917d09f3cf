package org.consent4j.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.consent4j.ConsentRecord;
import org.consent4j.LedgerEntry;
import org.consent4j.SubjectId;
import org.consent4j.spi.ConsentStore;

/**
 * A consent ledger held in memory: the default store, and the one for tests. Nothing survives
 * the process; use the JDBC store of {@code consent-jdbc} for anything else. Thread-safe.
 */
public final class InMemoryConsentStore implements ConsentStore, LedgerSource {
  private final Map<SubjectId, List<LedgerEntry>> bySubject = new HashMap<>();
  private long sequence;

  /** An empty store. */
  public InMemoryConsentStore() {}

  @Override
  public synchronized LedgerEntry append(ConsentRecord record, Instant recordedAt) {
    Objects.requireNonNull(record, "record");
    Objects.requireNonNull(recordedAt, "recordedAt");
    LedgerEntry entry = new LedgerEntry(++sequence, recordedAt, record);
    bySubject.computeIfAbsent(record.subject(), s -> new ArrayList<>()).add(entry);
    return entry;
  }

  @Override
  public synchronized List<LedgerEntry> history(SubjectId subject) {
    return List.copyOf(bySubject.getOrDefault(Objects.requireNonNull(subject, "subject"), List.of()));
  }

  @Override
  public synchronized Map<SubjectId, List<LedgerEntry>> histories(Collection<SubjectId> subjects) {
    Map<SubjectId, List<LedgerEntry>> out = new LinkedHashMap<>();
    for (SubjectId s : subjects) {
      out.put(s, List.copyOf(bySubject.getOrDefault(Objects.requireNonNull(s, "subject"), List.of())));
    }
    return out;
  }

  /** Passes a copy of every subject's ledger, taken at once, to {@code sink} outside the store's lock. */
  @Override
  public void forEachLedger(java.util.function.Consumer<List<LedgerEntry>> sink) {
    Objects.requireNonNull(sink, "sink");
    List<List<LedgerEntry>> copies = new ArrayList<>();
    synchronized (this) {
      bySubject.values().forEach(l -> copies.add(List.copyOf(l)));
    }
    copies.forEach(sink);
  }

  /** The number of records appended so far. */
  public synchronized long size() {
    return sequence;
  }
}
