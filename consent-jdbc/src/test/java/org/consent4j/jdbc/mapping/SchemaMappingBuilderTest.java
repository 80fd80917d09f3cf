package org.consent4j.jdbc.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.consent4j.DataCategory;
import org.consent4j.jdbc.SchemaMapping;
import org.consent4j.jdbc.TableMapping;
import org.junit.jupiter.api.Test;

final class SchemaMappingBuilderTest {

  @Test
  void builderStoresLowerCaseNamesAndKeepsSubjectOrder() {
    TableMapping t = TableMapping.builder("CRM", "Friend")
        .subject("User_Id", "FRIEND_ID").rowCategory("social.friendship").column("Since", "social.since").build();
    assertEquals(Optional.of("crm"), t.schema());
    assertEquals("friend", t.table());
    assertEquals("crm.friend", t.qualifiedName());
    assertEquals(List.of("user_id", "friend_id"), t.subjectColumns());
    assertEquals(Optional.of(DataCategory.of("social.friendship")), t.rowCategory());
    assertEquals(Map.of("since", DataCategory.of("social.since")), t.columns());
  }

  @Test
  void storageByCategoryListsEveryColumnAndRowCategoryForTheRecordOfProcessing() {
    SchemaMapping m = SchemaMapping.builder()
        .table("crm", "contact", t -> t.subject("id").column("email", "contact.email").column("email2", "contact.email"))
        .table("orders", t -> t.subject("contact_id").rowCategory("commerce.order").column("note", "commerce.note"))
        .build();
    assertEquals(Map.of(
            DataCategory.of("contact.email"), java.util.Set.of("crm.contact.email", "crm.contact.email2"),
            DataCategory.of("commerce.order"), java.util.Set.of("orders (rows)"),
            DataCategory.of("commerce.note"), java.util.Set.of("orders.note")),
        m.storageByCategory());
  }

  @Test
  void columnsAreLookedUpCaseInsensitivelyQuotedOrNot() {
    TableMapping t = TableMapping.builder("contact").subject("id").column("email", "contact.email").build();
    for (String name : List.of("email", "EMAIL", "\"email\"", "\"Email\"", "`email`", "[EMAIL]")) {
      assertEquals(Optional.of(DataCategory.of("contact.email")), t.category(name), name);
    }
    assertEquals(Optional.empty(), t.category("id"));
    assertEquals(Optional.empty(), t.category("\"e mail\""));
    assertTrue(t.isSubjectColumn("ID"));
    assertTrue(t.isSubjectColumn("\"id\""));
    assertFalse(t.isSubjectColumn("email"));
  }

  @Test
  void columnCannotBeBothSubjectAndPersonalInEitherOrder() {
    IllegalArgumentException a = assertThrows(IllegalArgumentException.class,
        () -> TableMapping.builder("contact").subject("id").column("ID", "contact.id"));
    assertTrue(a.getMessage().contains("'id' cannot be both a subject column and a personal column"), a.getMessage());
    IllegalArgumentException b = assertThrows(IllegalArgumentException.class,
        () -> TableMapping.builder("contact").column("id", "contact.id").subject("Id"));
    assertTrue(b.getMessage().contains("'id' cannot be both"), b.getMessage());
  }

  @Test
  void columnMappedTwiceUnderDifferentCaseIsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TableMapping.builder("contact").column("email", "contact.email").column("EMAIL", "contact"));
    assertTrue(e.getMessage().contains("'email' is mapped twice"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TableMapping.builder("friend").subject("a", "A"));
  }

  @Test
  void tableWithoutSubjectIsRejectedAtBuild() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> SchemaMapping.builder().table("contact", t -> t.column("email", "contact.email")));
    assertTrue(e.getMessage().contains("table 'contact' declares no subject column"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TableMapping.builder("contact").subject());
  }

  @Test
  void identifiersMustBePlainSqlNamesOfAtMost128Characters() {
    for (String bad : List.of("", "1contact", "con tact", "\"contact\"", "crm.contact", "contäct", "a-b",
        "x".repeat(129))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TableMapping.builder(bad), bad);
      assertTrue(e.getMessage().startsWith("table name '"), e.getMessage());
    }
    assertEquals("_x$1", TableMapping.builder("_X$1").subject("id").build().table());
    assertEquals("x".repeat(128), TableMapping.builder("X".repeat(128)).subject("id").build().table());
  }

  @Test
  void badCategoryNameIsRejectedNamingIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TableMapping.builder("contact").column("email", "Contact.Email"));
    assertTrue(e.getMessage().contains("'Contact.Email'"), e.getMessage());
  }

  @Test
  void tableMappedTwiceInTheSameSchemaIsRejectedButOtherSchemasAreNot() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SchemaMapping.builder()
        .table("crm", "contact", t -> t.subject("id"))
        .table("CRM", "CONTACT", t -> t.subject("id")));
    assertTrue(e.getMessage().contains("table 'crm.contact' is mapped twice"), e.getMessage());
    SchemaMapping m = SchemaMapping.builder()
        .table("contact", t -> t.subject("id"))
        .table("crm", "contact", t -> t.subject("id"))
        .table("archive", "contact", t -> t.subject("id"))
        .build();
    assertEquals(List.of("contact", "archive.contact", "crm.contact"),
        m.tables().stream().map(TableMapping::qualifiedName).toList());
  }

  @Test
  void declarationOrderAndCaseDoNotChangeEqualityOrVersion() {
    SchemaMapping a = Mappings.crm();
    SchemaMapping b = SchemaMapping.builder()
        .table("public", "contact", t -> t.subject("id").column("email", "contact.email")
            .column("birth_date", "profile.birthday").column("PHONE", "contact.phone"))
        .table("friend", t -> t.subject("user_id", "friend_id").rowCategory("social.friendship"))
        .table("orders", t -> t.subject("customer_id").rowCategory("commerce.order")
            .column("shipping_address", "contact.address"))
        .build();
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertEquals(a.version(), b.version());
    assertEquals(64, a.version().length());
  }

  @Test
  void anyDifferenceChangesTheVersion() {
    SchemaMapping base = SchemaMapping.builder().table("friend", t -> t.subject("a", "b")).build();
    List<SchemaMapping> variants = List.of(
        SchemaMapping.builder().table("friend", t -> t.subject("b", "a")).build(),
        SchemaMapping.builder().table("s", "friend", t -> t.subject("a", "b")).build(),
        SchemaMapping.builder().table("friend", t -> t.subject("a", "b").rowCategory("social")).build(),
        SchemaMapping.builder().table("friend", t -> t.subject("a", "b").column("c", "social")).build(),
        SchemaMapping.builder().table("friends", t -> t.subject("a", "b")).build(),
        SchemaMapping.empty());
    for (SchemaMapping v : variants) {
      assertNotEquals(base, v);
      assertNotEquals(base.version(), v.version(), v.toString());
    }
  }

  @Test
  void emptyMappingMapsNothing() {
    SchemaMapping empty = SchemaMapping.builder().build();
    assertSame(SchemaMapping.empty(), empty);
    assertTrue(empty.isEmpty());
    assertTrue(empty.tables().isEmpty());
    assertTrue(empty.tableNames().isEmpty());
    assertFalse(empty.mayReference("select * from contact"));
    assertEquals(Optional.empty(), empty.find("contact"));
    assertFalse(Mappings.crm().isEmpty());
  }

  @Test
  void collectionsHandedOutAreUnmodifiable() {
    SchemaMapping m = Mappings.crm();
    TableMapping t = m.tables().iterator().next();
    assertThrows(UnsupportedOperationException.class, () -> m.tables().clear());
    assertThrows(UnsupportedOperationException.class, () -> m.tableNames().add("x"));
    assertThrows(UnsupportedOperationException.class, () -> t.subjectColumns().add("x"));
    assertThrows(UnsupportedOperationException.class, () -> t.columns().put("x", DataCategory.of("x")));
    assertThrows(UnsupportedOperationException.class, () -> t.categories().clear());
  }
}
