package org.consent4j.spi;

import java.util.List;
import org.consent4j.AuditEvent;
import org.consent4j.AuditRecord;
import org.consent4j.AuditUnavailableException;

/**
 * An audit sink that keeps the head of the hash chain itself, so that several audit trails —
 * threads, engines, application nodes — append to one single chain without forking it. The
 * sink seals each event as the next record of its chain inside the same atomic step that
 * stores it (for a database: one transaction holding a lock on the chain head), using the
 * core's hash exactly, so the chain verifies like any other.
 *
 * <p>An audit trail built over such a sink does not seal records itself: it hands events to
 * {@link #append}. {@link #write} remains for records sealed elsewhere and must refuse records
 * that do not continue the sink's chain.
 *
 * <p>Implementations must be thread-safe and may be called by many trails at once.
 */
public interface SharedChainAuditSink extends AuditSink {

  /**
   * Seals {@code events}, in order, as the next records of the chain and stores them durably,
   * all or none. When this returns, the records survive a crash of this process.
   *
   * <p>{@code appendId} makes a retry safe: if an earlier call with the same id was stored (its
   * acknowledgement was lost), this call stores nothing again and returns the records stored
   * then. Use a fresh random id for every new batch.
   *
   * @param appendId a unique id of this batch, at most 64 characters
   * @param events the events, at least one
   * @return the sealed records, in the order of {@code events}
   * @throws AuditUnavailableException if the events could not be stored; they may have been stored
   *     nonetheless if the failure came after the commit (a retry with the same id tells)
   */
  List<AuditRecord> append(String appendId, List<AuditEvent> events);
}
