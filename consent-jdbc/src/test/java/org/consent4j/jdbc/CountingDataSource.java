package org.consent4j.jdbc;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;

/**
 * Wraps a DataSource to count the connections borrowed and the statements prepared through them,
 * and to make it fail on demand: {@link #failConnections} makes {@code getConnection} throw, and
 * {@link #failStatementsContaining} makes preparing matching SQL throw.
 */
final class CountingDataSource {
  final AtomicInteger connections = new AtomicInteger();
  final AtomicInteger statements = new AtomicInteger();
  private volatile boolean failConnections;
  private final AtomicReference<String> failingSql = new AtomicReference<>();
  private final DataSource target;
  private final DataSource proxy;

  CountingDataSource(DataSource target) {
    this.target = target;
    this.proxy = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {DataSource.class}, (p, m, args) -> {
          if (m.getName().equals("getConnection")) {
            if (failConnections) {
              throw new SQLException("Connection refused (injected by the test)", "08001");
            }
            connections.incrementAndGet();
            return connection((Connection) call(this.target, m, args));
          }
          return call(this.target, m, args);
        });
  }

  DataSource dataSource() {
    return proxy;
  }

  void failConnections(boolean fail) {
    failConnections = fail;
  }

  void failStatementsContaining(String sqlFragment) {
    failingSql.set(sqlFragment);
  }

  void reset() {
    connections.set(0);
    statements.set(0);
  }

  private Connection connection(Connection c) {
    return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
        (p, m, args) -> {
          String name = m.getName();
          if (name.equals("prepareStatement") || name.equals("createStatement") || name.equals("prepareCall")) {
            statements.incrementAndGet();
            String fragment = failingSql.get();
            if (fragment != null && args != null && args[0] instanceof String sql && sql.contains(fragment)) {
              throw new SQLException("disk full (injected by the test)", "53100");
            }
          }
          return call(c, m, args);
        });
  }

  private static Object call(Object target, Method m, Object[] args) throws Throwable {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
