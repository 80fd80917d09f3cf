package org.consent4j.examples;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.consent4j.AccessContext;
import org.consent4j.Catalog;
import org.consent4j.ConsentDeniedException;
import org.consent4j.Grant;
import org.consent4j.LegalBasis;
import org.consent4j.NoProcessingContextException;
import org.consent4j.Purpose;
import org.consent4j.SubjectId;
import org.consent4j.annotation.Personal;
import org.consent4j.annotation.Processing;
import org.consent4j.annotation.Subject;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.repository.ConsentRepositories;

/**
 * The README's snippet, runnable: a catalog, three synthetic contacts with different consents,
 * and a repository whose results are filtered and masked by the consent of each contact — not of
 * whoever asks. Run it with {@code mvn -q -pl examples -am compile exec:java}.
 */
public final class QuickStart {

  /** A contact of the CRM; the id names the data subject, the other fields are personal data. */
  public record Contact(
      @Subject String id,
      String country,
      @Personal("contact.email") String email,
      @Personal("contact.phone") String phone) {}

  /** The application's repository; consent4j wraps it. */
  public interface ContactRepository {
    @Processing(purposes = {"marketing", "support"})
    List<Contact> byCountry(String country);

    @Processing(purposes = "quiz")
    List<Contact> friendsOf(@Subject String userId);
  }

  /** Runs the story and prints it. */
  public static void main(String[] args) {
    run(System.out);
  }

  /** Runs the story, printing to {@code out}; returns what each step returned, for the tests. */
  public static Map<String, Object> run(PrintStream out) {
    // --- the snippet shown in the README starts here
    Catalog catalog = Catalog.builder()
        .purpose("marketing.email", LegalBasis.CONSENT)
        .purpose("marketing", LegalBasis.CONSENT)
        .purpose("quiz", LegalBasis.CONSENT)
        .purpose("support", LegalBasis.CONTRACT, "contact.email")
        .categories("contact.email", "contact.phone")
        .recipient("quizlab")
        .build();
    ConsentEngine engine = ConsentEngine.builder().catalog(catalog).build();

    engine.grant(Grant.builder(SubjectId.of("c-1")).purpose("marketing").category("contact"));
    engine.grant(Grant.builder(SubjectId.of("c-2")).purpose("marketing").category("contact.email"));
    engine.grant(Grant.builder(SubjectId.of("c-1")).purpose("quiz").category("contact").recipient("quizlab"));
    engine.grant(Grant.builder(SubjectId.of("c-3")).purpose("quiz").category("contact.email").recipient("quizlab"));

    ContactRepository contacts = ConsentRepositories.wrap(ContactRepository.class, new InMemoryContacts(), engine);

    List<Contact> campaign;
    try (var scope = engine.process(AccessContext.of("campaign-service", "marketing.email"))) {
      campaign = contacts.byCountry("NL"); // c-1 with email and phone, c-2 with email only, c-3 absent
    }
    // --- the snippet ends here
    out.println("Marketing export (purpose marketing.email): " + campaign);

    List<Contact> support;
    try (var scope = engine.process(AccessContext.of("helpdesk", "support"))) {
      support = contacts.byCountry("NL");
    }
    out.println("Support view (contract, e-mail only):     " + support);

    List<Contact> friends;
    try (var scope = engine.process(AccessContext.of("quiz-app", "quiz", "quizlab"))) {
      friends = contacts.friendsOf("c-1");
    }
    out.println("quizlab asks for the friends of c-1:      " + friends
        + "  (friends who did not consent to quizlab are withheld)");

    String refused;
    try (var scope = engine.process(AccessContext.of("quiz-app", "quiz", "quizlab"))) {
      contacts.friendsOf("c-2");
      refused = "(not refused)";
    } catch (ConsentDeniedException e) {
      refused = e.getMessage();
    }
    out.println("quizlab asks for the friends of c-2:      refused: " + refused);

    String noPurpose;
    try {
      contacts.byCountry("NL");
      noPurpose = "(not refused)";
    } catch (NoProcessingContextException e) {
      noPurpose = e.getMessage();
    }
    out.println("A call with no purpose:                   refused: " + noPurpose);

    engine.withdraw(SubjectId.of("c-1"), Purpose.of("marketing"));
    List<Contact> afterWithdrawal;
    try (var scope = engine.process(AccessContext.of("campaign-service", "marketing.email"))) {
      afterWithdrawal = contacts.byCountry("NL");
    }
    out.println("Marketing export after c-1 withdrew:      " + afterWithdrawal);

    boolean auditValid = engine.audit().verify().valid();
    out.println("Audit trail: " + engine.audit().head().sequence() + " events, hash chain "
        + (auditValid ? "verifies" : "BROKEN"));
    out.println("Subject access export for c-1:");
    out.println(engine.export(SubjectId.of("c-1")).toJson());
    engine.close();
    return Map.of("campaign", campaign, "support", support, "friends", friends, "refused", refused,
        "noPurpose", noPurpose, "afterWithdrawal", afterWithdrawal, "auditValid", auditValid);
  }

  /** The application's own repository: knows nothing about consent. */
  static final class InMemoryContacts implements ContactRepository {
    private final List<Contact> all = List.of(
        new Contact("c-1", "NL", "c1@example.org", "+31 600 000 001"),
        new Contact("c-2", "NL", "c2@example.org", "+31 600 000 002"),
        new Contact("c-3", "NL", "c3@example.org", "+31 600 000 003"));

    @Override
    public List<Contact> byCountry(String country) {
      List<Contact> out = new ArrayList<>();
      for (Contact c : all) {
        if (c.country().equals(country)) {
          out.add(c);
        }
      }
      return out;
    }

    @Override
    public List<Contact> friendsOf(String userId) {
      return all.stream().filter(c -> !c.id().equals(userId)).toList();
    }
  }
}
