package org.consent4j;

import java.util.Optional;

/**
 * A kind of personal data, hierarchical by dots: {@code contact} covers {@code contact.email}.
 *
 * <p>Names are lower-case segments of {@code [a-z0-9_-]} separated by dots, at most 128
 * characters. Instances are immutable and thread-safe.
 *
 * @param name the dotted name
 */
public record DataCategory(String name) implements Comparable<DataCategory> {

  /** @throws IllegalArgumentException if the name is not a valid dotted name */
  public DataCategory {
    Names.dotted("data category", name);
  }

  /** Returns the category with this dotted name. */
  public static DataCategory of(String name) {
    return new DataCategory(name);
  }

  /** True when this category is {@code other} or one of its ancestors. */
  public boolean covers(DataCategory other) {
    return Names.covers(name, other.name);
  }

  /** The parent category, if this one is not top-level. */
  public Optional<DataCategory> parent() {
    return Optional.ofNullable(Names.parent(name)).map(DataCategory::new);
  }

  @Override
  public int compareTo(DataCategory o) {
    return name.compareTo(o.name);
  }

  @Override
  public String toString() {
    return name;
  }
}
