package org.consent4j.jdbc.rewrite;

import java.sql.SQLException;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.consent4j.jdbc.TestDatabases;

/** {@link SqlRewriterProperties} on a private in-memory H2 database, always. */
@PropertyDefaults(tries = 200)
final class SqlRewriterH2Properties extends SqlRewriterProperties {
  @BeforeContainer
  static void openH2() throws SQLException {
    openDatabase(TestDatabases.h2());
  }

  @AfterContainer
  static void closeH2() throws SQLException {
    closeDatabase();
  }
}
