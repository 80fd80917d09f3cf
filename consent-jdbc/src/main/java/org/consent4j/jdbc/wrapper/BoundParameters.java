package org.consent4j.jdbc.wrapper;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import java.util.SortedMap;

/**
 * Binds the parameters an interceptor placed in a prepared statement's SQL (see
 * {@link Interception#boundParameters()}) and shifts the application's parameter indexes past
 * them, so that the application numbers its placeholders as it wrote them. The values are bound
 * when the statement is prepared, again after {@code clearParameters} and each {@code addBatch},
 * and replaced before an execution by {@link #rebind}; the parameter metadata counts and numbers
 * the application's placeholders only. The NULL flags of {@link Interception#nullFlagParameters()}
 * are bound each time the application sets the parameter they report on, and skipped in the
 * application's numbering too.
 * Confined to the statement's thread, as the statement is.
 */
final class BoundParameters implements InvocationHandler {
  private final PreparedStatement raw;
  private SortedMap<Integer, Long> bound;
  /** Flag position to the application's parameter index it reports on. */
  private final SortedMap<Integer, Integer> flags;
  /** Every position the application's numbering skips: the bound ones and the flags. */
  private final java.util.SortedSet<Integer> skipped = new java.util.TreeSet<>();

  /**
   * The parameter setters of {@link PreparedStatement}: its {@code set*} methods whose first
   * parameter is an {@code int} index. Found once, not by inspecting each call's method (whose
   * {@code getParameterTypes} copies an array every time).
   */
  private static final java.util.Set<Method> SETTERS = setters();

  private static java.util.Set<Method> setters() {
    java.util.Set<Method> out = new java.util.HashSet<>();
    for (Method m : PreparedStatement.class.getMethods()) {
      if (m.getDeclaringClass() == PreparedStatement.class && m.getName().startsWith("set")
          && m.getParameterCount() >= 1 && m.getParameterTypes()[0] == int.class) {
        out.add(m);
      }
    }
    return java.util.Set.copyOf(out);
  }

  private BoundParameters(PreparedStatement raw, SortedMap<Integer, Long> bound, SortedMap<Integer, Integer> flags) {
    this.raw = raw;
    this.bound = bound;
    this.flags = flags;
    skipped.addAll(bound.keySet());
    skipped.addAll(flags.keySet());
  }

  /**
   * {@code raw} itself when the interception binds nothing; otherwise a statement that binds the
   * interception's parameters and shifts the application's indexes. Closes {@code raw} if the
   * first binding fails.
   */
  static PreparedStatement wrap(PreparedStatement raw, Interception interception) throws SQLException {
    SortedMap<Integer, Long> bound = interception.boundParameters();
    SortedMap<Integer, Integer> flags = interception.nullFlagParameters();
    if (bound.isEmpty() && flags.isEmpty()) {
      return raw;
    }
    BoundParameters handler = new BoundParameters(raw, bound, flags);
    try {
      handler.bind();
    } catch (SQLException | RuntimeException e) {
      try {
        raw.close();
      } catch (SQLException c) {
        e.addSuppressed(c);
      }
      throw e;
    }
    return (PreparedStatement) Proxy.newProxyInstance(BoundParameters.class.getClassLoader(),
        new Class<?>[] {PreparedStatement.class}, handler);
  }

  /** The handler of {@code statement} if {@link #wrap} made it, else null. */
  static BoundParameters of(PreparedStatement statement) {
    if (Proxy.isProxyClass(statement.getClass())
        && Proxy.getInvocationHandler(statement) instanceof BoundParameters handler) {
      return handler;
    }
    return null;
  }

  /**
   * Binds {@code values} now and from now on (after {@code clearParameters} and {@code addBatch}).
   *
   * @throws IllegalArgumentException if they are not for the same parameters as before
   */
  void rebind(SortedMap<Integer, Long> values) throws SQLException {
    if (!values.keySet().equals(bound.keySet())) {
      throw new IllegalArgumentException("rebinding parameters " + values.keySet() + " of a statement that binds "
          + bound.keySet());
    }
    bound = values;
    bind();
  }

  private void bind() throws SQLException {
    for (Map.Entry<Integer, Long> e : bound.entrySet()) {
      raw.setLong(e.getKey(), e.getValue());
    }
  }

  /** The position among all placeholders of the application's {@code index}-th one. */
  int real(int index) {
    int r = index;
    for (int p : skipped) {
      if (p <= r) {
        r++;
      } else {
        break;
      }
    }
    return r;
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    boolean parameterSetter = SETTERS.contains(method);
    int applicationIndex = parameterSetter ? (Integer) args[0] : 0;
    if (parameterSetter) {
      args = args.clone();
      args[0] = real((Integer) args[0]);
    }
    Object result;
    try {
      result = method.invoke(raw, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
    if (parameterSetter && !flags.isEmpty()) {
      // A value the driver may still take for NULL (an object it maps so) gets flag 0, which only
      // restricts the write as for any non-NULL value.
      boolean isNull = method.getName().equals("setNull") || (args.length >= 2 && args[1] == null);
      for (Map.Entry<Integer, Integer> f : flags.entrySet()) {
        if (f.getValue() == applicationIndex) {
          raw.setInt(f.getKey(), isNull ? 1 : 0);
        }
      }
    }
    if (method.getDeclaringClass() == PreparedStatement.class && (args == null || args.length == 0)) {
      switch (method.getName()) {
        case "clearParameters", "addBatch" -> bind();
        case "getParameterMetaData" -> {
          return shifted((ParameterMetaData) result);
        }
        default -> { }
      }
    }
    return result;
  }

  /** The metadata of the application's placeholders only. */
  private ParameterMetaData shifted(ParameterMetaData md) {
    if (md == null) {
      return null;
    }
    return (ParameterMetaData) Proxy.newProxyInstance(BoundParameters.class.getClassLoader(),
        new Class<?>[] {ParameterMetaData.class}, (p, m, a) -> {
          if (m.getName().equals("getParameterCount") && (a == null || a.length == 0)) {
            return md.getParameterCount() - skipped.size();
          }
          Object[] args = a;
          if (a != null && a.length == 1 && m.getParameterTypes()[0] == int.class
              && m.getDeclaringClass() == ParameterMetaData.class) {
            args = new Object[] {real((Integer) a[0])};
          }
          try {
            return m.invoke(md, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }
}
