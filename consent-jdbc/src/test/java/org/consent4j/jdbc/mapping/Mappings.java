package org.consent4j.jdbc.mapping;

import org.consent4j.jdbc.SchemaMapping;

/** The CRM mapping of the examples, as JSON and as builder calls. Synthetic. */
final class Mappings {
  static final String CRM_JSON = """
      { "tables": [
        { "schema": "public", "table": "contact", "subject": ["id"], "rowCategory": null,
          "columns": { "email": "contact.email", "phone": "contact.phone", "birth_date": "profile.birthday" } },
        { "table": "friend", "subject": ["user_id", "friend_id"], "rowCategory": "social.friendship", "columns": {} },
        { "table": "orders", "subject": "customer_id", "rowCategory": "commerce.order",
          "columns": { "shipping_address": "contact.address" } } ] }
      """;

  private Mappings() {}

  /** The same mapping as {@link #CRM_JSON}, declared in another order and case. */
  static SchemaMapping crm() {
    return SchemaMapping.builder()
        .table("ORDERS", t -> t.column("Shipping_Address", "contact.address").subject("customer_id")
            .rowCategory("commerce.order"))
        .table("friend", t -> t.subject("user_id", "FRIEND_ID").rowCategory("social.friendship"))
        .table("Public", "Contact", t -> t.subject("id").column("phone", "contact.phone")
            .column("email", "contact.email").column("birth_date", "profile.birthday"))
        .build();
  }
}
