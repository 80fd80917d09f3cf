package org.consent4j.spring.crm;

import org.springframework.boot.test.context.SpringBootTest;

/** The CRM on Spring Boot over embedded H2 (HikariCP, Spring Data JPA, Hibernate as Boot manages it). */
@SpringBootTest
final class CrmOnSpringBootH2Test extends CrmOnSpringBootContract {}
