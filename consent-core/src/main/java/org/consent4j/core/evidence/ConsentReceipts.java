package org.consent4j.core.evidence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.consent4j.Catalog;
import org.consent4j.DataCategory;
import org.consent4j.Grant;
import org.consent4j.Purpose;
import org.consent4j.PurposeDefinition;
import org.consent4j.Recipient;
import org.consent4j.RecipientDefinition;
import org.consent4j.TransferSafeguard;

/**
 * Issues and verifies consent receipts: for a grant, a JSON document in the shape of the Kantara
 * Initiative Consent Receipt (v1.1), extended with the fields of ISO/IEC TS 27560 that it lacks
 * (legal basis, notice, validity, explicit consent, recipients and their jurisdictions), signed
 * with Ed25519 under a key the application supplies.
 *
 * <pre>{@code
 * KeyPair keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
 * ConsentReceipts receipts = ConsentReceipts.builder(catalog, controller).signingKey(keys.getPrivate(), "k1")
 *     .publicKey(keys.getPublic()).build();
 * String receipt = receipts.issue(grant);                  // give it to the subject
 * boolean genuine = ConsentReceipts.verify(receipt, keys.getPublic());
 * }</pre>
 *
 * <p>The document is {@code {"receipt": {...}, "signature": {"algorithm": "Ed25519", "keyId":
 * ..., "value": <base64>}}}; the signature covers the UTF-8 bytes of the receipt object in
 * canonical form (keys sorted at every level, no white space), so re-indenting the document does
 * not break it but changing any value does. Immutable and thread-safe (a {@link Signature} is
 * made per call).
 */
public final class ConsentReceipts {
  /** The algorithm receipts are signed with. */
  public static final String ALGORITHM = "Ed25519";
  /** The Kantara consent receipt version the shape follows. */
  public static final String VERSION = "KI-CR-v1.1.0";

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final Catalog catalog;
  private final Controller controller;
  private final PrivateKey key;
  private final String keyId;
  private final Optional<PublicKey> publicKey;
  private final String language;

  private ConsentReceipts(Builder b) {
    this.catalog = b.catalog;
    this.controller = b.controller;
    this.key = Objects.requireNonNull(b.key, "no signing key: call signingKey(privateKey, keyId)");
    this.keyId = b.keyId;
    this.publicKey = Optional.ofNullable(b.publicKey);
    this.language = b.language;
  }

  /** Starts a builder for receipts of grants under {@code catalog}, issued by {@code controller}. */
  public static Builder builder(Catalog catalog, Controller controller) {
    return new Builder(catalog, controller);
  }

  /**
   * The signed receipt of {@code grant}, as indented JSON.
   *
   * @throws org.consent4j.UndeclaredException if the grant names a purpose, category or recipient
   *     the catalog does not declare
   * @throws IllegalStateException if the key cannot sign
   */
  public String issue(Grant grant) {
    Objects.requireNonNull(grant, "grant");
    ObjectNode receipt = receipt(grant);
    ObjectNode doc = NODES.objectNode();
    doc.set("receipt", receipt);
    ObjectNode sig = doc.putObject("signature");
    sig.put("algorithm", ALGORITHM);
    sig.put("keyId", keyId);
    sig.put("value", Base64.getEncoder().encodeToString(sign(canonical(receipt))));
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(doc);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree could not be written", e);
    }
  }

  /**
   * True when {@code document} is a receipt signed by the private key of {@code key} and not
   * changed since; false when its signature does not match (a tampered receipt, another key) or
   * is missing or malformed.
   *
   * @throws IllegalArgumentException if {@code document} is not JSON, or the key is not Ed25519
   */
  public static boolean verify(String document, PublicKey key) {
    Objects.requireNonNull(document, "document");
    Objects.requireNonNull(key, "key");
    JsonNode doc;
    try {
      doc = MAPPER.readTree(document);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the receipt is not JSON (at line " + e.getLocation().getLineNr() + ")");
    }
    JsonNode receipt = doc.get("receipt");
    JsonNode sig = doc.get("signature");
    if (receipt == null || !receipt.isObject() || sig == null || !ALGORITHM.equals(sig.path("algorithm").asText())
        || !sig.path("value").isTextual()) {
      return false;
    }
    byte[] value;
    try {
      value = Base64.getDecoder().decode(sig.get("value").asText());
    } catch (IllegalArgumentException e) {
      return false;
    }
    try {
      Signature s = Signature.getInstance(ALGORITHM);
      s.initVerify(key);
      s.update(canonical(receipt));
      return s.verify(value);
    } catch (InvalidKeyException e) {
      throw new IllegalArgumentException("the key is not an Ed25519 public key (" + key.getAlgorithm() + ")", e);
    } catch (SignatureException e) {
      return false;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is required by every Java 15+ platform", e);
    }
  }

  private ObjectNode receipt(Grant g) {
    ObjectNode r = NODES.objectNode();
    r.put("version", VERSION);
    r.put("jurisdiction", controller.jurisdiction());
    r.put("consentTimestamp", g.grantedAt().getEpochSecond());
    r.put("collectionMethod", g.evidence().method().name().toLowerCase(Locale.ROOT).replace('_', ' '));
    r.put("consentReceiptID", g.id().value());
    publicKey.ifPresent(k -> r.put("publicKey", Base64.getEncoder().encodeToString(k.getEncoded())));
    r.put("language", language);
    r.put("piiPrincipalId", g.subject().value());
    ObjectNode c = r.putArray("piiControllers").addObject();
    c.put("piiController", controller.name());
    c.put("contact", controller.contact());
    c.put("piiControllerUrl", controller.policyUrl());
    r.put("policyUrl", controller.policyUrl());
    ArrayNode services = r.putArray("services");
    ObjectNode service = services.addObject();
    service.put("service", controller.name());
    ArrayNode purposes = service.putArray("purposes");
    List<String> third = new ArrayList<>();
    for (Recipient rec : g.recipients()) {
      if (!rec.isFirstParty()) {
        third.add(rec.id());
      }
    }
    boolean first = true;
    for (Purpose p : g.purposes()) {
      PurposeDefinition d = catalog.purpose(p);
      ObjectNode pn = purposes.addObject();
      pn.put("purpose", d.description().isEmpty() ? p.name() : d.description());
      pn.putArray("purposeCategory").add(p.name());
      pn.put("consentType", g.explicit() ? "EXPLICIT" : "EXPRESSED");
      ArrayNode cats = pn.putArray("piiCategory");
      g.categories().forEach(x -> cats.add(catalog.requireCategory(x).name()));
      pn.put("primaryPurpose", first);
      pn.put("termination", g.expiresAt().map(t -> "expires " + t).orElse("until withdrawn"));
      pn.put("thirdPartyDisclosure", !third.isEmpty());
      pn.put("thirdPartyName", String.join(", ", third));
      first = false;
    }
    boolean sensitive = false;
    ArrayNode spi = r.putArray("spiCat");
    for (DataCategory x : g.categories()) {
      for (DataCategory s : catalog.specialCategories()) {
        if (x.covers(s) || s.covers(x)) {
          sensitive = true;
          spi.add(s.covers(x) ? x.name() : s.name());
        }
      }
    }
    r.put("sensitive", sensitive);
    // ISO/IEC TS 27560 fields the Kantara shape lacks
    r.put("legalBasis", "GDPR Art. 6(1)(a) consent" + (g.explicit() ? "; Art. 9(2)(a) explicit consent" : ""));
    g.notice().ifPresent(n -> r.putObject("notice").put("id", n.id()).put("version", n.version()));
    r.put("grantedAt", g.grantedAt().toString());
    g.expiresAt().ifPresent(t -> r.put("expiresAt", t.toString()));
    r.put("explicitConsent", g.explicit());
    r.put("explicitTransferConsent", g.explicitTransfer());
    r.putObject("evidence").put("method", g.evidence().method().name()).put("reference", g.evidence().reference());
    ArrayNode recipients = r.putArray("recipients");
    for (Recipient rec : g.recipients()) {
      RecipientDefinition d = catalog.recipient(rec);
      ObjectNode rn = recipients.addObject();
      rn.put("id", rec.id());
      rn.put("jurisdiction", d.jurisdiction().code());
      ArrayNode sg = rn.putArray("safeguards");
      for (TransferSafeguard s : d.safeguards()) {
        sg.add(s.name());
      }
      rn.put("transferNeedsExplicitConsent", catalog.transferNeedsExplicitConsent(rec));
    }
    return r;
  }

  private byte[] sign(byte[] data) {
    try {
      Signature s = Signature.getInstance(ALGORITHM);
      s.initSign(key);
      s.update(data);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the receipt could not be signed with key " + keyId + " ("
          + e.getClass().getSimpleName() + ")", e);
    }
  }

  /** Keys sorted at every level, no white space: the bytes the signature covers. */
  static byte[] canonical(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(sorted(node)).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree could not be written", e);
    }
  }

  private static JsonNode sorted(JsonNode node) {
    if (node.isObject()) {
      TreeMap<String, JsonNode> fields = new TreeMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        fields.put(e.getKey(), sorted(e.getValue()));
      }
      ObjectNode out = NODES.objectNode();
      fields.forEach(out::set);
      return out;
    }
    if (node.isArray()) {
      ArrayNode out = NODES.arrayNode();
      node.forEach(x -> out.add(sorted(x)));
      return out;
    }
    return node;
  }

  /** Builds {@link ConsentReceipts}. Not thread-safe. */
  public static final class Builder {
    private final Catalog catalog;
    private final Controller controller;
    private PrivateKey key;
    private String keyId;
    private PublicKey publicKey;
    private String language = "en";

    private Builder(Catalog catalog, Controller controller) {
      this.catalog = Objects.requireNonNull(catalog, "catalog");
      this.controller = Objects.requireNonNull(controller, "controller");
    }

    /**
     * The Ed25519 private key receipts are signed with, and the id under which verifiers find
     * its public key.
     *
     * @throws IllegalArgumentException if the key is not an Ed25519 key or the id is blank
     */
    public Builder signingKey(PrivateKey key, String keyId) {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(keyId, "keyId");
      if (!key.getAlgorithm().equals("EdDSA") && !key.getAlgorithm().equals(ALGORITHM)) {
        throw new IllegalArgumentException("receipts are signed with Ed25519; the key is " + key.getAlgorithm()
            + ": make one with KeyPairGenerator.getInstance(\"Ed25519\")");
      }
      if (keyId.isBlank() || keyId.length() > 128) {
        throw new IllegalArgumentException("keyId must be 1 to 128 characters");
      }
      this.key = key;
      this.keyId = keyId;
      return this;
    }

    /** Puts this public key into every receipt (the Kantara {@code publicKey} field). */
    public Builder publicKey(PublicKey publicKey) {
      this.publicKey = Objects.requireNonNull(publicKey, "publicKey");
      return this;
    }

    /** The language of the receipt's texts, as an ISO 639-1 code; {@code en} by default. */
    public Builder language(String language) {
      Objects.requireNonNull(language, "language");
      if (!language.matches("[a-z]{2}")) {
        throw new IllegalArgumentException("language must be an ISO 639-1 code such as 'en', got '" + language + "'");
      }
      this.language = language;
      return this;
    }

    /**
     * Builds the issuer.
     *
     * @throws NullPointerException if no signing key was set
     */
    public ConsentReceipts build() {
      return new ConsentReceipts(this);
    }
  }
}
