package org.consent4j;

/** A processing scope was misused: closed twice, closed out of order, or closed on another thread. */
public class ProcessingScopeException extends ConsentException {
  private static final long serialVersionUID = 1L;

  /** With a message. */
  public ProcessingScopeException(String message) {
    super(message);
  }
}
