package org.consent4j.examples.spring;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A contact of the CRM; its name, e-mail and phone are personal data (consent4j/mapping.json). */
@Entity
@Table(name = "crm_contact")
public class Contact {
  @Id
  private Long id;
  private String name;
  private String email;
  private String phone;
  private String country;

  /** For JPA. */
  protected Contact() {}

  /** The id, which is also the data subject's id. */
  public Long getId() {
    return id;
  }

  /** The name; null when the context may not see it. */
  public String getName() {
    return name;
  }

  /** The e-mail address; null when the context may not see it. */
  public String getEmail() {
    return email;
  }

  /** The phone number; null when the context may not see it. */
  public String getPhone() {
    return phone;
  }

  /** The country (not personal data in this CRM's mapping). */
  public String getCountry() {
    return country;
  }
}
