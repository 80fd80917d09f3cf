package org.consent4j.jdbc.wrapper;

import java.sql.SQLException;
import org.consent4j.jdbc.ConsentSQLException;
import org.consent4j.jdbc.ConsentSQLException.ReasonCode;

/** What all wrappers share: {@code unwrap} that never hands out a driver object, and refusals. */
final class Wrappers {
  private Wrappers() {}

  /**
   * {@code wrapper} itself if it is an instance of {@code iface}; otherwise a refusal, since the
   * only other candidate is the driver's object, which would let the caller around consent4j.
   */
  static <T> T unwrap(Object wrapper, Class<T> iface) throws SQLException {
    if (iface != null && iface.isInstance(wrapper)) {
      return iface.cast(wrapper);
    }
    throw new ConsentSQLException(
        ReasonCode.WRAPPER_UNWRAP_REFUSED,
        "consent4j does not hand out the underlying driver object ("
            + (iface == null ? "null" : iface.getName())
            + " requested from a "
            + wrapperKind(wrapper)
            + "): it would bypass consent enforcement. Use the java.sql interface instead; "
            + "driver-specific APIs (bulk COPY, large objects, notifications) must be used on a "
            + "connection that consent4j does not guard, for data that is not mapped.");
  }

  /** Whether {@link #unwrap} would succeed. */
  static boolean isWrapperFor(Object wrapper, Class<?> iface) {
    return iface != null && iface.isInstance(wrapper);
  }

  static String wrapperKind(Object wrapper) {
    return wrapper.getClass().getSimpleName().replace("Wrapper", "") + " of consent4j";
  }

  /** Runs {@code action}, adding its failure to {@code failure} (or returning it as the first). */
  static SQLException collect(SQLException failure, SqlAction action) {
    try {
      action.run();
      return failure;
    } catch (SQLException | RuntimeException e) {
      if (failure == null) {
        return e instanceof SQLException sqlException ? sqlException : new SQLException(e);
      }
      failure.addSuppressed(e);
      return failure;
    }
  }

  /** A JDBC action. */
  @FunctionalInterface
  interface SqlAction {
    void run() throws SQLException;
  }

  /**
   * Generated keys of an UPDATE or DELETE on a mapped table are the rows' own columns (drivers
   * add {@code RETURNING}), masked ones included: refused when the interception says so.
   */
  static void requireKeysAllowed(Interception interception, boolean requested) throws SQLException {
    if (requested && interception.touchesProtectedData() && !interception.allowsGeneratedKeys()) {
      throw new org.consent4j.jdbc.ConsentSQLException(org.consent4j.jdbc.ConsentSQLException.ReasonCode.BYPASS_REFUSED,
          "generated keys of an UPDATE or DELETE on a mapped table are refused: the driver would return the"
              + " rows' columns, masked ones included; select the rows afterwards instead");
    }
  }
}
