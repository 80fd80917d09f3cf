package org.consent4j.jdbc.rewrite;

import java.sql.SQLException;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.consent4j.jdbc.TestDatabases;

/** {@link PostFilterProperties} on MariaDB, when {@value TestDatabases#MARIADB_URL} is set. */
@PropertyDefaults(tries = 60)
@AddLifecycleHook(ConfiguredDatabase.MariaDb.class)
final class PostFilterMariaDbProperties extends PostFilterProperties {
  @BeforeContainer
  static void openMariaDb() throws SQLException {
    openDatabase(TestDatabases.mariadb());
  }

  @AfterContainer
  static void closeMariaDb() throws SQLException {
    closeDatabase();
  }
}
