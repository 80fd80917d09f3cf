package org.consent4j.examples.spring;

import java.util.List;
import java.util.Optional;
import org.consent4j.annotation.Processing;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** What the CRM's services do, each for its declared purpose. */
public final class CrmServices {
  private CrmServices() {}

  /** A contact as the REST API shows it. */
  public record ContactView(long id, String name, String email, String phone, String country) {
    static ContactView of(Contact c) {
      return new ContactView(c.getId(), c.getName(), c.getEmail(), c.getPhone(), c.getCountry());
    }
  }

  /** A page of contacts. */
  public record ContactPage(long total, int page, List<ContactView> contacts) {}

  /** The campaign export: only contacts who consented to marketing e-mail, only what they granted. */
  @Service
  public static class Campaign {
    private final ContactRepository contacts;

    Campaign(ContactRepository contacts) {
      this.contacts = contacts;
    }

    /** One page of the export of {@code country}. */
    @Processing(purposes = "marketing.email")
    @Transactional(readOnly = true)
    public ContactPage export(String country, Pageable pageable) {
      Page<Contact> page = contacts.findByCountry(country, pageable);
      return new ContactPage(page.getTotalElements(), page.getNumber(),
          page.getContent().stream().map(ContactView::of).toList());
    }
  }

  /** Support, under the customer contract: every contact, name, e-mail and phone. */
  @Service
  public static class Support {
    private final ContactRepository contacts;

    Support(ContactRepository contacts) {
      this.contacts = contacts;
    }

    /** One contact. */
    @Processing(purposes = "support")
    @Transactional(readOnly = true)
    public Optional<ContactView> contact(long id) {
      return contacts.findById(id).map(ContactView::of);
    }
  }
}
