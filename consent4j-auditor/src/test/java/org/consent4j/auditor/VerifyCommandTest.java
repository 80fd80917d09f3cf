package org.consent4j.auditor;

import static org.consent4j.auditor.Crm.auditor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.consent4j.AuditRecord;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.audit.JsonLinesAuditSink;
import org.consent4j.jdbc.JdbcConsentStore;
import org.consent4j.jdbc.audit.AuditCheckpoints;
import org.consent4j.jdbc.audit.JdbcAuditSink;
import org.consent4j.spi.AuditSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code verify} end to end, in process: a trail written by a real engine into H2, PostgreSQL,
 * MariaDB and a JSON-lines file, then tampered with as someone with write access would, by SQL or
 * by editing the file. The key and the wrong password come from environment variables the build
 * sets (see the module's pom).
 */
final class VerifyCommandTest {
  /** Set by the surefire configuration: base64 of a 48-byte key. */
  static final String KEY_ENV = "CONSENT4J_AUDITOR_TEST_KEY";

  @TempDir
  Path dir;

  static byte[] key() {
    return Base64.getDecoder().decode(System.getenv(KEY_ENV));
  }

  /** The CRM's trail in the database, and a signed checkpoint of its head in a file outside it. */
  private long trailWithCheckpoint(TestDb db) {
    JdbcAuditSink sink = JdbcAuditSink.builder(db.dataSource()).tablePrefix(db.prefix()).build();
    try (ConsentEngine engine = Crm.run(JdbcConsentStore.builder(db.dataSource()).tablePrefix(db.prefix()).build(),
        sink)) {
      new AuditCheckpoints(sink, dir.resolve("checkpoints"), key(), Clock.systemUTC()).checkpoint();
      return sink.count();
    }
  }

  private static String[] verify(TestDb db, String... more) {
    List<String> args = new ArrayList<>(List.of("verify", "--jdbc-url", db.url(), "--table-prefix", db.prefix()));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  private String[] withCheckpoints(String[] args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--checkpoints", dir.resolve("checkpoints").toString(), "--checkpoint-key-env", KEY_ENV));
    return all.toArray(String[]::new);
  }

  private static void assertBrokenAt(long sequence, Crm.Result r) {
    assertEquals(Auditor.DATA_ERROR, r.exitCode(), r::toString);
    assertTrue(r.err().contains("BROKEN: "), r::toString);
    assertTrue(r.err().contains("not intact from sequence " + sequence + " on (" + (sequence - 1) + " records before"),
        r::toString);
    assertNoPersonalData(r);
  }

  /** Messages name sequences, never a record's content: no subject id, actor or details. */
  static void assertNoPersonalData(Crm.Result r) {
    for (String s : List.of(Crm.ALICE.value(), Crm.BOB.value(), Crm.CAROL.value(), "campaign-service", "someone-else")) {
      assertFalse(r.err().contains(s), () -> "the message names '" + s + "': " + r);
      assertFalse(r.out().contains(s), () -> "the output names '" + s + "': " + r);
    }
  }

  // ---------------------------------------------------------------- database

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.auditor.TestDb#all")
  void anIntactTrailVerifiesWithAndWithoutItsCheckpoint(TestDb db) {
    long records = trailWithCheckpoint(db);
    assertTrue(records >= 10, "the CRM wrote " + records + " records");

    Crm.Result plain = auditor(verify(db));
    assertEquals(Auditor.VALID, plain.exitCode(), plain::toString);
    assertTrue(plain.out().startsWith("INTACT: " + records + " audit records of "), plain::toString);
    assertTrue(plain.out().contains("no checkpoint given"), plain::toString);

    Crm.Result signed = auditor(withCheckpoints(verify(db)));
    assertEquals(Auditor.VALID, signed.exitCode(), signed::toString);
    assertTrue(signed.out().contains("against the checkpoint at sequence " + records), signed::toString);
    assertEquals("", signed.err());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.auditor.TestDb#all")
  void aChangedFieldFailsAtThatRecord(TestDb db) throws Exception {
    trailWithCheckpoint(db);
    db.sql("UPDATE " + db.prefix() + "audit SET actor = 'someone-else' WHERE seq = 7");
    assertBrokenAt(7, auditor(verify(db)));
    assertBrokenAt(7, auditor(withCheckpoints(verify(db))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.auditor.TestDb#all")
  void aDeletedRecordFailsAtItsSequence(TestDb db) throws Exception {
    trailWithCheckpoint(db);
    db.sql("DELETE FROM " + db.prefix() + "audit WHERE seq = 5");
    Crm.Result r = auditor(verify(db));
    assertBrokenAt(5, r);
    assertTrue(r.err().contains("audit record 5 is missing"), r::toString);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.auditor.TestDb#all")
  void reorderedRecordsFailAtTheFirstOfThem(TestDb db) throws Exception {
    trailWithCheckpoint(db);
    String t = db.prefix() + "audit";
    db.sql("UPDATE " + t + " SET seq = -1 WHERE seq = 8", "UPDATE " + t + " SET seq = 8 WHERE seq = 9",
        "UPDATE " + t + " SET seq = 9 WHERE seq = -1");
    assertBrokenAt(8, auditor(verify(db)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.auditor.TestDb#all")
  void aCutOffTailIsFoundOnlyWithTheCheckpoint(TestDb db) throws Exception {
    long records = trailWithCheckpoint(db);
    db.sql("DELETE FROM " + db.prefix() + "audit WHERE seq > 6");

    Crm.Result plain = auditor(verify(db));
    assertEquals(Auditor.VALID, plain.exitCode(), "the chain alone cannot tell: " + plain);
    assertTrue(plain.out().startsWith("INTACT: 6 audit records"), plain::toString);

    Crm.Result signed = auditor(withCheckpoints(verify(db)));
    assertBrokenAt(7, signed);
    assertTrue(signed.err().contains("ends at sequence 6 but the checkpoint is at sequence " + records), signed::toString);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.auditor.TestDb#all")
  void anUnsignedCheckpointFindsAChainRewrittenUpToIt(TestDb db) throws Exception {
    trailWithCheckpoint(db);
    JdbcAuditSink sink = JdbcAuditSink.builder(db.dataSource()).tablePrefix(db.prefix()).build();
    AuditRecord last = sink.last().orElseThrow();
    String head = last.sequence() + ":" + last.hash();
    Crm.Result ok = auditor(verify(db, "--checkpoint", head));
    assertEquals(Auditor.VALID, ok.exitCode(), ok::toString);

    String forged = last.sequence() + ":" + "0".repeat(63) + "1";
    Crm.Result r = auditor(verify(db, "--checkpoint", forged));
    assertBrokenAt(last.sequence(), r);
    assertTrue(r.err().contains("differs from the checkpoint"), r::toString);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.auditor.TestDb#all")
  void aForgedCheckpointLineIsRefused(TestDb db) throws Exception {
    trailWithCheckpoint(db);
    Path file = dir.resolve("checkpoints");
    String line = Files.readString(file).strip();
    String[] parts = line.split(" ");
    parts[1] = Long.toString(Long.parseLong(parts[1]) - 1); // claims a shorter chain, keeps the signature
    Files.writeString(file, line + "\n" + String.join(" ", parts) + "\n");
    Crm.Result r = auditor(withCheckpoints(verify(db)));
    assertEquals(Auditor.DATA_ERROR, r.exitCode(), r::toString);
    assertTrue(r.err().contains("checkpoint refused"), r::toString);
    assertTrue(r.err().contains("forged or altered"), r::toString);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.auditor.TestDb#all")
  void aMistypedPrefixIsADataErrorAndCreatesNoTable(TestDb db) throws Exception {
    trailWithCheckpoint(db);
    String wrong = db.otherPrefix("nothere" + db.prefix());
    Crm.Result r = auditor("verify", "--jdbc-url", db.url(), "--table-prefix", wrong);
    assertEquals(Auditor.DATA_ERROR, r.exitCode(), r::toString);
    assertTrue(r.err().contains("there is no readable table " + wrong + "audit"), r::toString);
    assertEquals(List.of(), db.tablesStartingWith(wrong), "the auditor created tables");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.auditor.TestDb#all")
  void tablesInANamedSchemaAreFoundWithSchemaAndOnlyWithIt(TestDb db) throws Exception {
    String schema = db.newSchema();
    JdbcAuditSink sink = JdbcAuditSink.builder(db.dataSource()).schema(schema).tablePrefix(db.prefix()).build();
    try (ConsentEngine engine = Crm.run(JdbcConsentStore.builder(db.dataSource()).schema(schema)
        .tablePrefix(db.prefix()).build(), sink)) {
      long records = sink.count();
      Crm.Result r = auditor(verify(db, "--schema", schema));
      assertEquals(Auditor.VALID, r.exitCode(), r::toString);
      assertTrue(r.out().startsWith("INTACT: " + records + " audit records of "), r::toString);
      assertTrue(r.out().contains(" schema " + schema + " tables " + db.prefix() + "*"), r::toString);

      Crm.Result export = auditor("export", "--jdbc-url", db.url(), "--schema", schema, "--table-prefix", db.prefix(),
          "--subject", Crm.ALICE.value());
      assertEquals(Auditor.VALID, export.exitCode(), export::toString);
      assertEquals(new com.fasterxml.jackson.databind.ObjectMapper().readTree(engine.export(Crm.ALICE).toJson())
          .get("accesses"), new com.fasterxml.jackson.databind.ObjectMapper().readTree(export.out()).get("accesses"));

      Crm.Result unqualified = auditor(verify(db));
      assertEquals(Auditor.DATA_ERROR, unqualified.exitCode(), "the tables are not in the default schema: " + unqualified);
      assertEquals(List.of(), db.tablesStartingWith(db.prefix()), "the auditor created tables in the default schema");
    }
  }

  // ---------------------------------------------------------------- JSON-lines file

  private Path fileTrail() {
    Path file = dir.resolve("audit.jsonl");
    try (JsonLinesAuditSink sink = new JsonLinesAuditSink(file);
        ConsentEngine engine = Crm.run(new org.consent4j.core.InMemoryConsentStore(), sink)) {
      new AuditCheckpoints(sink, dir.resolve("checkpoints"), key(), Clock.systemUTC()).checkpoint();
    }
    return file;
  }

  private Crm.Result verifyFile(Path file, boolean checkpoints) {
    String[] args = {"verify", "--file", file.toString()};
    return auditor(checkpoints ? withCheckpoints(args) : args);
  }

  private static List<String> lines(Path file) throws Exception {
    return new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
  }

  private static void write(Path file, List<String> lines) throws Exception {
    Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
  }

  @Test
  void anIntactFileVerifiesAgainstItsCheckpoint() throws Exception {
    Path file = fileTrail();
    int records = lines(file).size();
    Crm.Result r = verifyFile(file, true);
    assertEquals(Auditor.VALID, r.exitCode(), r::toString);
    assertTrue(r.out().startsWith("INTACT: " + records + " audit records of file " + file), r::toString);
    assertTrue(r.out().contains("against the checkpoint at sequence " + records), r::toString);
  }

  @Test
  void aChangedFieldInALineFailsAtThatRecord() throws Exception {
    Path file = fileTrail();
    List<String> lines = lines(file);
    assertTrue(lines.get(6).contains("\"campaign-service\"") || lines.get(6).contains("\"billing-service\""));
    lines.set(6, lines.get(6).replace("\"campaign-service\"", "\"someone-else\"")
        .replace("\"billing-service\"", "\"someone-else\""));
    write(file, lines);
    Crm.Result r = verifyFile(file, true);
    assertBrokenAt(7, r);
    assertTrue(r.err().contains("audit record 7 was altered"), r::toString);
  }

  @Test
  void aDeletedLineFailsAtItsSequence() throws Exception {
    Path file = fileTrail();
    List<String> lines = lines(file);
    lines.remove(3);
    write(file, lines);
    Crm.Result r = verifyFile(file, false);
    assertBrokenAt(4, r);
    assertTrue(r.err().contains("audit record 4 is missing"), r::toString);
  }

  @Test
  void swappedLinesFailAtTheFirstOfThem() throws Exception {
    Path file = fileTrail();
    List<String> lines = lines(file);
    String ten = lines.get(9);
    lines.set(9, lines.get(10));
    lines.set(10, ten);
    write(file, lines);
    assertBrokenAt(10, verifyFile(file, false));
  }

  @Test
  void aCutOffFileIsFoundOnlyWithTheCheckpoint() throws Exception {
    Path file = fileTrail();
    write(file, lines(file).subList(0, 5));
    assertEquals(Auditor.VALID, verifyFile(file, false).exitCode());
    assertBrokenAt(6, verifyFile(file, true));
  }

  @Test
  void aMissingFileIsADataErrorAndIsNotCreated() {
    Path file = dir.resolve("no-such.jsonl");
    Crm.Result r = verifyFile(file, false);
    assertEquals(Auditor.DATA_ERROR, r.exitCode(), r::toString);
    assertTrue(r.err().contains("there is no audit file " + file), r::toString);
    assertFalse(Files.exists(file));
  }

  @Test
  void aFileInUseByARunningApplicationIsReadWithoutItsLockAndLeftAsItWas() throws Exception {
    Path file = fileTrail();
    byte[] before = Files.readAllBytes(file);
    try (AuditSink held = new JsonLinesAuditSink(file)) {
      Crm.Result r = verifyFile(file, true);
      assertEquals(Auditor.VALID, r.exitCode(), r::toString);
      assertEquals("", r.err());
    }
    assertArrayEquals(before, Files.readAllBytes(file));
    try (var copies = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      assertEquals(List.of(), copies.filter(p -> p.getFileName().toString().startsWith("consent4j-auditor-")).toList(),
          "temporary copies left behind");
    }
  }

  @Test
  void aLineStillBeingWrittenIsLeftOutWithAWarning() throws Exception {
    Path file = fileTrail();
    int records = lines(file).size();
    Files.writeString(file, "{\"sequence\":" + (records + 1) + ",\"previousHash\":\"", StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.APPEND);
    Crm.Result r = verifyFile(file, true);
    assertEquals(Auditor.VALID, r.exitCode(), r::toString);
    assertTrue(r.out().startsWith("INTACT: " + records + " audit records"), r::toString);
    assertTrue(r.err().startsWith("WARNING: audit file " + file + " ends with an incomplete line"), r::toString);
  }

  // ---------------------------------------------------------------- usage and credentials

  @Test
  void usageErrorsExitWithTwo() {
    assertEquals(Auditor.USAGE_ERROR, auditor().exitCode());
    assertEquals(Auditor.USAGE_ERROR, auditor("verify").exitCode(), "no source");
    assertEquals(Auditor.USAGE_ERROR, auditor("verify", "--file", "a", "--jdbc-url", "jdbc:h2:mem:x").exitCode(),
        "two sources");
    assertEquals(Auditor.USAGE_ERROR, auditor("verify", "--file", "a", "--no-such-option").exitCode());
    assertEquals(Auditor.USAGE_ERROR, auditor("verify", "--file", "a", "--checkpoint", "12:nothex").exitCode());
    assertEquals(Auditor.USAGE_ERROR, auditor("verify", "--file", "a", "--checkpoints", "c").exitCode(),
        "a checkpoint file without its key");
    assertEquals(Auditor.USAGE_ERROR, auditor("verify", "--file", "a", "--checkpoints", "c", "--checkpoint-key-env",
        "CONSENT4J_AUDITOR_NO_SUCH_VARIABLE").exitCode());
    assertEquals(Auditor.USAGE_ERROR, auditor("verify", "--jdbc-url", "jdbc:h2:mem:x", "--table-prefix", "Bad-Prefix")
        .exitCode());
    assertEquals(Auditor.USAGE_ERROR, auditor("no-such-command").exitCode());
  }

  @Test
  void helpIsThereForEachSubcommand() {
    for (String command : List.of("verify", "export", "processing-records")) {
      Crm.Result r = auditor(command, "--help");
      assertEquals(Auditor.VALID, r.exitCode(), r::toString);
      assertTrue(r.out().startsWith("Usage: consent4j-auditor " + command), r::toString);
      assertTrue(r.out().contains("Exit codes:"), r::toString);
    }
    Crm.Result top = auditor("--help");
    assertEquals(Auditor.VALID, top.exitCode());
    assertTrue(top.out().contains("verify") && top.out().contains("export") && top.out().contains("processing-records"));
  }

  /** The surefire configuration sets it to a wrong password. */
  static final String PASSWORD_ENV = "CONSENT4J_AUDITOR_TEST_PASSWORD";

  @Test
  void aWrongPasswordIsADataErrorThatNeverEchoesIt() throws Exception {
    String url = "jdbc:h2:mem:c4ja_pw_" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
    try (var c = java.sql.DriverManager.getConnection(url, "auditor", "the-right-password")) {
      String password = System.getenv(PASSWORD_ENV);
      assertTrue(password != null && password.length() > 8, "the build sets " + PASSWORD_ENV);
      Crm.Result fromEnv = auditor("verify", "--jdbc-url", url, "--user", "auditor", "--password-env", PASSWORD_ENV);
      assertEquals(Auditor.DATA_ERROR, fromEnv.exitCode(), fromEnv::toString);
      assertTrue(fromEnv.err().contains("cannot connect to jdbc:h2:mem:c4ja_pw_"), fromEnv::toString);
      assertFalse(fromEnv.err().contains(password) || fromEnv.out().contains(password), fromEnv::toString);

      String inUrl = url + ";USER=auditor;PASSWORD=" + password;
      Crm.Result fromUrl = auditor("verify", "--jdbc-url", inUrl);
      assertEquals(Auditor.DATA_ERROR, fromUrl.exitCode(), fromUrl::toString);
      assertFalse(fromUrl.err().contains(password) || fromUrl.out().contains(password), fromUrl::toString);
      c.createStatement().execute("SHUTDOWN");
    }
  }

  @Test
  void aCheckpointKeyThatIsTooShortIsAUsageError() {
    Crm.Result r = auditor("verify", "--file", "a", "--checkpoints", "c", "--checkpoint-key-env", PASSWORD_ENV,
        "--key-encoding", "utf8");
    assertEquals(Auditor.USAGE_ERROR, r.exitCode(), r::toString);
    assertTrue(r.err().contains("at least 32"), r::toString);
    assertFalse(r.err().contains(System.getenv(PASSWORD_ENV)), r::toString);
  }
}
