package org.consent4j.examples.spring;

import java.util.Random;
import org.consent4j.Grant;
import org.consent4j.SubjectId;
import org.consent4j.core.ConsentEngine;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Records the contacts' synthetic consents at start-up, once: about half consented to marketing
 * e-mail under version 2 of the privacy notice, a third of those to name and e-mail only; contact
 * 42 to everything.
 */
@Component
class ConsentSeed implements ApplicationRunner {
  /** The contact of the story: consented to marketing e-mail with name, e-mail and phone. */
  static final SubjectId STORY_CONTACT = SubjectId.of(42);
  private final ConsentEngine engine;

  ConsentSeed(ConsentEngine engine) {
    this.engine = engine;
  }

  @Override
  public void run(ApplicationArguments args) {
    if (!engine.history(STORY_CONTACT).isEmpty()) {
      return; // a database that outlives the process keeps its ledger
    }
    Random random = new Random(20260302L);
    for (int id = 1; id <= 300; id++) {
      SubjectId subject = SubjectId.of(id);
      boolean consented = id == 42 || random.nextInt(2) == 0;
      if (!consented) {
        continue;
      }
      Grant.Builder g = Grant.builder(subject).purpose("marketing.email").notice("privacy-notice", 2);
      g = id != 42 && random.nextInt(3) == 0 ? g.category("contact.name").category("contact.email")
          : g.category("contact");
      engine.grant(g);
    }
  }
}
