package org.consent4j.jdbc.wrapper;

import java.sql.Array;
import java.sql.Ref;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Wrapper;
import org.consent4j.jdbc.ConsentSQLException;
import org.consent4j.jdbc.ConsentSQLException.ReasonCode;

/**
 * Column and OUT-parameter values on their way to the application. Plain values (numbers, strings,
 * dates, {@code Blob}, {@code Clob}, {@code SQLXML}, {@code Struct}, {@code RowId}) pass as they
 * are: they are data the consent filter already let through. Values that lead back into the
 * database are wrapped or refused: a {@code ResultSet} (a cursor) and an {@code Array} (whose
 * {@code getResultSet} makes one) are wrapped; a {@code Ref} is refused, since dereferencing it
 * reads or writes a row that the rewritten statement never saw; any other JDBC handle is refused.
 */
final class Values {
  private Values() {}

  static Object wrap(Object value, Statement statement, boolean readOnly) throws SQLException {
    // Nearly every value is plain data: four type checks, before the package lookup of isOurs.
    if (value == null || !(value instanceof Wrapper || value instanceof ResultSet || value instanceof Array
        || value instanceof Ref)) {
      return value;
    }
    if (isOurs(value)) {
      return value;
    }
    if (value instanceof ResultSet resultSet) {
      return ResultSetWrapper.derived(resultSet, statement, readOnly);
    }
    if (value instanceof Array array) {
      return ArrayWrapper.wrap(array, readOnly);
    }
    if (value instanceof Ref) {
      throw refRefused();
    }
    if (value instanceof Wrapper) {
      throw new ConsentSQLException(
          ReasonCode.WRAPPER_UNWRAP_REFUSED,
          "the driver returned a JDBC object of type "
              + value.getClass().getName()
              + " as a value; consent4j does not hand out driver objects it cannot wrap");
    }
    return value;
  }

  /** {@code value} as a {@code type}; a refusal if wrapping made it something else. */
  static <T> T cast(Object value, Class<T> type) throws SQLException {
    if (value == null || type.isInstance(value)) {
      return type.cast(value);
    }
    throw new ConsentSQLException(
        ReasonCode.WRAPPER_UNWRAP_REFUSED,
        "consent4j does not hand out the driver's "
            + type.getName()
            + "; ask for the java.sql interface instead");
  }

  static ConsentSQLException refRefused() {
    return new ConsentSQLException(
        ReasonCode.BYPASS_REFUSED,
        "SQL REF values are refused: dereferencing one reads or writes a row that the consent "
            + "filter of the statement never saw. Select the referenced row with a query instead.");
  }

  /** {@code x} as the driver should be given it back: its own array rather than our wrapper. */
  static Object toDriver(Object x) {
    return x instanceof ArrayWrapper array ? array.delegate() : x;
  }

  /** {@code x} as the driver should be given it back: its own array rather than our wrapper. */
  static Array toDriver(Array x) {
    return x instanceof ArrayWrapper array ? array.delegate() : x;
  }

  /** Whether a class is of this package, asked once per class (getPackage() looks it up on every call). */
  private static final ClassValue<Boolean> OURS = new ClassValue<>() {
    @Override
    protected Boolean computeValue(Class<?> type) {
      return type.getPackage() == Values.class.getPackage();
    }
  };

  private static boolean isOurs(Object value) {
    return OURS.get(value.getClass());
  }
}
