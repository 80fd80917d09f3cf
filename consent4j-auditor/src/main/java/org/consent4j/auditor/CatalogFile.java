package org.consent4j.auditor;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.consent4j.Catalog;
import org.consent4j.core.CatalogJson;

/**
 * Reads a catalog file, in the one JSON form of {@link CatalogJson} (strict: an unknown or duplicate
 * property, a mistyped value or an undeclared name is an error naming its JSON path).
 */
final class CatalogFile {
  private CatalogFile() {}

  /** A catalog file that is not valid; exit code 1, naming the file and the JSON path. */
  static Catalog read(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return CatalogJson.read(in, file.toString());
    } catch (IOException | UncheckedIOException e) {
      throw new Auditor.DataError("catalog " + file + " cannot be read", e);
    } catch (IllegalArgumentException e) {
      throw new Auditor.DataError(e.getMessage(), e);
    }
  }

  static Catalog parse(JsonNode root) {
    return CatalogJson.parse(root);
  }
}
