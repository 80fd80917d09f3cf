package org.consent4j.jdbc.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.consent4j.jdbc.MappingException;
import org.consent4j.jdbc.SchemaMapping;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class SchemaMappingJsonTest {

  @Test
  void jsonAndBuilderGiveEqualMappingsWithEqualVersions() {
    SchemaMapping fromJson = SchemaMapping.fromJson(Mappings.CRM_JSON);
    assertEquals(Mappings.crm(), fromJson);
    assertEquals(Mappings.crm().version(), fromJson.version());
  }

  @Test
  void anErasurePolicyReadsWritesAndChangesTheVersionAndABadOneIsNamed() {
    SchemaMapping with = SchemaMapping.fromJson(
        "{\"tables\": [{\"table\": \"contact\", \"subject\": \"id\", \"erasure\": \"delete\"}]}");
    SchemaMapping without = SchemaMapping.fromJson("{\"tables\": [{\"table\": \"contact\", \"subject\": \"id\"}]}");
    assertEquals(java.util.Optional.of(org.consent4j.jdbc.ErasurePolicy.DELETE),
        with.find("contact").orElseThrow().erasure());
    assertEquals(with, SchemaMapping.fromJson(with.toJson()));
    org.junit.jupiter.api.Assertions.assertNotEquals(with.version(), without.version());
    org.consent4j.jdbc.MappingException e = org.junit.jupiter.api.Assertions.assertThrows(
        org.consent4j.jdbc.MappingException.class, () -> SchemaMapping.fromJson(
            "{\"tables\": [{\"table\": \"contact\", \"subject\": \"id\", \"erasure\": \"shred\"}]}"));
    assertEquals(List.of("tables[0].erasure: expected \"delete\" or \"nullify\", got 'shred'"), e.problems());
  }

  @Test
  void toJsonReadsBackToAnEqualMappingAndIsCanonical() {
    SchemaMapping m = Mappings.crm();
    String json = m.toJson();
    assertEquals(m, SchemaMapping.fromJson(json));
    assertEquals(json, SchemaMapping.fromJson(json).toJson());
    assertEquals("""
        {
          "tables": [
            {
              "table": "friend",
              "subject": ["user_id", "friend_id"],
              "rowCategory": "social.friendship",
              "columns": {}
            },
            {
              "table": "orders",
              "subject": ["customer_id"],
              "rowCategory": "commerce.order",
              "columns": {
                "shipping_address": "contact.address"
              }
            },
            {
              "schema": "public",
              "table": "contact",
              "subject": ["id"],
              "columns": {
                "birth_date": "profile.birthday",
                "email": "contact.email",
                "phone": "contact.phone"
              }
            }
          ]
        }
        """, json);
    assertEquals("{\n  \"tables\": []\n}\n", SchemaMapping.empty().toJson());
    assertEquals(SchemaMapping.empty(), SchemaMapping.fromJson(SchemaMapping.empty().toJson()));
  }

  @Test
  void optionalFieldsMayBeNullOrAbsentAndSubjectMayBeAString() {
    SchemaMapping m = SchemaMapping.fromJson("""
        {"tables": [{"schema": null, "table": "friend", "subject": "user_id", "rowCategory": null, "columns": null}]}""");
    assertEquals(SchemaMapping.builder().table("friend", t -> t.subject("user_id")).build(), m);
  }

  @Test
  void readsFromStreamWithoutClosingItAndFromFile(@TempDir Path dir) throws IOException {
    boolean[] closed = {false};
    InputStream in = new ByteArrayInputStream(Mappings.CRM_JSON.getBytes(StandardCharsets.UTF_8)) {
      @Override
      public void close() {
        closed[0] = true;
      }
    };
    assertEquals(Mappings.crm(), SchemaMapping.fromJson(in));
    assertFalse(closed[0], "the caller's stream was closed");
    Path file = dir.resolve("mapping.json");
    Files.writeString(file, Mappings.CRM_JSON);
    assertEquals(Mappings.crm(), SchemaMapping.fromJson(file));
  }

  @Test
  void problemsInAFileNameTheFile(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("bad.json");
    Files.writeString(file, "{\"tables\": [{\"table\": \"contact\"}]}");
    MappingException e = assertThrows(MappingException.class, () -> SchemaMapping.fromJson(file));
    assertTrue(e.problems().get(0).startsWith(file + ": tables[0]: missing property 'subject'"), e.getMessage());
    UncheckedIOException io = assertThrows(UncheckedIOException.class,
        () -> SchemaMapping.fromJson(dir.resolve("absent.json")));
    assertTrue(io.getMessage().contains("absent.json"), io.getMessage());
  }

  @Test
  void unknownPropertyIsNamedWithItsPath() {
    assertProblems("{\"tables\": [], \"version\": 2}",
        "the document: unknown property 'version' (expected tables, trusted)");
    assertProblems("{\"tables\": [{\"table\": \"contact\", \"subject\": \"id\", \"colums\": {}}]}",
        "tables[0]: unknown property 'colums' (expected schema, table, subject, rowCategory, columns, erasure)");
  }

  @Test
  void trustedNamesAreReadFoldedAndWrittenSorted() {
    SchemaMapping m = SchemaMapping.fromJson("{\"tables\": [], \"trusted\": [\"Order_Totals\", \"contact_stats\"]}");
    assertEquals(java.util.Set.of("order_totals", "contact_stats"), m.trusted());
    assertEquals("{\n  \"tables\": [],\n  \"trusted\": [\"contact_stats\", \"order_totals\"]\n}\n", m.toJson());
    assertEquals(m, SchemaMapping.builder().trust("contact_stats").trust("ORDER_TOTALS").build());
    // trusting changes what is refused, so it changes the version that caches key on
    assertTrue(!m.version().equals(SchemaMapping.empty().version()));
  }

  @Test
  void trustedNamesMayBeQualifiedWithTheirSchema() {
    SchemaMapping m = SchemaMapping.fromJson("{\"tables\": [], \"trusted\": [\"Reporting.Contact_Stats\", \"stats\"]}");
    assertEquals(java.util.Set.of("reporting.contact_stats", "stats"), m.trusted());
    assertEquals(m, SchemaMapping.fromJson(m.toJson()));
    assertEquals(m, SchemaMapping.builder().trust("reporting.CONTACT_STATS").trust("stats").build());
    // a qualified and a bare name are different trusts
    assertTrue(!m.version().equals(SchemaMapping.builder().trust("contact_stats").trust("stats").build().version()));
    for (String bad : java.util.List.of("a.b.c", ".stats", "reporting.", "a .b")) {
      MappingException e = assertThrows(MappingException.class,
          () -> SchemaMapping.fromJson("{\"tables\": [], \"trusted\": [\"" + bad + "\"]}"), bad);
      assertTrue(e.problems().get(0).startsWith("trusted[0]: "), e.getMessage());
    }
  }

  @Test
  void badTrustedNamesAreNamed() {
    assertProblems("{\"tables\": [], \"trusted\": \"stats\"}",
        "trusted: expected an array of view or function names, e.g. [\"order_totals\"]");
    assertProblems("{\"tables\": [], \"trusted\": [\"stats\", 3, \"STATS\"]}",
        "trusted[1]: expected a view or function name",
        "trusted[2]: 'stats' is trusted twice (names are case-insensitive)");
    MappingException e = assertThrows(MappingException.class,
        () -> SchemaMapping.fromJson("{\"tables\": [], \"trusted\": [\"x; DROP TABLE y\"]}"));
    assertTrue(e.problems().get(0).startsWith("trusted[0]: trusted view or function name 'x; DROP TABLE y' is not valid"),
        e.getMessage());
  }

  @Test
  void missingSubjectAndMissingTableAreNamed() {
    assertProblems("{\"tables\": [{\"table\": \"contact\", \"subject\": \"id\"}, {\"table\": \"friend\"}]}",
        "tables[1]: missing property 'subject': name the column(s) holding the subject id,"
            + " e.g. \"subject\": \"id\" or \"subject\": [\"user_id\", \"friend_id\"]");
    assertProblems("{\"tables\": [{\"subject\": [\"id\"]}]}",
        "tables[0]: missing property 'table': name the table, e.g. \"table\": \"contact\"");
    assertProblems("{\"tables\": [{\"table\": \"friend\", \"subject\": []}]}",
        "tables[0].subject: expected a column name or a non-empty array of column names");
    assertProblems("{}", "missing property 'tables': add \"tables\": [ ... ] (may be empty)");
  }

  @Test
  void badCategoryNameIsNamedWithItsColumn() {
    MappingException e = assertThrows(MappingException.class, () -> SchemaMapping.fromJson(
        "{\"tables\": [{\"table\": \"contact\", \"subject\": \"id\", \"columns\": {\"email\": \"Contact Email\"}}]}"));
    assertEquals(1, e.problems().size(), e.getMessage());
    assertTrue(e.problems().get(0).startsWith("tables[0].columns.email: data category name 'Contact Email' is not valid"),
        e.getMessage());
    MappingException row = assertThrows(MappingException.class, () -> SchemaMapping.fromJson(
        "{\"tables\": [{\"table\": \"friend\", \"subject\": \"a\", \"rowCategory\": \"social..x\"}]}"));
    assertTrue(row.problems().get(0).startsWith("tables[0].rowCategory: data category name 'social..x'"), row.getMessage());
  }

  @Test
  void duplicateTableIsNamedWithBothPlaces() {
    assertProblems("""
        {"tables": [{"table": "contact", "subject": "id"}, {"table": "friend", "subject": "a"},
                    {"table": "CONTACT", "subject": "id"}]}""",
        "tables[2]: table 'contact' is already mapped at tables[0] (names are case-insensitive): merge the two entries");
  }

  @Test
  void duplicatePropertyIsASyntaxErrorWithItsPlace() {
    MappingException e = assertThrows(MappingException.class, () -> SchemaMapping.fromJson(
        "{\"tables\": [{\"table\": \"contact\", \"subject\": \"id\",\n \"columns\": {\"email\": \"a\", \"email\": \"b\"}}]}"));
    String p = e.problems().get(0);
    assertTrue(p.startsWith("line 2, column "), p);
    assertTrue(p.contains("(tables[0].columns.email)"), p);
    assertTrue(p.contains("Duplicate field 'email'"), p);
  }

  @Test
  void columnBothSubjectAndPersonalIsNamed() {
    assertProblems("{\"tables\": [{\"table\": \"contact\", \"subject\": \"id\", \"columns\": {\"ID\": \"contact\"}}]}",
        "tables[0].columns.ID: table 'contact': column 'id' cannot be both a subject column and a personal"
            + " column: remove it from one of them");
  }

  @Test
  void everyProblemIsListedAtOnce() {
    MappingException e = assertThrows(MappingException.class, () -> SchemaMapping.fromJson("""
        {"tables": [
          {"table": "1contact", "subject": "id", "columns": {"e mail": "contact.email", "phone": 5}},
          {"table": "friend", "subject": ["user_id", 7], "rowCategory": "Social"},
          {"table": "orders", "subject": "id", "extra": true},
          "orders"
        ]}"""));
    assertEquals(List.of(
        "tables[0]: table name '1contact' is not valid: use a plain SQL identifier [A-Za-z_][A-Za-z0-9_$]* of at"
            + " most 128 characters, without quotes",
        "tables[0].columns.e mail: column name 'e mail' is not valid: use a plain SQL identifier"
            + " [A-Za-z_][A-Za-z0-9_$]* of at most 128 characters, without quotes",
        "tables[0].columns.phone: expected a data category name, e.g. \"contact.email\"",
        "tables[1].subject[1]: expected a column name",
        "tables[1].rowCategory: data category name 'Social' is not valid: use lower-case segments of"
            + " [a-z0-9_-], starting with a letter, separated by dots (e.g. 'marketing.email')",
        "tables[2]: unknown property 'extra' (expected schema, table, subject, rowCategory, columns, erasure)",
        "tables[3]: expected a table mapping object {\"table\": ..., \"subject\": ...}"), e.problems());
    assertTrue(e.getMessage().startsWith("schema mapping has 7 problems:\n  - tables[0]: "), e.getMessage());
  }

  @Test
  void malformedJsonAndWrongShapesAreRejected() {
    for (String bad : List.of("", "[]", "null", "{\"tables\": {}}", "{\"tables\": []} {}", "{\"tables\": [] // c\n}",
        "{\"tables\": [{\"table\": \"t\", \"subject\": \"id\", \"schema\": 1}]}")) {
      MappingException e = assertThrows(MappingException.class, () -> SchemaMapping.fromJson(bad), bad);
      assertFalse(e.problems().isEmpty());
    }
  }

  private static void assertProblems(String json, String... problems) {
    MappingException e = assertThrows(MappingException.class, () -> SchemaMapping.fromJson(json));
    assertEquals(List.of(problems), e.problems());
  }
}
