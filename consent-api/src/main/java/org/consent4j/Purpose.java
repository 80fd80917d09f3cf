package org.consent4j;

import java.util.Optional;

/**
 * A declared reason for processing personal data, hierarchical by dots: {@code marketing} is the
 * parent of {@code marketing.email}. A grant for a purpose covers that purpose and its
 * descendants, never its ancestors or siblings.
 *
 * <p>Names are lower-case segments of {@code [a-z0-9_-]} separated by dots, at most 128
 * characters. Instances are immutable and thread-safe.
 *
 * @param name the dotted name
 */
public record Purpose(String name) implements Comparable<Purpose> {

  /** @throws IllegalArgumentException if the name is not a valid dotted name */
  public Purpose {
    Names.dotted("purpose", name);
  }

  /** Returns the purpose with this dotted name. */
  public static Purpose of(String name) {
    return new Purpose(name);
  }

  /** True when this purpose is {@code other} or one of its ancestors. */
  public boolean covers(Purpose other) {
    return Names.covers(name, other.name);
  }

  /** True when one of the two covers the other. */
  public boolean overlaps(Purpose other) {
    return covers(other) || other.covers(this);
  }

  /** The parent purpose, if this one is not top-level. */
  public Optional<Purpose> parent() {
    return Optional.ofNullable(Names.parent(name)).map(Purpose::new);
  }

  @Override
  public int compareTo(Purpose o) {
    return name.compareTo(o.name);
  }

  @Override
  public String toString() {
    return name;
  }
}
