package org.consent4j.benchmarks.audit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.consent4j.AuditEvent;
import org.consent4j.DataCategory;
import org.consent4j.Outcome;
import org.consent4j.Purpose;
import org.consent4j.Recipient;
import org.consent4j.SubjectId;
import org.consent4j.core.audit.AuditTrail;
import org.consent4j.core.audit.Verification;
import org.consent4j.jdbc.audit.JdbcAuditSink;

/**
 * Events per second through the JDBC audit sink, hash chain included: synchronous (each event
 * committed before record returns) and asynchronous (batched multi-row inserts), with several
 * application threads, and the verification rate over the table.
 *
 * <p>Arguments: [JDBC URL] (default: $CONSENT4J_POSTGRES_URL).
 */
public final class AuditSinkThroughput {
  private AuditSinkThroughput() {}

  public static void main(String[] args) throws Exception {
    try (BenchDatabase db = new BenchDatabase(args)) {
      DataSource ds = db.pool(16);
      JdbcAuditSink sink = JdbcAuditSink.builder(ds).tablePrefix(db.prefix).build();
      System.out.println("database: " + BenchDatabase.product(db.url) + ", cores: "
          + Runtime.getRuntime().availableProcessors());
      // Warm-up (JIT, pool, table): not reported.
      run(sink, false, 4, 2_000, 0);
      run(sink, true, 4, 20_000, 500);
      for (int threads : Boolean.getBoolean("quick") ? new int[0] : new int[] {1, 8, 32}) {
        report("synchronous", threads, 0, run(sink, false, threads, threads == 1 ? 2_000 : 8_000, 0));
      }
      for (int threads : new int[] {2, 8}) {
        for (int batch : Boolean.getBoolean("quick") ? new int[] {1000} : new int[] {100, 1000}) {
          report("asynchronous", threads, batch, run(sink, true, threads, 200_000, batch));
        }
      }
      for (int batch : new int[] {500, 1000}) {
        System.out.printf("%-12s threads=%-3d batch=%-5d %,10.0f events/s  (JdbcAuditSink.append directly, no trail)%n",
            "sink only", 1, batch, direct(sink, batch, 100_000));
      }
      long t0 = System.nanoTime();
      Verification v = AuditTrail.verify(sink, Optional.empty());
      double seconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf("verify: %d records in %.2f s = %.0f records/s, valid=%s%n", v.recordsChecked(), seconds,
          v.recordsChecked() / seconds, v.valid());
    }
  }

  private static void report(String mode, int threads, int batch, double eventsPerSecond) {
    System.out.printf("%-12s threads=%-3d batch=%-5s %,10.0f events/s%n", mode, threads,
        batch == 0 ? "-" : Integer.toString(batch), eventsPerSecond);
  }

  /** Records {@code events} events from {@code threads} threads; returns events per second until all are durable. */
  static double run(JdbcAuditSink sink, boolean async, int threads, int events, int batch) throws Exception {
    AuditTrail trail = async
        ? AuditTrail.builder(sink).asynchronous(10_000, batch, Duration.ofSeconds(30)).build()
        : AuditTrail.builder(sink).build();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    int perThread = events / threads;
    long t0 = System.nanoTime();
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int base = t * perThread;
      done.add(pool.submit(() -> {
        for (int i = 0; i < perThread; i++) {
          trail.record(event(base + i));
        }
        return null;
      }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    trail.flush(); // asynchronous: until the last accepted event is committed
    long elapsed = System.nanoTime() - t0;
    pool.shutdown();
    // Closing would close the shared sink's trail only; the sink itself holds no resources.
    trail.close();
    return perThread * (double) threads / (elapsed / 1e9);
  }

  /** Appends pre-built batches from one thread: the sink's own rate (sealing, encoding, SQL, commit). */
  static double direct(JdbcAuditSink sink, int batch, int events) {
    List<AuditEvent> list = new ArrayList<>(batch);
    for (int i = 0; i < batch; i++) {
      list.add(event(i));
    }
    long t0 = System.nanoTime();
    for (int done = 0; done < events; done += batch) {
      sink.append(java.util.UUID.randomUUID().toString(), list);
    }
    return events / ((System.nanoTime() - t0) / 1e9);
  }

  /** A realistic event: two subjects, two categories, a statement fingerprint. */
  static AuditEvent event(long i) {
    TreeMap<String, String> details = new TreeMap<>();
    details.put("fingerprint", "3f9a1c0e" + (i % 97));
    return new AuditEvent(Instant.now(), "campaign-service", Purpose.of("marketing.email"), Recipient.FIRST_PARTY,
        "jdbc query", List.of(SubjectId.of("c-" + i), SubjectId.of("c-" + (i + 1))),
        new TreeSet<>(List.of(DataCategory.of("contact.email"), DataCategory.of("contact.name"))), Outcome.PERMIT,
        "GRANTED", i, details);
  }
}
