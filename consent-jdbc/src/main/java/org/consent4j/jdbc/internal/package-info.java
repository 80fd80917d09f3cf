/**
 * Internals of {@code consent-jdbc}: SQL dialects, the table layout, schema migrations and the
 * ledger's SQL. <strong>Not API</strong>: anything here may change or disappear in any release;
 * depend on {@code org.consent4j.jdbc} only.
 */
package org.consent4j.jdbc.internal;
