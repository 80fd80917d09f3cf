package org.consent4j.jdbc.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.consent4j.AuditRecord;
import org.consent4j.core.audit.AuditTrail;
import org.consent4j.core.audit.Verification;
import org.consent4j.jdbc.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM serves accesses with a JDBC audit trail and is killed with SIGKILL at a
 * random moment, again and again. Afterwards every access the child reported as served has its
 * event in the database, and the chain verifies: synchronous mode hands nothing out before its
 * event is committed, and a kill mid-transaction leaves no fork or gap.
 */
final class AuditCrashTest {
  static final int KILLS = 8;

  @TempDir
  Path dir;

  @Test
  void everyAccessServedBeforeSigkillIsInTheDatabaseOnH2() throws Exception {
    // H2 writes committed changes to its file up to WRITE_DELAY (500 ms by default) later: with the
    // default, this test fails (hundreds of served accesses lost). WRITE_DELAY=0 writes at commit.
    String url = "jdbc:h2:file:" + dir.resolve("crash").toAbsolutePath() + ";WRITE_DELAY=0";
    String prefix = "crash_";
    org.h2.jdbcx.JdbcDataSource ds = new org.h2.jdbcx.JdbcDataSource();
    ds.setURL(url);
    killRepeatedly(url, prefix, ds);
  }

  @Test
  void everyAccessServedBeforeSigkillIsInTheDatabaseOnPostgreSql() throws Exception {
    try (TestDatabases.Database db = TestDatabases.postgres()) {
      DataSource ds = db.dataSource(); // skips when PostgreSQL is not configured
      killRepeatedly(System.getenv(TestDatabases.POSTGRES_URL), db.tablePrefix(), ds);
    }
  }

  @Test
  void anAsynchronousTrailLosesAtMostItsQueueCapacityAndKeepsTheChainIntactOnPostgreSql() throws Exception {
    try (TestDatabases.Database db = TestDatabases.postgres()) {
      DataSource ds = db.dataSource();
      Set<String> served = kill(System.getenv(TestDatabases.POSTGRES_URL), db.tablePrefix(), true);
      JdbcAuditSink sink = JdbcAuditSink.builder(ds).tablePrefix(db.tablePrefix()).build();
      Set<String> audited = new HashSet<>();
      try (Stream<AuditRecord> records = sink.read()) {
        records.forEach(r -> r.event().subjects().forEach(s -> audited.add(s.value())));
      }
      // Per kill, only the events still queued may be lost.
      for (int run = 0; run < KILLS; run++) {
        String p = "r" + run + "-";
        long lost = served.stream().filter(s -> s.startsWith(p) && !audited.contains(s)).count();
        assertTrue(lost <= CrashChild.QUEUE_CAPACITY, "run " + run + " lost " + lost + " accepted events");
      }
      Verification v = AuditTrail.verify(sink, Optional.empty());
      assertTrue(v.valid(), v.problem());
    }
  }

  private void killRepeatedly(String url, String prefix, DataSource ds) throws Exception {
    Set<String> served = kill(url, prefix, false);
    checkEveryServedAccessIsAudited(url, prefix, ds, served);
  }

  /** Starts and SIGKILLs the child {@value #KILLS} times; returns the subjects it reported served. */
  private Set<String> kill(String url, String prefix, boolean async) throws Exception {
    Random random = new Random(42);
    Set<String> served = new HashSet<>();
    for (int run = 0; run < KILLS; run++) {
      Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), CrashChild.class.getName(), url, prefix, Integer.toString(run),
          async ? "async" : "sync")
          .redirectError(ProcessBuilder.Redirect.INHERIT)
          .start();
      InputStream in = child.getInputStream();
      ByteArrayOutputStream output = new ByteArrayOutputStream();
      awaitReady(in, output, child);
      Thread.sleep(100 + random.nextInt(700));
      // SIGKILL: no shutdown hook, no finally block, no close() of the trail.
      Process kill = new ProcessBuilder("kill", "-KILL", Long.toString(child.pid())).inheritIO().start();
      assertEquals(0, kill.waitFor());
      assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child did not die");
      assertEquals(137, child.exitValue(), "the child did not die of SIGKILL");
      output.write(in.readAllBytes());
      String text = output.toString(StandardCharsets.UTF_8);
      // A line cut off by the kill has no line break: it was not reported as served.
      int end = text.lastIndexOf('\n');
      for (String line : text.substring(0, end + 1).split("\n")) {
        if (line.startsWith("SERVED ")) {
          served.add(line.split(" ")[1]);
        }
      }
    }
    assertTrue(served.size() > KILLS, "the children served too little to prove anything: " + served.size());
    return served;
  }

  private static void checkEveryServedAccessIsAudited(String url, String prefix, DataSource ds, Set<String> served)
      throws Exception {
    JdbcAuditSink sink = JdbcAuditSink.builder(ds).tablePrefix(prefix).build();
    Set<String> audited = new HashSet<>();
    try (Stream<AuditRecord> records = sink.read()) {
      records.forEach(r -> r.event().subjects().forEach(s -> audited.add(s.value())));
    }
    Set<String> missing = new HashSet<>(served);
    missing.removeAll(audited);
    assertEquals(Set.of(), missing, "accesses served without their audit event in the database");
    Verification v = AuditTrail.verify(sink, Optional.empty());
    assertTrue(v.valid(), v.problem());
    assertTrue(v.recordsChecked() >= served.size());
    if (url.startsWith("jdbc:h2:")) {
      try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
        s.execute("SHUTDOWN");
      }
    }
  }

  private static void awaitReady(InputStream in, ByteArrayOutputStream skipped, Process child) throws IOException {
    StringBuilder line = new StringBuilder();
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new IllegalStateException("the child ended before it was ready (exit " + child.exitValue() + ")");
      }
      if (b == '\n') {
        if (line.toString().equals("READY")) {
          return;
        }
        skipped.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        line.setLength(0);
      } else {
        line.append((char) b);
      }
    }
  }

}
