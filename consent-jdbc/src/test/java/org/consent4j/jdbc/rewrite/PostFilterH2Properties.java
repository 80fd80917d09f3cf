package org.consent4j.jdbc.rewrite;

import java.sql.SQLException;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.consent4j.jdbc.TestDatabases;

/** {@link PostFilterProperties} on H2. */
@PropertyDefaults(tries = 150)
final class PostFilterH2Properties extends PostFilterProperties {
  @BeforeContainer
  static void openH2() throws SQLException {
    openDatabase(TestDatabases.h2());
  }

  @AfterContainer
  static void closeH2() throws SQLException {
    closeDatabase();
  }
}
