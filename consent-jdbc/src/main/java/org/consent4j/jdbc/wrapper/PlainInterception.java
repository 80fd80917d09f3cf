package org.consent4j.jdbc.wrapper;

import java.util.Objects;

/** See {@link Interception#plain}. */
record PlainInterception(String sql) implements Interception {
  PlainInterception {
    Objects.requireNonNull(sql, "sql");
  }

  @Override
  public boolean touchesProtectedData() {
    return false;
  }
}
