/**
 * Consent enforcement on relational databases. {@link org.consent4j.jdbc.JdbcConsentStore} keeps
 * the consent ledger in tables of an H2, PostgreSQL or MariaDB/MySQL database, created and
 * migrated by the store itself.
 *
 * <p>Everything in {@code org.consent4j.jdbc.internal} is implementation detail, not API.
 */
package org.consent4j.jdbc;
