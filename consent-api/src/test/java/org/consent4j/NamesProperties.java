package org.consent4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** "Covers" is exactly "equal, or a prefix ending at a dot", for every pair of valid names. */
final class NamesProperties {

  @Provide
  Arbitrary<String> names() {
    Arbitrary<String> segment = Arbitraries.strings().withChars("abx1_-").ofMinLength(0).ofMaxLength(3)
        .map(s -> "a" + s);
    return segment.list().ofMinSize(1).ofMaxSize(4).map(l -> String.join(".", l));
  }

  @Property(tries = 2000)
  void coversMeansSegmentPrefix(@ForAll("names") String a, @ForAll("names") String b) {
    String[] as = a.split("\\.");
    String[] bs = b.split("\\.");
    boolean prefix = as.length <= bs.length;
    for (int i = 0; prefix && i < as.length; i++) {
      prefix = as[i].equals(bs[i]);
    }
    assertEquals(prefix, Purpose.of(a).covers(Purpose.of(b)));
    assertEquals(prefix, DataCategory.of(a).covers(DataCategory.of(b)));
  }
}
