package org.consent4j;

/**
 * The root of consent4j's unchecked exceptions. Every one of them means that access was refused
 * (fail closed); the message says what was wrong and how to fix it, and names purposes,
 * categories, recipients, tables or subject ids, never personal data.
 */
public class ConsentException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** With a message. */
  public ConsentException(String message) {
    super(message);
  }

  /** With a message and a cause. */
  public ConsentException(String message, Throwable cause) {
    super(message, cause);
  }
}
