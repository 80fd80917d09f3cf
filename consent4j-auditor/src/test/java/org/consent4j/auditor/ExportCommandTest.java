package org.consent4j.auditor;

import static org.consent4j.auditor.Crm.auditor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.consent4j.SubjectId;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.audit.JsonLinesAuditSink;
import org.consent4j.jdbc.JdbcConsentStore;
import org.consent4j.jdbc.audit.JdbcAuditSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code export} end to end on H2, PostgreSQL and MariaDB: the subject's ledger and accesses, the
 * same as the engine's own {@code ConsentEngine.export}, and nothing of anyone else.
 */
final class ExportCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private static JdbcConsentStore store(TestDb db) {
    return JdbcConsentStore.builder(db.dataSource()).tablePrefix(db.prefix()).build();
  }

  private static JdbcAuditSink sink(TestDb db) {
    return JdbcAuditSink.builder(db.dataSource()).tablePrefix(db.prefix()).build();
  }

  private static String[] export(TestDb db, SubjectId subject, String... more) {
    List<String> args = new ArrayList<>(List.of("export", "--jdbc-url", db.url(), "--table-prefix", db.prefix(),
        "--subject", subject.value()));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  /** Every string value anywhere in the tree. */
  private static List<String> strings(JsonNode n) {
    List<String> out = new ArrayList<>();
    if (n.isTextual()) {
      out.add(n.asText());
    }
    n.forEach(child -> out.addAll(strings(child)));
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.auditor.TestDb#all")
  void theExportIsTheEnginesExportOfThatSubjectAndNamesNoOtherSubject(TestDb db) throws Exception {
    try (ConsentEngine engine = Crm.run(store(db), sink(db))) {
      for (SubjectId subject : List.of(Crm.ALICE, Crm.BOB, Crm.CAROL)) {
        Crm.Result r = auditor(export(db, subject));
        assertEquals(Auditor.VALID, r.exitCode(), r::toString);
        JsonNode cli = JSON.readTree(r.out());
        JsonNode expected = JSON.readTree(engine.export(subject).toJson());

        assertEquals(subject.value(), cli.get("subject").asText());
        assertEquals(expected.get("consentLedger"), cli.get("consentLedger"), "the ledger of " + subject);
        assertEquals(expected.get("accesses"), cli.get("accesses"), "the accesses of " + subject);
        // checks that cannot pass by accident: the CRM gave each subject entries and accesses
        assertTrue(cli.get("accesses").size() >= 5, r::toString);
        assertEquals(subject.equals(Crm.CAROL) ? 0 : subject.equals(Crm.BOB) ? 2 : 1, cli.get("consentLedger").size());

        List<String> others = new ArrayList<>(List.of(Crm.ALICE.value(), Crm.BOB.value(), Crm.CAROL.value()));
        others.remove(subject.value());
        for (String other : others) {
          assertFalse(strings(cli).contains(other), "the export of " + subject + " names " + other);
          assertFalse(r.out().contains(other), "the export of " + subject + " names " + other);
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.auditor.TestDb#all")
  void nothingIsExportedFromATamperedTrailUnlessAskedTo(TestDb db) throws Exception {
    try (ConsentEngine engine = Crm.run(store(db), sink(db))) {
      db.sql("DELETE FROM " + db.prefix() + "audit WHERE seq = 3");
      Crm.Result refused = auditor(export(db, Crm.ALICE));
      assertEquals(Auditor.DATA_ERROR, refused.exitCode(), refused::toString);
      assertEquals("", refused.out());
      assertTrue(refused.err().contains("not intact from sequence 3 on"), refused::toString);
      assertFalse(refused.err().contains(Crm.ALICE.value()), refused::toString);

      Crm.Result anyway = auditor(export(db, Crm.ALICE, "--skip-verification"));
      assertEquals(Auditor.VALID, anyway.exitCode(), anyway::toString);
      assertTrue(anyway.err().startsWith("WARNING: the audit trail is not intact from sequence 3 on"), anyway::toString);
      assertEquals(JSON.readTree(engine.export(Crm.ALICE).toJson()).get("accesses"),
          JSON.readTree(anyway.out()).get("accesses"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.auditor.TestDb#all")
  void theExportCanBeWrittenToAFile(TestDb db) throws Exception {
    try (ConsentEngine engine = Crm.run(store(db), sink(db))) {
      Path file = dir.resolve("bob.json");
      Crm.Result r = auditor(export(db, Crm.BOB, "--output", file.toString()));
      assertEquals(Auditor.VALID, r.exitCode(), r::toString);
      assertEquals("", r.out());
      JsonNode written = JSON.readTree(Files.readString(file));
      assertEquals(JSON.readTree(engine.export(Crm.BOB).toJson()).get("accesses"), written.get("accesses"));
      assertTrue(r.err().contains("exported 2 ledger entries and " + written.get("accesses").size() + " accesses"),
          r::toString);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.auditor.TestDb#all")
  void aStoreThatIsNotThereIsADataErrorAndIsNotCreated(TestDb db) throws Exception {
    String wrong = db.otherPrefix("nothere" + db.prefix());
    Crm.Result r = auditor("export", "--jdbc-url", db.url(), "--table-prefix", wrong, "--subject", "c-1");
    assertEquals(Auditor.DATA_ERROR, r.exitCode(), r::toString);
    assertTrue(r.err().contains("there is no readable table " + wrong + "ledger"), r::toString);
    assertEquals(List.of(), db.tablesStartingWith(wrong));
  }

  @Test
  void theAccessesMayComeFromAJsonLinesFile() throws Exception {
    try (TestDb db = TestDb.h2()) {
      Path file = dir.resolve("audit.jsonl");
      try (JsonLinesAuditSink fileSink = new JsonLinesAuditSink(file);
          ConsentEngine engine = Crm.run(store(db), fileSink)) {
        String expected = engine.export(Crm.ALICE).toJson();
        fileSink.close(); // the application stops; its file is then free for the auditor
        Crm.Result r = auditor(export(db, Crm.ALICE, "--audit-file", file.toString()));
        assertEquals(Auditor.VALID, r.exitCode(), r::toString);
        assertEquals(JSON.readTree(expected).get("accesses"), JSON.readTree(r.out()).get("accesses"));
        assertEquals(JSON.readTree(expected).get("consentLedger"), JSON.readTree(r.out()).get("consentLedger"));
      }
    }
  }

  @Test
  void aMissingOrInvalidSubjectIsAUsageErrorThatDoesNotEchoTheValue() {
    assertEquals(Auditor.USAGE_ERROR, auditor("export", "--jdbc-url", "jdbc:h2:mem:x").exitCode());
    Crm.Result r = auditor("export", "--jdbc-url", "jdbc:h2:mem:x", "--subject", "c-4711\u0001x");
    assertEquals(Auditor.USAGE_ERROR, r.exitCode(), r::toString);
    assertTrue(r.err().contains("not a valid subject id: subject id must not contain control characters"), r::toString);
    assertFalse(r.err().contains("c-4711"), r::toString);
    assertEquals(Auditor.USAGE_ERROR, auditor("export", "--jdbc-url", "jdbc:h2:mem:x", "--subject", " ").exitCode());
    assertEquals(Auditor.USAGE_ERROR, auditor("export", "--subject", "c-1").exitCode(), "no database");
  }
}
