package org.consent4j.spring;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.consent4j.AccessContext;
import org.consent4j.ProcessingScopeException;
import org.consent4j.Purpose;
import org.consent4j.annotation.Processing;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.ProcessingScope;
import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.aop.support.AopUtils;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * Binds the processing context that {@code @Processing} declares on a Spring bean's method (or its
 * class or interface) around each call:
 *
 * <ul>
 *   <li>when the caller's context already serves the method (its purpose is one of the declared
 *       purposes or a descendant, as for a wrapped repository), the call runs in it unchanged: the
 *       caller's more specific purpose, actor and recipient stay;
 *   <li>otherwise, when the annotation names exactly one purpose, a scope for it is opened for the
 *       call (actor from the {@link ActorResolver}, first-party recipient) and closed when the call
 *       returns or throws, restoring the caller's context;
 *   <li>otherwise (several purposes, none of them the caller's) the call is refused with a
 *       {@link ProcessingScopeException}: which purpose applies is the caller's to say.
 * </ul>
 *
 * <p>The scope belongs to the calling thread: work the method hands to another thread does not run
 * in it, unless that thread's executor carries it ({@link ContextPropagatingTaskDecorator}).
 */
final class ProcessingInterceptor implements MethodInterceptor {
  private final Supplier<ConsentEngine> engine;
  private final Supplier<ActorResolver> actors;
  private final String fallbackActor;

  ProcessingInterceptor(Supplier<ConsentEngine> engine, Supplier<ActorResolver> actors, String fallbackActor) {
    this.engine = engine;
    this.actors = actors;
    this.fallbackActor = Objects.requireNonNull(fallbackActor, "fallbackActor");
  }

  @Override
  public Object invoke(MethodInvocation invocation) throws Throwable {
    Processing processing = find(invocation);
    if (processing == null) {
      return invocation.proceed();
    }
    ConsentEngine e = engine.get();
    Optional<AccessContext> current = e.currentContext();
    if (current.isPresent() && serves(processing, current.get().purpose())) {
      return invocation.proceed();
    }
    if (processing.purposes().length != 1) {
      throw new ProcessingScopeException(where(invocation) + " is annotated @Processing(purposes = "
          + Arrays.toString(processing.purposes()) + "), which names several purposes, and the caller's context ("
          + current.map(c -> "purpose " + c.purpose()).orElse("none") + ") is not one of them: open a scope with"
          + " engine.process(...), or call it from a method whose @Processing names one purpose");
    }
    String actor = actors.get().currentActor().orElse(fallbackActor);
    try (ProcessingScope scope = e.process(AccessContext.of(actor, processing.purposes()[0]))) {
      return invocation.proceed();
    }
  }

  private static boolean serves(Processing processing, Purpose purpose) {
    for (String p : processing.purposes()) {
      if (Purpose.of(p).covers(purpose)) {
        return true;
      }
    }
    return false;
  }

  /** The annotation on the method, else on its class, else on the proxy's interfaces (Spring Data repositories). */
  static Processing find(MethodInvocation invocation) {
    Method method = invocation.getMethod();
    Class<?> target = invocation.getThis() == null ? method.getDeclaringClass()
        : AopUtils.getTargetClass(invocation.getThis());
    Processing p = find(method, target);
    if (p == null && invocation instanceof ProxyMethodInvocation proxied) {
      for (Class<?> i : proxied.getProxy().getClass().getInterfaces()) {
        p = find(method, i);
        if (p != null) {
          break;
        }
      }
    }
    return p;
  }

  static Processing find(Method method, Class<?> type) {
    Method specific = AopUtils.getMostSpecificMethod(method, type);
    Processing p = AnnotatedElementUtils.findMergedAnnotation(specific, Processing.class);
    if (p == null && specific != method) {
      p = AnnotatedElementUtils.findMergedAnnotation(method, Processing.class);
    }
    if (p == null) {
      p = AnnotatedElementUtils.findMergedAnnotation(type, Processing.class);
    }
    return p;
  }

  private static String where(MethodInvocation invocation) {
    return invocation.getMethod().getDeclaringClass().getSimpleName() + "." + invocation.getMethod().getName();
  }
}
