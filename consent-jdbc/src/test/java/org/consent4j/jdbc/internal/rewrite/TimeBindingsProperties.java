package org.consent4j.jdbc.internal.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/**
 * The array-backed values of the time parameters behave, for every reader, exactly as the sorted
 * map of boxed entries they replace.
 */
class TimeBindingsProperties {

  @Property(tries = 300)
  void actsAsTheSortedMapOfEachPositionsValue(
      @ForAll @Size(max = 40) java.util.Set<@IntRange(min = 1, max = 200) Integer> positionSet,
      @ForAll List<Boolean> nanoFlags,
      @ForAll @LongRange(min = 0, max = 4_000_000_000L) long second,
      @ForAll @IntRange(min = 0, max = 999_999_999) int nano,
      @ForAll @IntRange(min = 0, max = 201) int probe) {
    int[] positions = new TreeSet<>(positionSet).stream().mapToInt(Integer::intValue).toArray();
    boolean[] nanos = new boolean[positions.length];
    for (int i = 0; i < nanos.length; i++) {
      nanos[i] = i < nanoFlags.size() && nanoFlags.get(i);
    }
    TimeParameters p = new TimeParameters("?", positions, nanos);
    SortedMap<Integer, Long> fast = p.values(Instant.ofEpochSecond(second, nano));
    TreeMap<Integer, Long> expected = new TreeMap<>();
    for (int i = 0; i < positions.length; i++) {
      expected.put(positions[i], nanos[i] ? nano : second);
    }
    assertEquals(expected, fast);
    assertEquals(fast, expected);
    assertEquals(expected.hashCode(), fast.hashCode());
    assertEquals(expected.size(), fast.size());
    assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(fast.keySet()));
    assertEquals(new ArrayList<>(expected.values()), new ArrayList<>(fast.values()));
    assertEquals(new ArrayList<>(expected.entrySet()), new ArrayList<>(fast.entrySet()));
    assertEquals(expected.get(probe), fast.get(probe));
    assertEquals(expected.containsKey(probe), fast.containsKey(probe));
    assertEquals(expected.headMap(probe), fast.headMap(probe));
    assertEquals(expected.tailMap(probe), fast.tailMap(probe));
    if (expected.isEmpty()) {
      assertThrows(java.util.NoSuchElementException.class, fast::firstKey);
      assertThrows(java.util.NoSuchElementException.class, fast::lastKey);
    } else {
      assertEquals(expected.firstKey(), fast.firstKey());
      assertEquals(expected.lastKey(), fast.lastKey());
    }
    assertThrows(UnsupportedOperationException.class, () -> fast.put(1, 1L));
    assertThrows(UnsupportedOperationException.class, () -> fast.putAll(Map.of(1, 1L)));
    if (!expected.isEmpty()) {
      assertThrows(UnsupportedOperationException.class, () -> fast.entrySet().iterator().next().setValue(2L));
      assertThrows(UnsupportedOperationException.class, () -> {
        var it = fast.keySet().iterator();
        it.next();
        it.remove();
      });
    }
  }
}
