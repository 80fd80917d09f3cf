package org.consent4j.auditor;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import org.consent4j.Catalog;

/**
 * Reads a catalog file, in the JSON form of {@link org.consent4j.core.CatalogJson}. Strict, as the schema mapping's reader is: an unknown or duplicate property, a
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
    return org.consent4j.core.CatalogJson.parse(root);
  }
}
