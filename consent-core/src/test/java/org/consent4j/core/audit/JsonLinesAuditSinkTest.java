package org.consent4j.core.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.consent4j.AuditEvent;
import org.consent4j.AuditRecord;
import org.consent4j.AuditUnavailableException;
import org.consent4j.DataCategory;
import org.consent4j.Outcome;
import org.consent4j.Purpose;
import org.consent4j.Recipient;
import org.consent4j.SubjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class JsonLinesAuditSinkTest {

  @TempDir Path dir;

  private Path file() {
    return dir.resolve("audit.jsonl");
  }

  /** Records events 1..n through a synchronous trail over the file, closes it, returns the head. */
  private ChainHead writeChain(int n) {
    try (AuditTrail trail = AuditTrail.builder(new JsonLinesAuditSink(file())).build()) {
      for (int i = 1; i <= n; i++) {
        trail.record(Events.event(i));
      }
      return trail.head();
    }
  }

  private void edit(Consumer<List<String>> change) throws IOException {
    List<String> lines = new ArrayList<>(Files.readAllLines(file(), StandardCharsets.UTF_8));
    change.accept(lines);
    Files.write(file(), lines, StandardCharsets.UTF_8);
  }

  private Verification verify(ChainHead... checkpoint) {
    try (AuditTrail trail = AuditTrail.builder(new JsonLinesAuditSink(file())).build()) {
      return checkpoint.length == 0 ? trail.verify() : trail.verify(checkpoint[0]);
    }
  }

  private static List<AuditRecord> readAll(JsonLinesAuditSink sink) {
    try (Stream<AuditRecord> records = sink.read()) {
      return records.collect(Collectors.toList());
    }
  }

  @Test
  void recordsRoundTripExactlyOneLineEach() throws IOException {
    AuditEvent awkward = new AuditEvent(Instant.ofEpochSecond(-1, 999_999_999), "Zoë \"the\" admin \\ \u2028 👩‍💻",
        Purpose.of("marketing.email"), Recipient.of("quizlab"), "repository ContactRepository.findFriends",
        List.of(SubjectId.of("9"), SubjectId.of("10"), SubjectId.of("1"), SubjectId.of("9")),
        new TreeSet<>(List.of(DataCategory.of("contact.email"), DataCategory.of("profile"))), Outcome.PARTIAL,
        "WITHHELD", Long.MAX_VALUE, new TreeMap<>(Map.of("b", "2", "a", "{\"x\":[1]}", "empty", "")));
    AuditEvent plain = new AuditEvent(Instant.parse("2025-01-01T00:00:00Z"), "", Purpose.of("billing"),
        Recipient.FIRST_PARTY, "", List.of(), new TreeSet<>(), Outcome.DENY, "", 0, new TreeMap<>());
    AuditRecord first = AuditChain.seal(1, AuditRecord.GENESIS, awkward);
    AuditRecord second = AuditChain.seal(2, first.hash(), plain);
    try (JsonLinesAuditSink sink = new JsonLinesAuditSink(file())) {
      assertEquals(java.util.Optional.empty(), sink.last());
      assertEquals(List.of(), readAll(sink));
      sink.write(List.of(first));
      sink.write(List.of(second));
      assertEquals(List.of(first, second), readAll(sink));
      assertEquals(java.util.Optional.of(second), sink.last());
    }
    assertEquals(2, Files.readAllLines(file()).size());
    try (JsonLinesAuditSink reopened = new JsonLinesAuditSink(file())) {
      assertEquals(List.of(first, second), readAll(reopened));
    }
  }

  @Test
  void lastReadsALineLongerThanOneChunk() {
    List<SubjectId> many = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      many.add(SubjectId.of(i));
    }
    AuditEvent big = new AuditEvent(Events.T0, "batch", Purpose.of("analytics"), Recipient.FIRST_PARTY, "check", many,
        new TreeSet<>(), Outcome.PERMIT, "GRANTED", 1, new TreeMap<>());
    try (JsonLinesAuditSink sink = new JsonLinesAuditSink(file())) {
      AuditRecord small = AuditChain.seal(1, AuditRecord.GENESIS, Events.event(1));
      AuditRecord large = AuditChain.seal(2, small.hash(), big);
      sink.write(List.of(small, large));
      assertEquals(java.util.Optional.of(large), sink.last());
    }
  }

  @Test
  void untouchedFileVerifies() {
    ChainHead head = writeChain(6);
    assertEquals(Verification.intact(6), verify());
    assertEquals(Verification.intact(6), verify(head));
  }

  @Test
  void restartedTrailContinuesTheChainInTheSameFile() throws IOException {
    ChainHead first = writeChain(3);
    try (AuditTrail trail = AuditTrail.builder(new JsonLinesAuditSink(file())).build()) {
      assertEquals(first, trail.head());
      AuditRecord next = trail.record(Events.event(4)).orElseThrow();
      assertEquals(4, next.sequence());
      assertEquals(first.hash(), next.previousHash());
      trail.record(Events.event(5));
    }
    try (AuditTrail trail = AuditTrail.builder(new JsonLinesAuditSink(file()))
        .asynchronous(8, 4, java.time.Duration.ofSeconds(10)).build()) {
      trail.record(Events.event(6));
      trail.flush();
      assertEquals(Verification.intact(6), trail.verify(trail.head()));
    }
    assertEquals(6, Files.readAllLines(file()).size());
  }

  @Test
  void changedFieldInTheFileIsDetectedAtItsRecord() throws IOException {
    writeChain(6);
    edit(lines -> lines.set(2, lines.get(2).replace("\"actor\":\"crm-service\"", "\"actor\":\"crm-servicf\"")));
    Verification v = verify();
    assertEquals(OptionalLong.of(3), v.firstBrokenSequence(), v.problem());
    assertEquals(2, v.recordsChecked());
  }

  @Test
  void deletedLineIsDetectedAtItsSequence() throws IOException {
    writeChain(6);
    edit(lines -> lines.remove(2));
    assertEquals(OptionalLong.of(3), verify().firstBrokenSequence());
  }

  @Test
  void swappedLinesAreDetectedAtTheFirstOfThem() throws IOException {
    writeChain(6);
    edit(lines -> Collections.swap(lines, 2, 3));
    assertEquals(OptionalLong.of(3), verify().firstBrokenSequence());
  }

  @Test
  void insertedLineIsDetectedWhereItStands() throws IOException {
    writeChain(6);
    edit(lines -> lines.add(3, lines.get(1)));
    assertEquals(OptionalLong.of(4), verify().firstBrokenSequence());
  }

  @Test
  void truncatedFileIsDetectedOnlyAgainstTheCheckpoint() throws IOException {
    ChainHead head = writeChain(6);
    edit(lines -> lines.subList(4, 6).clear());
    assertEquals(Verification.intact(4), verify());
    Verification v = verify(head);
    assertFalse(v.valid());
    assertEquals(OptionalLong.of(5), v.firstBrokenSequence());
  }

  @Test
  void fileRewrittenAndSealedFromScratchIsDetectedAgainstTheCheckpoint() throws IOException {
    ChainHead head = writeChain(6);
    List<AuditEvent> events = new ArrayList<>();
    try (JsonLinesAuditSink sink = new JsonLinesAuditSink(file())) {
      readAll(sink).forEach(r -> events.add(r.event()));
    }
    events.set(0, Events.withOutcome(events.get(0), Outcome.DENY));
    Path forged = dir.resolve("forged.jsonl");
    try (JsonLinesAuditSink sink = new JsonLinesAuditSink(forged)) {
      sink.write(Events.reseal(events));
    }
    Files.move(forged, file(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

    assertTrue(verify().valid());
    Verification v = verify(head);
    assertEquals(OptionalLong.of(6), v.firstBrokenSequence(), v.problem());
  }

  @Test
  void corruptLineMakesTheStreamFailNamingTheLineButNotItsContent() throws IOException {
    writeChain(3);
    edit(lines -> lines.set(1, "{\"secret-looking\": "));
    try (JsonLinesAuditSink sink = new JsonLinesAuditSink(file())) {
      AuditUnavailableException e = assertThrows(AuditUnavailableException.class, () -> readAll(sink));
      assertTrue(e.getMessage().contains("line 2"), e.getMessage());
      assertFalse(e.getMessage().contains("secret-looking"), e.getMessage());
    }
    Verification v = verify();
    assertEquals(OptionalLong.of(2), v.firstBrokenSequence());
    assertTrue(v.problem().contains("line 2"), v.problem());
  }

  @Test
  void missingFieldIsNamed() throws IOException {
    writeChain(2);
    edit(lines -> lines.set(0, lines.get(0).replaceFirst("\"actor\":\"[^\"]*\",", "")));
    try (JsonLinesAuditSink sink = new JsonLinesAuditSink(file())) {
      AuditUnavailableException e = assertThrows(AuditUnavailableException.class, () -> readAll(sink));
      assertTrue(e.getMessage().contains("line 1") && e.getMessage().contains("'actor'"), e.getMessage());
    }
  }

  @Test
  void invalidUtf8IsReportedWithItsLine() throws IOException {
    writeChain(2);
    byte[] bytes = Files.readAllBytes(file());
    int secondLine = indexOf(bytes, (byte) '\n') + 1;
    bytes[secondLine + 20] = (byte) 0xC3; // starts a two-byte sequence that does not continue
    bytes[secondLine + 21] = (byte) 0x28;
    Files.write(file(), bytes);
    try (JsonLinesAuditSink sink = new JsonLinesAuditSink(file())) {
      AuditUnavailableException e = assertThrows(AuditUnavailableException.class, () -> readAll(sink));
      assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    }
  }

  private static int indexOf(byte[] bytes, byte b) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void incompleteLastLineFromACrashStopsTheTrailFromStarting() throws IOException {
    writeChain(2);
    Files.writeString(file(), "{\"sequence\":3,\"prev", StandardOpenOption.APPEND);
    try (JsonLinesAuditSink sink = new JsonLinesAuditSink(file())) {
      AuditUnavailableException e = assertThrows(AuditUnavailableException.class, sink::last);
      assertTrue(e.getMessage().contains("incomplete line"), e.getMessage());
      assertThrows(AuditUnavailableException.class, () -> AuditTrail.builder(sink).build());
    }
  }

  @Test
  void secondSinkOnAnOpenFileIsRefused() {
    try (JsonLinesAuditSink sink = new JsonLinesAuditSink(file())) {
      assertThrows(AuditUnavailableException.class, () -> new JsonLinesAuditSink(file()));
      sink.write(Events.chain(1));
    }
    try (JsonLinesAuditSink again = new JsonLinesAuditSink(file())) {
      assertEquals(1, readAll(again).size());
    }
  }

  @Test
  void closedSinkRefusesWritesAndReads() {
    JsonLinesAuditSink sink = new JsonLinesAuditSink(file());
    sink.close();
    sink.close();
    assertThrows(AuditUnavailableException.class, () -> sink.write(Events.chain(1)));
    assertThrows(AuditUnavailableException.class, sink::read);
    assertThrows(AuditUnavailableException.class, sink::last);
  }

  @Test
  void fileInAMissingDirectoryCannotBeOpened() {
    AuditUnavailableException e = assertThrows(AuditUnavailableException.class,
        () -> new JsonLinesAuditSink(dir.resolve("missing/audit.jsonl")));
    assertTrue(e.getMessage().contains("audit.jsonl"), e.getMessage());
  }

  @Test
  void readingWhileWritingSeesOnlyWholeBatches() throws Exception {
    try (AuditTrail trail = AuditTrail.builder(new JsonLinesAuditSink(file())).build()) {
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread writer = new Thread(() -> {
        try {
          for (int i = 1; i <= 60; i++) {
            trail.record(Events.event(i));
          }
        } catch (Throwable t) {
          failure.set(t);
        }
      });
      writer.start();
      while (writer.isAlive()) {
        Verification v = trail.verify();
        assertTrue(v.valid(), v.problem());
      }
      writer.join();
      assertEquals(null, failure.get());
      assertEquals(Verification.intact(60), trail.verify(trail.head()));
    }
  }
}
