package org.consent4j.clients.mybatis;

import java.io.Serializable;

/** A row of {@code contact} as MyBatis maps it (serializable, as a read-write mapper cache needs). */
public final class ContactRow implements Serializable {
  private static final long serialVersionUID = 1L;
  Integer id;
  String country;
  String email;
  String phone;
  ContactRow friend;

  /** For MyBatis. */
  public ContactRow() {}

  /** A new row. */
  public ContactRow(int id, String country, String email, String phone) {
    this.id = id;
    this.country = country;
    this.email = email;
    this.phone = phone;
  }

  @Override
  public String toString() {
    return id + " " + email + " " + phone;
  }
}
