/**
 * Spring Boot auto-configuration of consent4j: one dependency and a {@code consent4j.*} properties
 * file give an application the guarded {@code DataSource}, the consent store, the audit trail, the
 * change feed, {@code @Processing} on Spring beans, Hibernate's cache integration, an Actuator
 * health indicator and Micrometer meters. See docs/SPRING-BOOT.md.
 */
package org.consent4j.spring;
