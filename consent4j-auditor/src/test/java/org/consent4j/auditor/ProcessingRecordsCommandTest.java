package org.consent4j.auditor;

import static org.consent4j.auditor.Crm.auditor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.consent4j.Catalog;
import org.consent4j.PurposeDefinition;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.InMemoryConsentStore;
import org.consent4j.core.audit.AuditTrail;
import org.consent4j.core.audit.InMemoryAuditSink;
import org.consent4j.core.audit.JsonLinesAuditSink;
import org.consent4j.core.evidence.Controller;
import org.consent4j.core.evidence.ProcessingRecords;
import org.consent4j.jdbc.JdbcConsentStore;
import org.consent4j.jdbc.SchemaMapping;
import org.consent4j.jdbc.audit.JdbcAuditSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code processing-records} end to end: the record of the catalog JSON file is the one
 * {@link ProcessingRecords} makes of the same catalog built in code, with the counts of a real
 * trail in a database or a file.
 */
final class ProcessingRecordsCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Controller CONTROLLER = new Controller("Example CRM Ltd", "dpo@example.invalid", "NL", "");
  private static final String MAPPING = """
      {"tables": [{"table": "contact", "subject": "id",
        "columns": {"email": "contact.email", "phone": "contact.phone", "iban": "payment"}}]}
      """;

  @TempDir
  Path dir;

  static Path catalog() throws URISyntaxException {
    return Path.of(ProcessingRecordsCommandTest.class.getResource("/catalog.json").toURI());
  }

  private static List<String> args(String... more) throws URISyntaxException {
    List<String> args = new ArrayList<>(List.of("processing-records", "--catalog", catalog().toString(),
        "--controller", CONTROLLER.name(), "--controller-contact", CONTROLLER.contact(),
        "--controller-jurisdiction", CONTROLLER.jurisdiction(), "--retention", "billing=10 years (tax law)"));
    args.addAll(List.of(more));
    return args;
  }

  /** The record as ProcessingRecords makes it of the catalog built in code, without its generation time. */
  private static JsonNode expected(AuditTrail trail, Instant from, Instant to, SchemaMapping mapping) throws Exception {
    ProcessingRecords.Builder b = ProcessingRecords.builder(Crm.catalog(), CONTROLLER)
        .retention(Crm.BILLING, "10 years (tax law)");
    if (mapping != null) {
      b.storage(mapping.storageByCategory());
    }
    return withoutTime(JSON.readTree(b.build().generate(trail, from, to).toJson()));
  }

  private static JsonNode withoutTime(JsonNode record) {
    ((ObjectNode) record).remove("generatedAt");
    return record;
  }

  @Test
  void theCatalogFileReadsAsTheCatalogBuiltInCode() throws Exception {
    Catalog read = CatalogFile.read(catalog());
    Catalog built = Crm.catalog();
    assertEquals(List.copyOf(built.purposes()), List.copyOf(read.purposes()));
    assertEquals(built.version(), read.version(), "the catalogs' fingerprints");
    assertTrue(read.purposes().stream().map(PurposeDefinition::description).anyMatch("the monthly newsletter"::equals));
  }

  /** The catalog example of docs/AUDIT-JDBC.md reads, so the page stays true to the reader. */
  @Test
  void theDocumentedCatalogExampleReads() throws Exception {
    String page = Files.readString(Path.of("..", "docs", "AUDIT-JDBC.md"));
    int section = page.indexOf("### `processing-records`");
    int start = page.indexOf("```json\n", section) + "```json\n".length();
    String json = page.substring(start, page.indexOf("```", start));
    Catalog c = CatalogFile.parse(JSON.readTree(json));
    assertEquals(4, c.purposes().size());
    assertTrue(c.isSpecial(org.consent4j.DataCategory.of("health")));
    assertEquals(org.consent4j.Jurisdiction.of("US"), c.recipient(org.consent4j.Recipient.of("mailer")).jurisdiction());
  }

  @Test
  void withoutATrailItPrintsTheDeclaredPurposesWithZeroCountsAndSaysSo() throws Exception {
    Path mapping = Files.writeString(dir.resolve("mapping.json"), MAPPING);
    Crm.Result r = auditor(args("--mapping", mapping.toString(), "--to", "2030-01-01T00:00:00Z")
        .toArray(String[]::new));
    assertEquals(Auditor.VALID, r.exitCode(), r::toString);
    assertTrue(r.err().startsWith("WARNING: no audit trail given"), r::toString);
    JsonNode printed = JSON.readTree(r.out());
    List<String> purposes = new ArrayList<>();
    printed.get("activities").forEach(a -> purposes.add(a.get("purpose").asText()));
    assertEquals(List.of("analytics", "billing", "marketing.email"), purposes);
    try (AuditTrail empty = AuditTrail.builder(new InMemoryAuditSink()).build()) {
      assertEquals(expected(empty, Instant.EPOCH, Instant.parse("2030-01-01T00:00:00Z"), SchemaMapping.fromJson(MAPPING)),
          withoutTime(printed));
    }
    JsonNode billing = printed.get("activities").get(1);
    assertEquals("billing", billing.get("purpose").asText());
    assertEquals("contact.iban", billing.get("storage").get("payment").get(0).asText(), billing::toString);
    assertEquals("10 years (tax law)", billing.get("retention").asText());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.auditor.TestDb#all")
  void aTrailInTheDatabaseGivesTheCountsOfThePeriod(TestDb db) throws Exception {
    JdbcAuditSink sink = JdbcAuditSink.builder(db.dataSource()).tablePrefix(db.prefix()).build();
    Instant from = Instant.now().minusSeconds(60);
    try (ConsentEngine engine = Crm.run(JdbcConsentStore.builder(db.dataSource()).tablePrefix(db.prefix()).build(),
        sink)) {
      Instant to = Instant.now().plusSeconds(60);
      Crm.Result r = auditor(args("--jdbc-url", db.url(), "--table-prefix", db.prefix(), "--from", from.toString(),
          "--to", to.toString()).toArray(String[]::new));
      assertEquals(Auditor.VALID, r.exitCode(), r::toString);
      assertEquals("", r.err());
      JsonNode printed = withoutTime(JSON.readTree(r.out()));
      assertEquals(expected(engine.audit(), from, to, null), printed);
      JsonNode newsletter = printed.get("activities").get(2);
      assertEquals("marketing.email", newsletter.get("purpose").asText());
      assertTrue(newsletter.get("counts").get("permits").asLong() > 0, printed::toString);
      assertTrue(newsletter.get("counts").get("denies").asLong() > 0, printed::toString);

      Crm.Result before = auditor(args("--jdbc-url", db.url(), "--table-prefix", db.prefix(),
          "--to", from.toString()).toArray(String[]::new));
      JsonNode empty = JSON.readTree(before.out()).get("activities").get(2).get("counts");
      assertEquals(0, empty.get("auditEvents").asLong(), "no event before the period");
    }
  }

  @Test
  void htmlFromAFileTrail() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    try (JsonLinesAuditSink sink = new JsonLinesAuditSink(file);
        ConsentEngine engine = Crm.run(new InMemoryConsentStore(), sink)) {
      String expected = ProcessingRecords.builder(Crm.catalog(), CONTROLLER).retention(Crm.BILLING, "10 years (tax law)")
          .build().generate(engine.audit(), Instant.EPOCH, Instant.parse("2100-01-01T00:00:00Z")).toHtml();
      sink.close();
      Path out = dir.resolve("ropa.html");
      Crm.Result r = auditor(args("--file", file.toString(), "--format", "html", "--to", "2100-01-01T00:00:00Z",
          "--output", out.toString()).toArray(String[]::new));
      assertEquals(Auditor.VALID, r.exitCode(), r::toString);
      String html = Files.readString(out);
      // the same page but for the generation time
      String stamp = "; generated ";
      assertEquals(expected.substring(0, expected.indexOf(stamp)), html.substring(0, html.indexOf(stamp)));
      assertEquals(expected.substring(expected.indexOf("</p>", expected.indexOf(stamp))),
          html.substring(html.indexOf("</p>", html.indexOf(stamp))));
      assertTrue(html.contains("<td>marketing.email<br><small>the monthly newsletter</small>"), html);
    }
  }

  @Test
  void anInvalidCatalogIsADataErrorNamingTheJsonPath() throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.json"), """
        {"purposes": [{"name": "billing", "basis": "CONTRACT", "categories": ["payment"], "colour": "red"}],
         "categories": ["payment"]}
        """);
    Crm.Result r = auditor("processing-records", "--catalog", bad.toString(), "--controller", "X");
    assertEquals(Auditor.DATA_ERROR, r.exitCode(), r::toString);
    assertTrue(r.err().contains("$.purposes[0].colour: unknown property"), r::toString);

    Path undeclared = Files.writeString(dir.resolve("undeclared.json"), """
        {"purposes": [{"name": "billing", "basis": "CONTRACT", "categories": ["payment"]}]}
        """);
    Crm.Result u = auditor("processing-records", "--catalog", undeclared.toString(), "--controller", "X");
    assertEquals(Auditor.DATA_ERROR, u.exitCode(), u::toString);
    assertTrue(u.err().contains("'payment', which is not declared"), u::toString);

    Path notJson = Files.writeString(dir.resolve("broken.json"), "{\"purposes\": [");
    Crm.Result j = auditor("processing-records", "--catalog", notJson.toString(), "--controller", "X");
    assertEquals(Auditor.DATA_ERROR, j.exitCode(), j::toString);
    assertTrue(j.err().contains("is not valid JSON at line 1"), j::toString);
  }

  @Test
  void usageErrors() throws Exception {
    assertEquals(Auditor.USAGE_ERROR, auditor("processing-records", "--controller", "X").exitCode(), "no catalog");
    assertEquals(Auditor.USAGE_ERROR, auditor(args("--format", "pdf").toArray(String[]::new)).exitCode());
    assertEquals(Auditor.USAGE_ERROR, auditor(args("--retention", "no.such.purpose=1 year").toArray(String[]::new))
        .exitCode());
    assertEquals(Auditor.USAGE_ERROR, auditor(args("--from", "yesterday").toArray(String[]::new)).exitCode());
    assertEquals(Auditor.USAGE_ERROR, auditor(args("--from", "2026-02-01T00:00:00Z", "--to", "2026-01-01T00:00:00Z")
        .toArray(String[]::new)).exitCode());
  }
}
