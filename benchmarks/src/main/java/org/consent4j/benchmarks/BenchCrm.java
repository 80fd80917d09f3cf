package org.consent4j.benchmarks;

import org.consent4j.Catalog;
import org.consent4j.LegalBasis;
import org.consent4j.jdbc.SchemaMapping;

/**
 * The CRM every benchmark measures: contacts, a friends graph and orders, the purposes and
 * categories of its catalog, and the mapping that tells consent4j which columns are personal.
 * Table names take a prefix so that the load harness can keep its tables apart.
 */
public final class BenchCrm {
  /** The purpose every consent path measures: half of the subjects consented to it. */
  public static final String PURPOSE = "marketing.email";

  /** The catalog: consent purposes, a contract purpose, the categories of the three tables. */
  public static final Catalog CATALOG = Catalog.builder()
      .purpose("marketing", LegalBasis.CONSENT)
      .purpose("marketing.email", LegalBasis.CONSENT)
      .purpose("analytics", LegalBasis.CONSENT)
      .purpose("support", LegalBasis.CONTRACT, "contact.name", "contact.email", "contact.phone", "commerce.order")
      .categories("contact", "contact.name", "contact.email", "contact.phone", "social.friendship", "commerce.order")
      .recipient("quizlab")
      .build();

  private BenchCrm() {}

  /** The mapping of the tables {@code <prefix>contact}, {@code <prefix>friend} and {@code <prefix>orders}. */
  public static SchemaMapping mapping(String prefix) {
    return SchemaMapping.fromJson("""
        { "tables": [
          { "table": "%1$scontact", "subject": "id",
            "columns": { "name": "contact.name", "email": "contact.email", "phone": "contact.phone" } },
          { "table": "%1$sfriend", "subject": ["user_id", "friend_id"], "rowCategory": "social.friendship" },
          { "table": "%1$sorders", "subject": "contact_id", "rowCategory": "commerce.order" } ] }
        """.formatted(prefix));
  }
}
