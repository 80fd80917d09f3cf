package org.consent4j;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/** Immutable sorted copies, so that value types compare, print and hash deterministically. */
final class Sorted {
  private Sorted() {}

  static <T extends Comparable<? super T>> SortedSet<T> set(String name, Collection<T> values) {
    Objects.requireNonNull(values, name);
    TreeSet<T> copy = new TreeSet<>();
    for (T value : values) {
      copy.add(Objects.requireNonNull(value, name + " element"));
    }
    return Collections.unmodifiableSortedSet(copy);
  }

  static <K extends Comparable<? super K>, V> SortedMap<K, V> map(String name, Map<K, V> values) {
    Objects.requireNonNull(values, name);
    TreeMap<K, V> copy = new TreeMap<>();
    values.forEach((k, v) -> copy.put(Objects.requireNonNull(k, name + " key"),
        Objects.requireNonNull(v, name + " value")));
    return Collections.unmodifiableSortedMap(copy);
  }

  static String text(String name, String value, int max) {
    Objects.requireNonNull(value, name);
    if (value.length() > max) {
      throw new IllegalArgumentException(name + " must have at most " + max + " characters");
    }
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) {
        throw new IllegalArgumentException(name + " must not contain control characters");
      }
    }
    return value;
  }
}
