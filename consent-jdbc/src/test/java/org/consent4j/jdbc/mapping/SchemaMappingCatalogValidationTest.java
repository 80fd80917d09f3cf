package org.consent4j.jdbc.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.consent4j.Catalog;
import org.consent4j.LegalBasis;
import org.consent4j.jdbc.MappingException;
import org.consent4j.jdbc.SchemaMapping;
import org.junit.jupiter.api.Test;

final class SchemaMappingCatalogValidationTest {

  @Test
  void mappingWhoseCategoriesAreDeclaredIsAccepted() {
    Catalog catalog = Catalog.builder()
        .purpose("marketing.email", LegalBasis.CONSENT)
        .categories("contact.email", "contact.phone", "contact.address", "profile.birthday",
            "social.friendship", "commerce.order")
        .build();
    SchemaMapping m = Mappings.crm();
    assertSame(m, m.validate(catalog));
  }

  @Test
  void ancestorDeclarationDoesNotDeclareDescendants() {
    Catalog catalog = Catalog.builder().purpose("support", LegalBasis.CONSENT).category("contact").build();
    SchemaMapping m = SchemaMapping.builder().table("contact", t -> t.subject("id").column("email", "contact.email"))
        .build();
    MappingException e = assertThrows(MappingException.class, () -> m.validate(catalog));
    assertEquals(List.of("data category 'contact.email' (used by contact.email) is not declared in the catalog:"
        + " declare it with Catalog.builder().category(\"contact.email\") or fix the name"), e.problems());
  }

  @Test
  void everyUndeclaredCategoryIsListedOnceWithEveryUse() {
    Catalog catalog = Catalog.builder()
        .purpose("marketing.email", LegalBasis.CONSENT)
        .categories("contact.email", "profile.birthday")
        .build();
    MappingException e = assertThrows(MappingException.class, () -> Mappings.crm().validate(catalog));
    assertEquals(List.of(
        "data category 'social.friendship' (used by rows of friend) is not declared in the catalog: declare it"
            + " with Catalog.builder().category(\"social.friendship\") or fix the name",
        "data category 'commerce.order' (used by rows of orders) is not declared in the catalog: declare it"
            + " with Catalog.builder().category(\"commerce.order\") or fix the name",
        "data category 'contact.address' (used by orders.shipping_address) is not declared in the catalog:"
            + " declare it with Catalog.builder().category(\"contact.address\") or fix the name",
        "data category 'contact.phone' (used by public.contact.phone) is not declared in the catalog: declare"
            + " it with Catalog.builder().category(\"contact.phone\") or fix the name"), e.problems());
  }

  @Test
  void categoryUsedByManyColumnsIsOneProblemNamingThemAll() {
    Catalog catalog = Catalog.builder().purpose("support", LegalBasis.CONSENT).category("other").build();
    SchemaMapping m = SchemaMapping.builder()
        .table("contact", t -> t.subject("id").column("email", "contact.email").column("email2", "contact.email"))
        .table("lead", t -> t.subject("id").column("mail", "contact.email"))
        .build();
    MappingException e = assertThrows(MappingException.class, () -> m.validate(catalog));
    assertEquals(1, e.problems().size());
    assertEquals("schema mapping: data category 'contact.email' (used by contact.email, contact.email2, lead.mail)"
        + " is not declared in the catalog: declare it with Catalog.builder().category(\"contact.email\") or fix"
        + " the name", e.getMessage());
  }
}
