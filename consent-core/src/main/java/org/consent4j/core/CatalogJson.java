package org.consent4j.core;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
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
 * Reads a {@link Catalog} from its JSON form, the one file format for catalogs (the Spring Boot
 * starter's {@code consent4j.catalog} resource and the auditor's {@code --catalog} file; documented
 * in docs/AUDIT-JDBC.md, under the auditor's {@code processing-records}). Strict, as the schema mapping's reader is: an
 * unknown or duplicate property, a mistyped value or an undeclared name is an error naming its
 * JSON path, never a default. Thread-safe (stateless).
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
public final class CatalogJson {
  private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private CatalogJson() {}

  /**
   * Parses a catalog.
   *
   * @throws IllegalArgumentException naming the JSON path when the JSON is malformed, has unknown or
   *     duplicate properties, or declares a catalog that {@link Catalog.Builder} refuses
   */
  public static Catalog parse(String json) {
    Objects.requireNonNull(json, "json");
    try {
      return parse(JSON.readTree(json));
    } catch (JsonProcessingException e) {
      throw invalid(e);
    }
  }

  /**
   * Parses a catalog from {@code in} (read to the end, not closed).
   *
   * @param source where it came from, for error messages (a file or resource name)
   * @throws IllegalArgumentException naming {@code source} and the JSON path, as {@link #parse(String)}
   * @throws java.io.UncheckedIOException if {@code in} cannot be read
   */
  public static Catalog read(InputStream in, String source) {
    Objects.requireNonNull(in, "in");
    Objects.requireNonNull(source, "source");
    try {
      return parse(JSON.readTree(in));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("catalog " + source + " is " + invalid(e).getMessage(), e);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("catalog " + source + " cannot be read", e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("catalog " + source + ": " + e.getMessage(), e);
    }
  }

  private static IllegalArgumentException invalid(JsonProcessingException e) {
    return new IllegalArgumentException("not valid JSON at line " + e.getLocation().getLineNr() + ", column "
        + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage(), e);
  }

  /**
   * Parses a catalog from a JSON tree.
   *
   * @throws IllegalArgumentException naming the JSON path, as {@link #parse(String)}
   */
  public static Catalog parse(JsonNode root) {
    Objects.requireNonNull(root, "root");
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
      if (String.valueOf(e.getMessage()).startsWith("$")) {
        throw e; // already names its path
      }
      throw new IllegalArgumentException(at + ": " + e.getMessage(), e);
    }
  }
}
