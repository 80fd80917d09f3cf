package org.consent4j.jdbc.spi;

import org.consent4j.jdbc.RecipientNotification;

/**
 * Tells one recipient that a subject withdrew consent or was erased (GDPR Art. 19), for example
 * by calling the recipient's API. Called by {@link org.consent4j.jdbc.RecipientNotifier} at least
 * once per notification and recipient: a call that throws is retried by the next delivery run,
 * and a call that returned may be repeated if the process dies before its success is recorded, so
 * implementations should be idempotent on {@link RecipientNotification#id()} and recipient.
 * Implementations must be thread-safe if several notifiers share them.
 */
@FunctionalInterface
public interface RecipientListener {

  /**
   * Delivers one notification to its recipient.
   *
   * @throws Exception if it was not delivered; it will be retried
   */
  void notify(RecipientNotification notification) throws Exception;
}
