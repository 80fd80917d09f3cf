package org.consent4j.spring;

import java.util.Objects;
import java.util.Optional;
import org.consent4j.AccessContext;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.ProcessingScope;
import org.springframework.core.task.TaskDecorator;

/**
 * Carries the processing context of the thread that submits a task to the thread that runs it: the
 * task runs in a scope of the submitter's context (none if the submitter had none), closed when the
 * task ends. Spring Boot applies it to the executor it auto-configures (the one {@code @Async} and
 * {@code TaskExecutor} injection use); executors the application builds itself need
 * {@code setTaskDecorator(decorator)}. Without it, a task runs with no context and every access to
 * personal data in it is refused ({@code NO_CONTEXT}). Thread-safe.
 */
public final class ContextPropagatingTaskDecorator implements TaskDecorator {
  private final ConsentEngine engine;

  /**
   * @throws NullPointerException if {@code engine} is null
   */
  public ContextPropagatingTaskDecorator(ConsentEngine engine) {
    this.engine = Objects.requireNonNull(engine, "engine");
  }

  @Override
  public Runnable decorate(Runnable runnable) {
    Objects.requireNonNull(runnable, "runnable");
    Optional<AccessContext> context = engine.currentContext();
    if (context.isEmpty()) {
      return runnable;
    }
    AccessContext c = context.get();
    return () -> {
      try (ProcessingScope scope = engine.process(c)) {
        runnable.run();
      }
    };
  }
}
