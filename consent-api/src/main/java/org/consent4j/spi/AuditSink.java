package org.consent4j.spi;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.consent4j.AuditRecord;
import org.consent4j.AuditUnavailableException;

/**
 * Where sealed audit records are kept. The audit trail calls {@link #write} from one thread at a
 * time, with records in sequence order; implementations must keep them append-only.
 *
 * <p>Methods throw {@link AuditUnavailableException} (or any runtime exception, which the trail
 * treats alike) when the records cannot be written or read.
 */
public interface AuditSink extends AutoCloseable {

  /** Writes records durably, all or none; when this returns, they survive a crash of this process. */
  void write(List<AuditRecord> records);

  /** The last record written, so that a restarted trail continues its chain. */
  Optional<AuditRecord> last();

  /** Every record in sequence order, read lazily; close the stream when done. */
  Stream<AuditRecord> read();

  /** Releases resources; the default does nothing. */
  @Override
  default void close() {}
}
