package org.consent4j.core;

import org.consent4j.AccessContext;
import org.consent4j.ProcessingScopeException;

/**
 * An {@link AccessContext} bound to the current thread for a block of code, opened by
 * {@link ConsentEngine#process(AccessContext)}. Closing it restores the context that was bound
 * before, so scopes nest:
 *
 * <pre>{@code
 * try (var scope = engine.process(AccessContext.of("campaign-service", "marketing.email"))) {
 *   // every protected access here runs for marketing.email
 * }
 * }</pre>
 *
 * <p>A scope belongs to the thread that opened it. Closing it on another thread, or while a scope
 * opened inside it is still open, throws {@link ProcessingScopeException} and changes nothing.
 * Closing it a second time does nothing.
 */
public final class ProcessingScope implements AutoCloseable {
  private final ThreadLocal<ProcessingScope> binding;
  private final AccessContext context;
  private final ProcessingScope previous;
  private final Thread thread;
  private volatile boolean closed;

  ProcessingScope(ThreadLocal<ProcessingScope> binding, AccessContext context) {
    this.binding = binding;
    this.context = context;
    this.previous = binding.get();
    this.thread = Thread.currentThread();
    binding.set(this);
  }

  /** The context this scope binds. */
  public AccessContext context() {
    return context;
  }

  /**
   * Unbinds this scope's context and restores the one bound before it.
   *
   * @throws ProcessingScopeException if called on another thread or while a nested scope is open
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    if (Thread.currentThread() != thread) {
      throw new ProcessingScopeException("a processing scope must be closed on the thread that opened it ("
          + thread.getName() + "), not on " + Thread.currentThread().getName());
    }
    if (binding.get() != this) {
      throw new ProcessingScopeException("processing scope for purpose '" + context.purpose()
          + "' closed out of order: close the scopes opened inside it first (use try-with-resources)");
    }
    closed = true;
    if (previous == null) {
      binding.remove();
    } else {
      binding.set(previous);
    }
  }
}
