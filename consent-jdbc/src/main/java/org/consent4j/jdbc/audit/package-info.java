/**
 * The audit trail in the application's database: {@link org.consent4j.jdbc.audit.JdbcAuditSink}
 * keeps one hash chain shared by every thread, engine and application node, and {@link
 * org.consent4j.jdbc.audit.AuditCheckpoints} keeps signed checkpoints of it elsewhere. See
 * {@code docs/AUDIT-JDBC.md}.
 */
package org.consent4j.jdbc.audit;
