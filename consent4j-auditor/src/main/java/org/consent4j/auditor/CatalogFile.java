package org.consent4j.auditor;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
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
 * Reads a {@link Catalog} from its JSON form (documented in docs/AUDIT-JDBC.md, "Auditor command
 * line"). Strict, as the schema mapping's reader is: an unknown or duplicate property, a
 * mistyped value or an undeclared name is an error naming its JSON path, never a default.
 *
 * <pre>
 * {"purposes": [{"name": "marketing.email", "basis": "CONSENT", "description": "newsletter",
 *                "minimumNotice": {"id": "privacy", "version": 2}},
 *               {"name": "billing", "basis": "CONTRACT", "categories": ["contact", "payment"]}],
 *  "categories": ["contact.email", "contact.phone", "payment"],
 *  "specialCategories": ["health"],
 *  "recipients": ["quizlab", {"id": "mailer", "jurisdiction": "US",
 *                 "safeguards": ["STANDARD_CONTRACTUAL_CLAUSES"], "description": "sends the newsletter"}],
 *  "adequateJurisdictions": ["CH"],
 *  "notices": [{"id": "privacy", "version": 2}]}
 * </pre>
 */
final class CatalogFile {
  private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private CatalogFile() {}

  /** A catalog file that is not valid; exit code 1, naming the file and the JSON path. */
  static Catalog read(Path file) {
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (JsonProcessingException e) {
      throw new Auditor.DataError("catalog " + file + " is not valid JSON at line " + e.getLocation().getLineNr()
          + ", column " + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new Auditor.DataError("catalog " + file + " cannot be read", e);
    }
    try {
      return parse(root);
    } catch (IllegalArgumentException e) {
      throw new Auditor.DataError("catalog " + file + ": " + e.getMessage(), e);
    }
  }

  static Catalog parse(JsonNode root) {
    object(root, "$", Set.of("purposes", "categories", "specialCategories", "recipients", "adequateJurisdictions",
        "notices"));
    Catalog.Builder b = Catalog.builder();
    for (String c : strings(root, "categories", "$")) {
      b.category(named("$.categories", () -> DataCategory.of(c)).name());
    }
    for (String c : strings(root, "specialCategories", "$")) {
      b.specialCategory(named("$.specialCategories", () -> DataCategory.of(c)).name());
    }
    for (String j : strings(root, "adequateJurisdictions", "$")) {
      b.adequateJurisdictions(named("$.adequateJurisdictions", () -> Jurisdiction.of(j)).code());
    }
    int i = 0;
    for (JsonNode n : array(root, "notices", "$")) {
      String at = "$.notices[" + i++ + "]";
      Notice notice = notice(n, at);
      b.notice(notice.id(), notice.version());
    }
    i = 0;
    for (JsonNode n : array(root, "recipients", "$")) {
      b.recipient(recipient(n, "$.recipients[" + i++ + "]"));
    }
    i = 0;
    List<JsonNode> purposes = array(root, "purposes", "$");
    if (purposes.isEmpty()) {
      throw new IllegalArgumentException("$.purposes: a catalog declares at least one purpose");
    }
    for (JsonNode n : purposes) {
      String at = "$.purposes[" + i++ + "]";
      PurposeDefinition d = purpose(n, at);
      named(at, () -> b.purpose(d));
    }
    return b.build();
  }

  private static PurposeDefinition purpose(JsonNode n, String at) {
    object(n, at, Set.of("name", "basis", "description", "categories", "recipients", "minimumNotice",
        "article9Condition"));
    Purpose purpose = named(at + ".name", () -> Purpose.of(text(n, "name", at, true)));
    LegalBasis basis = constant(LegalBasis.class, text(n, "basis", at, true), at + ".basis");
    TreeSet<DataCategory> categories = new TreeSet<>();
    for (String c : strings(n, "categories", at)) {
      categories.add(named(at + ".categories", () -> DataCategory.of(c)));
    }
    TreeSet<Recipient> recipients = new TreeSet<>();
    for (String r : strings(n, "recipients", at)) {
      recipients.add(named(at + ".recipients", () -> Recipient.of(r)));
    }
    if (basis != LegalBasis.CONSENT && !n.has("recipients")) {
      recipients.add(Recipient.FIRST_PARTY); // as Catalog.Builder.purpose(name, basis, categories...)
    }
    Optional<Notice> notice = n.has("minimumNotice") ? Optional.of(notice(n.get("minimumNotice"), at + ".minimumNotice"))
        : Optional.empty();
    String description = n.has("description") ? text(n, "description", at, true) : "";
    Optional<Article9Condition> condition = n.has("article9Condition")
        ? Optional.of(constant(Article9Condition.class, text(n, "article9Condition", at, true), at + ".article9Condition"))
        : Optional.empty();
    return named(at, () -> new PurposeDefinition(purpose, basis, categories, recipients, notice, description, condition));
  }

  private static RecipientDefinition recipient(JsonNode n, String at) {
    if (n.isTextual()) {
      return named(at, () -> RecipientDefinition.of(Recipient.of(n.asText())));
    }
    object(n, at, Set.of("id", "jurisdiction", "safeguards", "description"));
    Recipient r = named(at + ".id", () -> Recipient.of(text(n, "id", at, true)));
    Jurisdiction j = n.has("jurisdiction") ? named(at + ".jurisdiction",
        () -> Jurisdiction.of(text(n, "jurisdiction", at, true))) : Jurisdiction.EEA;
    List<TransferSafeguard> safeguards = new ArrayList<>();
    for (String s : strings(n, "safeguards", at)) {
      safeguards.add(constant(TransferSafeguard.class, s, at + ".safeguards"));
    }
    RecipientDefinition d = named(at, () -> RecipientDefinition.of(r, j, safeguards));
    return n.has("description") ? named(at, () -> d.withDescription(text(n, "description", at, true))) : d;
  }

  private static Notice notice(JsonNode n, String at) {
    object(n, at, Set.of("id", "version"));
    JsonNode v = n.get("version");
    if (v == null || !v.isInt()) {
      throw new IllegalArgumentException(at + ".version: expected an integer");
    }
    return named(at, () -> Notice.of(text(n, "id", at, true), v.intValue()));
  }

  // ---------------------------------------------------------------- strict JSON helpers

  private static void object(JsonNode n, String at, Set<String> allowed) {
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException(at + ": expected an object");
    }
    for (Iterator<String> names = n.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw new IllegalArgumentException(at + "." + name + ": unknown property (allowed: " + new TreeSet<>(allowed) + ")");
      }
    }
  }

  private static String text(JsonNode parent, String field, String at, boolean required) {
    JsonNode n = parent.get(field);
    if (n == null && !required) {
      return null;
    }
    if (n == null || !n.isTextual()) {
      throw new IllegalArgumentException(at + "." + field + ": expected a string");
    }
    return n.asText();
  }

  private static List<JsonNode> array(JsonNode parent, String field, String at) {
    JsonNode n = parent.get(field);
    if (n == null) {
      return List.of();
    }
    if (!n.isArray()) {
      throw new IllegalArgumentException(at + "." + field + ": expected an array");
    }
    List<JsonNode> out = new ArrayList<>();
    n.forEach(out::add);
    return out;
  }

  private static List<String> strings(JsonNode parent, String field, String at) {
    List<String> out = new ArrayList<>();
    int i = 0;
    for (JsonNode n : array(parent, field, at)) {
      if (!n.isTextual()) {
        throw new IllegalArgumentException(at + "." + field + "[" + i + "]: expected a string");
      }
      out.add(n.asText());
      i++;
    }
    return out;
  }

  private static <E extends Enum<E>> E constant(Class<E> type, String value, String at) {
    try {
      return Enum.valueOf(type, value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(at + ": '" + value + "' is not one of " + java.util.Arrays.toString(
          type.getEnumConstants()), e);
    }
  }

  /** Runs a value constructor, prefixing its message with the JSON path. */
  private static <T> T named(String at, java.util.function.Supplier<T> make) {
    try {
      return make.get();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(at + ": " + e.getMessage(), e);
    }
  }
}
