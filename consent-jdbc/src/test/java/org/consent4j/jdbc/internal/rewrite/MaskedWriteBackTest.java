package org.consent4j.jdbc.internal.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.consent4j.AccessContext;
import org.consent4j.Catalog;
import org.consent4j.DataCategory;
import org.consent4j.LegalBasis;
import org.consent4j.jdbc.internal.Dialect;
import org.junit.jupiter.api.Test;

/**
 * The shape of an UPDATE that writes back masked NULLs (issue 12, item 7): each personal column
 * assigned from a parameter is guarded by a CASE and restricts the rows only through its NULL
 * flag, a placeholder the wrapper binds. The behaviour on the databases is proven by
 * {@code MaskedColumnWriteBackTest}.
 */
final class MaskedWriteBackTest {
  static final Catalog CATALOG = Catalog.builder().purpose("marketing", LegalBasis.CONSENT)
      .categories("contact.email", "contact.phone").build();

  static SqlRewriter rewriter(Dialect dialect) {
    ProtectedTable contact = new ProtectedTable(Optional.empty(), "contact", List.of(
        new ProtectedTable.Column("id", false, true), new ProtectedTable.Column("country", true),
        new ProtectedTable.Column("email", true), new ProtectedTable.Column("phone", true)),
        List.of("id"), Optional.empty(),
        Map.of("email", DataCategory.of("contact.email"), "phone", DataCategory.of("contact.phone")));
    return new SqlRewriter(List.of(contact), CATALOG, dialect, "c4j_");
  }

  static RewrittenStatement rewrite(String sql) {
    return rewriter(Dialect.H2).rewrite(sql, Optional.of(AccessContext.of("crm", "marketing")));
  }

  @Test
  void eachPersonalParameterGetsANullFlagNumberedAfterItsOwnPlaceholders() {
    RewrittenStatement r = rewrite("update contact set country=?,email=?,phone=? where id=?");
    TimeParameters p = TimeParameters.of(r).orElseThrow();
    assertEquals(List.of(2, 3), List.copyOf(p.nullFlags().values()));
    // the flags are placeholders of their own, besides the application's four and the time's
    int total = p.sql().length() - p.sql().replace("?", "").length();
    assertEquals(4 + p.positions().length + 2, total);
    java.util.Set<Integer> own = new java.util.TreeSet<>(p.nullFlags().keySet());
    for (int t : p.positions()) {
      assertTrue(own.add(t), "a flag and a time parameter at " + t);
    }
    assertEquals(total - 4, own.size());
    assertTrue(p.sql().contains("ELSE email END"), p.sql());
    assertTrue(p.sql().contains("ELSE phone END"), p.sql());
  }

  @Test
  void withoutPlaceholdersOfItsOwnAFlagIsZeroAndRestrictsAsBefore() {
    RewrittenStatement r = rewrite("update contact set email=? where id=?");
    String text = r.sql(Instant.EPOCH);
    assertTrue(text.contains(" OR 0 = 1)"), text);
    assertFalse(text.contains(MaskedWriteBack.flag(1)), text);
  }

  @Test
  void aColumnAlsoReadByTheStatementKeepsItsRestrictionAndAStatementWithASubqueryGetsNoFlag() {
    assertTrue(TimeParameters.of(rewrite("update contact set email=? where email like ?")).orElseThrow()
        .nullFlags().size() == 1);
    assertTrue(rewrite("update contact set email=? where id in (select id from contact)").nullFlags().stream()
        .allMatch(f -> f == 0));
    assertTrue(rewrite("update contact set id=?, email=? where id=?").nullFlags().stream().allMatch(f -> f == 0));
  }
}
