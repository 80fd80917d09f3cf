package org.consent4j;

/**
 * An audit event could not be written (durably in synchronous mode, or queued in time in
 * asynchronous mode), so the access it would have recorded is refused.
 */
public class AuditUnavailableException extends ConsentException {
  private static final long serialVersionUID = 1L;

  /** With a message. */
  public AuditUnavailableException(String message) {
    super(message);
  }

  /** With a message and a cause. */
  public AuditUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
