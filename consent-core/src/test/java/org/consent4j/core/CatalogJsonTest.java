package org.consent4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.consent4j.Catalog;
import org.consent4j.Jurisdiction;
import org.consent4j.LegalBasis;
import org.consent4j.Notice;
import org.consent4j.Recipient;
import org.consent4j.TransferSafeguard;
import org.junit.jupiter.api.Test;

final class CatalogJsonTest {
  private static final String JSON = """
      {"purposes": [{"name": "marketing.email", "basis": "CONSENT", "description": "newsletter",
                     "minimumNotice": {"id": "privacy", "version": 2}},
                    {"name": "billing", "basis": "CONTRACT", "categories": ["contact", "payment"]}],
       "categories": ["contact.email", "contact.phone", "payment"],
       "specialCategories": ["health"],
       "recipients": [{"id": "mailer", "jurisdiction": "US", "safeguards": ["STANDARD_CONTRACTUAL_CLAUSES"]}],
       "adequateJurisdictions": ["CH"],
       "notices": [{"id": "privacy", "version": 2}]}
      """;

  @Test
  void readsAsTheSameCatalogBuiltInCode() {
    Catalog built = Catalog.builder()
        .category("contact.email").category("contact.phone").category("payment").specialCategory("health")
        .adequateJurisdictions("CH")
        .recipient(org.consent4j.RecipientDefinition.of(Recipient.of("mailer"), Jurisdiction.of("US"),
            List.of(TransferSafeguard.STANDARD_CONTRACTUAL_CLAUSES)))
        .notice("privacy", 2)
        .purpose(new org.consent4j.PurposeDefinition(org.consent4j.Purpose.of("marketing.email"), LegalBasis.CONSENT,
            new java.util.TreeSet<>(), new java.util.TreeSet<>(), java.util.Optional.of(Notice.of("privacy", 2)),
            "newsletter", java.util.Optional.empty()))
        .purpose("billing", LegalBasis.CONTRACT, "contact", "payment")
        .build();
    Catalog read = CatalogJson.parse(JSON);
    assertEquals(List.copyOf(built.purposes()), List.copyOf(read.purposes()));
    assertEquals(built.version(), read.version());
    assertEquals(read.version(), CatalogJson.read(new ByteArrayInputStream(JSON.getBytes(StandardCharsets.UTF_8)),
        "catalog.json").version());
  }

  @Test
  void anUnknownOrDuplicatePropertyOrBadValueIsAnErrorNamingItsPath() {
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
        () -> CatalogJson.parse(JSON.replace("\"description\"", "\"colour\"")));
    assertTrue(unknown.getMessage().startsWith("$.purposes[0].colour: unknown property"), unknown.getMessage());
    IllegalArgumentException duplicate = assertThrows(IllegalArgumentException.class,
        () -> CatalogJson.parse("{\"purposes\": [], \"purposes\": []}"));
    assertTrue(duplicate.getMessage().contains("Duplicate field"), duplicate.getMessage());
    IllegalArgumentException basis = assertThrows(IllegalArgumentException.class,
        () -> CatalogJson.parse(JSON.replace("\"CONTRACT\"", "\"CONTRACTUAL\"")));
    assertTrue(basis.getMessage().startsWith("$.purposes[1].basis: 'CONTRACTUAL' is not one of"), basis.getMessage());
    IllegalArgumentException name = assertThrows(IllegalArgumentException.class,
        () -> CatalogJson.parse("{\"purposes\": [{\"basis\": \"CONSENT\"}]}"));
    assertTrue(name.getMessage().startsWith("$.purposes[0].name: expected a string"), name.getMessage());
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> CatalogJson.parse("{\"purposes\": [{\"name\": \"support\", \"basis\": \"CONTRACT\"}]}"));
    assertTrue(refused.getMessage().startsWith("$.purposes[0]: "), refused.getMessage());
    IllegalArgumentException source = assertThrows(IllegalArgumentException.class, () -> CatalogJson.read(
        new ByteArrayInputStream("{\"purposes\": ".getBytes(StandardCharsets.UTF_8)), "classpath:catalog.json"));
    assertTrue(source.getMessage().startsWith("catalog classpath:catalog.json is not valid JSON at line 1"), source.getMessage());
  }
}
