package org.consent4j.core.repository;

import java.math.BigInteger;
import java.util.UUID;
import org.consent4j.SubjectId;

/**
 * Turns the values a {@code @Subject} field or parameter may hold into {@link SubjectId}s. The
 * accepted types are {@code SubjectId}, a character sequence, a {@code UUID}, and the integral
 * numbers ({@code long}, {@code int}, {@code short}, {@code byte}, their wrappers and
 * {@code BigInteger}), by their canonical text. Floating-point and decimal numbers are refused:
 * {@code 1.0}, {@code 1.00} and {@code 1} would name different subjects for the same key.
 */
final class SubjectValues {
  private SubjectValues() {}

  /** The types a subject id may be read from, as messages name them. */
  static final String SUPPORTED = "a SubjectId, a CharSequence, a UUID or an integral number (long, int, short,"
      + " byte, their wrappers or BigInteger)";

  /** True for the declared types a subject id may be read from. */
  static boolean isSupported(Class<?> type) {
    return SubjectId.class.isAssignableFrom(type)
        || CharSequence.class.isAssignableFrom(type)
        || type == UUID.class
        || isIntegral(type)
        || type == long.class || type == int.class || type == short.class || type == byte.class;
  }

  private static boolean isIntegral(Class<?> type) {
    return type == Long.class || type == Integer.class || type == Short.class || type == Byte.class
        || type == BigInteger.class;
  }

  /**
   * The subject id held by {@code value}.
   *
   * @return {@code null} for {@code null}
   * @throws IllegalArgumentException if the value is not a valid subject id (blank, too long,
   *     control characters) or has an unsupported type
   */
  static SubjectId toSubjectId(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof SubjectId id) {
      return id;
    }
    if (value instanceof CharSequence || value instanceof UUID || isIntegral(value.getClass())) {
      return SubjectId.of(value.toString());
    }
    throw new IllegalArgumentException("a subject id must be " + SUPPORTED + ", not a " + value.getClass().getName());
  }
}
