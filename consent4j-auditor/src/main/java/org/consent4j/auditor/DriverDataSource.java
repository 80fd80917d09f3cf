package org.consent4j.auditor;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * A data source that opens one new connection per request through {@link DriverManager}: the
 * tool makes a handful of queries, so a pool would only add threads. A failure to connect is
 * reported with the driver's message (it says why: refused, unknown host, wrong password) from
 * which the password and the URL's query string are removed, since the tool never echoes
 * credentials.
 */
final class DriverDataSource implements DataSource {
  private static final Pattern URL_PASSWORD = Pattern.compile("(?i)[?&;]password=([^&;]*)");

  private final String url;
  private final Properties properties;
  private final List<String> secrets = new ArrayList<>();

  DriverDataSource(String url, String user, String password) {
    this.url = url;
    this.properties = new Properties();
    if (user != null) {
      properties.setProperty("user", user);
    }
    if (password != null) {
      properties.setProperty("password", password);
      secrets.add(password);
    }
    Matcher m = URL_PASSWORD.matcher(url);
    while (m.find()) {
      if (!m.group(1).isEmpty()) {
        secrets.add(m.group(1));
      }
    }
  }

  /** The URL up to its parameters, safe to print. */
  static String describe(String url) {
    int cut = url.length();
    for (char c : new char[] {'?', ';', '&'}) {
      int i = url.indexOf(c);
      if (i >= 0 && i < cut) {
        cut = i;
      }
    }
    return url.substring(0, cut);
  }

  String redact(String text) {
    if (text == null) {
      return "";
    }
    String out = text.replace(url, describe(url));
    for (String s : secrets) {
      out = out.replace(s, "****");
    }
    return out;
  }

  @Override
  public Connection getConnection() throws SQLException {
    try {
      return DriverManager.getConnection(url, properties);
    } catch (SQLException e) {
      // The cause is dropped on purpose: its message is the unredacted one.
      throw new Auditor.DataError("cannot connect to " + describe(url) + ": " + redact(e.getMessage())
          + (e.getSQLState() == null ? "" : " (SQLState " + e.getSQLState() + ")")
          + "; check the URL, the user and --password-env");
    }
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException("the auditor connects with the credentials it was given");
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {}

  @Override
  public void setLoginTimeout(int seconds) {}

  @Override
  public int getLoginTimeout() {
    return 0;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    throw new SQLException("not a wrapper");
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return false;
  }
}
