package org.consent4j.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/COMPLIANCE.md names, for each GDPR article, the tests that prove it: every one of them must
 * exist as a test method in the module and class the document says. Reads the sources from the
 * checkout (the build runs from the module directory).
 */
final class ComplianceDocTest {
  private static final Pattern TEST = Pattern.compile("`(consent-[a-z]+)` `([\\w.]+)\\.(\\w+)`");
  private static final List<String> ARTICLES = List.of("**5(1)(b)**", "**6(1)**", "**7(1)**", "**9**", "**15**",
      "**17**", "**19**", "**21**", "**25**", "**30**", "**44–49**");

  @Test
  void everyTestTheComplianceMapNamesExistsAndEveryArticleIsCovered() throws IOException {
    Path root = Path.of("..").toAbsolutePath().normalize();
    String doc = Files.readString(root.resolve("docs/COMPLIANCE.md"));
    List<String> missing = new ArrayList<>();
    int named = 0;
    Matcher m = TEST.matcher(doc);
    while (m.find()) {
      named++;
      String module = m.group(1);
      String pkg = module.equals("consent-core") ? "org/consent4j/core/" : module.equals("consent-jdbc")
          ? "org/consent4j/jdbc/" : "org/consent4j/";
      Path file = root.resolve(module + "/src/test/java/" + pkg + m.group(2).replace('.', '/') + ".java");
      if (!Files.exists(file) || !Pattern.compile("void " + m.group(3) + "\\(").matcher(Files.readString(file)).find()) {
        missing.add(m.group());
      }
    }
    assertEquals(List.of(), missing, "tests named in docs/COMPLIANCE.md that do not exist");
    assertTrue(named >= 30, "the map names " + named + " tests");
    for (String article : ARTICLES) {
      assertTrue(doc.contains("| " + article), "article " + article + " is missing from the map");
    }
  }
}
