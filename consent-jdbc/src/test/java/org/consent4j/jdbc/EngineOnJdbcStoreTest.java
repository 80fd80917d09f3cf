package org.consent4j.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.consent4j.AccessContext;
import org.consent4j.Catalog;
import org.consent4j.ConsentStoreUnavailableException;
import org.consent4j.DataCategory;
import org.consent4j.Decision;
import org.consent4j.Grant;
import org.consent4j.GrantId;
import org.consent4j.LedgerEntry;
import org.consent4j.LegalBasis;
import org.consent4j.Purpose;
import org.consent4j.Reason;
import org.consent4j.Recipient;
import org.consent4j.SubjectId;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.InMemoryConsentStore;
import org.consent4j.jdbc.TestDatabases.Database;
import org.consent4j.spi.ConsentStore;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

final class EngineOnJdbcStoreTest {
  static final Catalog CATALOG = Catalog.builder()
      .purpose("marketing", LegalBasis.CONSENT)
      .purpose("marketing.email", LegalBasis.CONSENT)
      .purpose("fraud", LegalBasis.LEGITIMATE_INTERESTS, "contact")
      .categories("contact.email", "contact.phone")
      .recipient("quizlab")
      .build();
  static final SubjectId ALICE = SubjectId.of("c-1");
  static final SubjectId BOB = SubjectId.of("c-2");
  static final DataCategory EMAIL = DataCategory.of("contact.email");
  static final DataCategory PHONE = DataCategory.of("contact.phone");
  static final AccessContext CAMPAIGN = AccessContext.of("campaign", "marketing.email");
  static final AccessContext QUIZ = AccessContext.of("campaign", "marketing.email", "quizlab");
  static final AccessContext FRAUD = AccessContext.of("risk", "fraud");

  /** A clock the scenario moves by hand, with nanoseconds. */
  static final class ManualClock extends Clock {
    private volatile Instant now = Instant.parse("2026-03-01T09:00:00.000000001Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }

  /** What a decision says, without the ledger sequence it was made at. */
  record Said(Reason subject, Object categories) {
    static Said of(Decision d) {
      return new Said(d.subjectReason(), d.categories());
    }
  }

  /** Grant, withdraw, regrant, expire, object; every decision along the way. */
  static List<Said> scenario(ConsentStore store) {
    ManualClock clock = new ManualClock();
    ConsentEngine engine = ConsentEngine.builder().catalog(CATALOG).store(store).clock(clock).build();
    List<Said> said = new ArrayList<>();
    Set<DataCategory> both = Set.of(EMAIL, PHONE);
    Runnable checkAll = () -> {
      said.add(Said.of(engine.check(ALICE, CAMPAIGN, both)));
      said.add(Said.of(engine.check(ALICE, QUIZ, both)));
      said.add(Said.of(engine.check(BOB, CAMPAIGN, both)));
      said.add(Said.of(engine.check(ALICE, FRAUD, both)));
      said.add(Said.of(engine.check(BOB, FRAUD, both)));
      engine.checkAll(List.of(ALICE, BOB), CAMPAIGN, both).values().forEach(d -> said.add(Said.of(d)));
    };

    checkAll.run();
    engine.grant(Grant.builder(ALICE).id(GrantId.of("g1")).purpose("marketing").category("contact.email")
        .expiresAt(clock.instant().plus(Duration.ofDays(30))));
    engine.grant(Grant.builder(BOB).id(GrantId.of("g2")).purpose("marketing.email").category("contact")
        .recipient(Recipient.FIRST_PARTY).recipient("quizlab"));
    checkAll.run();
    clock.advance(Duration.ofHours(1));
    engine.withdraw(ALICE, Purpose.of("marketing.email"));
    engine.withdraw(BOB, Purpose.of("marketing"), Recipient.of("quizlab"));
    checkAll.run();
    clock.advance(Duration.ofNanos(1));
    engine.grant(Grant.builder(ALICE).id(GrantId.of("g3")).purpose("marketing.email").category("contact")
        .expiresAt(clock.instant().plus(Duration.ofDays(10))));
    engine.object(BOB, Purpose.of("fraud"));
    checkAll.run();
    clock.advance(Duration.ofDays(10).minusNanos(1));
    checkAll.run();
    clock.advance(Duration.ofNanos(1));
    checkAll.run();
    said.add(new Said(null, engine.history(ALICE).stream().map(LedgerEntry::record).toList()));
    said.add(new Said(null, engine.history(BOB).stream().map(LedgerEntry::record).toList()));
    return said;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void engineDecidesTheSameOnTheJdbcStoreAsInMemory(Database db) {
    List<Said> inMemory = scenario(new InMemoryConsentStore());
    List<Said> onJdbc = scenario(db.newStore());

    assertEquals(inMemory, onJdbc);
    // The scenario reaches every step it means to: granted, withdrawn, expired, objected.
    List<Reason> reasons = inMemory.stream().map(Said::subject).toList();
    for (Reason r : List.of(Reason.NO_GRANT, Reason.GRANTED, Reason.GRANT_WITHDRAWN, Reason.GRANT_EXPIRED,
        Reason.RECIPIENT_NOT_COVERED, Reason.OBJECTED, Reason.LEGAL_BASIS)) {
      assertTrue(reasons.contains(r), "scenario reaches " + r);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void engineFailsClosedWhenTheDatabaseIsUnreachable(Database db) {
    CountingDataSource flaky = new CountingDataSource(db.dataSource());
    JdbcConsentStore store = JdbcConsentStore.builder(flaky.dataSource()).tablePrefix(db.tablePrefix()).build();
    ConsentEngine engine = ConsentEngine.builder().catalog(CATALOG).store(store).build();
    engine.grant(Grant.builder(ALICE).purpose("marketing").category("contact"));
    engine.invalidateCache();

    flaky.failConnections(true);

    ConsentStoreUnavailableException e = assertThrows(ConsentStoreUnavailableException.class,
        () -> engine.check(ALICE, CAMPAIGN, Set.of(EMAIL)));
    assertTrue(e.getMessage().contains("c-1") || e.getCause().getMessage().contains("c-1"), e.getMessage());
    assertThrows(ConsentStoreUnavailableException.class, () -> engine.withdraw(ALICE, Purpose.of("marketing")));
    flaky.failConnections(false);
    assertEquals(Reason.GRANTED, engine.check(ALICE, CAMPAIGN, Set.of(EMAIL)).subjectReason());
  }
}
