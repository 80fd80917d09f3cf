package org.consent4j.clients;

import org.consent4j.ConsentException;

/**
 * A client library's cache would serve data read under one processing context to another, or is
 * configured in a way that consent4j cannot make safe. consent4j never sees a read that a cache
 * answers, so it refuses instead of letting it happen; the message says what to change. Messages
 * name entities, statements, purposes and settings, never row values.
 */
public final class ClientCacheException extends ConsentException {
  private static final long serialVersionUID = 1L;

  /** With a message that says what was refused and how to fix it. */
  public ClientCacheException(String message) {
    super(message);
  }
}
