package org.consent4j.jdbc.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.consent4j.jdbc.MappingException;
import org.consent4j.jdbc.SchemaMapping;
import org.consent4j.jdbc.TableMapping;
import org.junit.jupiter.api.Test;

final class SchemaMappingLookupTest {
  private final SchemaMapping crm = Mappings.crm();

  @Test
  void unqualifiedNamesMatchWhateverTheirCaseOrQuoting() {
    for (String name : List.of("friend", "FRIEND", "Friend", "\"friend\"", "\"Friend\"", "`friend`", "[friend]",
        " friend ", "U&\"fri\\0065nd\"", "u&\"FRIEND\"", "frıend")) {
      assertEquals("friend", crm.find(name).map(TableMapping::table).orElse(null), name);
      assertEquals("friend", crm.find(null, name).map(TableMapping::table).orElse(null), name);
    }
  }

  @Test
  void namesThatCannotBeAMappedTableMatchNothing() {
    for (String name : List.of("friends", "\"fri end\"", "\"friend", "fr\"\"iend", "\"\"", "", "export_list",
        "U&\"\\zzzz\"")) {
      assertEquals(Optional.empty(), crm.find(name), name);
    }
  }

  @Test
  void mappingWithoutSchemaMatchesTheTableInAnySchema() {
    for (String schema : List.of("public", "crm", "\"Sales\"", "other_db")) {
      assertEquals("friend", crm.find(schema, "friend").orElseThrow().table(), schema);
    }
  }

  @Test
  void mappingWithSchemaMatchesThatSchemaAndUnqualifiedReferencesOnly() {
    TableMapping contact = crm.tables().stream().filter(t -> t.table().equals("contact")).findFirst().orElseThrow();
    assertEquals(Optional.of(contact), crm.find("public", "contact"));
    assertEquals(Optional.of(contact), crm.find("PUBLIC", "\"CONTACT\""));
    assertEquals(Optional.of(contact), crm.find("\"public\"", "Contact"));
    assertEquals(Optional.of(contact), crm.find("contact"));
    assertEquals(Optional.empty(), crm.find("archive", "contact"));
  }

  @Test
  void qualifiedReferencePrefersTheMappingOfItsSchema() {
    SchemaMapping m = SchemaMapping.builder()
        .table("contact", t -> t.subject("id"))
        .table("crm", "contact", t -> t.subject("id").column("email", "contact.email"))
        .build();
    assertEquals(Optional.of("crm"), m.find("CRM", "contact").orElseThrow().schema());
    assertEquals(Optional.empty(), m.find("archive", "contact").orElseThrow().schema());
  }

  @Test
  void unqualifiedReferenceToDifferingMappingsIsAmbiguous() {
    SchemaMapping m = SchemaMapping.builder()
        .table("crm", "contact", t -> t.subject("id").column("email", "contact.email"))
        .table("archive", "contact", t -> t.subject("contact_id"))
        .build();
    MappingException e = assertThrows(MappingException.class, () -> m.find("CONTACT"));
    assertTrue(e.getMessage().contains("unqualified table 'contact' matches the mappings [archive.contact,"
        + " crm.contact], which differ"), e.getMessage());
    assertEquals(Optional.of("archive"), m.find("archive", "contact").orElseThrow().schema());
  }

  @Test
  void unqualifiedReferenceToIdenticalMappingsInSeveralSchemasIsNotAmbiguous() {
    SchemaMapping m = SchemaMapping.builder()
        .table("crm", "contact", t -> t.subject("id").column("email", "contact.email"))
        .table("archive", "contact", t -> t.subject("id").column("email", "contact.email"))
        .build();
    assertEquals(List.of("id"), m.find("contact").orElseThrow().subjectColumns());
  }

  @Test
  void tableNamesAreLowerCaseWithoutSchema() {
    assertEquals(Set.of("contact", "friend", "orders"), crm.tableNames());
  }

  @Test
  void preCheckIsFalseOnlyWhenNoMappedNameCanOccur() {
    assertTrue(crm.mayReference("SELECT x.email FROM CONTACT x"));
    assertTrue(crm.mayReference("select * from \"Friend\""));
    assertTrue(crm.mayReference("select * from public.contacts"));
    assertTrue(crm.mayReference("SELECT * FROM FRıEND"));
    assertTrue(crm.mayReference("SELECT * FROM U&\"\\0066riend\""));
    assertFalse(crm.mayReference("SELECT 1"));
    assertFalse(crm.mayReference("INSERT INTO audit_log VALUES (1)"));
  }
}
