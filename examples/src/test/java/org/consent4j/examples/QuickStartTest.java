package org.consent4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.consent4j.examples.QuickStart.Contact;
import org.junit.jupiter.api.Test;

/** The README's snippet and the story around it, asserted step by step. */
final class QuickStartTest {

  @Test
  void theStoryShowsWhatEachContextMaySee() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Map<String, Object> r = QuickStart.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));

    assertEquals(List.of(
        new Contact("c-1", "NL", "c1@example.org", "+31 600 000 001"),
        new Contact("c-2", "NL", "c2@example.org", null)), r.get("campaign"));
    assertEquals(List.of(
        new Contact("c-1", "NL", "c1@example.org", null),
        new Contact("c-2", "NL", "c2@example.org", null),
        new Contact("c-3", "NL", "c3@example.org", null)), r.get("support"));
    assertEquals(List.of(new Contact("c-3", "NL", "c3@example.org", null)), r.get("friends"));
    assertTrue(((String) r.get("refused")).contains("c-2"), (String) r.get("refused"));
    assertTrue(((String) r.get("noPurpose")).contains("needs a processing context"), (String) r.get("noPurpose"));
    assertEquals(List.of(new Contact("c-2", "NL", "c2@example.org", null)), r.get("afterWithdrawal"));
    assertEquals(Boolean.TRUE, r.get("auditValid"));

    String printed = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("hash chain verifies"), printed);
    assertTrue(printed.contains("\"type\" : \"withdrawal\""), printed);
    assertTrue(!printed.contains("c3@example.org\", \"+31"), "a masked phone number was printed");
  }
}
