package org.consent4j.jdbc.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.consent4j.AccessContext;
import org.consent4j.AuditRecord;
import org.consent4j.AuditUnavailableException;
import org.consent4j.Catalog;
import org.consent4j.DataCategory;
import org.consent4j.Grant;
import org.consent4j.LegalBasis;
import org.consent4j.Purpose;
import org.consent4j.SubjectId;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.InMemoryConsentStore;
import org.consent4j.core.audit.AuditChain;
import org.consent4j.core.audit.AuditTrail;
import org.consent4j.core.audit.ChainHead;
import org.consent4j.core.audit.Verification;
import org.consent4j.jdbc.TestDatabases.Database;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

final class JdbcAuditSinkTest {
  static final Catalog CATALOG = Catalog.builder()
      .purpose("marketing.email", LegalBasis.CONSENT)
      .categories("contact.email")
      .build();
  static final DataCategory EMAIL = DataCategory.of("contact.email");

  static JdbcAuditSink sink(Database db) {
    return JdbcAuditSink.builder(db.dataSource()).tablePrefix(db.tablePrefix()).build();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void recordsAreSealedWithTheCoresHashAndReadBackExactly(Database db) {
    JdbcAuditSink sink = sink(db);
    List<AuditRecord> written = new ArrayList<>();
    try (AuditTrail trail = AuditTrail.builder(sink).build()) {
      for (int i = 1; i <= 30; i++) {
        written.add(trail.record(AuditEvents.event(i)).orElseThrow());
      }
      assertEquals(ChainHead.of(written.get(29)), trail.head());
    }
    List<AuditRecord> read;
    try (Stream<AuditRecord> s = sink.read()) {
      read = s.toList();
    }
    assertEquals(written, read);
    for (int i = 0; i < read.size(); i++) {
      AuditRecord r = read.get(i);
      assertEquals(i + 1, r.sequence());
      assertEquals(AuditChain.hash(r.sequence(), r.previousHash(), r.event()), r.hash());
    }
    assertEquals(Verification.intact(30), AuditTrail.verify(sink, java.util.Optional.empty()));
    assertEquals(written.get(29), sink.last().orElseThrow());
    assertEquals(30, sink.count());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void thirtyTwoAppendersOnTwoEnginesMakeOneChainWithoutForksOrGaps(Database db) throws Exception {
    int threadsPerEngine = 16;
    int checksPerThread = 40;
    // Two engines with their own sink objects (two nodes), one set of tables.
    List<ConsentEngine> engines = List.of(engine(sink(db)), engine(sink(db)));
    ExecutorService pool = Executors.newFixedThreadPool(2 * threadsPerEngine);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    try {
      for (ConsentEngine engine : engines) {
        for (int t = 0; t < threadsPerEngine; t++) {
          int thread = t;
          done.add(pool.submit(() -> {
            start.await();
            for (int i = 0; i < checksPerThread; i++) {
              engine.check(SubjectId.of("c-" + ((thread + i) % 4)), AccessContext.of("t" + thread, "marketing.email"),
                  Set.of(EMAIL));
            }
            return null;
          }));
        }
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
      engines.forEach(ConsentEngine::close);
    }
    int total = 2 * threadsPerEngine * checksPerThread;
    JdbcAuditSink reader = sink(db);
    assertEquals(Verification.intact(total), AuditTrail.verify(reader, java.util.Optional.empty()));
    Set<String> hashes = new HashSet<>();
    try (Stream<AuditRecord> s = reader.read()) {
      s.forEach(r -> hashes.add(r.previousHash()));
    }
    assertEquals(total, hashes.size(), "every record has its own predecessor: no fork");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void asynchronousTrailsOnTwoNodesBatchIntoOneChainAndDrainOnClose(Database db) throws Exception {
    AuditTrail a = AuditTrail.builder(sink(db)).asynchronous(500, 200, Duration.ofSeconds(30)).build();
    AuditTrail b = AuditTrail.builder(sink(db)).asynchronous(500, 200, Duration.ofSeconds(30)).build();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      AuditTrail trail = t % 2 == 0 ? a : b;
      int base = t * 1000;
      done.add(pool.submit(() -> {
        for (int i = 1; i <= 700; i++) {
          assertTrue(trail.record(AuditEvents.event(base + i)).isEmpty(), "the shared sink seals later");
        }
        return null;
      }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
    a.close(); // drains
    b.close();
    JdbcAuditSink reader = sink(db);
    assertEquals(2800, reader.count());
    // 2800 records take three pages of keyset pagination.
    assertEquals(Verification.intact(2800), AuditTrail.verify(reader, java.util.Optional.empty()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void aRetriedAppendIsStoredOnce(Database db) {
    JdbcAuditSink sink = sink(db);
    List<AuditRecord> first = sink.append("batch-1", List.of(AuditEvents.event(1), AuditEvents.event(2)));
    List<AuditRecord> again = sink.append("batch-1", List.of(AuditEvents.event(1), AuditEvents.event(2)));
    assertEquals(first, again);
    assertEquals(2, sink.count());
    sink.append("batch-2", List.of(AuditEvents.event(3)));
    assertEquals(Verification.intact(3), AuditTrail.verify(sink, java.util.Optional.empty()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void recordsSealedElsewhereAreWrittenOnlyWhenTheyContinueTheChain(Database db) {
    JdbcAuditSink sink = sink(db);
    AuditRecord one = AuditChain.seal(1, AuditRecord.GENESIS, AuditEvents.event(1));
    AuditRecord two = AuditChain.seal(2, one.hash(), AuditEvents.event(2));
    sink.write(List.of(one));
    AuditUnavailableException e = assertThrows(AuditUnavailableException.class, () -> sink.write(List.of(one)));
    assertTrue(e.getMessage().contains("does not continue the chain"), e.getMessage());
    sink.write(List.of(two));
    assertEquals(List.of(AuditEvents.event(3)), List.of(sink.append("x", List.of(AuditEvents.event(3))).get(0).event()));
    assertEquals(Verification.intact(3), AuditTrail.verify(sink, java.util.Optional.empty()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.jdbc.TestDatabases#all")
  void aSinkBuiltTwiceKeepsTheChainAndItsHead(Database db) throws Exception {
    sink(db).append("a", List.of(AuditEvents.event(1)));
    JdbcAuditSink again = sink(db);
    again.append("b", List.of(AuditEvents.event(2)));
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT COUNT(*), MAX(seq) FROM " + db.tablePrefix() + "audit_head")) {
      r.next();
      assertEquals(1, r.getLong(1));
      assertEquals(2, r.getLong(2));
    }
    assertFalse(AuditTrail.verify(again, java.util.Optional.of(new ChainHead(3, AuditEvents.hashOf(again, 2))))
        .valid(), "a checkpoint beyond the end is a truncated chain");
  }

  private static ConsentEngine engine(JdbcAuditSink sink) {
    InMemoryConsentStore store = new InMemoryConsentStore();
    ConsentEngine engine = ConsentEngine.builder().catalog(CATALOG).store(store)
        .auditTrail(AuditTrail.builder(sink).build()).build();
    engine.grant(Grant.builder(SubjectId.of("c-1")).purpose("marketing.email").category("contact.email"));
    engine.grant(Grant.builder(SubjectId.of("c-2")).purpose(Purpose.of("marketing.email")).category(EMAIL));
    return engine;
  }
}
