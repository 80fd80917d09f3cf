package org.consent4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.consent4j.AccessContext;
import org.consent4j.Article9Condition;
import org.consent4j.Catalog;
import org.consent4j.DataCategory;
import org.consent4j.Decision;
import org.consent4j.Grant;
import org.consent4j.GrantId;
import org.consent4j.LegalBasis;
import org.consent4j.Notice;
import org.consent4j.Purpose;
import org.consent4j.PurposeDefinition;
import org.consent4j.Reason;
import org.consent4j.Recipient;
import org.consent4j.SubjectId;
import org.consent4j.TransferSafeguard;
import org.consent4j.UnknownGrantException;

/**
 * Random sequences of grant, withdraw (by purpose and by grant id), object, advance-clock and
 * check, run against the engine and against a small reference model written from the rules in
 * plain string terms; every check
 * must give the same reasons, for the subject and for every category.
 */
final class ConsentEngineModelProperties {

  static final List<String> SUBJECTS = List.of("s1", "s2", "s3");
  static final List<String> CONSENT_PURPOSES = List.of("marketing", "marketing.email", "marketing.sms", "research");
  static final List<String> ALL_PURPOSES =
      List.of("marketing", "marketing.email", "marketing.sms", "research", "analytics", "analytics.web", "support");
  static final List<String> CATEGORIES =
      List.of("contact", "contact.email", "contact.phone", "profile", "profile.interests");
  /** adnet: US, no safeguards (a transfer needing explicit consent); cloudco: US with SCCs; jpco: JP, adequate. */
  static final List<String> RECIPIENTS = List.of("self", "quizlab", "adnet", "cloudco", "jpco");
  static final String SPECIAL = "profile.interests";
  static final String UNSAFE = "adnet";
  static final Map<String, Integer> MIN_NOTICE = Map.of("marketing.email", 2);

  static Catalog catalog() {
    return Catalog.builder()
        .purpose("marketing", LegalBasis.CONSENT)
        .purpose(PurposeDefinition.consent(Purpose.of("marketing.email")).withMinimumNotice(Notice.of("privacy", 2)))
        .purpose("marketing.sms", LegalBasis.CONSENT)
        .purpose("research", LegalBasis.CONSENT)
        .purpose("analytics", LegalBasis.LEGITIMATE_INTERESTS, "contact")
        .purpose(PurposeDefinition.of(Purpose.of("analytics.web"), LegalBasis.LEGITIMATE_INTERESTS,
            List.of(DataCategory.of("profile"))).withRecipients(List.of(Recipient.FIRST_PARTY, Recipient.of("adnet")))
            .withArticle9Condition(Article9Condition.ARCHIVING_RESEARCH_STATISTICS))
        .purpose("support", LegalBasis.CONTRACT, "contact.email")
        .categories("contact.email", "contact.phone").specialCategory(SPECIAL)
        .recipient("quizlab").recipient("adnet", "US").recipient("cloudco", "US", TransferSafeguard.STANDARD_CONTRACTUAL_CLAUSES)
        .recipient("jpco", "JP").adequateJurisdictions("JP", "CH")
        .notice("privacy", 1).notice("privacy", 2).notice("privacy", 3)
        .build();
  }

  // ------------------------------------------------------------------ actions

  sealed interface Action permits GrantA, WithdrawA, WithdrawGrantA, ObjectA, AdvanceA, CheckA {}

  record GrantA(String subject, Set<String> purposes, Set<String> categories, Set<String> recipients,
      Integer notice, Integer backdate, Integer lifetime, boolean explicit, boolean explicitTransfer)
      implements Action {}

  record WithdrawA(String subject, String purpose, String recipient) implements Action {}

  /**
   * Withdraws one grant by id: the {@code pick}-th grant recorded so far (modulo their number),
   * by its own subject, or — when {@code asOther} — by another subject (refused, nothing recorded).
   * With no grant recorded yet, an unknown id (refused).
   */
  record WithdrawGrantA(int pick, boolean asOther) implements Action {}

  record ObjectA(String subject, String purpose) implements Action {}

  record AdvanceA(int seconds) implements Action {}

  record CheckA(List<String> subjects, String purpose, String recipient, Set<String> categories) implements Action {}

  @Provide
  Arbitrary<List<Action>> actions() {
    Arbitrary<String> subject = Arbitraries.of(SUBJECTS);
    Arbitrary<Action> grant = Combinators.combine(
            subject,
            Arbitraries.of(CONSENT_PURPOSES).set().ofMinSize(1).ofMaxSize(2),
            Arbitraries.of(CATEGORIES).set().ofMinSize(1).ofMaxSize(2),
            Arbitraries.of(RECIPIENTS).set().ofMaxSize(2),
            Arbitraries.integers().between(1, 3).injectNull(0.3),
            Arbitraries.integers().between(0, 30).injectNull(0.6),
            Arbitraries.integers().between(1, 60).injectNull(0.5),
            Arbitraries.integers().between(0, 3)) // bit 0: explicit; bit 1: explicit transfer
        .as((s, ps, cs, rs, n, back, life, flags) -> new GrantA(s, ps, cs, rs, n, back, life, (flags & 1) != 0,
            (flags & 2) != 0));
    Arbitrary<Action> withdraw = Combinators.combine(subject, Arbitraries.of(ALL_PURPOSES.subList(0, 4)),
            Arbitraries.of(RECIPIENTS).injectNull(0.6))
        .as(WithdrawA::new);
    Arbitrary<Action> withdrawGrant = Combinators.combine(Arbitraries.integers().between(0, 40),
            Arbitraries.integers().between(0, 4))
        .as((pick, k) -> new WithdrawGrantA(pick, k == 0));
    Arbitrary<Action> object = Combinators.combine(subject, Arbitraries.of("analytics", "analytics.web"))
        .as(ObjectA::new);
    Arbitrary<Action> advance = Arbitraries.integers().between(0, 40).map(AdvanceA::new);
    Arbitrary<Action> check = Combinators.combine(
            Arbitraries.of(SUBJECTS).list().ofMinSize(1).ofMaxSize(3),
            Arbitraries.of(ALL_PURPOSES),
            Arbitraries.of(RECIPIENTS),
            Arbitraries.of(CATEGORIES).set().ofMaxSize(3))
        .as(CheckA::new);
    return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(4, grant),
            net.jqwik.api.Tuple.of(2, withdraw),
            net.jqwik.api.Tuple.of(2, withdrawGrant),
            net.jqwik.api.Tuple.of(1, object),
            net.jqwik.api.Tuple.of(2, advance),
            net.jqwik.api.Tuple.of(6, check))
        .list().ofMinSize(1).ofMaxSize(40);
  }

  @Property(tries = 400)
  void engineDecidesLikeTheReferenceModel(@ForAll("actions") List<Action> actions, @ForAll boolean cached,
      @ForAll boolean indexed) {
    MutableClock clock = MutableClock.startingAt("2026-01-01T00:00:00Z");
    ConsentEngine engine = ConsentEngine.builder().catalog(catalog()).clock(clock)
        .cacheMaximumSize(cached ? 1000 : 0).consentIndex(indexed).build();
    Model model = new Model();
    List<GrantId> grantIds = new ArrayList<>(); // the engine's id of each grant of the model, in order
    for (Action a : actions) {
      Instant now = clock.instant();
      if (a instanceof GrantA g) {
        Grant.Builder b = Grant.builder(SubjectId.of(g.subject()));
        g.purposes().forEach(b::purpose);
        g.categories().forEach(b::category);
        g.recipients().forEach(b::recipient);
        if (g.notice() != null) {
          b.notice("privacy", g.notice());
        }
        Instant from = g.backdate() == null ? now : now.minusSeconds(g.backdate());
        b.grantedAt(from);
        if (g.lifetime() != null) {
          b.expiresAt(from.plusSeconds(g.lifetime()));
        }
        if (g.explicit()) {
          b.explicit();
        }
        if (g.explicitTransfer()) {
          b.explicitTransfer();
        }
        grantIds.add(engine.grant(b).id());
        model.grant(g, from);
      } else if (a instanceof WithdrawA w) {
        if (w.recipient() == null) {
          engine.withdraw(SubjectId.of(w.subject()), Purpose.of(w.purpose()));
        } else {
          engine.withdraw(SubjectId.of(w.subject()), Purpose.of(w.purpose()), Recipient.of(w.recipient()));
        }
        model.withdraw(w, now);
      } else if (a instanceof WithdrawGrantA w) {
        if (grantIds.isEmpty()) {
          assertThrows(UnknownGrantException.class, () -> engine.withdraw(SubjectId.of("s1"), GrantId.random()));
          continue;
        }
        int index = w.pick() % grantIds.size();
        String owner = model.grants.get(index).subject();
        if (w.asOther()) {
          String other = SUBJECTS.get((SUBJECTS.indexOf(owner) + 1) % SUBJECTS.size());
          long before = engine.history(SubjectId.of(other)).size();
          assertThrows(UnknownGrantException.class, () -> engine.withdraw(SubjectId.of(other), grantIds.get(index)));
          assertEquals(before, engine.history(SubjectId.of(other)).size(), "a refused withdrawal records nothing");
        } else {
          long before = engine.history(SubjectId.of(owner)).size();
          engine.withdraw(SubjectId.of(owner), grantIds.get(index));
          // idempotent: a second withdrawal of the same grant records nothing
          assertEquals(before + (model.withdrawnGrants.add(index) ? 1 : 0),
              engine.history(SubjectId.of(owner)).size());
        }
      } else if (a instanceof ObjectA o) {
        engine.object(SubjectId.of(o.subject()), Purpose.of(o.purpose()));
        model.object(o);
      } else if (a instanceof AdvanceA adv) {
        clock.advance(Duration.ofSeconds(adv.seconds()));
      } else if (a instanceof CheckA c) {
        AccessContext ctx = AccessContext.of("prop", c.purpose(), c.recipient());
        Set<DataCategory> cats = new TreeSet<>();
        c.categories().forEach(x -> cats.add(DataCategory.of(x)));
        List<SubjectId> ids = c.subjects().stream().map(SubjectId::of).toList();
        Map<SubjectId, Decision> got = ids.size() == 1
            ? Map.of(ids.get(0), engine.check(ids.get(0), ctx, cats))
            : engine.checkAll(ids, ctx, cats);
        for (String s : c.subjects()) {
          Decision d = got.get(SubjectId.of(s));
          Map<String, Reason> expected = model.decide(s, c.purpose(), c.recipient(), c.categories(), now);
          Map<String, Reason> actual = new TreeMap<>();
          actual.put("(subject)", d.subjectReason());
          d.categories().forEach((k, v) -> actual.put(k.name(), v));
          assertEquals(expected, actual, () -> "after " + actions + "\nchecking " + c + " for " + s);
        }
      }
    }
  }

  /** The rules, written again from scratch in terms of strings and lists. */
  static final class Model {
    record G(int at, String subject, Set<String> purposes, Set<String> categories, Set<String> recipients,
        Integer notice, Instant from, Instant until, boolean explicit, boolean explicitTransfer) {}

    record W(int at, String subject, String purpose, String recipient, Instant time) {}

    record O(String subject, String purpose) {}

    final List<G> grants = new ArrayList<>();
    final List<W> withdrawals = new ArrayList<>();
    final List<O> objections = new ArrayList<>();
    /** Indexes into {@link #grants} of the grants withdrawn by id. */
    final Set<Integer> withdrawnGrants = new java.util.HashSet<>();
    int counter;

    void grant(GrantA g, Instant from) {
      grants.add(new G(counter++, g.subject(), g.purposes(), g.categories(),
          g.recipients().isEmpty() ? Set.of("self") : g.recipients(), g.notice(), from,
          g.lifetime() == null ? null : from.plusSeconds(g.lifetime()), g.explicit(), g.explicitTransfer()));
    }

    void withdraw(WithdrawA w, Instant now) {
      withdrawals.add(new W(counter++, w.subject(), w.purpose(), w.recipient(), now));
    }

    void object(ObjectA o) {
      objections.add(new O(o.subject(), o.purpose()));
      counter++;
    }

    static boolean under(String child, String parent) {
      return child.equals(parent) || child.startsWith(parent + ".");
    }

    Map<String, Reason> decide(String subject, String purpose, String recipient, Set<String> categories, Instant now) {
      Map<String, Reason> out = new LinkedHashMap<>();
      Reason subjectReason;
      Map<String, Reason> perCategory = new TreeMap<>();
      switch (purpose) {
        case "support" -> {
          subjectReason = recipient.equals("self") ? Reason.LEGAL_BASIS : Reason.RECIPIENT_NOT_COVERED;
          for (String c : categories) {
            perCategory.put(c, !subjectReason.permits() ? subjectReason
                : under(c, "contact.email") ? Reason.LEGAL_BASIS : Reason.CATEGORY_NOT_DECLARED);
          }
        }
        case "analytics", "analytics.web" -> {
          boolean objected = objections.stream().anyMatch(o -> o.subject().equals(subject)
              && (under(o.purpose(), purpose) || under(purpose, o.purpose())));
          Set<String> allowedRecipients = purpose.equals("analytics") ? Set.of("self") : Set.of("self", "adnet");
          String declared = purpose.equals("analytics") ? "contact" : "profile";
          subjectReason = objected ? Reason.OBJECTED
              : !allowedRecipients.contains(recipient) ? Reason.RECIPIENT_NOT_COVERED
              : recipient.equals(UNSAFE) ? Reason.TRANSFER_NOT_SAFEGUARDED
              : Reason.LEGAL_BASIS;
          for (String c : categories) {
            perCategory.put(c, !subjectReason.permits() ? subjectReason
                : under(c, declared) ? Reason.LEGAL_BASIS : Reason.CATEGORY_NOT_DECLARED);
          }
        }
        default -> {
          List<G> candidates = grants.stream().filter(g -> g.subject().equals(subject)
              && g.purposes().stream().anyMatch(p -> under(purpose, p))).toList();
          List<G> notWithdrawn = candidates.stream().filter(g -> !withdrawnGrants.contains(grants.indexOf(g)))
              .filter(g -> withdrawals.stream().noneMatch(w ->
              w.subject().equals(subject) && (w.at() > g.at() || g.from().isBefore(w.time()))
                  && (under(purpose, w.purpose()) || under(w.purpose(), purpose))
                  && (w.recipient() == null || w.recipient().equals(recipient)))).toList();
          List<G> current = notWithdrawn.stream().filter(g -> !g.from().isAfter(now)
              && (g.until() == null || now.isBefore(g.until()))).toList();
          Integer min = MIN_NOTICE.get(purpose);
          List<G> noticed = current.stream().filter(g -> min == null || (g.notice() != null && g.notice() >= min))
              .toList();
          List<G> forRecipient = noticed.stream().filter(g -> g.recipients().contains(recipient)).toList();
          List<G> transferOk = forRecipient.stream().filter(g -> !recipient.equals(UNSAFE) || g.explicitTransfer())
              .toList();
          subjectReason = candidates.isEmpty() ? Reason.NO_GRANT
              : notWithdrawn.isEmpty() ? Reason.GRANT_WITHDRAWN
              : current.isEmpty() ? Reason.GRANT_EXPIRED
              : noticed.isEmpty() ? Reason.NOTICE_OUTDATED
              : forRecipient.isEmpty() ? Reason.RECIPIENT_NOT_COVERED
              : transferOk.isEmpty() ? Reason.TRANSFER_NOT_SAFEGUARDED
              : Reason.GRANTED;
          for (String c : categories) {
            boolean special = under(c, SPECIAL);
            List<G> pool = subjectReason.permits() ? transferOk : forRecipient;
            List<G> covering = pool.stream().filter(g -> g.categories().stream().anyMatch(gc -> under(c, gc)))
                .toList();
            boolean explicitMissing = special && !covering.isEmpty() && covering.stream().noneMatch(G::explicit);
            Reason r;
            if (subjectReason.permits()) {
              r = covering.isEmpty() ? Reason.CATEGORY_NOT_COVERED
                  : explicitMissing ? Reason.EXPLICIT_CONSENT_REQUIRED : Reason.GRANTED;
            } else {
              r = subjectReason == Reason.TRANSFER_NOT_SAFEGUARDED && explicitMissing
                  ? Reason.EXPLICIT_CONSENT_REQUIRED : subjectReason;
            }
            perCategory.put(c, r);
          }
        }
      }
      out.put("(subject)", subjectReason);
      out.putAll(perCategory);
      return new TreeMap<>(out);
    }
  }
}
