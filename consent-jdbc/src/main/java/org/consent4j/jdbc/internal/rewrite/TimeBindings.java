package org.consent4j.jdbc.internal.rewrite;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The values of a statement's time parameters at one instant, as an immutable map from 1-based
 * parameter position to value: each position takes the instant's second or its nanosecond. Backed
 * by the statement's {@link TimeParameters} arrays and the two values, so that building it for an
 * execution costs one small object instead of a tree of boxed entries. Thread-safe (immutable).
 * Not API.
 */
final class TimeBindings extends AbstractMap<Integer, Long> implements SortedMap<Integer, Long> {
  /** Ascending, as {@link TimeParameters#positions()} are. */
  private final int[] positions;
  private final boolean[] nanos;
  private final long second;
  private final long nano;

  TimeBindings(int[] positions, boolean[] nanos, long second, long nano) {
    this.positions = positions;
    this.nanos = nanos;
    this.second = second;
    this.nano = nano;
  }

  private long valueAt(int i) {
    return nanos[i] ? nano : second;
  }

  private int indexOf(Object key) {
    return key instanceof Integer k ? java.util.Arrays.binarySearch(positions, k) : -1;
  }

  @Override
  public int size() {
    return positions.length;
  }

  @Override
  public boolean containsKey(Object key) {
    return indexOf(key) >= 0;
  }

  @Override
  public Long get(Object key) {
    int i = indexOf(key);
    return i >= 0 ? valueAt(i) : null;
  }

  @Override
  public Set<Entry<Integer, Long>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Entry<Integer, Long>> iterator() {
        return new Iterator<>() {
          private int next;

          @Override
          public boolean hasNext() {
            return next < positions.length;
          }

          @Override
          public Entry<Integer, Long> next() {
            if (next >= positions.length) {
              throw new NoSuchElementException();
            }
            int i = next++;
            return new SimpleImmutableEntry<>(positions[i], valueAt(i));
          }
        };
      }

      @Override
      public int size() {
        return positions.length;
      }
    };
  }

  @Override
  public Comparator<? super Integer> comparator() {
    return null; // natural order
  }

  @Override
  public Integer firstKey() {
    if (positions.length == 0) {
      throw new NoSuchElementException();
    }
    return positions[0];
  }

  @Override
  public Integer lastKey() {
    if (positions.length == 0) {
      throw new NoSuchElementException();
    }
    return positions[positions.length - 1];
  }

  // Views of a range: rarely asked for, so served by an immutable copy.
  @Override
  public SortedMap<Integer, Long> subMap(Integer fromKey, Integer toKey) {
    return Collections.unmodifiableSortedMap(new TreeMap<>(this).subMap(fromKey, toKey));
  }

  @Override
  public SortedMap<Integer, Long> headMap(Integer toKey) {
    return Collections.unmodifiableSortedMap(new TreeMap<>(this).headMap(toKey));
  }

  @Override
  public SortedMap<Integer, Long> tailMap(Integer fromKey) {
    return Collections.unmodifiableSortedMap(new TreeMap<>(this).tailMap(fromKey));
  }

  /** The positions, without building entries: the wrapper walks them on every parameter setter. */
  @Override
  public Set<Integer> keySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Integer> iterator() {
        return new Iterator<>() {
          private int next;

          @Override
          public boolean hasNext() {
            return next < positions.length;
          }

          @Override
          public Integer next() {
            if (next >= positions.length) {
              throw new NoSuchElementException();
            }
            return positions[next++];
          }
        };
      }

      @Override
      public int size() {
        return positions.length;
      }
    };
  }
}
