package org.consent4j.benchmarks.audit;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/** The database a harness runs on, under a table prefix of its own that is dropped afterwards. */
final class BenchDatabase implements AutoCloseable {
  final String url;
  final String prefix = "bench" + UUID.randomUUID().toString().substring(0, 8) + "_";
  private final List<HikariDataSource> pools = new ArrayList<>();

  BenchDatabase(String[] args) {
    String fromEnv = System.getenv("CONSENT4J_POSTGRES_URL");
    url = args.length > 0 ? args[0] : fromEnv != null ? fromEnv : "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
  }

  /** A new HikariCP pool on the database. */
  HikariDataSource pool(int size) {
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl(url);
    c.setMaximumPoolSize(size);
    HikariDataSource ds = new HikariDataSource(c);
    pools.add(ds);
    return ds;
  }

  @Override
  public void close() throws SQLException {
    try (Connection c = pools.get(0).getConnection(); Statement s = c.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet r = c.getMetaData().getTables(c.getCatalog(), c.getSchema(), "%", new String[] {"TABLE"})) {
        while (r.next()) {
          if (r.getString("TABLE_NAME").toLowerCase(Locale.ROOT).startsWith(prefix)) {
            tables.add(r.getString("TABLE_NAME"));
          }
        }
      }
      boolean pg = url.startsWith("jdbc:postgresql:");
      if (url.startsWith("jdbc:mariadb:")) {
        s.execute("SET FOREIGN_KEY_CHECKS = 0");
      }
      for (String t : tables) {
        s.execute("DROP TABLE IF EXISTS " + t + (pg ? " CASCADE" : ""));
      }
      if (pg) {
        s.execute("DROP FUNCTION IF EXISTS " + prefix + "notify_change() CASCADE");
      }
    } finally {
      pools.forEach(HikariDataSource::close);
    }
  }

  static String product(String url) {
    return url.startsWith("jdbc:postgresql:") ? "PostgreSQL" : url.startsWith("jdbc:mariadb:") ? "MariaDB" : "H2";
  }
}
