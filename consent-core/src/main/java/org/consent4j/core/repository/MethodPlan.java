package org.consent4j.core.repository;

import com.google.common.reflect.TypeToken;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.consent4j.Catalog;
import org.consent4j.DataCategory;
import org.consent4j.Purpose;
import org.consent4j.annotation.Processing;
import org.consent4j.annotation.Subject;

/**
 * Everything a wrapped repository method needs at call time, worked out once at wrap time: the
 * purposes it serves, the categories it declares, which parameter names the subject, and how to
 * filter what it returns. Immutable.
 */
final class MethodPlan {

  /** How a method's result is filtered and rebuilt. */
  enum Shape {
    /** Nothing is returned. */
    VOID,
    /** A value that is not an entity: released only when the subject parameter permits every declared category. */
    SCALAR,
    /** One entity, or null. */
    ENTITY,
    /** {@code Optional<entity>}. */
    OPTIONAL,
    /** {@code List}, {@code Collection} or {@code Iterable} of entities, returned as an unmodifiable list. */
    LIST,
    /** {@code Set<entity>}, returned as an unmodifiable set in the repository's order. */
    SET,
    /** {@code Stream<entity>}, materialised and closed, then streamed from the filtered list. */
    STREAM,
    /** An array of entities. */
    ARRAY
  }

  private static final String SUPPORTED_RESULTS = "return an entity T, Optional<T>, List<T>, Set<T>, Collection<T>,"
      + " Iterable<T>, Stream<T> or T[]";
  private static final String SUPPORTED_ARGUMENTS = "pass an entity T, Optional<T>, List<T>, Set<T>,"
      + " Collection<T>, Iterable<T> (a Collection at run time) or T[]";

  private final Method method;
  private final String operation;
  private final boolean isDefault;
  private final SortedSet<Purpose> purposes;
  private final SortedSet<DataCategory> categories;
  private final int subjectParameter;
  private final boolean[] inspected;
  private final Shape shape;
  private final Class<?> element;
  private final ScalarType scalar;

  private MethodPlan(Method method, String operation, SortedSet<Purpose> purposes, SortedSet<DataCategory> categories,
      int subjectParameter, boolean[] inspected, Shape shape, Class<?> element, ScalarType scalar) {
    this.method = method;
    this.operation = operation;
    this.isDefault = method.isDefault();
    this.purposes = purposes;
    this.categories = categories;
    this.subjectParameter = subjectParameter;
    this.inspected = inspected;
    this.shape = shape;
    this.element = element;
    this.scalar = scalar;
  }

  /**
   * Analyses one method of {@code repository}.
   *
   * @throws IllegalArgumentException naming the method, if it cannot be enforced
   */
  static MethodPlan analyse(Class<?> repository, Method method, Catalog catalog) {
    String operation = "repository " + repository.getSimpleName() + "." + method.getName();
    String where = describe(repository, method);
    // Proxy.invokeDefault checks access from this package, which a non-public interface denies.
    if (method.isDefault() && !Modifier.isPublic(method.getDeclaringClass().getModifiers())) {
      throw new IllegalArgumentException(where + " is a default method of the non-public interface "
          + method.getDeclaringClass().getName() + ", which consent4j cannot call through the wrapper: make the"
          + " interface public");
    }
    Processing processing = processingOf(repository, method);
    if (processing == null) {
      throw new IllegalArgumentException(where + " declares no @Processing, so consent4j does not know which"
          + " purposes it serves: annotate the method (or the interface) with @Processing(purposes = ...,"
          + " categories = ...)");
    }
    SortedSet<Purpose> purposes = purposes(processing, catalog, where);
    SortedSet<DataCategory> categories = categories(processing, catalog, where);
    TypeToken<?> owner = TypeToken.of(repository);
    int subjectParameter = subjectParameter(owner, method, where);
    boolean[] inspected = inspectedParameters(owner, method, subjectParameter, catalog, where);

    Type result = owner.resolveType(method.getGenericReturnType()).getType();
    Class<?> raw = TypeToken.of(result).getRawType();
    if (raw == void.class || raw == Void.class) {
      return new MethodPlan(method, operation, purposes, categories, subjectParameter, inspected, Shape.VOID, null,
          null);
    }
    Shape container;
    Type elementType;
    if (raw.isArray()) {
      container = Shape.ARRAY;
      elementType = raw.getComponentType();
    } else {
      container = containerShape(raw);
      elementType = container == Shape.ENTITY ? result : elementOf(result, raw);
    }
    Class<?> element = TypeToken.of(elementType).getRawType();
    EntityType entity = EntityType.of(element);
    if (entity.isEntity()) {
      requireUsable(entity, catalog, where + " returns ");
      return new MethodPlan(method, operation, purposes, categories, subjectParameter, inspected, container, element,
          null);
    }
    if (EntityType.mentionsEntity(result)) {
      throw new IllegalArgumentException(where + " returns " + result.getTypeName()
          + ", which holds objects with personal data in a form consent4j cannot filter: " + SUPPORTED_RESULTS);
    }
    ScalarType scalar = ScalarType.of(result).orElseThrow(() -> new IllegalArgumentException(where + " returns "
        + result.getTypeName() + ", which is neither an entity result nor a value consent4j can release whole:"
        + " Object, wildcards, type variables and other classes and interfaces could carry another subject's"
        + " personal data. Either " + SUPPORTED_RESULTS + " (T an entity), or return " + ScalarType.ALLOWED));
    if (subjectParameter < 0) {
      throw new IllegalArgumentException(where + " returns " + result.getTypeName() + ", which is not an entity"
          + " (a class with a @Subject field), and has no @Subject parameter, so there is nobody whose consent could"
          + " release it: mark the parameter naming the subject with @Subject, or " + SUPPORTED_RESULTS);
    }
    if (categories.isEmpty()) {
      // Without entities, nothing says what the value reveals; the declaration has to.
      throw new IllegalArgumentException(where + " returns " + result.getTypeName() + ", which is not an entity,"
          + " and declares no categories: list the data categories its result reveals in @Processing(categories"
          + " = ...)");
    }
    return new MethodPlan(method, operation, purposes, categories, subjectParameter, inspected, Shape.SCALAR, null,
        scalar);
  }

  private static void requireUsable(EntityType entity, Catalog catalog, String prefix) {
    if (entity.problem() != null) {
      throw new IllegalArgumentException(prefix + entity.problem());
    }
    for (DataCategory c : entity.categories()) {
      if (!catalog.categories().contains(c)) {
        throw new IllegalArgumentException(prefix + entity.type().getName() + ", whose @Personal category '" + c
            + "' is not declared in the catalog: add .category(\"" + c + "\")");
      }
    }
  }

  /**
   * Which parameters are looked into at call time for entities being written. A parameter of a
   * scalar type carries no entity; one whose type names an entity must have a shape that can be
   * read without consuming it; anything else ({@code Object}, a map of objects) is looked into.
   */
  private static boolean[] inspectedParameters(TypeToken<?> owner, Method method, int subjectParameter,
      Catalog catalog, String where) {
    Type[] types = method.getGenericParameterTypes();
    boolean[] inspected = new boolean[types.length];
    for (int i = 0; i < types.length; i++) {
      Type type = owner.resolveType(types[i]).getType();
      if (i == subjectParameter || ScalarType.isScalarParameter(type) || !EntityType.mayHoldEntity(type)) {
        continue;
      }
      inspected[i] = true;
      if (!EntityType.mentionsEntity(type)) {
        continue;
      }
      Class<?> raw = TypeToken.of(type).getRawType();
      Shape container = raw.isArray() ? Shape.ARRAY : containerShape(raw);
      Type elementType = raw.isArray() ? raw.getComponentType() : container == Shape.ENTITY ? type
          : elementOf(type, raw);
      EntityType entity = EntityType.of(TypeToken.of(elementType).getRawType());
      if (container == Shape.STREAM || !entity.isEntity()) {
        throw new IllegalArgumentException(where + " takes parameter " + i + " of type " + type.getTypeName()
            + ", which holds objects with personal data in a form consent4j cannot check before they are written: "
            + SUPPORTED_ARGUMENTS);
      }
      requireUsable(entity, catalog, where + " takes parameter " + i + " of type ");
    }
    return inspected;
  }

  private static Processing processingOf(Class<?> repository, Method method) {
    Processing p = method.getAnnotation(Processing.class);
    if (p == null) {
      p = method.getDeclaringClass().getAnnotation(Processing.class);
    }
    return p != null ? p : repository.getAnnotation(Processing.class);
  }

  private static SortedSet<Purpose> purposes(Processing processing, Catalog catalog, String where) {
    if (processing.purposes().length == 0) {
      throw new IllegalArgumentException(where + " has @Processing with no purposes: name at least one");
    }
    TreeSet<Purpose> purposes = new TreeSet<>();
    for (String name : processing.purposes()) {
      Purpose p;
      try {
        p = Purpose.of(name);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
      }
      if (catalog.findPurpose(p).isEmpty()) {
        throw new IllegalArgumentException(where + " serves purpose '" + p + "', which is not declared in the"
            + " catalog: declare it with Catalog.builder().purpose(...) or fix the name");
      }
      purposes.add(p);
    }
    return Collections.unmodifiableSortedSet(purposes);
  }

  private static SortedSet<DataCategory> categories(Processing processing, Catalog catalog, String where) {
    TreeSet<DataCategory> categories = new TreeSet<>();
    for (String name : processing.categories()) {
      DataCategory c;
      try {
        c = DataCategory.of(name);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
      }
      if (!catalog.categories().contains(c)) {
        throw new IllegalArgumentException(where + " declares data category '" + c + "', which is not declared in"
            + " the catalog: add .category(\"" + c + "\") or fix the name");
      }
      categories.add(c);
    }
    return Collections.unmodifiableSortedSet(categories);
  }

  private static int subjectParameter(TypeToken<?> owner, Method method, String where) {
    Parameter[] parameters = method.getParameters();
    int found = -1;
    for (int i = 0; i < parameters.length; i++) {
      if (!parameters[i].isAnnotationPresent(Subject.class)) {
        continue;
      }
      if (found >= 0) {
        throw new IllegalArgumentException(where + " marks more than one parameter @Subject: a call is about one"
            + " subject");
      }
      Class<?> type = owner.resolveType(parameters[i].getParameterizedType()).getRawType();
      if (!SubjectValues.isSupported(type)) {
        throw new IllegalArgumentException(where + " marks parameter " + i + " of type " + type.getName()
            + " @Subject, but a subject id must be " + SubjectValues.SUPPORTED);
      }
      found = i;
    }
    return found;
  }

  private static Shape containerShape(Class<?> raw) {
    if (raw == Optional.class) {
      return Shape.OPTIONAL;
    }
    if (raw == List.class || raw == Collection.class || raw == Iterable.class) {
      return Shape.LIST;
    }
    if (raw == Set.class) {
      return Shape.SET;
    }
    if (raw == Stream.class) {
      return Shape.STREAM;
    }
    return Shape.ENTITY;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Type elementOf(Type container, Class<?> raw) {
    // Resolving the container's own type parameter also reads through wildcards such as
    // List<? extends Contact>; a raw List resolves to Object.
    TypeToken<?> token = TypeToken.of(container);
    return token.resolveType(((Class) raw).getTypeParameters()[0]).getType();
  }

  private static String describe(Class<?> repository, Method method) {
    return repository.getName() + "." + method.getName() + Arrays.stream(method.getParameterTypes())
        .map(Class::getSimpleName).collect(Collectors.joining(", ", "(", ")"));
  }

  /** The interface method, made accessible when its interface is not public. */
  Method method() {
    return method;
  }

  /** The operation name audited and used in messages: {@code repository Iface.method}. */
  String operation() {
    return operation;
  }

  /**
   * True for a default method: its interface body runs on the proxy (so that the methods it calls
   * are enforced too), with the same checks, filtering and audit as any other method.
   */
  boolean isDefault() {
    return isDefault;
  }

  /** The purposes served; never empty. */
  SortedSet<Purpose> purposes() {
    return purposes;
  }

  /** The categories declared; empty means those of the returned entities. */
  SortedSet<DataCategory> categories() {
    return categories;
  }

  /** The index of the {@code @Subject} parameter, or -1. */
  int subjectParameter() {
    return subjectParameter;
  }

  /** How the result is filtered. */
  Shape shape() {
    return shape;
  }

  /** Whether parameter {@code i} is looked into for entities being written. */
  boolean inspects(int i) {
    return inspected[i];
  }

  /** The whitelisted type of a {@link Shape#SCALAR} result, or null. */
  ScalarType scalar() {
    return scalar;
  }

  /** The declared entity class of an entity result, or null. */
  Class<?> element() {
    return element;
  }

  /** True when a method serving these purposes may run under {@code purpose}. */
  boolean serves(Purpose purpose) {
    for (Purpose p : purposes) {
      if (p.covers(purpose)) {
        return true;
      }
    }
    return false;
  }

  /** True when the declared categories allow returning data of {@code category}. */
  boolean declares(DataCategory category) {
    if (categories.isEmpty()) {
      return true;
    }
    for (DataCategory c : categories) {
      if (c.covers(category)) {
        return true;
      }
    }
    return false;
  }
}
