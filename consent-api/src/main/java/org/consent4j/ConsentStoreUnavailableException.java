package org.consent4j;

/** The consent store could not be read or written; access is denied until it is back. */
public class ConsentStoreUnavailableException extends ConsentException {
  private static final long serialVersionUID = 1L;

  /** With a message and a cause. */
  public ConsentStoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
