package org.consent4j.benchmarks;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.consent4j.AuditEvent;
import org.consent4j.AuditRecord;
import org.consent4j.DataCategory;
import org.consent4j.Outcome;
import org.consent4j.Purpose;
import org.consent4j.Recipient;
import org.consent4j.SubjectId;
import org.consent4j.core.audit.AuditTrail;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Appending one audit event to the hash-chained trail with an in-process sink, in events per
 * second: {@code async} through the bounded queue (the caller waits only when the writer thread
 * falls behind, so the figure is the chain's sustained rate), {@code sync} hashing and writing on
 * the caller's thread. The trail is flushed at the end of every iteration so queued events count.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AuditAppendBenchmark {
  @Param({"async", "sync"})
  public String mode;

  AuditTrail trail;
  final AuditEvent event = new AuditEvent(Instant.parse("2026-11-23T10:00:00Z"), "campaign-service",
      Purpose.of(BenchCrm.PURPOSE), Recipient.FIRST_PARTY, "QUERY SELECT id, email FROM contact WHERE id = ?",
      List.of(SubjectId.of("4711")), new TreeSet<>(List.of(DataCategory.of("contact.email"))), Outcome.PERMIT,
      "GRANTED", 12, new TreeMap<>());

  @Setup(Level.Trial)
  public void setUp() {
    trail = mode.equals("async")
        ? AuditTrail.builder(new LastRecordSink()).asynchronous(65_536, 1_024, Duration.ofSeconds(5)).build()
        : AuditTrail.builder(new LastRecordSink()).synchronous().build();
  }

  @TearDown(Level.Iteration)
  public void flush() {
    trail.flush();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    trail.close();
  }

  @Benchmark
  public java.util.Optional<AuditRecord> append() {
    return trail.record(event);
  }
}
