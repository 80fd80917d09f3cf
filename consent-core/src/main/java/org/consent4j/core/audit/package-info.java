/**
 * The tamper-evident audit trail: {@link org.consent4j.core.audit.AuditTrail} seals every
 * {@link org.consent4j.AuditEvent} into a SHA-256 hash chain ({@link
 * org.consent4j.core.audit.AuditChain}) and writes it to an {@link org.consent4j.spi.AuditSink},
 * synchronously or through a bounded queue; {@link org.consent4j.core.audit.AuditTrail#verify()}
 * proves the records were not altered, removed, inserted or reordered, and a saved {@link
 * org.consent4j.core.audit.ChainHead} also proves the tail was not cut off or the chain rewritten.
 */
package org.consent4j.core.audit;
