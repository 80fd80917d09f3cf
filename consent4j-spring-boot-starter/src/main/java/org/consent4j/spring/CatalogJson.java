package org.consent4j.spring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.consent4j.Article9Condition;
import org.consent4j.Catalog;
import org.consent4j.DataCategory;
import org.consent4j.Jurisdiction;
import org.consent4j.LegalBasis;
import org.consent4j.Notice;
import org.consent4j.Purpose;
import org.consent4j.PurposeDefinition;
import org.consent4j.Recipient;
import org.consent4j.RecipientDefinition;
import org.consent4j.TransferSafeguard;

/**
 * Reads a {@link Catalog} from JSON (the format is in docs/SPRING-BOOT.md, "The catalog file").
 * Unknown keys are errors, not ignored: a misspelt {@code "categores"} would otherwise declare a
 * purpose with no categories. Thread-safe (stateless).
 */
public final class CatalogJson {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> TOP = Set.of("categories", "specialCategories", "recipients", "notices",
      "adequateJurisdictions", "purposes");
  private static final Set<String> PURPOSE = Set.of("name", "basis", "categories", "recipients", "minimumNotice",
      "description", "article9Condition");
  private static final Set<String> RECIPIENT = Set.of("id", "jurisdiction", "safeguards");
  private static final Set<String> NOTICE = Set.of("id", "version");

  private CatalogJson() {}

  /**
   * Parses a catalog.
   *
   * @param in the JSON; read to the end, not closed
   * @param source where it came from, for error messages
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException naming {@code source} and the offending key or value when the
   *     JSON is malformed, has unknown keys, or declares a catalog that {@link Catalog.Builder}
   *     refuses
   */
  public static Catalog read(InputStream in, String source) {
    java.util.Objects.requireNonNull(in, "in");
    java.util.Objects.requireNonNull(source, "source");
    JsonNode root;
    try {
      root = JSON.readTree(in);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("the consent4j catalog " + source + " is not valid JSON: "
          + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException("the consent4j catalog " + source + " could not be read: " + e, e);
    }
    try {
      return parse(root);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException("the consent4j catalog " + source + " is not a valid catalog: "
          + e.getMessage(), e);
    }
  }

  private static Catalog parse(JsonNode root) {
    object(root, "the catalog", TOP);
    Catalog.Builder b = Catalog.builder();
    for (String c : strings(root, "categories")) {
      b.category(c);
    }
    for (String c : strings(root, "specialCategories")) {
      b.specialCategory(c);
    }
    for (String c : strings(root, "adequateJurisdictions")) {
      b.adequateJurisdictions(c);
    }
    for (JsonNode r : array(root, "recipients")) {
      if (r.isTextual()) {
        b.recipient(r.asText());
        continue;
      }
      object(r, "a recipient", RECIPIENT);
      String id = text(r, "id", "a recipient");
      List<TransferSafeguard> safeguards = new ArrayList<>();
      for (String s : strings(r, "safeguards")) {
        safeguards.add(constant(TransferSafeguard.class, s, "safeguard"));
      }
      b.recipient(r.has("jurisdiction")
          ? RecipientDefinition.of(Recipient.of(id), Jurisdiction.of(text(r, "jurisdiction", "recipient " + id)),
              safeguards)
          : RecipientDefinition.of(Recipient.of(id)));
    }
    for (JsonNode n : array(root, "notices")) {
      b.notice(text(object(n, "a notice", NOTICE), "id", "a notice"), integer(n, "version", "a notice"));
    }
    for (JsonNode p : array(root, "purposes")) {
      object(p, "a purpose", PURPOSE);
      String name = text(p, "name", "a purpose");
      String where = "purpose " + name;
      LegalBasis basis = constant(LegalBasis.class, text(p, "basis", where), "legal basis of " + where);
      TreeSet<DataCategory> categories = new TreeSet<>();
      for (String c : strings(p, "categories")) {
        categories.add(DataCategory.of(c));
      }
      TreeSet<Recipient> recipients = new TreeSet<>();
      for (String r : strings(p, "recipients")) {
        recipients.add(Recipient.of(r));
      }
      if (recipients.isEmpty() && basis != LegalBasis.CONSENT) {
        recipients.add(Recipient.FIRST_PARTY);
      }
      Optional<Notice> notice = Optional.empty();
      if (p.has("minimumNotice")) {
        JsonNode n = object(p.get("minimumNotice"), "minimumNotice of " + where, NOTICE);
        notice = Optional.of(Notice.of(text(n, "id", where), integer(n, "version", where)));
      }
      Optional<Article9Condition> article9 = p.has("article9Condition")
          ? Optional.of(constant(Article9Condition.class, text(p, "article9Condition", where), "article9Condition"))
          : Optional.empty();
      String description = p.has("description") ? text(p, "description", where) : "";
      b.purpose(new PurposeDefinition(Purpose.of(name), basis, categories, recipients, notice, description, article9));
    }
    return b.build();
  }

  private static JsonNode object(JsonNode node, String what, Set<String> keys) {
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException(what + " must be a JSON object");
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
      String key = it.next();
      if (!keys.contains(key)) {
        throw new IllegalArgumentException(what + " has the unknown key \"" + key + "\"; known keys: "
            + new TreeSet<>(keys));
      }
    }
    return node;
  }

  private static List<JsonNode> array(JsonNode node, String key) {
    JsonNode a = node.get(key);
    if (a == null) {
      return List.of();
    }
    if (!a.isArray()) {
      throw new IllegalArgumentException("\"" + key + "\" must be an array");
    }
    List<JsonNode> out = new ArrayList<>();
    a.forEach(out::add);
    return out;
  }

  private static List<String> strings(JsonNode node, String key) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : array(node, key)) {
      if (!n.isTextual()) {
        throw new IllegalArgumentException("\"" + key + "\" must hold strings only");
      }
      out.add(n.asText());
    }
    return out;
  }

  private static String text(JsonNode node, String key, String what) {
    JsonNode n = node.get(key);
    if (n == null || !n.isTextual()) {
      throw new IllegalArgumentException(what + " needs \"" + key + "\" as a string");
    }
    return n.asText();
  }

  private static int integer(JsonNode node, String key, String what) {
    JsonNode n = node.get(key);
    if (n == null || !n.canConvertToInt() || !n.isIntegralNumber()) {
      throw new IllegalArgumentException(what + " needs \"" + key + "\" as an integer");
    }
    return n.asInt();
  }

  private static <E extends Enum<E>> E constant(Class<E> type, String value, String what) {
    try {
      return Enum.valueOf(type, value.toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + " \"" + value + "\" is not one of "
          + java.util.Arrays.toString(type.getEnumConstants()));
    }
  }
}
