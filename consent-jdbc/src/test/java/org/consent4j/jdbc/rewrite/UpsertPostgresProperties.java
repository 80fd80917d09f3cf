package org.consent4j.jdbc.rewrite;

import java.sql.SQLException;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.consent4j.jdbc.TestDatabases;

/**
 * {@link UpsertProperties} on PostgreSQL ({@code INSERT ... ON CONFLICT (id) DO NOTHING / DO
 * UPDATE}), when {@value TestDatabases#POSTGRES_URL} is set.
 */
@AddLifecycleHook(ConfiguredDatabase.Postgres.class)
final class UpsertPostgresProperties extends UpsertProperties {
  @BeforeContainer
  static void openPostgres() {
    openDatabase(TestDatabases.postgres());
  }

  @AfterContainer
  static void closePostgres() throws SQLException {
    closeDatabase();
  }

  @Override
  String sql(String table, UpsertA u) {
    return "INSERT INTO " + table + " (id, country" + (u.email() ? ", email" : "") + ") VALUES (" + u.id() + ", '"
        + u.country() + "'" + (u.email() ? ", 'n" + u.id() + "'" : "") + ") ON CONFLICT (id) "
        + (u.updates() ? "DO UPDATE SET country = EXCLUDED.country" + (u.email() ? ", email = EXCLUDED.email" : "")
            : "DO NOTHING");
  }
}
