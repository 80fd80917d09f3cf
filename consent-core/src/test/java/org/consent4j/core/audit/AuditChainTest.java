package org.consent4j.core.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.consent4j.AuditEvent;
import org.consent4j.AuditRecord;
import org.consent4j.DataCategory;
import org.consent4j.Outcome;
import org.consent4j.Purpose;
import org.consent4j.Recipient;
import org.consent4j.SubjectId;
import org.junit.jupiter.api.Test;

final class AuditChainTest {

  private static AuditEvent event(String actor, String operation, List<String> subjects, Map<String, String> details) {
    return new AuditEvent(Instant.ofEpochSecond(1_700_000_000L, 42), actor, Purpose.of("analytics"),
        Recipient.FIRST_PARTY, operation, subjects.stream().map(SubjectId::of).toList(),
        new TreeSet<>(List.of(DataCategory.of("contact"))), Outcome.PERMIT, "GRANTED", 3, new TreeMap<>(details));
  }

  /** What a naive encoder would hash: the fields one after another, with nothing between them. */
  private static String naive(AuditEvent e) {
    StringBuilder b = new StringBuilder().append(e.time()).append(e.actor()).append(e.purpose())
        .append(e.recipient()).append(e.operation());
    e.subjects().forEach(b::append);
    e.categories().forEach(b::append);
    b.append(e.outcome()).append(e.reason()).append(e.stateVersion());
    e.details().forEach((k, v) -> b.append(k).append(v));
    return b.toString();
  }

  @Test
  void hashIsSha256OfTheDocumentedLengthPrefixedEncoding() throws Exception {
    AuditEvent e = Events.event(4);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    str(out, "consent4j-audit-v1");
    out.writeLong(7);
    str(out, "ab".repeat(32));
    out.writeLong(e.time().getEpochSecond());
    out.writeInt(e.time().getNano());
    str(out, "crm-service");
    str(out, "marketing.email");
    str(out, "self");
    str(out, "check");
    out.writeInt(2);
    str(out, "4");
    str(out, "5");
    out.writeInt(2);
    str(out, "contact.email");
    str(out, "contact.phone");
    str(out, "PARTIAL");
    str(out, "GRANTED");
    out.writeLong(4);
    out.writeInt(1);
    str(out, "rows");
    str(out, "4");
    String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray()));

    assertEquals(expected, AuditChain.hash(7, "ab".repeat(32), e));
  }

  private static void str(DataOutputStream out, String s) throws IOException {
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(utf8.length);
    out.write(utf8);
  }

  @Test
  void textMovedBetweenAdjacentFieldsChangesTheHash() {
    AuditEvent a = event("x", "check1", List.of("2"), Map.of());
    AuditEvent b = event("x", "check", List.of("12"), Map.of());
    assertEquals(naive(a), naive(b));
    assertNotEquals(AuditChain.hash(1, AuditRecord.GENESIS, a), AuditChain.hash(1, AuditRecord.GENESIS, b));
  }

  @Test
  void oneSubjectIdSplitInTwoChangesTheHash() {
    AuditEvent a = event("x", "check", List.of("12"), Map.of());
    AuditEvent b = event("x", "check", List.of("1", "2"), Map.of());
    assertEquals(naive(a), naive(b));
    assertNotEquals(AuditChain.hash(1, AuditRecord.GENESIS, a), AuditChain.hash(1, AuditRecord.GENESIS, b));
  }

  @Test
  void textMovedBetweenDetailKeyAndValueChangesTheHash() {
    AuditEvent a = event("x", "check", List.of("1"), Map.of("a", "bc"));
    AuditEvent b = event("x", "check", List.of("1"), Map.of("ab", "c"));
    assertEquals(naive(a), naive(b));
    assertNotEquals(AuditChain.hash(1, AuditRecord.GENESIS, a), AuditChain.hash(1, AuditRecord.GENESIS, b));
  }

  @Test
  void everyFieldOfTheEventAndTheChainIsCovered() {
    AuditEvent base = Events.event(4);
    String hash = AuditChain.hash(5, AuditRecord.GENESIS, base);
    Map<String, UnaryOperator<AuditEvent>> changes = new LinkedHashMap<>();
    changes.put("time seconds", e -> copy(e, e.time().plusSeconds(1), null, null, null, null, null, null, null, null,
        null, null));
    changes.put("time nanos", e -> copy(e, e.time().plusNanos(1), null, null, null, null, null, null, null, null, null,
        null));
    changes.put("actor", e -> Events.withActor(e, "crm-service2"));
    changes.put("purpose", e -> copy(e, null, null, Purpose.of("marketing"), null, null, null, null, null, null, null,
        null));
    changes.put("recipient", e -> copy(e, null, null, null, Recipient.of("quizlab"), null, null, null, null, null,
        null, null));
    changes.put("operation", e -> copy(e, null, null, null, null, "export", null, null, null, null, null, null));
    changes.put("subject order", e -> copy(e, null, null, null, null, null, List.of(SubjectId.of(5),
        SubjectId.of(4)), null, null, null, null, null));
    changes.put("subject removed", e -> copy(e, null, null, null, null, null, List.of(SubjectId.of(4)), null, null,
        null, null, null));
    changes.put("category", e -> copy(e, null, null, null, null, null, null,
        new TreeSet<>(List.of(DataCategory.of("contact.email"))), null, null, null, null));
    changes.put("outcome", e -> Events.withOutcome(e, Outcome.DENY));
    changes.put("reason", e -> copy(e, null, null, null, null, null, null, null, null, "NO_GRANT", null, null));
    changes.put("stateVersion", e -> copy(e, null, null, null, null, null, null, null, null, null, 5L, null));
    changes.put("detail value", e -> copy(e, null, null, null, null, null, null, null, null, null, null,
        new TreeMap<>(Map.of("rows", "5"))));
    changes.put("detail added", e -> copy(e, null, null, null, null, null, null, null, null, null, null,
        new TreeMap<>(Map.of("rows", "4", "table", "contact"))));
    changes.forEach((field, change) -> assertNotEquals(hash, AuditChain.hash(5, AuditRecord.GENESIS,
        change.apply(base)), field));
    assertNotEquals(hash, AuditChain.hash(6, AuditRecord.GENESIS, base), "sequence");
    assertNotEquals(hash, AuditChain.hash(5, "0".repeat(63) + "1", base), "previousHash");
  }

  private static AuditEvent copy(AuditEvent e, Instant time, String actor, Purpose purpose, Recipient recipient,
      String operation, List<SubjectId> subjects, TreeSet<DataCategory> categories, Outcome outcome, String reason,
      Long stateVersion, SortedMap<String, String> details) {
    return new AuditEvent(time != null ? time : e.time(), actor != null ? actor : e.actor(),
        purpose != null ? purpose : e.purpose(), recipient != null ? recipient : e.recipient(),
        operation != null ? operation : e.operation(), subjects != null ? subjects : e.subjects(),
        categories != null ? categories : e.categories(), outcome != null ? outcome : e.outcome(),
        reason != null ? reason : e.reason(), stateVersion != null ? stateVersion : e.stateVersion(),
        details != null ? details : e.details());
  }

  @Test
  void equalEventsHashAlikeWhateverOrderTheirMapsWereFilledIn() {
    Map<String, String> one = new LinkedHashMap<>();
    one.put("a", "1");
    one.put("b", "2");
    Map<String, String> other = new LinkedHashMap<>();
    other.put("b", "2");
    other.put("a", "1");
    assertEquals(AuditChain.hash(1, AuditRecord.GENESIS, event("x", "y", List.of("1"), one)),
        AuditChain.hash(1, AuditRecord.GENESIS, event("x", "y", List.of("1"), other)));
  }

  @Test
  void sealedRecordCarriesItsSequenceTheChainLinkAndItsHash() {
    AuditRecord first = AuditChain.seal(1, AuditRecord.GENESIS, Events.event(1));
    AuditRecord second = AuditChain.seal(2, first.hash(), Events.event(2));
    assertEquals(AuditRecord.GENESIS, first.previousHash());
    assertEquals(first.hash(), second.previousHash());
    assertEquals(2, second.sequence());
    assertEquals(AuditChain.hash(2, first.hash(), Events.event(2)), second.hash());
    assertTrue(second.hash().matches("[0-9a-f]{64}"));
  }

  @Test
  void textWithAnUnpairedSurrogateIsRejectedBecauseItWouldEncodeAmbiguously() {
    // Lenient UTF-8 would turn both into "a?" and give the two events one hash.
    AuditEvent high = Events.withActor(Events.event(1), "a\uD800");
    AuditEvent low = Events.withActor(Events.event(1), "a\uDC00");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> AuditChain.hash(1, AuditRecord.GENESIS, high));
    assertTrue(e.getMessage().contains("actor"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> AuditChain.hash(1, AuditRecord.GENESIS, low));
    // A well-formed pair is fine.
    AuditChain.hash(1, AuditRecord.GENESIS, Events.withActor(Events.event(1), "a\uD83D\uDE00"));
  }

  @Test
  void badSequenceOrPreviousHashIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> AuditChain.hash(0, AuditRecord.GENESIS, Events.event(1)));
    assertThrows(IllegalArgumentException.class, () -> AuditChain.hash(1, "AB".repeat(32), Events.event(1)));
    assertThrows(IllegalArgumentException.class, () -> AuditChain.seal(1, "0", Events.event(1)));
  }
}
