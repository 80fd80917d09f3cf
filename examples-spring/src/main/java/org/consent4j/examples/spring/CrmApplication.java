package org.consent4j.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The CRM on Spring Boot: Spring Data JPA over HikariCP over embedded H2, guarded by
 * consent4j-spring-boot-starter, with REST endpoints ({@link CrmController}) and the contacts'
 * preference centre ({@link PreferenceCentreController}) on http://127.0.0.1:8080/. Run with
 * {@code mvn -B -q -pl examples-spring -am compile exec:java}.
 */
@SpringBootApplication
public class CrmApplication {
  /** Starts the application; {@code --server.port=0} picks a free port. */
  public static void main(String[] args) {
    SpringApplication.run(CrmApplication.class, args);
  }
}
