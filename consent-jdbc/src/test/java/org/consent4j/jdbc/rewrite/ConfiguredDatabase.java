package org.consent4j.jdbc.rewrite;

import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;
import org.consent4j.jdbc.TestDatabases;

/**
 * Skips a jqwik container whose database is not configured, as {@link TestDatabases} does for
 * JUnit tests: unless {@value TestDatabases#REQUIRE} is {@code true}, when the container runs and
 * fails on the missing URL instead.
 */
abstract class ConfiguredDatabase implements SkipExecutionHook {
  private final String variable;

  ConfiguredDatabase(String variable) {
    this.variable = variable;
  }

  @Override
  public SkipResult shouldBeSkipped(LifecycleContext context) {
    String url = System.getenv(variable);
    if ((url == null || url.isBlank()) && !"true".equalsIgnoreCase(System.getenv(TestDatabases.REQUIRE))) {
      return SkipResult.skip(variable + " is not set");
    }
    return SkipResult.doNotSkip();
  }

  /** PostgreSQL at {@value TestDatabases#POSTGRES_URL}. */
  static final class Postgres extends ConfiguredDatabase {
    Postgres() {
      super(TestDatabases.POSTGRES_URL);
    }
  }

  /** MariaDB at {@value TestDatabases#MARIADB_URL}. */
  static final class MariaDb extends ConfiguredDatabase {
    MariaDb() {
      super(TestDatabases.MARIADB_URL);
    }
  }
}
