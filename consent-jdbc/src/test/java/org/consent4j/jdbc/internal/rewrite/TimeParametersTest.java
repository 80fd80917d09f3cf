package org.consent4j.jdbc.internal.rewrite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

final class TimeParametersTest {

  private static RewrittenStatement statement(List<String> parts, List<Boolean> nanos) {
    return new RewrittenStatement(parts, nanos, true, new TreeSet<>(), new TreeSet<>(), "f", 0, false, List.of());
  }

  @Test
  void markersBecomePlaceholdersNumberedAmongTheApplicationsOwn() {
    RewrittenStatement r = statement(List.of("SELECT ? FROM t WHERE s < ", " AND n <= ", " AND x = ? AND y = '?'"),
        List.of(false, true));
    TimeParameters p = TimeParameters.of(r).orElseThrow();
    assertEquals("SELECT ? FROM t WHERE s < ? AND n <= ? AND x = ? AND y = '?'", p.sql());
    assertArrayEquals(new int[] {2, 3}, p.positions());
    assertEquals(Map.of(2, 1_700_000_000L, 3, 123L), p.values(Instant.ofEpochSecond(1_700_000_000L, 123)));
  }

  @Test
  void placeholdersInsideQuotesAndCommentsDoNotCount() {
    int[] o = TimeParameters.placeholderOrdinals("a ? 'x?''?' \"q?\" `b?` -- c?\n /* d? */ ?");
    int counted = 0;
    for (int v : o) {
      counted = Math.max(counted, v);
    }
    assertEquals(2, counted);
  }

  @Test
  void uncertainTextKeepsTheLiterals() {
    for (String sql : List.of("a = 'x\\' ?", "$$?$$ ?", "a ?? b", "a ?| b", "# c\n ?", "/* /* */ ? */ ?",
        "'unterminated ?")) {
      assertNull(TimeParameters.placeholderOrdinals(sql), sql);
    }
    assertTrue(TimeParameters.of(statement(List.of("SELECT 1 WHERE a = 'x\\'", ""), List.of(false))).isEmpty());
    assertTrue(TimeParameters.of(statement(List.of("SELECT 1"), List.of())).isEmpty());
  }
}
