package org.consent4j.core.repository;

import java.lang.reflect.Array;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.Spliterator;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.BaseStream;
import java.util.stream.Stream;
import org.consent4j.AccessContext;
import org.consent4j.AuditEvent;
import org.consent4j.ConsentDeniedException;
import org.consent4j.DataCategory;
import org.consent4j.Decision;
import org.consent4j.Outcome;
import org.consent4j.Reason;
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
  /** Audit reason of a call refused because its {@code @Subject} argument, or an entity it writes, names nobody. */
  static final String NO_SUBJECT = "NO_SUBJECT";
  /** Audit reason of a permitted call that concerned no subject: nothing about anyone was decided or released. */
  static final String NO_SUBJECT_DATA = "NO_SUBJECT_DATA";

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
    AccessContext context = engine.requireContext(plan.operation());
    Object[] arguments = args == null ? new Object[0] : args;
    SubjectId subject = null;
    if (plan.subjectParameter() < 0) {
      checkPurpose(plan, context, List.of());
    } else {
      Object argument = arguments[plan.subjectParameter()];
      subject = subjectOrNull(argument);
      // Purpose limitation first: a method that does not serve the purpose is refused whoever it is about.
      checkPurpose(plan, context, subject == null ? List.of() : List.of(subject));
      if (subject == null) {
        auditRefusal(plan, context, List.of(), plan.categories(), NO_SUBJECT, Map.of());
        throw new ConsentDeniedException(plan.operation() + " denied: its @Subject argument "
            + (argument == null ? "is null" : "is not a valid subject id")
            + ", so there is no subject whose consent could permit the call");
      }
    }
    boolean audited = checkBeforeCall(plan, context, subject, entityArguments(plan, arguments));
    if (!audited && plan.shape() == MethodPlan.Shape.VOID) {
      // Nothing is decided and nothing returned, but the call is on the record before it runs.
      auditNoSubjectData(plan, context, Map.of());
      audited = true;
    }
    Object result;
    try {
      // A default method's own body runs on the proxy, so that what it calls is enforced as well;
      // an override in the target is not called (documented).
      result = plan.isDefault() ? InvocationHandler.invokeDefault(proxy, method, args) : callTarget(plan, args);
    } catch (Throwable t) {
      if (!audited) {
        try {
          auditNoSubjectData(plan, context, Map.of("failed", t.getClass().getName()));
        } catch (RuntimeException e) {
          t.addSuppressed(e);
        }
      }
      // The repository's own exception, exactly as it threw it.
      throw t;
    }
    return switch (plan.shape()) {
      case VOID -> result;
      case SCALAR -> plan.scalar().release(plan.operation(), result);
      default -> {
        Filtered filtered = filterEntities(plan, context, result);
        if (!audited && !filtered.audited()) {
          auditNoSubjectData(plan, context, Map.of());
        }
        yield filtered.value();
      }
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
      auditRefusal(plan, context, subjects, plan.categories(), PURPOSE_NOT_SERVED, Map.of());
      throw new ConsentDeniedException(plan.operation() + " denied: it serves purposes " + plan.purposes()
          + ", not the processing context's purpose '" + context.purpose() + "' (purpose limitation): open the"
          + " scope for one of those purposes, or declare '" + context.purpose() + "' in the method's @Processing");
    }
  }

  /**
   * The entities among the arguments: what the call would write. Collections, maps, optionals and
   * arrays are looked into, each object once (so a structure that contains itself ends).
   *
   * @throws IllegalStateException for an argument that cannot be checked: a generated proxy, an
   *     entity that cannot be enforced, or a stream or iterator that only consuming could read
   */
  private static List<Object> entityArguments(MethodPlan plan, Object[] args) {
    List<Object> found = new ArrayList<>();
    Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (int i = 0; i < args.length; i++) {
      if (plan.inspects(i)) {
        collectEntities(plan, args[i], found, seen);
      }
    }
    return found;
  }

  private static void collectEntities(MethodPlan plan, Object value, List<Object> found, Set<Object> seen) {
    if (value == null || !seen.add(value)) {
      return;
    }
    if (value instanceof Collection<?> c) {
      for (Object e : c) {
        collectEntities(plan, e, found, seen);
      }
    } else if (value instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        collectEntities(plan, e.getKey(), found, seen);
        collectEntities(plan, e.getValue(), found, seen);
      }
    } else if (value instanceof Optional<?> o) {
      o.ifPresent(e -> collectEntities(plan, e, found, seen));
    } else if (value instanceof Object[] a) {
      for (Object e : a) {
        collectEntities(plan, e, found, seen);
      }
    } else if (value instanceof BaseStream<?, ?> || value instanceof Iterator<?> || value instanceof Spliterator<?>
        || (value instanceof Iterable<?> && !EntityType.isPlatformType(value.getClass()))) {
      // A platform Iterable that is not a collection (a Path) yields platform objects only.
      throw new IllegalStateException(plan.operation() + " was passed a " + value.getClass().getName()
          + ", which consent4j cannot check for personal data without consuming it: pass a Collection");
    } else {
      EntityType type = EntityType.of(value.getClass());
      if (type.isEntity()) {
        found.add(requireUsable(plan, type, value, "was passed"));
      }
    }
  }

  /**
   * Decides, before the repository is called, for the {@code @Subject} argument and the subjects
   * of the entities being written, and refuses the call unless every one is permitted with every
   * category it needs: all declared categories for a result that is not an entity, and the
   * categories each written entity carries.
   *
   * @return whether anything was audited (false when the call concerns no subject yet)
   */
  private boolean checkBeforeCall(MethodPlan plan, AccessContext context, SubjectId subject, List<Object> written) {
    Map<SubjectId, Need> needs = new LinkedHashMap<>();
    if (subject != null) {
      Need need = needs.computeIfAbsent(subject, s -> new Need());
      need.asked.addAll(plan.categories());
      // A value that is not an entity cannot be masked field by field: all it reveals must be permitted.
      if (plan.shape() == MethodPlan.Shape.SCALAR || plan.shape() == MethodPlan.Shape.VOID) {
        need.required.addAll(plan.categories());
      }
    }
    for (Object entity : written) {
      EntityType type = EntityType.of(entity.getClass());
      SubjectId about = type.subjectOf(entity);
      if (about == null) {
        auditRefusal(plan, context, List.of(), type.categories(), NO_SUBJECT,
            Map.of("argument", type.type().getName()));
        throw new ConsentDeniedException(plan.operation() + " denied: it was passed a " + type.type().getName()
            + " whose @Subject is null or not a valid subject id, so there is no subject whose consent could permit"
            + " writing it");
      }
      SortedSet<DataCategory> carried = type.carriedCategories(entity);
      for (DataCategory c : carried) {
        if (!plan.declares(c)) {
          auditRefusal(plan, context, List.of(about), new TreeSet<>(Set.of(c)), Reason.CATEGORY_NOT_DECLARED.name(),
              Map.of("argument", type.type().getName()));
          throw new ConsentDeniedException(plan.operation() + " denied: it was passed a " + type.type().getName()
              + " about subject " + about + " carrying data of category '" + c + "', which the method does not"
              + " declare in @Processing(categories = ...) (purpose limitation): declare it, or leave the field null");
        }
      }
      Need need = needs.computeIfAbsent(about, s -> new Need());
      need.asked.addAll(carried);
      need.required.addAll(carried);
    }
    if (needs.isEmpty()) {
      return false;
    }
    // One engine call per distinct set of categories asked: usually one.
    Map<SortedSet<DataCategory>, List<SubjectId>> groups = new LinkedHashMap<>();
    needs.forEach((s, need) -> groups.computeIfAbsent(need.asked, k -> new ArrayList<>()).add(s));
    Map<SubjectId, Decision> decisions = new LinkedHashMap<>();
    groups.forEach((asked, subjects) -> decisions.putAll(engine.checkAll(subjects, context, asked,
        plan.operation())));
    for (Map.Entry<SubjectId, Need> e : needs.entrySet()) {
      Decision decision = decisions.get(e.getKey());
      if (decision == null) {
        throw new ConsentDeniedException(plan.operation() + " denied: the consent engine returned no decision for"
            + " subject " + e.getKey());
      }
      Reason refusal = refusal(decision, e.getValue().required);
      if (refusal != null) {
        auditRefused(plan, context, needs, decisions, refusal);
        throw new ConsentDeniedException(plan.operation(), decision);
      }
    }
    return true;
  }

  /** The categories a call asks about for one subject, and those it cannot do without. */
  private static final class Need {
    final SortedSet<DataCategory> asked = new TreeSet<>();
    final SortedSet<DataCategory> required = new TreeSet<>();
  }

  /** Why {@code decision} refuses the call, or null when it permits it. */
  private static Reason refusal(Decision decision, Set<DataCategory> required) {
    if (!decision.subjectPermitted()) {
      return decision.subjectReason();
    }
    for (DataCategory c : required) {
      if (!decision.permits(c)) {
        return decision.reason(c);
      }
    }
    return null;
  }

  /**
   * Records that a call was refused after the engine audited its decisions. The engine wrote
   * PERMIT or PARTIAL for the subjects it permitted, which would read as a release; this DENY
   * event, marked {@code refused}, says that nothing was released or written for any of them.
   */
  private void auditRefused(MethodPlan plan, AccessContext context, Map<SubjectId, Need> needs,
      Map<SubjectId, Decision> decisions, Reason reason) {
    List<SubjectId> subjects = new ArrayList<>();
    TreeSet<DataCategory> categories = new TreeSet<>();
    needs.forEach((s, need) -> {
      if (decisions.get(s) != null && decisions.get(s).subjectPermitted()) {
        subjects.add(s);
        categories.addAll(need.asked);
      }
    });
    if (!subjects.isEmpty()) {
      auditRefusal(plan, context, subjects, categories, reason.name(), Map.of("refused", "true"));
    }
  }

  private void auditNoSubjectData(MethodPlan plan, AccessContext context, Map<String, String> details) {
    engine.audit().submit(new AuditEvent(engine.clock().instant(), context.actor(), context.purpose(),
        context.recipient(), plan.operation(), List.of(), new TreeSet<>(), Outcome.PERMIT, NO_SUBJECT_DATA, 0,
        new TreeMap<>(details)));
  }

  private void auditRefusal(MethodPlan plan, AccessContext context, List<SubjectId> subjects,
      SortedSet<DataCategory> categories, String reason, Map<String, String> extra) {
    SortedMap<String, String> details = new TreeMap<>(extra);
    details.put("declaredPurposes", plan.purposes().toString());
    engine.audit().submit(new AuditEvent(engine.clock().instant(), context.actor(), context.purpose(),
        context.recipient(), plan.operation(), subjects, categories, Outcome.DENY, reason, 0, details));
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

  /** A filtered result, and whether deciding on it wrote an audit event. */
  private record Filtered(Object value, boolean audited) {}

  private Filtered filterEntities(MethodPlan plan, AccessContext context, Object result) {
    if (result == null) {
      return new Filtered(null, false);
    }
    List<Object> items = elements(plan, result);
    List<Object> kept = new ArrayList<>(items.size());
    boolean audited = filter(plan, context, items, kept);
    Object value = switch (plan.shape()) {
      case ENTITY -> kept.isEmpty() ? null : kept.get(0);
      case OPTIONAL -> kept.isEmpty() ? Optional.empty() : Optional.of(kept.get(0));
      case LIST -> Collections.unmodifiableList(kept);
      case SET -> Collections.unmodifiableSet(new LinkedHashSet<>(kept));
      case STREAM -> kept.stream();
      case ARRAY -> kept.toArray((Object[]) Array.newInstance(plan.element(), kept.size()));
      default -> throw new IllegalStateException("unexpected result shape " + plan.shape());
    };
    return new Filtered(value, audited);
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

  /** Adds the permitted, masked copies of {@code items} to {@code kept}; returns whether it audited. */
  private boolean filter(MethodPlan plan, AccessContext context, List<Object> items, List<Object> kept) {
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
    if (distinct.isEmpty()) {
      return false;
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
    return true;
  }

  private static EntityType entityType(MethodPlan plan, Object item) {
    EntityType type = EntityType.of(item.getClass());
    if (!type.isEntity()) {
      // Only heap pollution gets here, since subclasses inherit the @Subject field.
      throw new IllegalStateException(plan.operation() + " declares " + plan.element().getName()
          + " results but the repository returned a " + item.getClass().getName() + ", which has no @Subject");
    }
    requireUsable(plan, type, item, "returned");
    return type;
  }

  /**
   * Refuses an entity consent4j cannot enforce: one whose class cannot be copied or masked, and a
   * generated proxy, whose fields may be unloaded and whose reading may load another object.
   */
  private static Object requireUsable(MethodPlan plan, EntityType type, Object entity, String verb) {
    if (EntityType.isGenerated(type.type())) {
      throw new IllegalStateException(plan.operation() + " " + verb + " a " + type.type().getName() + ", a class"
          + " generated at run time (a lazy-loading or enhancing proxy): consent4j refuses to read or copy it, since"
          + " that may load data it has not checked. Return or pass the real entity (for Hibernate,"
          + " Hibernate.unproxy(entity)), or map to a record first");
    }
    if (type.problem() != null) {
      throw new IllegalStateException(plan.operation() + " " + verb + " " + type.problem());
    }
    return entity;
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
