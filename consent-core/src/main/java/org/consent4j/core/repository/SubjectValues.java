package org.consent4j.core.repository;

import org.consent4j.SubjectId;

/**
 * Turns the values a {@code @Subject} field or parameter may hold into {@link SubjectId}s. The
 * accepted types are those {@code @Subject} documents: {@code SubjectId}, a character sequence,
 * or a number (by its decimal form), and the primitive integers they box to.
 */
final class SubjectValues {
  private SubjectValues() {}

  /** True for the declared types a subject id may be read from. */
  static boolean isSupported(Class<?> type) {
    return SubjectId.class.isAssignableFrom(type)
        || CharSequence.class.isAssignableFrom(type)
        || Number.class.isAssignableFrom(type)
        || type == long.class || type == int.class || type == short.class || type == byte.class;
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
    if (value instanceof CharSequence || value instanceof Number) {
      return SubjectId.of(value.toString());
    }
    throw new IllegalArgumentException("a subject id must be a SubjectId, a CharSequence or a Number, not a "
        + value.getClass().getName());
  }
}
