package org.consent4j.jdbc.wrapper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.Date;
import java.sql.JDBCType;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLType;
import java.sql.Statement;
import java.sql.Time;
import java.sql.Timestamp;
import java.sql.Wrapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.consent4j.jdbc.ConsentSQLException;
import org.consent4j.jdbc.ConsentSQLException.ReasonCode;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Walks every method of every JDBC interface the wrappers implement, by reflection, and proves each
 * one is handled: declared by a wrapper class (no method silently inherited from an interface
 * default, so a method added by a future JDBC version fails this test until someone decides what
 * it does), never returning a driver object, and sending every SQL string through the interceptor.
 * Each method is invoked on a fresh wrapper over a real H2 connection with dummy arguments; H2 may
 * reject the arguments, which is fine, as long as the rules hold.
 */
final class WrapperReflectionTest {
  /** The SQL given to every method that takes SQL. */
  private static final String SQL = "SELECT ID, EMAIL, TAGS FROM CONTACT";

  private static final Set<String> SQL_METHODS =
      Set.of(
          "execute", "executeQuery", "executeUpdate", "executeLargeUpdate", "addBatch",
          "prepareStatement", "prepareCall", "nativeSQL");

  /** Methods of Connection and Statement that take a String that is not SQL. */
  private static final Set<String> NON_SQL_STRING_METHODS =
      Set.of(
          "setCatalog", "setSchema", "setClientInfo", "getClientInfo", "setSavepoint",
          "createArrayOf", "createStruct", "setCursorName", "enquoteLiteral",
          "enquoteIdentifier", "enquoteNCharLiteral", "isSimpleIdentifier");

  private static final List<Class<?>> INTERFACES =
      List.of(
          DataSource.class, Connection.class, Statement.class, PreparedStatement.class,
          CallableStatement.class, ResultSet.class, DatabaseMetaData.class,
          ResultSetMetaData.class, ParameterMetaData.class, Array.class);

  private static JdbcDataSource h2;
  private static Connection raw;

  @BeforeAll
  static void createDatabase() throws SQLException {
    h2 = H2.database("reflection");
    raw = h2.getConnection();
    H2.reset(raw);
  }

  @AfterAll
  static void dropDatabase() throws SQLException {
    try (Statement statement = raw.createStatement()) {
      statement.execute("SHUTDOWN");
    }
  }

  static Stream<Arguments> interfacesAndModes() {
    return INTERFACES.stream()
        .map(type -> Named.of(type.getSimpleName(), type))
        .flatMap(type -> Stream.of(Arguments.of(type, false), Arguments.of(type, true)));
  }

  @ParameterizedTest(name = "{0}, protected data: {1}")
  @MethodSource("interfacesAndModes")
  void everyMethodIsDeclaredWrappedAndIntercepted(Class<?> type, boolean protectedData)
      throws Exception {
    List<String> failures = new ArrayList<>();
    int returned = 0;
    int threw = 0;
    for (Method method : type.getMethods()) {
      if (Modifier.isStatic(method.getModifiers())) {
        continue;
      }
      H2.reset(raw);
      Recorder recorder = new Recorder(sql -> protectedData, false);
      ConsentDataSource dataSource = ConsentDataSource.wrap(h2, recorder);
      try (Connection connection = dataSource.getConnection()) {
        Object target = open(type, dataSource, connection);
        String where = type.getSimpleName() + "." + describe(method);

        // (c) declared by a wrapper class, not inherited from an interface default.
        Method resolved = target.getClass().getMethod(method.getName(), method.getParameterTypes());
        if (resolved.getDeclaringClass().isInterface()
            || resolved.getDeclaringClass().getPackage() != ConsentDataSource.class.getPackage()) {
          failures.add(where + " is not declared by a wrapper class but by "
              + resolved.getDeclaringClass().getName());
        }

        recorder.intercepted.clear();
        Object result = null;
        Throwable cause = null;
        try {
          result = method.invoke(target, arguments(method));
          returned++;
        } catch (InvocationTargetException e) {
          threw++;
          cause = e.getCause();
          if (cause instanceof Error
              || (!(cause instanceof SQLException) && thrownByWrapper(cause))) {
            failures.add(where + " failed inside the wrapper: " + cause);
          }
        }
        if (protectedData && type == ResultSet.class && isResultSetWrite(method)
            && !(cause instanceof ConsentSQLException refused
                && refused.reasonCode() == ReasonCode.UPDATABLE_RESULT_REFUSED)) {
          failures.add(where + " on protected data was not refused by consent4j: " + cause);
        }

        // (a) never a driver object.
        if ((result instanceof Wrapper || result instanceof Array)
            && result.getClass().getPackage() != ConsentDataSource.class.getPackage()) {
          failures.add(where + " returned the driver object " + result.getClass().getName());
        }

        // (b) SQL goes through the interceptor, and nothing else does.
        if (takesSql(method)) {
          String expected = expectedKind(method) + " " + SQL;
          if (!recorder.intercepted.equals(List.of(expected))) {
            failures.add(where + " should have intercepted [" + expected + "] but intercepted "
                + recorder.intercepted);
          }
        } else if (!recorder.intercepted.isEmpty()) {
          failures.add(where + " intercepted " + recorder.intercepted + " without taking SQL");
        }
      }
    }
    assertEquals(List.of(), failures, String.join("\n", failures));
    // The walk means something only if H2 accepted many of the dummy calls.
    assertTrue(returned > threw / 2, "only " + returned + " of " + (returned + threw)
        + " calls returned normally; the dummy arguments no longer exercise the wrappers");
  }

  @Test
  void everyStringTakingMethodOfConnectionAndStatementIsKnownToBeSqlOrNot() {
    List<String> unknown = new ArrayList<>();
    for (Class<?> type : List.of(Connection.class, Statement.class)) {
      for (Method method : type.getDeclaredMethods()) {
        if (Arrays.asList(method.getParameterTypes()).contains(String.class)
            && !takesSql(method)
            && !NON_SQL_STRING_METHODS.contains(method.getName())) {
          unknown.add(type.getSimpleName() + "." + describe(method));
        }
      }
    }
    assertEquals(List.of(), unknown,
        "a new JDBC method takes a String: decide whether it is SQL and must be intercepted");
  }

  /** A fresh wrapper of {@code type} over {@code connection}. */
  private static Object open(Class<?> type, DataSource dataSource, Connection connection)
      throws SQLException {
    if (type == DataSource.class) {
      return dataSource;
    }
    if (type == Connection.class) {
      return connection;
    }
    if (type == Statement.class) {
      return connection.createStatement(
          ResultSet.TYPE_SCROLL_INSENSITIVE, ResultSet.CONCUR_UPDATABLE);
    }
    if (type == PreparedStatement.class) {
      return connection.prepareStatement(SQL + " WHERE ID = ?");
    }
    if (type == CallableStatement.class) {
      return connection.prepareCall("CALL ABS(?)");
    }
    if (type == DatabaseMetaData.class) {
      return connection.getMetaData();
    }
    if (type == ParameterMetaData.class) {
      return connection.prepareStatement(SQL + " WHERE ID = ?").getParameterMetaData();
    }
    ResultSet resultSet =
        connection
            .createStatement(ResultSet.TYPE_SCROLL_INSENSITIVE, ResultSet.CONCUR_UPDATABLE)
            .executeQuery(SQL);
    resultSet.next();
    if (type == ResultSet.class) {
      return resultSet;
    }
    if (type == ResultSetMetaData.class) {
      return resultSet.getMetaData();
    }
    if (type == Array.class) {
      return resultSet.getArray("TAGS");
    }
    throw new AssertionError("no fixture for " + type);
  }

  private static Object[] arguments(Method method) {
    Class<?>[] types = method.getParameterTypes();
    Object[] arguments = new Object[types.length];
    for (int i = 0; i < types.length; i++) {
      arguments[i] = i == 0 && takesSql(method) ? SQL : dummy(types[i]);
    }
    return arguments;
  }

  private static final Map<Class<?>, Object> DUMMIES = new HashMap<>();

  static {
    DUMMIES.put(int.class, 1);
    DUMMIES.put(long.class, 1L);
    DUMMIES.put(short.class, (short) 1);
    DUMMIES.put(byte.class, (byte) 1);
    DUMMIES.put(float.class, 1f);
    DUMMIES.put(double.class, 1d);
    DUMMIES.put(boolean.class, false);
    DUMMIES.put(String.class, "ID");
    DUMMIES.put(Object.class, "x");
    DUMMIES.put(BigDecimal.class, BigDecimal.ONE);
    DUMMIES.put(Date.class, new Date(0));
    DUMMIES.put(Time.class, new Time(0));
    DUMMIES.put(Timestamp.class, new Timestamp(0));
    DUMMIES.put(SQLType.class, JDBCType.INTEGER);
    DUMMIES.put(Executor.class, (Executor) Runnable::run);
  }

  private static Object dummy(Class<?> type) {
    if (DUMMIES.containsKey(type)) {
      return DUMMIES.get(type);
    }
    if (type.isArray()) {
      return java.lang.reflect.Array.newInstance(type.getComponentType(), 0);
    }
    if (type == Class.class) {
      return Object.class;
    }
    if (type == Map.class) {
      return new HashMap<String, Class<?>>();
    }
    if (type == Properties.class) {
      return new Properties();
    }
    if (type == Calendar.class) {
      return Calendar.getInstance();
    }
    if (type == InputStream.class) {
      return new ByteArrayInputStream(new byte[0]);
    }
    if (type == Reader.class) {
      return new StringReader("");
    }
    return null; // Array, Blob, Clob, NClob, Ref, RowId, SQLXML, Struct, URL, Savepoint, ...
  }

  static boolean takesSql(Method method) {
    Class<?> declaring = method.getDeclaringClass();
    return (declaring == Connection.class || declaring == Statement.class)
        && SQL_METHODS.contains(method.getName())
        && method.getParameterCount() > 0
        && method.getParameterTypes()[0] == String.class;
  }

  private static SqlKind expectedKind(Method method) {
    return switch (method.getName()) {
      case "executeQuery" -> SqlKind.QUERY;
      case "executeUpdate", "executeLargeUpdate" -> SqlKind.UPDATE;
      case "execute" -> SqlKind.EXECUTE;
      case "addBatch" -> SqlKind.BATCH;
      case "prepareStatement" -> SqlKind.PREPARE;
      case "prepareCall" -> SqlKind.CALL;
      case "nativeSQL" -> SqlKind.NATIVE;
      default -> throw new AssertionError(method);
    };
  }

  private static boolean isResultSetWrite(Method method) {
    String name = method.getName();
    return name.startsWith("update")
        || Set.of("insertRow", "deleteRow", "refreshRow", "cancelRowUpdates", "moveToInsertRow")
            .contains(name);
  }

  private static boolean thrownByWrapper(Throwable failure) {
    StackTraceElement[] trace = failure.getStackTrace();
    return trace.length > 0
        && trace[0].getClassName().startsWith(ConsentDataSource.class.getPackageName() + ".");
  }

  private static String describe(Method method) {
    return method.getName()
        + Arrays.stream(method.getParameterTypes())
            .map(Class::getSimpleName)
            .toList()
            .toString()
            .replace('[', '(')
            .replace(']', ')');
  }
}
