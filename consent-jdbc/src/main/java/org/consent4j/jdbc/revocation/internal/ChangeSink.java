package org.consent4j.jdbc.revocation.internal;

/** Where the feed's database side reports what it learnt. Not API. */
public interface ChangeSink {
  /** A ledger record for this subject was committed. */
  void changed(String subject);

  /** Changes may have been missed: forget everything. */
  void changedAll();

  /** Every change committed before {@code nanoTime} (a {@link System#nanoTime()} value) was reported. */
  void heardAt(long nanoTime);
}
