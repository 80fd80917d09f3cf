package org.consent4j.examples.spring;

import org.consent4j.Purpose;
import org.consent4j.SubjectId;
import org.consent4j.core.ConsentEngine;
import org.springframework.data.domain.Pageable;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The CRM's REST API (JSON). */
@RestController
class CrmController {
  private final CrmServices.Campaign campaign;
  private final CrmServices.Support support;
  private final ConsentEngine engine;

  CrmController(CrmServices.Campaign campaign, CrmServices.Support support, ConsentEngine engine) {
    this.campaign = campaign;
    this.support = support;
    this.engine = engine;
  }

  /** {@code GET /api/campaign?country=NL&page=0&size=20&sort=name}: the marketing e-mail export. */
  @GetMapping("/api/campaign")
  CrmServices.ContactPage campaign(@RequestParam(defaultValue = "NL") String country, Pageable page) {
    return campaign.export(country, page);
  }

  /** {@code GET /api/support/contacts/42}: a contact as support sees it. */
  @GetMapping("/api/support/contacts/{id}")
  ResponseEntity<CrmServices.ContactView> support(@PathVariable long id) {
    return ResponseEntity.of(support.contact(id));
  }

  /** {@code POST /api/contacts/42/withdraw?purpose=marketing.email}: the contact withdraws a purpose. */
  @PostMapping("/api/contacts/{id}/withdraw")
  ResponseEntity<Void> withdraw(@PathVariable long id, @RequestParam String purpose) {
    engine.withdraw(SubjectId.of(id), Purpose.of(purpose));
    return ResponseEntity.noContent().build();
  }

  /** {@code GET /api/contacts/42/export}: everything about the contact's consents and accesses (Art. 15). */
  @GetMapping(value = "/api/contacts/{id}/export", produces = MediaType.APPLICATION_JSON_VALUE)
  String export(@PathVariable long id) {
    return engine.export(SubjectId.of(id)).toJson();
  }
}
