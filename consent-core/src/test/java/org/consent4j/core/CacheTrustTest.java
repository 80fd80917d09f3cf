package org.consent4j.core;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.consent4j.AccessContext;
import org.consent4j.Catalog;
import org.consent4j.DataCategory;
import org.consent4j.Grant;
import org.consent4j.LegalBasis;
import org.consent4j.Purpose;
import org.consent4j.SubjectId;
import org.junit.jupiter.api.Test;

/**
 * Two engines on one store, as two nodes on one database: what one engine writes, the other's
 * cache does not know until it is told ({@link ConsentEngine#invalidateCache(SubjectId)}) or
 * stops trusting its cache ({@link ConsentEngine.Builder#cacheTrustedWhile}).
 */
final class CacheTrustTest {
  static final Catalog CATALOG = Catalog.builder().purpose("marketing", LegalBasis.CONSENT)
      .categories("contact.email").build();
  static final SubjectId ALICE = SubjectId.of("c-1");
  static final SubjectId BOB = SubjectId.of("c-2");
  static final DataCategory EMAIL = DataCategory.of("contact.email");
  static final AccessContext CAMPAIGN = AccessContext.of("campaign", "marketing");

  private static boolean permits(ConsentEngine engine, SubjectId s) {
    return engine.check(s, CAMPAIGN, Set.of(EMAIL)).permits(EMAIL);
  }

  @Test
  void anUntrustedCacheIsNeitherReadNorFilled() {
    InMemoryConsentStore store = new InMemoryConsentStore();
    AtomicBoolean trusted = new AtomicBoolean(true);
    ConsentEngine a = ConsentEngine.builder().catalog(CATALOG).store(store).build();
    // the cache's behaviour; the index under the same condition is ConsentIndexEngineTest's
    ConsentEngine b = ConsentEngine.builder().catalog(CATALOG).store(store).cacheTrustedWhile(trusted::get)
        .consentIndex(false).build();
    a.grant(Grant.builder(ALICE).purpose("marketing").category(EMAIL));
    assertTrue(permits(b, ALICE)); // cached in b
    a.withdraw(ALICE, Purpose.of("marketing"));
    assertTrue(permits(b, ALICE), "b's cache does not know of a's withdrawal (this is what the feed fixes)");

    trusted.set(false);
    assertFalse(permits(b, ALICE), "an untrusted cache is not read");
    a.grant(Grant.builder(ALICE).purpose("marketing").category(EMAIL));
    assertTrue(permits(b, ALICE));
    a.withdraw(ALICE, Purpose.of("marketing"));
    trusted.set(true);
    assertFalse(permits(b, ALICE), "what was read while untrusted was not cached");
  }

  @Test
  void invalidatingOneSubjectLeavesTheOthersCached() {
    InMemoryConsentStore store = new InMemoryConsentStore();
    ConsentEngine a = ConsentEngine.builder().catalog(CATALOG).store(store).build();
    // Two nodes without a feed: b's cache is what is tested (an index would never see a's writes).
    ConsentEngine b = ConsentEngine.builder().catalog(CATALOG).store(store).consentIndex(false).build();
    a.grant(Grant.builder(ALICE).purpose("marketing").category(EMAIL));
    a.grant(Grant.builder(BOB).purpose("marketing").category(EMAIL));
    assertTrue(permits(b, ALICE));
    assertTrue(permits(b, BOB));
    a.withdraw(ALICE, Purpose.of("marketing"));
    a.withdraw(BOB, Purpose.of("marketing"));
    b.invalidateCache(ALICE);
    assertFalse(permits(b, ALICE));
    assertTrue(permits(b, BOB), "bob's cached state was not invalidated");
    assertThrows(NullPointerException.class, () -> b.invalidateCache(null));
  }

  @Test
  void aFailingTrustConditionFailsTheCheck() {
    ConsentEngine b = ConsentEngine.builder().catalog(CATALOG).cacheTrustedWhile(() -> {
      throw new IllegalStateException("feed broken");
    }).build();
    assertThrows(IllegalStateException.class, () -> permits(b, ALICE));
  }
}
