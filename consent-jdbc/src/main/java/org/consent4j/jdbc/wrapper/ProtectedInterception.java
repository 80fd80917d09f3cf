package org.consent4j.jdbc.wrapper;

import java.util.Objects;

/** See {@link Interception#protectedData}. */
record ProtectedInterception(String sql, StatementListener listener, int hiddenColumns, boolean allowsGeneratedKeys,
    java.util.SortedMap<Integer, Long> boundParameters)
    implements Interception {
  ProtectedInterception {
    Objects.requireNonNull(sql, "sql");
    Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(boundParameters, "boundParameters");
  }

  @Override
  public boolean touchesProtectedData() {
    return true;
  }
}
