package org.consent4j.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/** The consent index's text-id dictionary against a HashMap, and under concurrent additions. */
final class TextIdsTest {

  @Property(tries = 200)
  void numbersAreDenseStableAndDistinct(@ForAll @Size(max = 600) List<@StringLength(min = 1, max = 12) String> ids) {
    TextIds dict = new TextIds();
    Map<String, Integer> model = new HashMap<>();
    for (String id : ids) {
      int expected = model.computeIfAbsent(id, k -> model.size());
      assertEquals(expected, dict.getOrAdd(id));
    }
    for (Map.Entry<String, Integer> e : model.entrySet()) {
      assertEquals(e.getValue(), dict.get(e.getKey()));
    }
    assertEquals(model.size(), dict.size());
    assertEquals(-1, dict.get("\u00e9-not-added-" + ids.size()));
  }

  @Test
  void concurrentAdditionsAndLookupsAgree() throws Exception {
    TextIds dict = new TextIds();
    int writers = 2;
    int perWriter = 20_000;
    ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
    AtomicLong wrong = new AtomicLong();
    try {
      List<Future<int[]>> added = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        added.add(pool.submit(() -> {
          int[] numbers = new int[perWriter];
          for (int i = 0; i < perWriter; i++) {
            numbers[i] = dict.getOrAdd("id-" + i); // both writers add the same ids
            if (dict.get("id-" + i) != numbers[i]) {
              wrong.incrementAndGet();
            }
          }
          return numbers;
        }));
      }
      Future<?> reader = pool.submit(() -> {
        for (int round = 0; round < 20; round++) {
          for (int i = 0; i < perWriter; i += 7) {
            int n = dict.get("id-" + i);
            if (n >= perWriter) {
              wrong.incrementAndGet();
            }
          }
        }
        return null;
      });
      int[] first = added.get(0).get(60, TimeUnit.SECONDS);
      int[] second = added.get(1).get(60, TimeUnit.SECONDS);
      reader.get(60, TimeUnit.SECONDS);
      for (int i = 0; i < perWriter; i++) {
        assertEquals(first[i], second[i], "one number per id, whichever thread added it");
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(0, wrong.get());
    assertEquals(perWriter, dict.size());
    assertTrue(dict.bytes() < 40L * perWriter, "compact: " + dict.bytes() + " bytes");
  }
}
