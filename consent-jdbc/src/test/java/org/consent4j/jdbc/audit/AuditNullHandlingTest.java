package org.consent4j.jdbc.audit;

import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.common.testing.NullPointerTester;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import org.consent4j.AuditEvent;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.audit.ChainHead;
import org.consent4j.jdbc.TestDatabases;
import org.consent4j.jdbc.TestDatabases.Database;
import org.consent4j.jdbc.revocation.ConsentChangeFeed;
import org.consent4j.spi.AuditSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every public method of the audit and revocation classes rejects null arguments. */
final class AuditNullHandlingTest {
  static final byte[] KEY = "a checkpoint key of at least 32 bytes, kept elsewhere".getBytes(StandardCharsets.UTF_8);

  @TempDir
  Path dir;

  @Test
  void everyPublicMethodRejectsNull() throws Exception {
    try (Database h2 = TestDatabases.h2()) {
      JdbcAuditSink sink = JdbcAuditSinkTest.sink(h2);
      NullPointerTester tester = tester(h2, sink);
      tester.testAllPublicStaticMethods(JdbcAuditSink.class);
      tester.testAllPublicInstanceMethods(sink);
      tester.testAllPublicInstanceMethods(JdbcAuditSink.builder(h2.dataSource()));
      tester.testAllPublicStaticMethods(AuditCheckpoint.class);
      tester.testAllPublicConstructors(AuditCheckpoint.class);
      tester.testAllPublicInstanceMethods(AuditCheckpoint.sign(ChainHead.empty(), Instant.EPOCH, KEY));
      tester.testAllPublicConstructors(AuditCheckpoints.class);
      try (AuditCheckpoints checkpoints = new AuditCheckpoints(sink, dir.resolve("c"), KEY, Clock.systemUTC())) {
        tester.testAllPublicInstanceMethods(checkpoints);
      }
      tester.testAllPublicStaticMethods(org.consent4j.jdbc.LazyConsentStore.class);
      tester.setDefault(org.consent4j.ConsentRecord.class, org.consent4j.Grant.of(org.consent4j.SubjectId.of("c-1"),
          org.consent4j.Purpose.of("marketing.email"), org.consent4j.DataCategory.of("contact.email"), Instant.EPOCH));
      tester.setDefault(org.consent4j.SubjectId.class, org.consent4j.SubjectId.of("c-1"));
      tester.testAllPublicInstanceMethods(org.consent4j.jdbc.LazyConsentStore.of(
          org.consent4j.jdbc.JdbcConsentStore.builder(h2.dataSource()).tablePrefix(h2.tablePrefix())));
      tester.testAllPublicStaticMethods(ConsentChangeFeed.class);
      tester.testAllPublicInstanceMethods(ConsentChangeFeed.builder(h2.dataSource()));
      try (ConsentChangeFeed feed = ConsentChangeFeed.builder(h2.dataSource()).tablePrefix(h2.tablePrefix()).build()) {
        tester.testAllPublicInstanceMethods(feed);
      }
    }
  }

  /** The tester, with a usable default for every parameter type of these classes. */
  private NullPointerTester tester(Database h2, JdbcAuditSink sink) {
    return new NullPointerTester()
        .setDefault(DataSource.class, h2.dataSource())
        .setDefault(AuditSink.class, sink)
        .setDefault(String.class, "p_")
        .setDefault(List.class, List.of(AuditEvents.event(1)))
        .setDefault(AuditEvent.class, AuditEvents.event(1))
        .setDefault(ChainHead.class, ChainHead.empty())
        .setDefault(Instant.class, Instant.EPOCH)
        .setDefault(byte[].class, KEY)
        .setDefault(Path.class, dir.resolve("c"))
        .setDefault(Clock.class, Clock.systemUTC())
        .setDefault(Duration.class, Duration.ofSeconds(5))
        .setDefault(ConsentEngine.class, ConsentEngine.builder().catalog(JdbcAuditSinkTest.CATALOG).build());
  }

  /** A public method that silently accepts null. */
  public static final class AcceptsNull {
    private AcceptsNull() {}

    /** Accepts null without complaint. */
    public static int length(String s) {
      return s == null ? 0 : s.length();
    }
  }

  @Test
  void theConfiguredTesterFailsOnAMethodThatAcceptsNull() throws Exception {
    try (Database h2 = TestDatabases.h2()) {
      NullPointerTester tester = tester(h2, JdbcAuditSinkTest.sink(h2));
      assertThrows(AssertionError.class, () -> tester.testAllPublicStaticMethods(AcceptsNull.class));
    }
  }
}
