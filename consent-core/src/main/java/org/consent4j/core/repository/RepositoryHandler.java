package org.consent4j.core.repository;

import java.lang.reflect.Array;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.consent4j.AccessContext;
import org.consent4j.AuditEvent;
import org.consent4j.ConsentDeniedException;
import org.consent4j.DataCategory;
import org.consent4j.Decision;
import org.consent4j.Outcome;
import org.consent4j.SubjectId;
import org.consent4j.core.ConsentEngine;

/**
 * The invocation handler behind a wrapped repository. It holds only what was fixed at wrap time
 * (the target, the engine and one {@link MethodPlan} per method), so one instance serves every
 * thread; everything about a call lives on that call's stack.
 */
final class RepositoryHandler implements InvocationHandler {
  /** Audit reason of a call refused because the method does not serve the context's purpose. */
  static final String PURPOSE_NOT_SERVED = "PURPOSE_NOT_SERVED";
  /** Audit reason of a call refused because its {@code @Subject} argument names nobody. */
  static final String NO_SUBJECT = "NO_SUBJECT";

  private final Class<?> repository;
  private final Object target;
  private final ConsentEngine engine;
  private final Map<Method, MethodPlan> plans;

  RepositoryHandler(Class<?> repository, Object target, ConsentEngine engine, Map<Method, MethodPlan> plans) {
    this.repository = repository;
    this.target = target;
    this.engine = engine;
    this.plans = Map.copyOf(plans);
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    if (method.getDeclaringClass() == Object.class) {
      return objectMethod(proxy, method, args);
    }
    MethodPlan plan = plans.get(method);
    if (plan == null) {
      // Cannot happen for a proxy of the analysed interface; refuse rather than pass through.
      throw new IllegalStateException("no consent plan for " + method + " on " + repository.getName());
    }
    if (plan.isDefault()) {
      if (!plan.purposes().isEmpty()) {
        checkPurpose(plan, engine.requireContext(plan.operation()), List.of());
      }
      return InvocationHandler.invokeDefault(proxy, method, args);
    }
    AccessContext context = engine.requireContext(plan.operation());
    if (plan.subjectParameter() < 0) {
      checkPurpose(plan, context, List.of());
    } else {
      Object argument = args[plan.subjectParameter()];
      SubjectId subject = subjectOrNull(argument);
      // Purpose limitation first: a method that does not serve the purpose is refused whoever it is about.
      checkPurpose(plan, context, subject == null ? List.of() : List.of(subject));
      if (subject == null) {
        auditRefusal(plan, context, List.of(), NO_SUBJECT);
        throw new ConsentDeniedException(plan.operation() + " denied: its @Subject argument "
            + (argument == null ? "is null" : "is not a valid subject id")
            + ", so there is no subject whose consent could permit the call");
      }
      checkSubject(plan, context, subject);
    }
    Object result = callTarget(plan, args);
    return switch (plan.shape()) {
      case VOID -> result;
      case SCALAR -> guardScalar(plan, result);
      default -> filterEntities(plan, context, result);
    };
  }

  // ---------------------------------------------------------------- before the call

  private static SubjectId subjectOrNull(Object argument) {
    try {
      return SubjectValues.toSubjectId(argument);
    } catch (IllegalArgumentException e) {
      // Blank, too long or control characters: names nobody, like null. The value itself stays
      // out of the message, since it may be personal data passed by mistake.
      return null;
    }
  }

  private void checkPurpose(MethodPlan plan, AccessContext context, List<SubjectId> subjects) {
    if (!plan.serves(context.purpose())) {
      auditRefusal(plan, context, subjects, PURPOSE_NOT_SERVED);
      throw new ConsentDeniedException(plan.operation() + " denied: it serves purposes " + plan.purposes()
          + ", not the processing context's purpose '" + context.purpose() + "' (purpose limitation): open the"
          + " scope for one of those purposes, or declare '" + context.purpose() + "' in the method's @Processing");
    }
  }

  private void checkSubject(MethodPlan plan, AccessContext context, SubjectId subject) {
    Decision decision = engine.checkAll(List.of(subject), context, plan.categories(), plan.operation()).get(subject);
    if (decision == null) {
      throw new ConsentDeniedException(plan.operation() + " denied: the consent engine returned no decision for"
          + " subject " + subject);
    }
    if (!decision.subjectPermitted()) {
      throw new ConsentDeniedException(plan.operation(), decision);
    }
    // A value that is not an entity cannot be masked field by field: all it reveals must be permitted.
    if ((plan.shape() == MethodPlan.Shape.SCALAR || plan.shape() == MethodPlan.Shape.VOID)
        && decision.outcome() != Outcome.PERMIT) {
      throw new ConsentDeniedException(plan.operation(), decision);
    }
  }

  private void auditRefusal(MethodPlan plan, AccessContext context, List<SubjectId> subjects, String reason) {
    SortedMap<String, String> details = new TreeMap<>();
    details.put("declaredPurposes", plan.purposes().toString());
    engine.audit().record(new AuditEvent(engine.clock().instant(), context.actor(), context.purpose(),
        context.recipient(), plan.operation(), subjects, plan.categories(), Outcome.DENY, reason, 0, details));
  }

  private Object callTarget(MethodPlan plan, Object[] args) throws Throwable {
    try {
      return plan.method().invoke(target, args);
    } catch (InvocationTargetException e) {
      // The repository's own exception, exactly as it threw it.
      throw e.getCause();
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("consent4j cannot call " + plan.method() + " on the wrapped repository: "
          + e.getMessage(), e);
    }
  }

  // ---------------------------------------------------------------- after the call

  private Object filterEntities(MethodPlan plan, AccessContext context, Object result) {
    if (result == null) {
      return null;
    }
    List<Object> items = elements(plan, result);
    List<Object> kept = filter(plan, context, items);
    return switch (plan.shape()) {
      case ENTITY -> kept.isEmpty() ? null : kept.get(0);
      case OPTIONAL -> kept.isEmpty() ? Optional.empty() : Optional.of(kept.get(0));
      case LIST -> Collections.unmodifiableList(kept);
      case SET -> Collections.unmodifiableSet(new LinkedHashSet<>(kept));
      case STREAM -> kept.stream();
      case ARRAY -> kept.toArray((Object[]) Array.newInstance(plan.element(), kept.size()));
      default -> throw new IllegalStateException("unexpected result shape " + plan.shape());
    };
  }

  private static List<Object> elements(MethodPlan plan, Object result) {
    List<Object> items = new ArrayList<>();
    switch (plan.shape()) {
      case ENTITY -> items.add(result);
      case OPTIONAL -> ((Optional<?>) result).ifPresent(items::add);
      case LIST, SET -> ((Iterable<?>) result).forEach(items::add);
      case STREAM -> {
        // One consent check for the whole result needs all of it: materialise, and close the
        // repository's stream (it may hold a connection) as a caller's try-with-resources would.
        try (Stream<?> stream = (Stream<?>) result) {
          stream.forEachOrdered(items::add);
        }
      }
      case ARRAY -> Collections.addAll(items, (Object[]) result);
      default -> throw new IllegalStateException("unexpected result shape " + plan.shape());
    }
    // A null element is about nobody and carries nothing to release.
    items.removeIf(Objects::isNull);
    return items;
  }

  private List<Object> filter(MethodPlan plan, AccessContext context, List<Object> items) {
    int n = items.size();
    EntityType[] types = new EntityType[n];
    SubjectId[] subjects = new SubjectId[n];
    LinkedHashSet<SubjectId> distinct = new LinkedHashSet<>();
    // Ask about the declared categories and those entity categories the declaration covers. A
    // category the method may not return is masked without asking, so that the audit never lists
    // it as released.
    TreeSet<DataCategory> asked = new TreeSet<>(plan.categories());
    EntityType last = null;
    for (int i = 0; i < n; i++) {
      Object item = items.get(i);
      EntityType type = last != null && last.type() == item.getClass() ? last : entityType(plan, item);
      last = type;
      types[i] = type;
      subjects[i] = type.subjectOf(item);
      if (subjects[i] != null) {
        distinct.add(subjects[i]);
      }
      for (DataCategory c : type.categories()) {
        if (plan.declares(c)) {
          asked.add(c);
        }
      }
    }
    List<Object> kept = new ArrayList<>(n);
    if (distinct.isEmpty()) {
      return kept;
    }
    Map<SubjectId, Decision> decisions = engine.checkAll(distinct, context, asked, plan.operation());
    for (int i = 0; i < n; i++) {
      // An entity without a valid subject id, or whose subject is not permitted, is withheld.
      Decision decision = subjects[i] == null ? null : decisions.get(subjects[i]);
      if (decision == null || !decision.subjectPermitted()) {
        continue;
      }
      kept.add(types[i].maskedCopy(items.get(i), c -> plan.declares(c) && decision.permits(c)));
    }
    return kept;
  }

  private static EntityType entityType(MethodPlan plan, Object item) {
    EntityType type = EntityType.of(item.getClass());
    if (!type.isEntity()) {
      // Only heap pollution gets here, since subclasses inherit the @Subject field.
      throw new IllegalStateException(plan.operation() + " declares " + plan.element().getName()
          + " results but the repository returned a " + item.getClass().getName() + ", which has no @Subject");
    }
    if (type.problem() != null) {
      throw new IllegalStateException(plan.operation() + " returned " + type.problem());
    }
    return type;
  }

  /**
   * A value that is not declared as an entity passes only if it is not one in disguise (a method
   * declared to return {@code Object} or {@code List<Object>} that returns entities would
   * otherwise release other subjects' data on the strength of the subject parameter's consent).
   * Collections, maps, arrays and optionals are looked into one level; streams lazily.
   */
  private static Object guardScalar(MethodPlan plan, Object result) {
    if (result == null) {
      return null;
    }
    if (result instanceof Stream<?> stream) {
      return stream.map(e -> requireNotEntity(plan, e));
    }
    requireNotEntity(plan, result);
    if (result instanceof Optional<?> o) {
      o.ifPresent(e -> requireNotEntity(plan, e));
    } else if (result instanceof Collection<?> c) {
      c.forEach(e -> requireNotEntity(plan, e));
    } else if (result instanceof Map<?, ?> m) {
      m.forEach((k, v) -> {
        requireNotEntity(plan, k);
        requireNotEntity(plan, v);
      });
    } else if (result instanceof Object[] a) {
      for (Object e : a) {
        requireNotEntity(plan, e);
      }
    }
    return result;
  }

  private static Object requireNotEntity(MethodPlan plan, Object value) {
    if (value != null && EntityType.of(value.getClass()).isEntity()) {
      throw new IllegalStateException(plan.operation() + " returned a " + value.getClass().getName()
          + ", which holds personal data, through a result type that is not filtered: declare the entity type in"
          + " the method's return type (T, Optional<T>, List<T>, Set<T>, Collection<T>, Iterable<T>, Stream<T>"
          + " or T[])");
    }
    return value;
  }

  // ---------------------------------------------------------------- Object methods

  private Object objectMethod(Object proxy, Method method, Object[] args) {
    // Answered by the proxy itself: the target's toString may print personal data, and its
    // equals would compare unfiltered state.
    return switch (method.getName()) {
      case "equals" -> proxy == args[0];
      case "hashCode" -> System.identityHashCode(proxy);
      case "toString" -> "ConsentRepositories.wrap(" + repository.getName() + ")";
      default -> throw new IllegalStateException("unexpected Object method " + method);
    };
  }
}
