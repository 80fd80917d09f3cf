package org.consent4j.core.audit;

import com.google.common.testing.NullPointerTester;
import java.nio.file.Path;
import java.time.Duration;
import org.consent4j.AuditEvent;
import org.consent4j.AuditRecord;
import org.consent4j.spi.AuditSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class AuditNullHandlingTest {

  @TempDir Path dir;

  private NullPointerTester tester() {
    return new NullPointerTester()
        .setDefault(AuditEvent.class, Events.event(1))
        .setDefault(AuditRecord.class, Events.chain(1).get(0))
        .setDefault(AuditSink.class, new InMemoryAuditSink())
        .setDefault(ChainHead.class, ChainHead.empty())
        .setDefault(String.class, AuditRecord.GENESIS)
        .setDefault(Duration.class, Duration.ofSeconds(1))
        .setDefault(Path.class, dir.resolve("defaults.jsonl"));
  }

  @Test
  void publicStaticMethodsAndConstructorsRejectNulls() {
    for (Class<?> type : new Class<?>[] {AuditChain.class, AuditTrail.class, AuditTrail.Builder.class,
        ChainHead.class, Verification.class, InMemoryAuditSink.class, JsonLinesAuditSink.class}) {
      tester().testAllPublicStaticMethods(type);
      tester().testAllPublicConstructors(type);
    }
  }

  @Test
  void publicInstanceMethodsRejectNulls() {
    try (AuditTrail trail = AuditTrail.inMemory();
        JsonLinesAuditSink sink = new JsonLinesAuditSink(dir.resolve("audit.jsonl"))) {
      tester().testAllPublicInstanceMethods(trail);
      tester().testAllPublicInstanceMethods(AuditTrail.builder(new InMemoryAuditSink()));
      tester().testAllPublicInstanceMethods(new InMemoryAuditSink());
      tester().testAllPublicInstanceMethods(sink);
    }
  }

  /** A public method that silently accepts null: the tester must fail on it, or these tests prove nothing. */
  public static final class AcceptsNull {
    private AcceptsNull() {}

    /** Accepts null without complaint. */
    public static int length(String s) {
      return s == null ? 0 : s.length();
    }
  }

  @Test
  void theNullTesterFailsOnAMethodThatAcceptsNull() {
    org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
        () -> new NullPointerTester().testAllPublicStaticMethods(AcceptsNull.class));
  }
}
