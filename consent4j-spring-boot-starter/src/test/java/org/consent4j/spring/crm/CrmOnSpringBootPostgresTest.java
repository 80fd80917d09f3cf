package org.consent4j.spring.crm;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The CRM on Spring Boot over PostgreSQL at {@code CONSENT4J_POSTGRES_URL}, in the schema
 * {@code consent4j_spring_test} (dropped and created again first); skipped when that is unset,
 * failed instead under {@code CONSENT4J_REQUIRE_DATABASES=true}.
 */
@SpringBootTest
final class CrmOnSpringBootPostgresTest extends CrmOnSpringBootContract {
  private static final String URL = System.getenv("CONSENT4J_POSTGRES_URL");
  /** Dropped and created again before the tests; nothing else in the database is touched. */
  private static final String SCHEMA = "consent4j_spring_test";

  @BeforeAll
  static void emptyTheSchema() throws Exception {
    if (URL == null || URL.isBlank()) {
      if ("true".equalsIgnoreCase(System.getenv("CONSENT4J_REQUIRE_DATABASES"))) {
        Assertions.fail("CONSENT4J_POSTGRES_URL is not set (CONSENT4J_REQUIRE_DATABASES=true requires every database)");
      }
      Assumptions.abort("CONSENT4J_POSTGRES_URL is not set");
    }
    try (Connection c = DriverManager.getConnection(URL); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
      s.execute("CREATE SCHEMA " + SCHEMA);
    }
  }

  @DynamicPropertySource
  static void postgres(DynamicPropertyRegistry registry) {
    // the CRM's and consent4j's tables in a schema of their own, on the connections' search path
    registry.add("spring.datasource.url", () -> URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + SCHEMA);
  }
}
