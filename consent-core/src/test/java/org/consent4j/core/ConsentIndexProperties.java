package org.consent4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.consent4j.AccessContext;
import org.consent4j.Catalog;
import org.consent4j.ConsentRecord;
import org.consent4j.DataCategory;
import org.consent4j.Decision;
import org.consent4j.Evidence;
import org.consent4j.Grant;
import org.consent4j.GrantWithdrawal;
import org.consent4j.LedgerEntry;
import org.consent4j.Notice;
import org.consent4j.Objection;
import org.consent4j.Purpose;
import org.consent4j.PurposeDefinition;
import org.consent4j.Recipient;
import org.consent4j.SubjectId;
import org.consent4j.Withdrawal;
import org.consent4j.core.internal.ConsentRules;

/**
 * The consent index decides as {@link ConsentRules} does over the store's ledgers, for every
 * subject, purpose, recipient and category set, at every instant it answers for: each grant
 * start, expiry and withdrawal instant and one nanosecond either side, and instants in between.
 * Ledgers are random (grants in the past and future, expiring or not, several purposes,
 * categories and recipients, notices, explicit flags; withdrawals by purpose, by purpose and
 * recipient, and by grant id, before and after grants; objections), and the index is either loaded
 * from the full store or kept current record by record through {@link ConsentIndex#refresh}.
 */
final class ConsentIndexProperties {
  /** Numeric ids (own numbers), a leading-zero and a beyond-int number (dictionary), text ids. */
  static final List<String> SUBJECTS = List.of("1", "42", "007", "2147483648", "alice", "bob");
  static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");

  sealed interface Op permits GrantOp, WithdrawOp, WithdrawGrantOp, ObjectOp {}

  record GrantOp(String subject, Set<String> purposes, Set<String> categories, Set<String> recipients,
      Integer notice, int startOffset, Integer lifetime, boolean explicit, boolean explicitTransfer) implements Op {}

  record WithdrawOp(String subject, String purpose, String recipient, int offset) implements Op {}

  record WithdrawGrantOp(int pick) implements Op {}

  record ObjectOp(String subject, String purpose, int offset) implements Op {}

  @Provide
  Arbitrary<List<Op>> ledgers() {
    Arbitrary<String> subject = Arbitraries.of(SUBJECTS);
    Arbitrary<Op> grant = Combinators.combine(subject,
            Arbitraries.of(ConsentEngineModelProperties.CONSENT_PURPOSES).set().ofMinSize(1).ofMaxSize(2),
            Arbitraries.of(ConsentEngineModelProperties.CATEGORIES).set().ofMinSize(1).ofMaxSize(2),
            Arbitraries.of(ConsentEngineModelProperties.RECIPIENTS).set().ofMaxSize(2),
            Arbitraries.integers().between(1, 3).injectNull(0.3),
            // mostly in the past (class subjects), sometimes after the instant of indexing
            Arbitraries.integers().between(-100, 30),
            Arbitraries.integers().between(1, 120).injectNull(0.6),
            Arbitraries.integers().between(0, 3))
        .as((s, ps, cs, rs, n, start, life, flags) -> new GrantOp(s, ps, cs, rs, n, start, life, (flags & 1) != 0,
            (flags & 2) != 0));
    Arbitrary<Op> withdraw = Combinators.combine(subject,
            Arbitraries.of(ConsentEngineModelProperties.CONSENT_PURPOSES),
            Arbitraries.of(ConsentEngineModelProperties.RECIPIENTS).injectNull(0.6),
            Arbitraries.integers().between(-100, 0))
        .as(WithdrawOp::new);
    Arbitrary<Op> withdrawGrant = Arbitraries.integers().between(0, 30).map(WithdrawGrantOp::new);
    Arbitrary<Op> object = Combinators.combine(subject, Arbitraries.of("analytics", "analytics.web"),
            Arbitraries.integers().between(-100, 0))
        .as(ObjectOp::new);
    return Arbitraries.frequencyOf(Tuple.of(6, grant), Tuple.of(2, withdraw), Tuple.of(1, withdrawGrant),
            Tuple.of(1, object))
        .list().ofMinSize(0).ofMaxSize(30);
  }

  @Provide
  Arbitrary<List<Set<String>>> categorySets() {
    return Arbitraries.of(ConsentEngineModelProperties.CATEGORIES).set().ofMaxSize(3).list().ofMinSize(1).ofMaxSize(3);
  }

  @Property(tries = 300)
  void indexDecidesAsTheRules(@ForAll("ledgers") List<Op> ops, @ForAll("categorySets") List<Set<String>> asked,
      @ForAll boolean loaded) {
    Catalog catalog = ConsentEngineModelProperties.catalog();
    InMemoryConsentStore store = new InMemoryConsentStore();
    ConsentIndex index = new ConsentIndex(catalog, store, Clock.fixed(T0, ZoneOffset.UTC), () -> true);
    if (!loaded) {
      index.load(); // empty; kept current by refreshes from here on
    }
    List<Grant> grants = new ArrayList<>();
    TreeSet<Instant> instants = new TreeSet<>(List.of(T0));
    for (Op op : ops) {
      ConsentRecord record = record(op, grants, instants);
      if (record == null) {
        continue;
      }
      store.append(record, T0);
      if (!loaded) {
        index.refresh(record.subject());
      }
    }
    if (loaded) {
      index.load();
    }
    assertTrue(index.isUsable(), "a loaded index is usable");
    List<Instant> at = new ArrayList<>();
    for (Instant i : instants) {
      at.add(i.minusNanos(1));
      at.add(i);
      at.add(i.plusNanos(1));
      at.add(i.plusSeconds(7));
    }
    int answered = 0;
    for (PurposeDefinition definition : catalog.purposes()) {
      for (String recipient : ConsentEngineModelProperties.RECIPIENTS) {
        AccessContext context = AccessContext.of("prop", definition.purpose().toString(), recipient);
        for (Set<String> names : asked) {
          TreeSet<DataCategory> categories = new TreeSet<>();
          names.forEach(n -> categories.add(DataCategory.of(n)));
          for (String s : SUBJECTS) {
            SubjectId subject = SubjectId.of(s);
            List<LedgerEntry> ledger = ConsentRules.needsHistory(definition) ? store.history(subject) : List.of();
            for (Instant t : at) {
              Optional<Decision> fromIndex = index.decide(subject, definition, context, categories, t);
              if (!t.isBefore(index.validSince())) {
                assertTrue(fromIndex.isPresent(), "the index answers for every instant from validSince on");
              }
              if (fromIndex.isPresent()) {
                answered++;
                assertEquals(ConsentRules.decide(subject, catalog, definition, context, ledger, categories, t),
                    fromIndex.get(), () -> "subject " + s + " at " + t + " for " + context + " " + categories);
              }
            }
          }
        }
      }
    }
    assertTrue(answered > 0, "some decisions came from the index");
    assertTrue(!index.validSince().isAfter(T0), "validSince never lies after the instant of indexing");
  }

  /**
   * The engine's decider answers as {@code decideAll} does, bit for bit (subject and every category
   * asked), for every subject (own numbers by {@code permissions(long)} and by id, dictionary ids,
   * subjects without a ledger), purpose, recipient and category set, at every instant: before
   * {@code validSince} too, where it falls back to the engine's store path. The engine's index is
   * either loaded from the full store or kept current record by record.
   */
  @Property(tries = 200)
  void deciderDecidesAsDecideAll(@ForAll("ledgers") List<Op> ops, @ForAll("categorySets") List<Set<String>> asked,
      @ForAll boolean loaded) {
    Catalog catalog = ConsentEngineModelProperties.catalog();
    InMemoryConsentStore store = new InMemoryConsentStore();
    ConsentEngine engine = null;
    if (!loaded) {
      engine = engine(catalog, store); // empty; kept current by refreshes from here on
    }
    List<Grant> grants = new ArrayList<>();
    TreeSet<Instant> instants = new TreeSet<>(List.of(T0));
    for (Op op : ops) {
      ConsentRecord record = record(op, grants, instants);
      if (record == null) {
        continue;
      }
      store.append(record, T0);
      if (!loaded) {
        engine.invalidateCache(record.subject());
      }
    }
    if (loaded) {
      engine = engine(catalog, store);
    }
    List<String> subjects = new ArrayList<>(SUBJECTS);
    subjects.add("99"); // no ledger at all
    List<Instant> at = new ArrayList<>();
    for (Instant i : instants) {
      at.add(i.minusNanos(1));
      at.add(i);
      at.add(i.plusSeconds(7));
    }
    int fromIndex = 0;
    for (PurposeDefinition definition : catalog.purposes()) {
      for (String recipient : ConsentEngineModelProperties.RECIPIENTS) {
        AccessContext context = AccessContext.of("prop", definition.purpose().toString(), recipient);
        for (Set<String> names : asked) {
          TreeSet<DataCategory> categories = new TreeSet<>();
          names.forEach(n -> categories.add(DataCategory.of(n)));
          for (Instant t : at) {
            Optional<ConsentIndex.Decider> decider = engine.decider(context, categories, t);
            assertEquals(ConsentRules.needsHistory(definition), decider.isPresent(),
                "a decider exactly for the purposes whose decisions read the ledger");
            if (decider.isEmpty()) {
              continue;
            }
            ConsentIndex.Decider d = decider.get();
            assertEquals(categories, d.categories());
            for (String s : subjects) {
              SubjectId subject = SubjectId.of(s);
              Decision expected = engine.decideAll(List.of(subject), context, categories, t).get(subject);
              assertEquals(ConsentRules.decide(subject, catalog, definition, context, store.history(subject),
                  categories, t), expected, "decideAll decides by the rules");
              long bits = expected.subjectPermitted() ? ConsentIndex.Decider.SUBJECT : 0;
              for (DataCategory c : categories) {
                bits |= expected.permits(c) ? d.category(c) : 0;
              }
              long want = bits;
              assertEquals(want, d.permissions(subject), () -> "subject " + s + " at " + t + " for " + context);
              long number = Long.parseLong(s.replaceAll("[^0-9]", "0"));
              if (Long.toString(number).equals(s)) {
                assertEquals(want, d.permissions(number), () -> "subject number " + s + " at " + t);
              }
              if (!t.isBefore(engine.consentIndex().orElseThrow().validSince())) {
                fromIndex++;
              }
            }
          }
        }
      }
    }
    assertTrue(fromIndex > 0, "some decisions came from the index");
    engine.close();
  }

  private static ConsentEngine engine(Catalog catalog, InMemoryConsentStore store) {
    ConsentEngine engine = ConsentEngine.builder().catalog(catalog).store(store)
        .clock(Clock.fixed(T0, ZoneOffset.UTC)).consentIndex(true).build();
    assertTrue(engine.consentIndex().orElseThrow().isUsable(), "an index over an in-memory store loads at once");
    return engine;
  }

  private static ConsentRecord record(Op op, List<Grant> grants, Set<Instant> instants) {
    if (op instanceof GrantOp g) {
      Instant from = T0.plusSeconds(g.startOffset());
      Grant.Builder b = Grant.builder(SubjectId.of(g.subject())).grantedAt(from);
      g.purposes().forEach(b::purpose);
      g.categories().forEach(b::category);
      g.recipients().forEach(b::recipient);
      if (g.notice() != null) {
        b.notice(Notice.of("privacy", g.notice()));
      }
      if (g.lifetime() != null) {
        b.expiresAt(from.plusSeconds(g.lifetime()));
        instants.add(from.plusSeconds(g.lifetime()));
      }
      if (g.explicit()) {
        b.explicit();
      }
      if (g.explicitTransfer()) {
        b.explicitTransfer();
      }
      Grant grant = b.build(T0.plusSeconds(1000));
      grants.add(grant);
      instants.add(from);
      return grant;
    }
    if (op instanceof WithdrawOp w) {
      Instant at = T0.plusSeconds(w.offset());
      instants.add(at);
      return new Withdrawal(SubjectId.of(w.subject()), Purpose.of(w.purpose()),
          Optional.ofNullable(w.recipient()).map(Recipient::of), at, Evidence.api());
    }
    if (op instanceof WithdrawGrantOp w) {
      if (grants.isEmpty()) {
        return null;
      }
      Grant g = grants.get(w.pick() % grants.size());
      return new GrantWithdrawal(g.subject(), g.id(), T0, Evidence.api());
    }
    ObjectOp o = (ObjectOp) op;
    return new Objection(SubjectId.of(o.subject()), Purpose.of(o.purpose()), T0.plusSeconds(o.offset()), Evidence.api());
  }
}
