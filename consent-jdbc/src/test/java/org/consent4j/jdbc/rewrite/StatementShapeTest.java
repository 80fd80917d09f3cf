package org.consent4j.jdbc.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.consent4j.jdbc.internal.rewrite.StatementShape;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** An audit fingerprint must not let anyone confirm a guessed value. */
final class StatementShapeTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "SELECT id FROM contact WHERE email = 'VALUE'",
      "SELECT id FROM contact WHERE email = 'it''s VALUE'",
      "SELECT id FROM contact WHERE email = 'it\\'s VALUE'",
      "SELECT id FROM contact WHERE email = \"VALUE\"",
      "SELECT id FROM contact WHERE email = $$VALUE$$",
      "SELECT id FROM contact WHERE email = $q$VALUE$q$",
      "SELECT id FROM contact WHERE email = ? /* VALUE */",
      "SELECT id FROM contact WHERE email = ? -- VALUE",
      "SELECT id FROM contact WHERE email = ? # VALUE",
      "SELECT id FROM contact WHERE phone = VALUE"})
  void noValueSurvivesInTheShape(String template) {
    String a = template.replace("VALUE", "c1@example.org").replace("phone = c1@example.org", "phone = 31612345678");
    String b = template.replace("VALUE", "c2@example.net").replace("phone = c2@example.net", "phone = 4.5e10");
    assertEquals(StatementShape.fingerprint(a), StatementShape.fingerprint(b), StatementShape.of(a));
    assertFalse(StatementShape.of(a).contains("example"), StatementShape.of(a));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "SELECT email FROM contact|SELECT phone FROM contact",
      "SELECT id FROM contact WHERE id = ?|SELECT id FROM friend WHERE id = ?"})
  void differentStatementsHaveDifferentShapes(String a, String b) {
    assertNotEquals(StatementShape.fingerprint(a), StatementShape.fingerprint(b));
  }
}
