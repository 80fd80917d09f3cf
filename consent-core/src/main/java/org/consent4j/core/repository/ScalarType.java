package org.consent4j.core.repository;

import com.google.common.reflect.TypeToken;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A result type consent4j may release as a whole on the consent of the call's subject: a value
 * that cannot carry another subject's data because it cannot carry any object at all. Computed
 * once at wrap time from the declared (resolved) type; at call time {@link #release} walks the
 * actual value against it and refuses anything that is not of the declared kind. Immutable.
 *
 * <p>The <em>leaf</em> kinds are primitives and their wrappers, {@code String} and
 * {@code CharSequence}, the {@code Number} classes of {@code java.lang} and {@code java.math},
 * enums, the classes of {@code java.time}, {@code UUID}, and arrays of primitives such as
 * {@code byte[]}. The <em>containers</em> are {@code Optional}, {@code List}, {@code Set},
 * {@code Collection} and {@code Map}, with concrete type arguments that are leaves or containers.
 * Everything else — {@code Object}, wildcards, type variables, other interfaces and classes — is
 * not a scalar: an implementation of it could be (or hold) an entity of another subject.
 */
final class ScalarType {
  /** What a value of this type is, at one level of the declared type. */
  private enum Kind { LEAF, OPTIONAL, LIST, SET, COLLECTION, MAP, STREAM }

  /** The whitelist, as wrap-time messages quote it. */
  static final String ALLOWED = "a primitive or its wrapper, String, CharSequence, a java.lang or java.math"
      + " Number, Boolean, an enum, a java.time type, UUID, byte[], or an Optional, List, Set, Collection or Map"
      + " of those with concrete type arguments";

  private final Kind kind;
  private final Class<?> leaf;
  private final ScalarType element;
  private final ScalarType value;

  private ScalarType(Kind kind, Class<?> leaf, ScalarType element, ScalarType value) {
    this.kind = kind;
    this.leaf = leaf;
    this.element = element;
    this.value = value;
  }

  /**
   * The scalar type {@code type} declares, or empty when it is not on the whitelist.
   *
   * @param type a resolved type (the repository's type variables already substituted)
   */
  static Optional<ScalarType> of(Type type) {
    return Optional.ofNullable(analyse(type, false));
  }

  /**
   * Like {@link #of}, but also accepting {@code Stream}, {@code Iterable} and {@code Iterator} of
   * scalars: for parameters, which are only looked at, never released.
   */
  static boolean isScalarParameter(Type type) {
    return analyse(type, true) != null;
  }

  private static ScalarType analyse(Type type, boolean lazyContainers) {
    if (type instanceof Class<?> c) {
      return isLeaf(c) ? new ScalarType(Kind.LEAF, c, null, null) : null;
    }
    if (!(type instanceof ParameterizedType p) || !(p.getRawType() instanceof Class<?> raw)) {
      // Wildcards, type variables, generic arrays: nothing says what the value holds.
      return null;
    }
    Type[] args = p.getActualTypeArguments();
    if (raw == Map.class) {
      ScalarType k = analyse(args[0], lazyContainers);
      ScalarType v = analyse(args[1], lazyContainers);
      return k == null || v == null ? null : new ScalarType(Kind.MAP, null, k, v);
    }
    Kind kind;
    if (raw == Optional.class) {
      kind = Kind.OPTIONAL;
    } else if (raw == List.class) {
      kind = Kind.LIST;
    } else if (raw == Set.class) {
      kind = Kind.SET;
    } else if (raw == Collection.class) {
      kind = Kind.COLLECTION;
    } else if (lazyContainers && (raw == Stream.class || raw == Iterable.class || raw == Iterator.class)) {
      kind = Kind.STREAM;
    } else {
      return null;
    }
    ScalarType e = analyse(args[0], lazyContainers);
    return e == null ? null : new ScalarType(kind, null, e, null);
  }

  /** A declared class whose values carry no objects, or whose values are checked by {@link #isLeafValue}. */
  private static boolean isLeaf(Class<?> c) {
    if (c.isPrimitive()) {
      return c != void.class;
    }
    if (c.isArray()) {
      return c.getComponentType().isPrimitive();
    }
    return c == String.class || c == CharSequence.class || c == Boolean.class || c == Character.class
        || c == UUID.class || c.isEnum() || isJavaTime(c)
        || (Number.class.isAssignableFrom(c) && isNumberPackage(c));
  }

  private static boolean isJavaTime(Class<?> c) {
    return c.getPackageName().equals("java.time");
  }

  private static boolean isNumberPackage(Class<?> c) {
    String p = c.getPackageName();
    return p.equals("java.lang") || p.equals("java.math");
  }

  /**
   * Whether a run-time value fits a declared leaf class. The declared class is not enough, since
   * {@code CharSequence}, {@code Number} and {@code BigDecimal} can be implemented or extended by
   * application classes: the value's own class must be a platform class of the expected kind.
   */
  private static boolean isLeafValue(Class<?> declared, Object v) {
    Class<?> actual = v.getClass();
    if (declared.isPrimitive()) {
      return actual == TypeToken.of(declared).wrap().getRawType();
    }
    if (declared.isArray()) {
      return actual == declared;
    }
    if (!declared.isInstance(v)) {
      return false;
    }
    if (declared.isEnum()) {
      return true;
    }
    if (v instanceof CharSequence) {
      return actual == String.class || actual == StringBuilder.class || actual == StringBuffer.class;
    }
    if (v instanceof Number) {
      // Not java.math's own subclasses only: an application may extend BigDecimal and BigInteger.
      return actual == BigInteger.class || actual == BigDecimal.class
          || (actual.getPackageName().equals("java.lang") && actual != Number.class);
    }
    return actual == Boolean.class || actual == Character.class || actual == UUID.class || isJavaTime(actual);
  }

  /**
   * Checks {@code result} against this type and returns what may be released: the value itself
   * for a leaf, and for a container a new unmodifiable copy (so that a repository's own subclass
   * of a collection, which could carry more fields, never reaches the caller).
   *
   * <p>The walk follows the declared type, so it goes exactly as deep as the type does and ends
   * even on a value that contains itself (which cannot be of the declared kind).
   *
   * @throws IllegalStateException naming the operation and the unexpected class, if any part of
   *     the value is not of the declared kind (heap pollution, a raw cast in the repository)
   */
  Object release(String operation, Object result) {
    if (result == null) {
      return null;
    }
    switch (kind) {
      case LEAF -> {
        if (!isLeafValue(leaf, result)) {
          throw unexpected(operation, result, leaf.getName());
        }
        return result;
      }
      case OPTIONAL -> {
        Optional<?> o = (Optional<?>) require(operation, result, Optional.class);
        return o.isEmpty() ? Optional.empty() : Optional.ofNullable(element.release(operation, o.get()));
      }
      case LIST, COLLECTION -> {
        Collection<?> c = (Collection<?>) require(operation, result, kind == Kind.LIST ? List.class : Collection.class);
        List<Object> copy = new ArrayList<>(c.size());
        for (Object e : c) {
          copy.add(element.release(operation, e));
        }
        return Collections.unmodifiableList(copy);
      }
      case SET -> {
        Set<?> s = (Set<?>) require(operation, result, Set.class);
        Set<Object> copy = new LinkedHashSet<>();
        for (Object e : s) {
          copy.add(element.release(operation, e));
        }
        return Collections.unmodifiableSet(copy);
      }
      case MAP -> {
        Map<?, ?> m = (Map<?, ?>) require(operation, result, Map.class);
        Map<Object, Object> copy = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
          copy.put(element.release(operation, e.getKey()), value.release(operation, e.getValue()));
        }
        return Collections.unmodifiableMap(copy);
      }
      default -> throw new IllegalStateException(operation + ": a " + kind + " is not a result type");
    }
  }

  private static Object require(String operation, Object value, Class<?> expected) {
    if (!expected.isInstance(value)) {
      throw unexpected(operation, value, expected.getName());
    }
    return value;
  }

  private static IllegalStateException unexpected(String operation, Object value, String expected) {
    // The class only, never the value: it may be personal data.
    return new IllegalStateException(operation + " returned a " + value.getClass().getName() + " where its"
        + " declared result type allows only " + expected + "; consent4j releases a value that is not an entity"
        + " only when every part of it is of the declared kind, so the result is refused (fail closed)");
  }
}
