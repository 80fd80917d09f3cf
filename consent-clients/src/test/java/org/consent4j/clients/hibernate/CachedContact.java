package org.consent4j.clients.hibernate;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The {@code contact} table again, kept in the second-level cache: what the integration refuses. */
@Entity
@Cacheable
@Table(name = "contact")
public class CachedContact {
  @Id
  private Integer id;
  private String email;

  /** For Hibernate. */
  protected CachedContact() {}

  /** The e-mail address. */
  public String getEmail() {
    return email;
  }
}
