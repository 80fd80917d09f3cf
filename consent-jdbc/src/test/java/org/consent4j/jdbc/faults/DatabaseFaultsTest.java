package org.consent4j.jdbc.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.consent4j.AccessContext;
import org.consent4j.AuditUnavailableException;
import org.consent4j.Catalog;
import org.consent4j.ConsentException;
import org.consent4j.ConsentStoreUnavailableException;
import org.consent4j.DataCategory;
import org.consent4j.Grant;
import org.consent4j.LegalBasis;
import org.consent4j.Purpose;
import org.consent4j.SubjectId;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.InMemoryConsentStore;
import org.consent4j.core.audit.AuditTrail;
import org.consent4j.core.audit.Verification;
import org.consent4j.jdbc.JdbcConsentStore;
import org.consent4j.jdbc.LazyConsentStore;
import org.consent4j.jdbc.TestDatabases;
import org.consent4j.jdbc.TestDatabases.Database;
import org.consent4j.jdbc.audit.JdbcAuditSink;
import org.consent4j.jdbc.revocation.ConsentChangeFeed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real faults between the application and its database — connections cut and refused, traffic
 * stalled by a TCP proxy, backends killed with {@code pg_terminate_backend} — and what the engine
 * does: deny every protected access with a clear error while the database is gone, and resume by
 * itself when it returns, losing no audit event.
 */
final class DatabaseFaultsTest {
  static final Catalog CATALOG = Catalog.builder()
      .purpose("marketing.email", LegalBasis.CONSENT)
      .purpose("billing", LegalBasis.CONTRACT, "contact.email")
      .categories("contact.email")
      .build();
  static final AccessContext BILLING = AccessContext.of("invoicing", "billing");
  static final DataCategory EMAIL = DataCategory.of("contact.email");
  static final Purpose MARKETING = Purpose.of("marketing.email");
  static final AccessContext CAMPAIGN = AccessContext.of("campaign", "marketing.email");
  static final SubjectId ALICE = SubjectId.of("c-1");
  static final Duration STALENESS = Duration.ofMillis(800);
  static final Duration PATIENCE = Duration.ofSeconds(30);

  static Stream<Database> proxied() {
    return Stream.of(TestDatabases.postgres(), TestDatabases.mariadb());
  }

  private static String url(Database db) {
    return System.getenv(db.name().equals("PostgreSQL") ? TestDatabases.POSTGRES_URL : TestDatabases.MARIADB_URL);
  }

  /** A HikariCP pool with short timeouts, so a fault turns into an exception in seconds. */
  static HikariDataSource pool(Database db, String url, String applicationName) {
    boolean pg = db.name().equals("PostgreSQL");
    String sep = url.contains("?") ? "&" : "?";
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl(url + sep + (pg ? "socketTimeout=3&connectTimeout=3&ApplicationName=" + applicationName
        : "socketTimeout=3000&connectTimeout=3000"));
    c.setMaximumPoolSize(6);
    c.setConnectionTimeout(1000);
    c.setValidationTimeout(500);
    c.setInitializationFailTimeout(-1);
    return new HikariDataSource(c);
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "gave up waiting: " + what);
      Thread.sleep(20);
    }
  }

  private static boolean permits(ConsentEngine engine) {
    try {
      return engine.check(ALICE, CAMPAIGN, Set.of(EMAIL)).permits(EMAIL);
    } catch (ConsentException e) {
      return false;
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("proxied")
  void storeCutOffMidRunAndAtStartUpDeniesWithAClearErrorAndResumesByItself(Database db) throws Exception {
    db.dataSource(); // skips when not configured
    try (FaultProxy proxy = new FaultProxy(url(db));
        HikariDataSource ds = pool(db, proxy.url(url(db)), db.tablePrefix() + "node")) {
      JdbcConsentStore store = JdbcConsentStore.builder(ds).tablePrefix(db.tablePrefix()).build();
      try (ConsentChangeFeed feed = ConsentChangeFeed.builder(ds).tablePrefix(db.tablePrefix())
          .pollInterval(Duration.ofMillis(100)).heartbeatInterval(Duration.ofMillis(100)).stalenessBound(STALENESS)
          .build();
          ConsentEngine engine = ConsentEngine.builder().catalog(CATALOG).store(store)
              .cacheTrustedWhile(feed::isFresh).build()) {
        feed.start(engine);
        engine.grant(Grant.builder(ALICE).purpose(MARKETING).category(EMAIL));
        await(feed::isFresh, "feed fresh");
        assertTrue(permits(engine));

        proxy.drop();
        await(() -> !feed.isFresh(), "the node stops trusting its cache");
        ConsentStoreUnavailableException e = assertThrows(ConsentStoreUnavailableException.class,
            () -> engine.check(ALICE, CAMPAIGN, Set.of(EMAIL)));
        assertTrue(e.getMessage().contains("access is denied"), e.getMessage());
        assertTrue(e.getMessage().contains("cannot reach the consent store") || e.getMessage().contains("could not"),
            e.getMessage());

        // Start-up: a new engine, empty cache, store unreachable.
        try (ConsentEngine fresh = ConsentEngine.builder().catalog(CATALOG).store(store).build()) {
          assertThrows(ConsentStoreUnavailableException.class, () -> fresh.check(ALICE, CAMPAIGN, Set.of(EMAIL)));
          proxy.pass();
          await(() -> permits(fresh), "the new engine resumes by itself");
        }
        await(() -> permits(engine), "the running engine resumes by itself");
        await(feed::isFresh, "the feed resumes by itself");
        assertTrue(feed.failures() > 0);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("proxied")
  void anApplicationStartedWhileTheDatabaseIsDownDeniesEverythingThenResumesByItself(Database db) throws Exception {
    db.dataSource();
    try (FaultProxy proxy = new FaultProxy(url(db));
        HikariDataSource ds = pool(db, proxy.url(url(db)), db.tablePrefix() + "late")) {
      proxy.drop(); // down before anything is built
      LazyConsentStore store = LazyConsentStore.of(JdbcConsentStore.builder(ds).tablePrefix(db.tablePrefix()));
      JdbcAuditSink sink = JdbcAuditSink.builder(ds).tablePrefix(db.tablePrefix()).buildLazily();
      try (ConsentChangeFeed feed = ConsentChangeFeed.builder(ds).tablePrefix(db.tablePrefix())
          .pollInterval(Duration.ofMillis(100)).heartbeatInterval(Duration.ofMillis(100)).stalenessBound(STALENESS)
          .buildLazily();
          ConsentEngine engine = ConsentEngine.builder().catalog(CATALOG).store(store)
              .auditTrail(AuditTrail.builder(sink).build()).cacheTrustedWhile(feed::isFresh).build()) {
        feed.start(engine);
        ConsentStoreUnavailableException noStore = assertThrows(ConsentStoreUnavailableException.class,
            () -> engine.check(ALICE, CAMPAIGN, Set.of(EMAIL)));
        assertTrue(noStore.getMessage().contains("cannot reach the database"), noStore.getMessage());
        assertThrows(ConsentStoreUnavailableException.class,
            () -> engine.grant(Grant.builder(ALICE).purpose(MARKETING).category(EMAIL)));
        // A contract purpose needs no consent state, but its decision cannot be audited: refused too.
        AuditUnavailableException noAudit = assertThrows(AuditUnavailableException.class,
            () -> engine.check(ALICE, BILLING, Set.of(EMAIL)));
        assertTrue(noAudit.getMessage().contains("refused"), noAudit.getMessage());
        assertFalse(feed.isFresh());

        proxy.pass();
        await(() -> {
          try {
            engine.grant(Grant.builder(ALICE).purpose(MARKETING).category(EMAIL));
            return true;
          } catch (ConsentStoreUnavailableException e) {
            return false;
          }
        }, "the store sets itself up");
        assertTrue(store.isReady());
        await(() -> permits(engine), "access resumes by itself");
        await(feed::isFresh, "the feed sets itself up");
        assertTrue(engine.check(ALICE, BILLING, Set.of(EMAIL)).permits(EMAIL));
        Verification v = AuditTrail.verify(sink, Optional.empty());
        assertTrue(v.valid() && v.recordsChecked() >= 2, v.toString());
      }
    }
  }

  @Test
  void aStalledDatabaseDeniesAfterTheTimeoutsAndResumes() throws Exception {
    try (Database db = TestDatabases.postgres()) {
      db.dataSource();
      try (FaultProxy proxy = new FaultProxy(url(db));
          HikariDataSource ds = pool(db, proxy.url(url(db)), db.tablePrefix() + "node")) {
        JdbcConsentStore store = JdbcConsentStore.builder(ds).tablePrefix(db.tablePrefix()).build();
        try (ConsentChangeFeed feed = ConsentChangeFeed.builder(ds).tablePrefix(db.tablePrefix())
            .heartbeatInterval(Duration.ofMillis(100)).pollInterval(Duration.ofMillis(100)).stalenessBound(STALENESS)
            .build();
            ConsentEngine engine = ConsentEngine.builder().catalog(CATALOG).store(store)
                .cacheTrustedWhile(feed::isFresh).build()) {
          feed.start(engine);
          engine.grant(Grant.builder(ALICE).purpose(MARKETING).category(EMAIL));
          await(feed::isFresh, "feed fresh");
          assertTrue(permits(engine));

          proxy.stall();
          await(() -> !feed.isFresh(), "a stalled feed goes stale");
          // The check reads the store, which does not answer: denied after the socket timeout, not hung.
          assertThrows(ConsentStoreUnavailableException.class, () -> engine.check(ALICE, CAMPAIGN, Set.of(EMAIL)));
          proxy.pass();
          await(() -> permits(engine), "resumes by itself");
          await(feed::isFresh, "the feed resumes by itself");
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("proxied")
  void anUnreachableAuditDatabaseRefusesSynchronousAccessAndLosesNothingAsynchronous(Database db) throws Exception {
    db.dataSource();
    try (FaultProxy proxy = new FaultProxy(url(db));
        HikariDataSource ds = pool(db, proxy.url(url(db)), db.tablePrefix() + "audit")) {
      JdbcAuditSink sink = JdbcAuditSink.builder(ds).tablePrefix(db.tablePrefix()).build();
      int served = 0;
      // Synchronous: no decision is handed out without its event committed.
      try (ConsentEngine engine = ConsentEngine.builder().catalog(CATALOG).store(new InMemoryConsentStore())
          .auditTrail(AuditTrail.builder(sink).build()).build()) {
        engine.grant(Grant.builder(ALICE).purpose(MARKETING).category(EMAIL));
        engine.check(ALICE, CAMPAIGN, Set.of(EMAIL));
        served++;
        proxy.drop();
        AuditUnavailableException e = assertThrows(AuditUnavailableException.class,
            () -> engine.check(ALICE, CAMPAIGN, Set.of(EMAIL)));
        assertTrue(e.getMessage().contains("refused"), e.getMessage());
        proxy.pass();
        await(() -> {
          try {
            engine.check(ALICE, CAMPAIGN, Set.of(EMAIL));
            return true;
          } catch (AuditUnavailableException retry) {
            return false;
          }
        }, "synchronous audit resumes");
        served++;
      }
      long before = sink.count();
      assertEquals(served, before, "a refused access left no event (the connection was cut before the commit)");

      // Asynchronous: a full queue makes callers wait, then refuse; whatever was accepted is stored.
      AuditTrail async = AuditTrail.builder(sink).asynchronous(20, 5, Duration.ofMillis(300)).build();
      proxy.drop();
      int accepted = 0;
      AuditUnavailableException refused = null;
      for (int i = 0; i < 100 && refused == null; i++) {
        try {
          async.record(org.consent4j.jdbc.audit.AuditEventsForFaults.event(i));
          accepted++;
        } catch (AuditUnavailableException e) {
          refused = e;
        }
      }
      assertTrue(refused != null && refused.getMessage().contains("stayed full"), String.valueOf(refused));
      assertEquals(20, accepted, "exactly the queue's capacity is accepted while the database is gone");
      proxy.pass();
      async.close(); // drains once the database is back
      assertEquals(before + accepted, sink.count(), "every accepted event is stored, none twice");
      Verification v = AuditTrail.verify(sink, Optional.empty());
      assertTrue(v.valid(), v.problem());
    }
  }

  @Test
  void killedBackendsAreReconnectedAndRevocationsStillArrive() throws Exception {
    try (Database db = TestDatabases.postgres()) {
      db.dataSource();
      String app = db.tablePrefix() + "victim";
      try (HikariDataSource other = pool(db, url(db), db.tablePrefix() + "other");
          HikariDataSource victim = pool(db, url(db), app)) {
        ConsentEngine a = ConsentEngine.builder().catalog(CATALOG)
            .store(JdbcConsentStore.builder(other).tablePrefix(db.tablePrefix()).build()).build();
        try (ConsentChangeFeed feed = ConsentChangeFeed.builder(victim).tablePrefix(db.tablePrefix())
            .heartbeatInterval(Duration.ofMillis(100)).stalenessBound(STALENESS).build();
            ConsentEngine b = ConsentEngine.builder().catalog(CATALOG)
                .store(JdbcConsentStore.builder(victim).tablePrefix(db.tablePrefix()).build())
                .cacheTrustedWhile(feed::isFresh).build()) {
          feed.start(b);
          a.grant(Grant.builder(ALICE).purpose(MARKETING).category(EMAIL));
          await(() -> feed.isFresh() && feed.isListening(), "listening");
          await(() -> permits(b), "b sees the grant");

          int killed = terminate(db, app);
          assertTrue(killed >= 1, "no backend of the victim was killed");
          await(() -> feed.isListening() && feed.isFresh() && feed.failures() > 0, "the feed listens again");

          a.withdraw(ALICE, MARKETING);
          long withdrawn = System.nanoTime();
          await(() -> !permits(b), "the withdrawal reaches b");
          assertTrue(System.nanoTime() - withdrawn < STALENESS.toNanos() + TimeUnit.SECONDS.toNanos(5));
        }
      }
    }
  }

  /** Kills every backend of one application name; returns how many. */
  private static int terminate(Database db, String applicationName) throws Exception {
    List<Boolean> results = new ArrayList<>();
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement s = c.prepareStatement(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ?")) {
      s.setString(1, applicationName);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          results.add(r.getBoolean(1));
        }
      }
    }
    return (int) results.stream().filter(x -> x).count();
  }
}
