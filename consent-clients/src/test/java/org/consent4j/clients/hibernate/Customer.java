package org.consent4j.clients.hibernate;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A row of {@code customer}, whose id (the subject) the database generates. */
@Entity
@Table(name = "customer")
public class Customer {
  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Integer id;
  private String email;

  /** For Hibernate. */
  protected Customer() {}

  /** A new customer. */
  public Customer(String email) {
    this.email = email;
  }

  /** The generated id. */
  public Integer getId() {
    return id;
  }
}
