package org.consent4j.spring.crm;

import java.util.List;
import org.consent4j.annotation.Processing;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;

/** Serves marketing and support: a call runs in its caller's context, which must be one of them. */
@Processing(purposes = {"marketing", "support"})
public interface ContactRepository extends JpaRepository<Contact, Long> {
  Page<Contact> findByCountry(String country, Pageable page);

  List<Contact> findByCountryOrderById(String country);
}
