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
      if (value == null) {
        throw new NullPointerException(name + " element");
      }
      copy.add(value);
    }
    return Collections.unmodifiableSortedSet(copy);
  }

  /**
   * An immutable copy in natural order; a map this method returned before is immutable already and
   * is returned as it is (a decision built from a cached one's categories copies nothing).
   */
  static <K extends Comparable<? super K>, V> SortedMap<K, V> map(String name, Map<K, V> values) {
    Objects.requireNonNull(values, name);
    if (values instanceof Frozen<K, V> frozen) {
      return frozen;
    }
    TreeMap<K, V> copy = new TreeMap<>();
    values.forEach((k, v) -> {
      if (k == null) {
        throw new NullPointerException(name + " key");
      }
      if (v == null) {
        throw new NullPointerException(name + " value");
      }
      copy.put(k, v);
    });
    return new Frozen<>(copy);
  }

  /**
   * An unmodifiable view of a natural-order tree map no one else holds, so that {@link #map} can
   * tell its own immutable copies from other maps. Reads and views delegate to {@link
   * Collections#unmodifiableSortedMap}; equals, hashCode and toString are those of any map.
   */
  private static final class Frozen<K, V> extends java.util.AbstractMap<K, V>
      implements SortedMap<K, V>, java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final SortedMap<K, V> view;

    Frozen(TreeMap<K, V> copy) {
      this.view = Collections.unmodifiableSortedMap(copy);
    }

    @Override
    public java.util.Set<Map.Entry<K, V>> entrySet() {
      return view.entrySet();
    }

    @Override
    public java.util.Set<K> keySet() {
      return view.keySet();
    }

    @Override
    public Collection<V> values() {
      return view.values();
    }

    @Override
    public int size() {
      return view.size();
    }

    @Override
    public boolean isEmpty() {
      return view.isEmpty();
    }

    @Override
    public V get(Object key) {
      return view.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
      return view.containsKey(key);
    }

    @Override
    public boolean containsValue(Object value) {
      return view.containsValue(value);
    }

    @Override
    public java.util.Comparator<? super K> comparator() {
      return null;
    }

    @Override
    public SortedMap<K, V> subMap(K fromKey, K toKey) {
      return view.subMap(fromKey, toKey);
    }

    @Override
    public SortedMap<K, V> headMap(K toKey) {
      return view.headMap(toKey);
    }

    @Override
    public SortedMap<K, V> tailMap(K fromKey) {
      return view.tailMap(fromKey);
    }

    @Override
    public K firstKey() {
      return view.firstKey();
    }

    @Override
    public K lastKey() {
      return view.lastKey();
    }

    @Override
    public void forEach(java.util.function.BiConsumer<? super K, ? super V> action) {
      view.forEach(action);
    }

    @Override
    public V put(K key, V value) {
      throw new UnsupportedOperationException();
    }

    @Override
    public V remove(Object key) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> m) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void clear() {
      throw new UnsupportedOperationException();
    }
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
