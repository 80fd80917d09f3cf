package org.consent4j.examples.spring;

import org.consent4j.annotation.Processing;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;

/** The contacts; serves marketing and support, in the context of whoever calls it. */
@Processing(purposes = {"marketing", "support"})
public interface ContactRepository extends JpaRepository<Contact, Long> {
  /** The contacts of one country, a page at a time. */
  Page<Contact> findByCountry(String country, Pageable page);
}
