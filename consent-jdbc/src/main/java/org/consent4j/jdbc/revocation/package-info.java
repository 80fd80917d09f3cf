/**
 * Revocation across application nodes: {@link org.consent4j.jdbc.revocation.ConsentChangeFeed}
 * tells an engine's cache about grants, withdrawals and objections other nodes commit to the
 * shared consent store (PostgreSQL LISTEN/NOTIFY, or polling the ledger), and makes the engine
 * stop trusting its cache when it has not heard from the database within a staleness bound. See
 * {@code docs/AUDIT-JDBC.md}.
 */
package org.consent4j.jdbc.revocation;
