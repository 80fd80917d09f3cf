package org.consent4j;

import java.util.Objects;

/**
 * The data subject a piece of data is about: a customer, a contact, a friend. The value is an
 * opaque, pseudonymous key (a primary key, a UUID), never a name or an e-mail address, since
 * subject ids appear in audit events and error messages.
 *
 * @param value non-blank, at most 256 characters, no control characters
 */
public record SubjectId(String value) implements Comparable<SubjectId> {

  /** @throws IllegalArgumentException if the value is blank, too long or has control characters */
  public SubjectId {
    Objects.requireNonNull(value, "value");
    if (value.isBlank() || value.length() > 256) {
      throw new IllegalArgumentException("subject id must be non-blank and at most 256 characters");
    }
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) {
        throw new IllegalArgumentException("subject id must not contain control characters");
      }
    }
  }

  /** Returns the subject id with this value. */
  public static SubjectId of(String value) {
    return new SubjectId(value);
  }

  /** Returns the subject id whose value is the decimal form of {@code value}. */
  public static SubjectId of(long value) {
    return new SubjectId(Long.toString(value));
  }

  @Override
  public int compareTo(SubjectId o) {
    return value.compareTo(o.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
