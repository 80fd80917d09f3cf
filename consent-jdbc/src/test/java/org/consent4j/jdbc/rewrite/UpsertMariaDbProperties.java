package org.consent4j.jdbc.rewrite;

import java.sql.SQLException;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.consent4j.jdbc.TestDatabases;

/**
 * {@link UpsertProperties} on MariaDB ({@code INSERT ... ON DUPLICATE KEY UPDATE}, and {@code
 * INSERT IGNORE} for an upsert that does nothing on a conflict), when {@value
 * TestDatabases#MARIADB_URL} is set.
 */
@AddLifecycleHook(ConfiguredDatabase.MariaDb.class)
final class UpsertMariaDbProperties extends UpsertProperties {
  @BeforeContainer
  static void openMariaDb() {
    openDatabase(TestDatabases.mariadb());
  }

  @AfterContainer
  static void closeMariaDb() throws SQLException {
    closeDatabase();
  }

  @Override
  String sql(String table, UpsertA u) {
    String values = " (id, country" + (u.email() ? ", email" : "") + ") VALUES (" + u.id() + ", '" + u.country() + "'"
        + (u.email() ? ", 'n" + u.id() + "'" : "") + ")";
    return u.updates()
        ? "INSERT INTO " + table + values + " ON DUPLICATE KEY UPDATE country = VALUES(country)"
            + (u.email() ? ", email = VALUES(email)" : "")
        : "INSERT IGNORE INTO " + table + values;
  }
}
