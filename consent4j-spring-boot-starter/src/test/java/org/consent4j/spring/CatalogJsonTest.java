package org.consent4j.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.consent4j.Catalog;
import org.consent4j.DataCategory;
import org.consent4j.Jurisdiction;
import org.consent4j.LegalBasis;
import org.consent4j.Notice;
import org.consent4j.Purpose;
import org.consent4j.Recipient;
import org.consent4j.TransferSafeguard;
import org.junit.jupiter.api.Test;

final class CatalogJsonTest {
  private static Catalog read(String json) {
    return CatalogJson.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "test.json");
  }

  @Test
  void readsEveryPartOfACatalog() {
    Catalog c = read("""
        { "categories": ["contact.email", "contact.phone"], "specialCategories": ["health"],
          "adequateJurisdictions": ["CH"], "notices": [{"id": "privacy", "version": 2}, {"id": "privacy", "version": 3}],
          "recipients": ["mailer", {"id": "quizlab", "jurisdiction": "US", "safeguards": ["standard-contractual-clauses"]}],
          "purposes": [
            {"name": "marketing.email", "basis": "consent", "minimumNotice": {"id": "privacy", "version": 2},
             "description": "campaigns"},
            {"name": "support", "basis": "CONTRACT", "categories": ["contact.email"]} ] }
        """);
    assertThat(c.categories()).contains(DataCategory.of("contact"), DataCategory.of("contact.phone"));
    assertThat(c.isSpecial(DataCategory.of("health"))).isTrue();
    assertThat(c.adequateJurisdictions()).containsExactly(Jurisdiction.of("CH"));
    assertThat(c.notices()).contains(Notice.of("privacy", 3));
    assertThat(c.recipient(Recipient.of("quizlab")).safeguards())
        .containsExactly(TransferSafeguard.STANDARD_CONTRACTUAL_CLAUSES);
    assertThat(c.purpose(Purpose.of("marketing.email")).minimumNotice()).contains(Notice.of("privacy", 2));
    assertThat(c.purpose(Purpose.of("support")).basis()).isEqualTo(LegalBasis.CONTRACT);
    assertThat(c.purpose(Purpose.of("support")).recipients()).containsExactly(Recipient.FIRST_PARTY);
  }

  @Test
  void refusesWhatItDoesNotUnderstand() {
    assertThatThrownBy(() -> read("{ \"purpose\": [] }")).hasMessageContaining("unknown key \"purpose\"")
        .hasMessageContaining("test.json");
    assertThatThrownBy(() -> read("{ \"purposes\": [ {\"name\": \"x\", \"basis\": \"PROMISE\"} ] }"))
        .hasMessageContaining("\"PROMISE\" is not one of");
    assertThatThrownBy(() -> read("{ \"purposes\": [ {\"name\": \"x\", \"basis\": \"CONTRACT\"} ] }"))
        .hasMessageContaining("must declare the data categories");
    assertThatThrownBy(() -> read("{ \"purposes\": [ {\"basis\": \"CONSENT\"} ] }"))
        .hasMessageContaining("needs \"name\"");
    assertThatThrownBy(() -> read("{ not json")).hasMessageContaining("is not valid JSON");
  }
}
