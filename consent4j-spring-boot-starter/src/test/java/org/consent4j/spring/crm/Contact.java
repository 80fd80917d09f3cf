package org.consent4j.spring.crm;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A CRM contact (synthetic data only). */
@Entity
@Table(name = "crm_contact")
public class Contact {
  @Id
  private Long id;
  private String name;
  private String email;
  private String phone;
  private String country;

  protected Contact() {}

  public Long getId() {
    return id;
  }

  public String getName() {
    return name;
  }

  public String getEmail() {
    return email;
  }

  public String getPhone() {
    return phone;
  }

  public void setPhone(String phone) {
    this.phone = phone;
  }

  public String getCountry() {
    return country;
  }
}
