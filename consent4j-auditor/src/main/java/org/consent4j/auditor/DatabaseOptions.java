package org.consent4j.auditor;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Optional;
import org.consent4j.jdbc.JdbcConsentStore;
import org.consent4j.jdbc.audit.JdbcAuditSink;
import picocli.CommandLine.Option;

/**
 * How to reach the consent4j tables in a database. Credentials come in the URL or from the
 * environment variable named by {@code --password-env}; they are never printed.
 */
final class DatabaseOptions {
  @Option(names = "--jdbc-url", required = true, paramLabel = "URL",
      description = "The JDBC URL of the database (H2, PostgreSQL, MariaDB or MySQL).")
  String url;

  @Option(names = "--user", paramLabel = "USER", description = "The database user, unless the URL names it.")
  String user;

  @Option(names = "--password-env", paramLabel = "VAR",
      description = "The name of an environment variable that holds the password (never the password itself).")
  String passwordEnv;

  @Option(names = "--table-prefix", paramLabel = "PREFIX", defaultValue = "consent4j_",
      description = "The prefix of the consent4j table names (default: ${DEFAULT-VALUE}).")
  String tablePrefix;

  @Option(names = "--schema", paramLabel = "NAME",
      description = "The schema (on MariaDB/MySQL, the database) of the tables, if they live in a named one.")
  String schema;

  private DriverDataSource dataSource;

  DriverDataSource dataSource() {
    if (dataSource == null) {
      String password = null;
      if (passwordEnv != null) {
        password = System.getenv(passwordEnv);
        if (password == null) {
          throw new Auditor.UsageError("--password-env names the environment variable " + passwordEnv
              + ", which is not set");
        }
      }
      dataSource = new DriverDataSource(url, user, password);
    }
    return dataSource;
  }

  String describe() {
    return DriverDataSource.describe(url) + schemaName().map(s -> " schema " + s).orElse("") + " tables "
        + tablePrefix + "*";
  }

  private Optional<String> schemaName() {
    return Optional.ofNullable(schema);
  }

  /** The audit sink on the existing tables. */
  JdbcAuditSink auditSink() {
    JdbcAuditSink.Builder b;
    try {
      b = JdbcAuditSink.builder(dataSource()).tablePrefix(tablePrefix);
      schemaName().ifPresent(b::schema);
    } catch (IllegalArgumentException e) {
      throw new Auditor.UsageError(e.getMessage());
    }
    requireTable("audit");
    return b.build();
  }

  /** The consent store on the existing tables. */
  JdbcConsentStore store() {
    JdbcConsentStore.Builder b;
    try {
      b = JdbcConsentStore.builder(dataSource()).tablePrefix(tablePrefix);
      schemaName().ifPresent(b::schema);
    } catch (IllegalArgumentException e) {
      throw new Auditor.UsageError(e.getMessage());
    }
    requireTable("ledger");
    return b.build();
  }

  /**
   * Proves the table exists before a builder sees the database: the builders create missing
   * tables, and a mistyped prefix would otherwise yield an empty trail that verifies. The prefix
   * and schema were validated by the builder (lower-case letters, digits, underscores), so the
   * name is safe in SQL; unquoted, every database folds it as the library's quoted names.
   */
  private void requireTable(String table) {
    String name = schemaName().map(s -> s + ".").orElse("") + tablePrefix + table;
    try (Connection c = dataSource().getConnection();
        PreparedStatement s = c.prepareStatement("SELECT * FROM " + name + " WHERE 1 = 0")) {
      s.executeQuery().close();
    } catch (SQLException e) {
      throw new Auditor.DataError("there is no readable table " + name + " at " + DriverDataSource.describe(url)
          + (e.getSQLState() == null ? "" : " (SQLState " + e.getSQLState() + ")")
          + ": check --table-prefix and --schema, and that the user may read it; the tool never creates tables");
    }
  }
}
