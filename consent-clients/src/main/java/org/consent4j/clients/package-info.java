/**
 * Integrations that tie the caches of JDBC clients to the consent4j processing context, so that
 * data read under one {@link org.consent4j.AccessContext} is never served from a cache under
 * another: {@link org.consent4j.clients.hibernate} for Hibernate ORM (and JPA, Spring Data JPA),
 * {@link org.consent4j.clients.mybatis} for MyBatis. Refusals are
 * {@link org.consent4j.clients.ClientCacheException}s.
 */
package org.consent4j.clients;
