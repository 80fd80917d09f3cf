package org.consent4j.clients.hibernate;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A row of the CRM's {@code contact} table, as an application maps it. */
@Entity
@Table(name = "contact")
public class Contact {
  @Id
  private Integer id;
  private String country;
  private String email;
  private String phone;

  /** For Hibernate. */
  protected Contact() {}

  /** A new contact. */
  public Contact(int id, String country, String email, String phone) {
    this.id = id;
    this.country = country;
    this.email = email;
    this.phone = phone;
  }

  /** The id (the subject). */
  public Integer getId() {
    return id;
  }

  /** The country. */
  public String getCountry() {
    return country;
  }

  /** Changes the country. */
  public void setCountry(String country) {
    this.country = country;
  }

  /** The e-mail address (personal, contact.email). */
  public String getEmail() {
    return email;
  }

  /** The phone number (personal, contact.phone). */
  public String getPhone() {
    return phone;
  }
}
