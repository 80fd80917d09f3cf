package org.consent4j.clients.hibernate;

import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;

/** A row of the unmapped {@code export_list}, with a lazy association to the contact of its id. */
@Entity
@Table(name = "export_list")
public class ExportEntry {
  @Id
  private Integer id;
  private String email;

  @ManyToOne(fetch = FetchType.LAZY)
  @JoinColumn(name = "id", insertable = false, updatable = false)
  private Contact contact;

  /** For Hibernate. */
  protected ExportEntry() {}

  /** The contact, loaded when first used. */
  public Contact getContact() {
    return contact;
  }
}
