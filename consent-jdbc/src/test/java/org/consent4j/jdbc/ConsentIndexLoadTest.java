package org.consent4j.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.consent4j.AccessContext;
import org.consent4j.Catalog;
import org.consent4j.ConsentRecord;
import org.consent4j.DataCategory;
import org.consent4j.Decision;
import org.consent4j.Evidence;
import org.consent4j.Grant;
import org.consent4j.GrantWithdrawal;
import org.consent4j.LedgerEntry;
import org.consent4j.LegalBasis;
import org.consent4j.Notice;
import org.consent4j.Objection;
import org.consent4j.Purpose;
import org.consent4j.PurposeDefinition;
import org.consent4j.Recipient;
import org.consent4j.SubjectId;
import org.consent4j.Withdrawal;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.ConsentIndex;
import org.consent4j.core.internal.ConsentRules;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A consent index loaded from a JDBC store by its streamed full read equals the store: every
 * ledger comes out as {@code history} reads it, and every decision equals the rules over the
 * store's ledgers, at the grants' start and expiry instants and one nanosecond either side; an
 * engine with the index decides as one without it.
 */
final class ConsentIndexLoadTest {
  static final Catalog CATALOG = Catalog.builder()
      .purpose("marketing", LegalBasis.CONSENT)
      .purpose(PurposeDefinition.consent(Purpose.of("marketing.email")).withMinimumNotice(Notice.of("privacy", 2)))
      .purpose("research", LegalBasis.CONSENT)
      .purpose("fraud", LegalBasis.LEGITIMATE_INTERESTS, "contact")
      .categories("contact.email", "contact.phone", "profile")
      .recipient("quizlab").recipient("adnet", "US")
      .notice("privacy", 1).notice("privacy", 2)
      .build();
  static final List<String> PURPOSES = List.of("marketing", "marketing.email", "research");
  static final List<String> CATEGORIES = List.of("contact", "contact.email", "contact.phone", "profile");
  static final List<String> RECIPIENTS = List.of("self", "quizlab", "adnet");
  static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");
  /** Ids a case-insensitive or padding collation compares equal come in pairs, so their rows may interleave. */
  static final List<String> SUBJECTS = List.of("1", "2", "17", "100000", "007", "2147483648", "Ab", "ab", "aB",
      "x y", "x", "c-1", "c-2", "C-2");

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void aLoadedIndexEqualsTheStore(TestDatabases.Database db) {
    JdbcConsentStore store = db.newStore();
    Random random = new Random(13);
    List<Grant> grants = new ArrayList<>();
    TreeSet<Instant> instants = new TreeSet<>(List.of(T0));
    for (int i = 0; i < 160; i++) {
      ConsentRecord r = record(random, grants, instants);
      if (r != null) {
        store.append(r, T0);
      }
    }

    Map<SubjectId, List<LedgerEntry>> streamed = new LinkedHashMap<>();
    int[] parts = {0};
    store.forEachLedger(ledger -> {
      parts[0]++;
      streamed.merge(ledger.get(0).record().subject(), ledger, (a, b) -> {
        List<LedgerEntry> both = new ArrayList<>(a);
        both.addAll(b);
        both.sort(java.util.Comparator.comparingLong(LedgerEntry::sequence));
        return both;
      });
    });
    Map<SubjectId, List<LedgerEntry>> stored = new HashMap<>();
    for (String s : SUBJECTS) {
      List<LedgerEntry> h = store.history(SubjectId.of(s));
      if (!h.isEmpty()) {
        stored.put(SubjectId.of(s), h);
      }
    }
    assertEquals(stored, streamed, "the full read passes every ledger, record for record");
    assertTrue(parts[0] >= stored.size());

    ConsentIndex index = new ConsentIndex(CATALOG, store, Clock.fixed(T0, ZoneOffset.UTC), () -> true);
    index.load();
    assertTrue(index.isUsable());
    assertEquals(stored.size(), index.stats().subjects());
    int answered = 0;
    for (PurposeDefinition definition : CATALOG.purposes()) {
      for (String recipient : RECIPIENTS) {
        AccessContext context = AccessContext.of("load-test", definition.purpose().toString(), recipient);
        for (List<String> names : List.of(List.<String>of(), List.of("contact.email"), List.of("contact", "profile"))) {
          TreeSet<DataCategory> asked = new TreeSet<>();
          names.forEach(n -> asked.add(DataCategory.of(n)));
          for (String s : SUBJECTS) {
            SubjectId subject = SubjectId.of(s);
            List<LedgerEntry> ledger = ConsentRules.needsHistory(definition)
                ? stored.getOrDefault(subject, List.of()) : List.of();
            for (Instant i : instants) {
              for (Instant t : List.of(i.minusNanos(1), i, i.plusNanos(1))) {
                Optional<Decision> d = index.decide(subject, definition, context, asked, t);
                if (!t.isBefore(index.validSince())) {
                  assertTrue(d.isPresent(), "answered from validSince on");
                  answered++;
                  assertEquals(ConsentRules.decide(subject, CATALOG, definition, context, ledger, asked, t), d.get(),
                      () -> db + " subject " + s + " at " + t + " " + context + " " + asked);
                }
              }
            }
          }
        }
      }
    }
    assertTrue(answered > 1000, "decisions compared: " + answered);

    // the engine with the index decides as one without it
    Clock clock = Clock.fixed(T0.plusSeconds(40), ZoneOffset.UTC);
    ConsentEngine indexed = ConsentEngine.builder().catalog(CATALOG).store(store).clock(clock).consentIndex(true)
        .build();
    ConsentEngine plain = ConsentEngine.builder().catalog(CATALOG).store(store).clock(clock).consentIndex(false)
        .build();
    ConsentIndex engineIndex = indexed.consentIndex().orElseThrow();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!engineIndex.isUsable()) {
      assertTrue(System.nanoTime() < deadline, "the engine's index did not load");
      Thread.onSpinWait();
    }
    List<SubjectId> all = SUBJECTS.stream().map(SubjectId::of).toList();
    for (String p : List.of("marketing", "marketing.email", "research", "fraud")) {
      for (String r : RECIPIENTS) {
        AccessContext ctx = AccessContext.of("load-test", p, r);
        Set<DataCategory> cats = Set.of(DataCategory.of("contact.email"), DataCategory.of("profile"));
        assertEquals(plain.decideAll(all, ctx, cats, clock.instant()), indexed.decideAll(all, ctx, cats,
            clock.instant()));
      }
    }
  }

  private static ConsentRecord record(Random random, List<Grant> grants, Set<Instant> instants) {
    SubjectId subject = SubjectId.of(SUBJECTS.get(random.nextInt(SUBJECTS.size())));
    int kind = random.nextInt(10);
    if (kind < 6) {
      Instant from = T0.plusSeconds(random.nextInt(130) - 100);
      Grant.Builder b = Grant.builder(subject).grantedAt(from).purpose(pick(random, PURPOSES))
          .category(pick(random, CATEGORIES));
      if (random.nextBoolean()) {
        b.purpose(pick(random, PURPOSES)).category(pick(random, CATEGORIES));
      }
      if (random.nextInt(3) == 0) {
        b.recipient(pick(random, RECIPIENTS));
      }
      if (random.nextInt(3) > 0) {
        b.notice(Notice.of("privacy", 1 + random.nextInt(2)));
      }
      if (random.nextInt(3) == 0) {
        Instant until = from.plusSeconds(1 + random.nextInt(120));
        b.expiresAt(until);
        instants.add(until);
      }
      if (random.nextInt(4) == 0) {
        b.explicit();
      }
      if (random.nextInt(4) == 0) {
        b.explicitTransfer();
      }
      Grant g = b.build(T0.plusSeconds(1000));
      grants.add(g);
      instants.add(from);
      return g;
    }
    if (kind < 8) {
      String recipient = random.nextBoolean() ? null : pick(random, RECIPIENTS);
      return new Withdrawal(subject, Purpose.of(pick(random, PURPOSES)), Optional.ofNullable(recipient)
          .map(Recipient::of), T0.plusSeconds(random.nextInt(100) - 100), Evidence.api());
    }
    if (kind == 8 && !grants.isEmpty()) {
      Grant g = grants.get(random.nextInt(grants.size()));
      return new GrantWithdrawal(g.subject(), g.id(), T0, Evidence.api());
    }
    return new Objection(subject, Purpose.of("fraud"), T0.minusSeconds(5), Evidence.api());
  }

  private static String pick(Random random, List<String> values) {
    return values.get(random.nextInt(values.size()));
  }
}
