package org.consent4j.jdbc.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Clock;
import java.util.Optional;
import java.util.OptionalLong;
import org.consent4j.AuditEvent;
import org.consent4j.AuditRecord;
import org.consent4j.core.audit.AuditChain;
import org.consent4j.core.audit.AuditTrail;
import org.consent4j.core.audit.ChainHead;
import org.consent4j.core.audit.Verification;
import org.consent4j.jdbc.TestDatabases.Database;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tampering with the audit table by SQL, as someone with write access to the database would:
 * each alteration is detected, the last two only with a checkpoint kept outside the database.
 */
final class AuditTableTamperingTest {
  static final byte[] KEY = "a checkpoint key of at least 32 bytes, kept elsewhere".getBytes(StandardCharsets.UTF_8);
  static final int RECORDS = 50;

  @TempDir
  Path dir;

  static java.util.stream.Stream<Database> h2() {
    return java.util.stream.Stream.of(org.consent4j.jdbc.TestDatabases.h2());
  }

  /** A chain of 50 records and a signed checkpoint of its head in a file outside the database. */
  private ChainHead chainWithCheckpoint(Database db, JdbcAuditSink sink) {
    try (AuditTrail trail = AuditTrail.builder(sink).build()) {
      for (int i = 1; i <= RECORDS; i++) {
        trail.record(AuditEvents.event(i));
      }
    }
    AuditCheckpoints checkpoints = new AuditCheckpoints(sink, dir.resolve("checkpoints"), KEY, Clock.systemUTC());
    checkpoints.checkpoint();
    assertEquals(Verification.intact(RECORDS), verify(sink, Optional.empty()));
    return checkpoints.latest().orElseThrow();
  }

  private static Verification verify(JdbcAuditSink sink, Optional<ChainHead> checkpoint) {
    return AuditTrail.verify(sink, checkpoint);
  }

  private static void sql(Database db, String... statements) throws Exception {
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }

  private static void assertBrokenAt(long sequence, Verification v) {
    assertFalse(v.valid(), "tampering was not detected");
    assertEquals(OptionalLong.of(sequence), v.firstBrokenSequence(), v.problem());
    assertEquals(sequence - 1, v.recordsChecked());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void anUpdatedRowIsDetectedAtThatRow(Database db) throws Exception {
    JdbcAuditSink sink = JdbcAuditSinkTest.sink(db);
    chainWithCheckpoint(db, sink);
    sql(db, "UPDATE " + db.tablePrefix() + "audit SET actor = 'someone-else' WHERE seq = 17");
    assertBrokenAt(17, verify(sink, Optional.empty()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void anUpdatedRowWithItsHashRecomputedIsDetectedAtTheNextRow(Database db) throws Exception {
    JdbcAuditSink sink = JdbcAuditSinkTest.sink(db);
    chainWithCheckpoint(db, sink);
    AuditRecord original;
    try (var s = sink.read()) {
      original = s.filter(r -> r.sequence() == 17).findFirst().orElseThrow();
    }
    AuditEvent e = original.event();
    AuditEvent forged = new AuditEvent(e.time(), "someone-else", e.purpose(), e.recipient(), e.operation(),
        e.subjects(), e.categories(), e.outcome(), e.reason(), e.stateVersion(), e.details());
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement s = c.prepareStatement("UPDATE " + db.tablePrefix() + "audit SET actor = ?, hash = ? WHERE seq = 17")) {
      s.setString(1, forged.actor());
      s.setString(2, AuditChain.hash(17, original.previousHash(), forged));
      assertEquals(1, s.executeUpdate());
    }
    assertBrokenAt(18, verify(sink, Optional.empty()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void aDeletedMiddleRowIsDetected(Database db) throws Exception {
    JdbcAuditSink sink = JdbcAuditSinkTest.sink(db);
    chainWithCheckpoint(db, sink);
    sql(db, "DELETE FROM " + db.tablePrefix() + "audit WHERE seq = 23");
    Verification v = verify(sink, Optional.empty());
    assertBrokenAt(23, v);
    assertTrue(v.problem().contains("missing"), v.problem());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void twoSwappedRowsAreDetected(Database db) throws Exception {
    JdbcAuditSink sink = JdbcAuditSinkTest.sink(db);
    chainWithCheckpoint(db, sink);
    String t = db.tablePrefix() + "audit";
    sql(db, "UPDATE " + t + " SET seq = -1 WHERE seq = 30", "UPDATE " + t + " SET seq = 30 WHERE seq = 31",
        "UPDATE " + t + " SET seq = 31 WHERE seq = -1");
    assertBrokenAt(30, verify(sink, Optional.empty()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void aDeletedTailIsDetectedOnlyWithTheCheckpoint(Database db) throws Exception {
    JdbcAuditSink sink = JdbcAuditSinkTest.sink(db);
    ChainHead checkpoint = chainWithCheckpoint(db, sink);
    // The attacker also moves the head row back, so that new records would continue the shortened chain.
    AuditRecord forty;
    try (var s = sink.read()) {
      forty = s.filter(r -> r.sequence() == 40).findFirst().orElseThrow();
    }
    sql(db, "DELETE FROM " + db.tablePrefix() + "audit WHERE seq > 40",
        "UPDATE " + db.tablePrefix() + "audit_head SET seq = 40, hash = '" + forty.hash() + "'");

    assertEquals(Verification.intact(40), verify(sink, Optional.empty()), "the chain alone cannot tell");
    Verification v = verify(sink, Optional.of(checkpoint));
    assertBrokenAt(41, v);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void aChainDeletedAndResealedIsDetectedOnlyWithTheCheckpoint(Database db) throws Exception {
    JdbcAuditSink sink = JdbcAuditSinkTest.sink(db);
    ChainHead checkpoint = chainWithCheckpoint(db, sink);
    sql(db, "DELETE FROM " + db.tablePrefix() + "audit",
        "UPDATE " + db.tablePrefix() + "audit_head SET seq = 0, hash = '" + AuditRecord.GENESIS + "'");
    try (AuditTrail forger = AuditTrail.builder(sink).build()) {
      for (int i = 1; i <= RECORDS + 5; i++) {
        forger.record(AuditEvents.event(10_000 + i));
      }
    }
    assertEquals(Verification.intact(RECORDS + 5), verify(sink, Optional.empty()), "the chain alone cannot tell");
    Verification v = verify(sink, Optional.of(checkpoint));
    assertBrokenAt(RECORDS, v);
    assertTrue(v.problem().contains("checkpoint"), v.problem());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void aRowThatIsNoLongerARecordBreaksTheChainThere(Database db) throws Exception {
    JdbcAuditSink sink = JdbcAuditSinkTest.sink(db);
    chainWithCheckpoint(db, sink);
    sql(db, "UPDATE " + db.tablePrefix() + "audit SET subjects = 'not json' WHERE seq = 9");
    Verification v = verify(sink, Optional.empty());
    assertBrokenAt(9, v);
    assertTrue(v.problem().contains("could not be read"), v.problem());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("h2")
  void aForgedCheckpointIsRefused(Database db) throws Exception {
    JdbcAuditSink sink = JdbcAuditSinkTest.sink(db);
    chainWithCheckpoint(db, sink);
    Path file = dir.resolve("checkpoints");
    String line = Files.readString(file).strip();
    AuditCheckpoint real = AuditCheckpoint.parse(line);
    // Whoever re-sealed the chain writes a checkpoint of their own head, without the key.
    AuditCheckpoint forged = new AuditCheckpoint(new ChainHead(55, AuditEvents.hashOf(sink, 1)), real.takenAt(),
        real.signature());
    Files.writeString(file, forged.toLine() + "\n", java.nio.file.StandardOpenOption.APPEND);
    AuditCheckpoints checkpoints = new AuditCheckpoints(sink, file, KEY, Clock.systemUTC());
    SecurityException e = assertThrows(SecurityException.class, checkpoints::latest);
    assertTrue(e.getMessage().contains("forged"), e.getMessage());
  }
}
