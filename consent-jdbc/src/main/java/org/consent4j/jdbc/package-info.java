/**
 * Consent enforcement on relational databases.
 *
 * <ul>
 *   <li>{@link org.consent4j.jdbc.JdbcConsentStore} keeps the consent ledger in tables of an H2,
 *       PostgreSQL or MariaDB/MySQL database, created and migrated by the store itself.
 *   <li>{@link org.consent4j.jdbc.SchemaMapping} describes which tables of an existing database
 *       hold personal data: the subject column(s) of each row and the category of each personal
 *       column.
 *   <li>{@code org.consent4j.jdbc.wrapper.ConsentDataSource} wraps a {@code DataSource} so that
 *       every statement on a mapped table is rewritten to read a filtered, masked view of it,
 *       with the consent check pushed down into SQL; refusals are
 *       {@link org.consent4j.jdbc.ConsentSQLException}s with a reason code.
 * </ul>
 *
 * <p>Everything in {@code org.consent4j.jdbc.internal} and {@code org.consent4j.jdbc.mapping.internal}
 * is implementation detail, not API.
 */
package org.consent4j.jdbc;
