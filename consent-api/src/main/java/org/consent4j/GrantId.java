package org.consent4j;

import java.util.UUID;

/**
 * The identity of one grant in the consent ledger.
 *
 * @param value non-blank, at most 64 characters, no control characters
 */
public record GrantId(String value) implements Comparable<GrantId> {

  /** @throws IllegalArgumentException if the value is blank or too long */
  public GrantId {
    Sorted.text("grant id", value, 64);
    if (value.isBlank()) {
      throw new IllegalArgumentException("grant id must not be blank");
    }
  }

  /** Returns the grant id with this value. */
  public static GrantId of(String value) {
    return new GrantId(value);
  }

  /** Returns a new random (type 4 UUID) grant id. */
  public static GrantId random() {
    return new GrantId(UUID.randomUUID().toString());
  }

  @Override
  public int compareTo(GrantId o) {
    return value.compareTo(o.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
