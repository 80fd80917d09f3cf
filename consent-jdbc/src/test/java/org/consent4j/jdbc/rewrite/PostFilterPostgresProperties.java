package org.consent4j.jdbc.rewrite;

import java.sql.SQLException;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.consent4j.jdbc.TestDatabases;

/** {@link PostFilterProperties} on PostgreSQL, when {@value TestDatabases#POSTGRES_URL} is set. */
@PropertyDefaults(tries = 60)
@AddLifecycleHook(ConfiguredDatabase.Postgres.class)
final class PostFilterPostgresProperties extends PostFilterProperties {
  @BeforeContainer
  static void openPostgres() throws SQLException {
    openDatabase(TestDatabases.postgres());
  }

  @AfterContainer
  static void closePostgres() throws SQLException {
    closeDatabase();
  }
}
