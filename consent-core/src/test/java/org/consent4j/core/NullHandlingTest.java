package org.consent4j.core;

import com.google.common.testing.NullPointerTester;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import org.consent4j.AccessContext;
import org.consent4j.Catalog;
import org.consent4j.DataCategory;
import org.consent4j.Decision;
import org.consent4j.Grant;
import org.consent4j.Notice;
import org.consent4j.Purpose;
import org.consent4j.PurposeDefinition;
import org.consent4j.Recipient;
import org.consent4j.SubjectId;
import org.junit.jupiter.api.Test;

/** Every public method of the API and the engine rejects nulls at once. */
final class NullHandlingTest {
  private static NullPointerTester tester() {
    return new NullPointerTester()
        .setDefault(String.class, "t")
        .setDefault(SubjectId.class, SubjectId.of("s"))
        .setDefault(Purpose.class, Purpose.of("marketing"))
        .setDefault(DataCategory.class, DataCategory.of("contact.email"))
        .setDefault(Recipient.class, Recipient.FIRST_PARTY)
        .setDefault(Notice.class, Notice.of("privacy", 2))
        .setDefault(AccessContext.class, AccessContext.of("t", "marketing"))
        .setDefault(Catalog.class, ConsentEngineTest.CATALOG)
        .setDefault(Clock.class, Clock.systemUTC())
        .setDefault(org.consent4j.Evidence.class, org.consent4j.Evidence.api())
        .setDefault(org.consent4j.ConsentRecord.class,
            org.consent4j.Objection.of(SubjectId.of("s"), Purpose.of("marketing"), java.time.Instant.EPOCH))
        .setDefault(java.time.Instant.class, java.time.Instant.EPOCH)
        .setDefault(org.consent4j.GrantId.class, org.consent4j.GrantId.of("g"))
        .setDefault(org.consent4j.AuditEvent.class, new org.consent4j.AuditEvent(java.time.Instant.EPOCH, "t",
            Purpose.of("marketing"), Recipient.FIRST_PARTY, "check", List.of(), new java.util.TreeSet<>(),
            org.consent4j.Outcome.DENY, "NO_GRANT", 0, new java.util.TreeMap<>()))
        .setDefault(Set.class, Set.of())
        .setDefault(List.class, List.of())
        .setDefault(org.consent4j.spi.ConsentStore.class, new InMemoryConsentStore())
        .setDefault(java.util.function.BooleanSupplier.class, () -> true)
        .setDefault(org.consent4j.PurposeDefinition.class, ConsentEngineTest.CATALOG.purposes().iterator().next())
        .setDefault(java.util.SortedSet.class, new java.util.TreeSet<>());
  }

  @Test
  void apiValueTypesRejectNulls() {
    NullPointerTester t = tester();
    for (Class<?> c : List.of(SubjectId.class, Purpose.class, DataCategory.class, Recipient.class, Notice.class,
        AccessContext.class, Grant.class, Decision.class, PurposeDefinition.class, Catalog.class,
        org.consent4j.Withdrawal.class, org.consent4j.GrantWithdrawal.class, org.consent4j.Objection.class,
        org.consent4j.UnknownGrantException.class, org.consent4j.Evidence.class,
        org.consent4j.LedgerEntry.class, org.consent4j.AuditEvent.class, org.consent4j.AuditRecord.class)) {
      t.testAllPublicStaticMethods(c);
      t.testAllPublicConstructors(c);
    }
    t.testAllPublicInstanceMethods(Catalog.builder());
    t.testAllPublicInstanceMethods(Grant.builder(SubjectId.of("s")));
    t.testAllPublicInstanceMethods(ConsentEngineTest.CATALOG);
  }

  @Test
  void engineRejectsNulls() {
    NullPointerTester t = tester();
    ConsentEngine engine = ConsentEngine.builder().catalog(ConsentEngineTest.CATALOG).consentIndex(true).build();
    t.testAllPublicInstanceMethods(engine);
    t.testAllPublicConstructors(ConsentIndex.class);
    t.testAllPublicInstanceMethods(engine.consentIndex().orElseThrow());
    t.testAllPublicInstanceMethods(ConsentEngine.builder());
    t.testAllPublicInstanceMethods(new InMemoryConsentStore());
  }

  @Test
  void gdprTypesAndEvidenceRejectNulls() throws Exception {
    java.security.KeyPair keys = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    org.consent4j.core.evidence.Controller controller =
        new org.consent4j.core.evidence.Controller("Example", "", "NL", "");
    NullPointerTester t = tester()
        .setDefault(org.consent4j.Jurisdiction.class, org.consent4j.Jurisdiction.of("US"))
        .setDefault(org.consent4j.core.evidence.Controller.class, controller)
        .setDefault(java.security.PrivateKey.class, keys.getPrivate())
        .setDefault(java.security.PublicKey.class, keys.getPublic())
        .setDefault(org.consent4j.core.audit.AuditTrail.class, org.consent4j.core.audit.AuditTrail.inMemory())
        .setDefault(Grant.class, Grant.of(SubjectId.of("s"), Purpose.of("marketing"), DataCategory.of("contact"),
            java.time.Instant.EPOCH))
        .setDefault(java.util.Map.class, java.util.Map.of());
    for (Class<?> c : List.of(org.consent4j.Jurisdiction.class, org.consent4j.RecipientDefinition.class,
        org.consent4j.core.evidence.Controller.class, org.consent4j.core.evidence.ConsentReceipts.class,
        org.consent4j.core.evidence.ProcessingRecords.class)) {
      t.testAllPublicStaticMethods(c);
      t.testAllPublicConstructors(c);
    }
    t.testAllPublicInstanceMethods(org.consent4j.RecipientDefinition.of(Recipient.of("x")));
    t.testAllPublicInstanceMethods(PurposeDefinition.of(Purpose.of("p"), org.consent4j.LegalBasis.CONTRACT,
        List.of(DataCategory.of("contact"))));
    t.testAllPublicInstanceMethods(org.consent4j.core.evidence.ConsentReceipts.builder(ConsentEngineTest.CATALOG,
        controller));
    t.testAllPublicInstanceMethods(org.consent4j.core.evidence.ConsentReceipts.builder(ConsentEngineTest.CATALOG,
        controller).signingKey(keys.getPrivate(), "k").build());
    t.testAllPublicInstanceMethods(org.consent4j.core.evidence.ProcessingRecords.builder(ConsentEngineTest.CATALOG,
        controller));
    org.consent4j.core.evidence.ProcessingRecords records =
        org.consent4j.core.evidence.ProcessingRecords.builder(ConsentEngineTest.CATALOG, controller).build();
    t.testAllPublicInstanceMethods(records);
    t.testAllPublicInstanceMethods(records.generate(org.consent4j.core.audit.AuditTrail.inMemory(),
        java.time.Instant.EPOCH, java.time.Instant.EPOCH));
  }

  /** A public method that silently accepts null: the tester must fail on it, or these tests prove nothing. */
  public static final class AcceptsNull {
    private AcceptsNull() {}

    /** Accepts null without complaint. */
    public static int length(String s) {
      return s == null ? 0 : s.length();
    }
  }

  @Test
  void theNullTesterFailsOnAMethodThatAcceptsNull() {
    org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
        () -> new NullPointerTester().testAllPublicStaticMethods(AcceptsNull.class));
  }
}
