package org.consent4j.spring.crm;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.consent4j.AccessContext;
import org.consent4j.annotation.Processing;
import org.consent4j.core.ConsentEngine;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.scheduling.annotation.Async;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** The services of the test CRM. */
public final class CrmServices {
  private CrmServices() {}

  /** The campaign export: marketing e-mail. */
  @Service
  @Processing(purposes = "marketing.email")
  public static class Campaign {
    private final ContactRepository contacts;
    private final ConsentEngine engine;

    Campaign(ContactRepository contacts, ConsentEngine engine) {
      this.contacts = contacts;
      this.engine = engine;
    }

    @Transactional(readOnly = true)
    public Page<Contact> export(String country, Pageable page) {
      return contacts.findByCountry(country, page);
    }

    public AccessContext context() {
      return engine.currentContext().orElseThrow();
    }
  }

  /** Support: contract. */
  @Service
  public static class Support {
    private final ContactRepository contacts;
    private final ConsentEngine engine;

    Support(ContactRepository contacts, ConsentEngine engine) {
      this.contacts = contacts;
      this.engine = engine;
    }

    @Processing(purposes = "support")
    @Transactional(readOnly = true)
    public Contact find(long id) {
      return contacts.findById(id).orElseThrow();
    }

    @Processing(purposes = "support")
    @Transactional
    public void changePhone(long id, String phone) {
      contacts.findById(id).orElseThrow().setPhone(phone); // flushed at commit, inside the scope
    }

    /** Calls the campaign from inside support: the inner scope ends with the call. */
    @Processing(purposes = "support")
    public List<String> nested(Campaign campaign) {
      String before = engine.currentContext().orElseThrow().purpose().name();
      String inner = campaign.context().purpose().name();
      String after = engine.currentContext().orElseThrow().purpose().name();
      return List.of(before, inner, after);
    }
  }

  /** Work on Boot's executor. */
  @Service
  public static class Background {
    private final ContactRepository contacts;

    Background(ContactRepository contacts) {
      this.contacts = contacts;
    }

    @Async
    @Transactional(readOnly = true)
    public CompletableFuture<List<String>> emails(String country) {
      return CompletableFuture.completedFuture(
          contacts.findByCountryOrderById(country).stream().map(Contact::getEmail).toList());
    }
  }
}
