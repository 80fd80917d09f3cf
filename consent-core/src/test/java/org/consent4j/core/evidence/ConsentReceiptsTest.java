package org.consent4j.core.evidence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.consent4j.Article9Condition;
import org.consent4j.Catalog;
import org.consent4j.CollectionMethod;
import org.consent4j.DataCategory;
import org.consent4j.Grant;
import org.consent4j.LegalBasis;
import org.consent4j.Purpose;
import org.consent4j.PurposeDefinition;
import org.consent4j.SubjectId;
import org.consent4j.TransferSafeguard;
import org.junit.jupiter.api.Test;

/** Consent receipts: their shape, their Ed25519 signature, and that any change breaks it. */
final class ConsentReceiptsTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Catalog CATALOG = Catalog.builder()
      .purpose(PurposeDefinition.consent(Purpose.of("quiz")).withDescription("Personality quiz results"))
      .purpose("newsletter", LegalBasis.CONSENT)
      .purpose(PurposeDefinition.of(Purpose.of("care"), LegalBasis.LEGAL_OBLIGATION, List.of(DataCategory.of("health")))
          .withArticle9Condition(Article9Condition.HEALTH_OR_SOCIAL_CARE))
      .categories("contact.email").specialCategory("profile.psychographic").specialCategory("health")
      .recipient("quizlab-us", "US").recipient("cloud-us", "US", TransferSafeguard.BINDING_CORPORATE_RULES)
      .notice("privacy", 3)
      .build();
  static final Controller CONTROLLER = new Controller("Example CRM B.V.", "dpo@crm.example", "NL",
      "https://crm.example/privacy");
  static final KeyPair KEYS = keys();
  static final Grant GRANT = Grant.builder(SubjectId.of("s-42")).purpose("quiz").purpose("newsletter")
      .category("contact.email").category("profile").recipient("self").recipient("quizlab-us").recipient("cloud-us")
      .notice("privacy", 3).grantedAt(Instant.parse("2026-02-01T10:15:30Z"))
      .expiresAt(Instant.parse("2027-02-01T10:15:30Z")).evidence(CollectionMethod.WEB_FORM, "form-v7")
      .explicit().explicitTransfer().build();

  static KeyPair keys() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  static ConsentReceipts receipts() {
    return ConsentReceipts.builder(CATALOG, CONTROLLER).signingKey(KEYS.getPrivate(), "crm-2026")
        .publicKey(KEYS.getPublic()).build();
  }

  @Test
  void aReceiptHasTheKantaraShapeWithTheIso27560Additions() throws Exception {
    JsonNode r = JSON.readTree(receipts().issue(GRANT)).get("receipt");
    assertEquals("KI-CR-v1.1.0", r.get("version").asText());
    assertEquals("NL", r.get("jurisdiction").asText());
    assertEquals(Instant.parse("2026-02-01T10:15:30Z").getEpochSecond(), r.get("consentTimestamp").asLong());
    assertEquals("web form", r.get("collectionMethod").asText());
    assertEquals(GRANT.id().value(), r.get("consentReceiptID").asText());
    assertEquals("s-42", r.get("piiPrincipalId").asText());
    assertEquals("Example CRM B.V.", r.at("/piiControllers/0/piiController").asText());
    assertEquals("https://crm.example/privacy", r.get("policyUrl").asText());
    JsonNode purposes = r.at("/services/0/purposes");
    assertEquals(2, purposes.size());
    assertEquals("Personality quiz results", purposes.get(1).get("purpose").asText());
    assertEquals("quiz", purposes.get(1).at("/purposeCategory/0").asText());
    assertEquals("EXPLICIT", purposes.get(0).get("consentType").asText());
    assertEquals("[\"contact.email\",\"profile\"]", purposes.get(0).get("piiCategory").toString());
    assertTrue(purposes.get(0).get("thirdPartyDisclosure").asBoolean());
    assertEquals("cloud-us, quizlab-us", purposes.get(0).get("thirdPartyName").asText());
    assertTrue(r.get("sensitive").asBoolean(), "profile contains the special profile.psychographic");
    assertEquals("[\"profile.psychographic\"]", r.get("spiCat").toString());
    assertTrue(r.get("legalBasis").asText().contains("9(2)(a)"));
    assertEquals("privacy", r.at("/notice/id").asText());
    assertEquals(3, r.at("/notice/version").asInt());
    assertEquals("2027-02-01T10:15:30Z", r.get("expiresAt").asText());
    assertTrue(r.get("explicitTransferConsent").asBoolean());
    assertEquals("form-v7", r.at("/evidence/reference").asText());
    JsonNode recipients = r.get("recipients");
    assertEquals("cloud-us", recipients.get(0).get("id").asText());
    assertEquals("BINDING_CORPORATE_RULES", recipients.get(0).at("/safeguards/0").asText());
    assertEquals("US", recipients.get(1).get("jurisdiction").asText());
    assertTrue(recipients.get(1).get("transferNeedsExplicitConsent").asBoolean());
    assertFalse(recipients.get(2).get("transferNeedsExplicitConsent").asBoolean());
  }

  @Test
  void aReceiptVerifiesWithTheKeyItWasSignedWithEvenReformatted() throws Exception {
    String doc = receipts().issue(GRANT);
    assertTrue(ConsentReceipts.verify(doc, KEYS.getPublic()));
    assertTrue(ConsentReceipts.verify(JSON.writeValueAsString(JSON.readTree(doc)), KEYS.getPublic()), "compact");
    assertFalse(ConsentReceipts.verify(doc, keys().getPublic()), "another key");
  }

  @Test
  void aTamperedReceiptFailsVerification() throws Exception {
    String doc = receipts().issue(GRANT);
    ObjectNode tree = (ObjectNode) JSON.readTree(doc);
    ((ObjectNode) tree.get("receipt")).put("explicitTransferConsent", false);
    assertFalse(ConsentReceipts.verify(JSON.writeValueAsString(tree), KEYS.getPublic()));

    ObjectNode added = (ObjectNode) JSON.readTree(doc);
    ((ArrayNode) added.get("receipt").get("recipients")).addObject().put("id", "adnet");
    assertFalse(ConsentReceipts.verify(JSON.writeValueAsString(added), KEYS.getPublic()));

    ObjectNode unsigned = (ObjectNode) JSON.readTree(doc);
    unsigned.remove("signature");
    assertFalse(ConsentReceipts.verify(JSON.writeValueAsString(unsigned), KEYS.getPublic()));

    ObjectNode garbled = (ObjectNode) JSON.readTree(doc);
    ((ObjectNode) garbled.get("signature")).put("value", "not base64!");
    assertFalse(ConsentReceipts.verify(JSON.writeValueAsString(garbled), KEYS.getPublic()));
    assertThrows(IllegalArgumentException.class, () -> ConsentReceipts.verify("{not json", KEYS.getPublic()));
  }

  /** Every leaf value of the receipt, changed to anything else, breaks the signature. */
  @Property(tries = 200)
  void changingAnyValueOfTheReceiptBreaksTheSignature(@ForAll @IntRange(min = 0, max = 10_000) int pick,
      @ForAll String replacement) throws Exception {
    String doc = receipts().issue(GRANT);
    ObjectNode tree = (ObjectNode) JSON.readTree(doc);
    List<Runnable> edits = new ArrayList<>();
    leaves(tree.get("receipt"), replacement, edits);
    List<String> before = new ArrayList<>();
    before.add(JSON.writeValueAsString(tree));
    edits.get(pick % edits.size()).run();
    String after = JSON.writeValueAsString(tree);
    if (!after.equals(before.get(0))) {
      assertFalse(ConsentReceipts.verify(after, KEYS.getPublic()), after);
    }
  }

  private static void leaves(JsonNode node, String replacement, List<Runnable> edits) {
    if (node instanceof ObjectNode o) {
      o.fieldNames().forEachRemaining(name -> {
        JsonNode child = o.get(name);
        if (child.isContainerNode()) {
          leaves(child, replacement, edits);
        } else {
          edits.add(() -> o.set(name, new TextNode(replacement)));
        }
      });
    } else if (node instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        int index = i;
        if (a.get(i).isContainerNode()) {
          leaves(a.get(i), replacement, edits);
        } else {
          edits.add(() -> a.set(index, new TextNode(replacement)));
        }
      }
    }
  }

  @Test
  void onlyEd25519KeysSignAndTheCatalogMustDeclareWhatTheGrantNames() throws Exception {
    KeyPair rsa = KeyPairGenerator.getInstance("RSA").generateKeyPair();
    assertThrows(IllegalArgumentException.class,
        () -> ConsentReceipts.builder(CATALOG, CONTROLLER).signingKey(rsa.getPrivate(), "k"));
    assertThrows(NullPointerException.class, () -> ConsentReceipts.builder(CATALOG, CONTROLLER).build());
    String doc = receipts().issue(GRANT);
    assertThrows(IllegalArgumentException.class, () -> ConsentReceipts.verify(doc, rsa.getPublic()));
    Grant undeclared = Grant.builder(SubjectId.of("s")).purpose("other").category("contact").grantedAt(Instant.EPOCH)
        .build();
    assertThrows(org.consent4j.UnknownPurposeException.class, () -> receipts().issue(undeclared));
  }
}
