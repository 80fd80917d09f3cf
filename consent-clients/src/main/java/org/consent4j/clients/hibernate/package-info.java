/**
 * Hibernate ORM (and JPA, Spring Data JPA) integration: the persistence context follows the
 * consent4j processing context. See {@link org.consent4j.clients.hibernate.ConsentHibernate}.
 */
package org.consent4j.clients.hibernate;
