package org.consent4j.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.consent4j.AccessContext;
import org.consent4j.DataCategory;
import org.consent4j.Decision;
import org.consent4j.Grant;
import org.consent4j.SubjectId;
import org.consent4j.core.ConsentEngine;
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
 * The engine's consent check: one subject from a warm cache, one subject with no cache (every
 * check reads the in-memory store and applies the rules), and 10,000 subjects in one call. Every
 * check is audited, as in production: {@code audit=async} records through an asynchronous trail
 * (hash chain on the writer thread, in-process sink), {@code audit=sync} on the caller's thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EngineCheckBenchmark {
  static final int SUBJECTS = 20_000;

  @Param({"async", "sync"})
  public String audit;

  ConsentEngine cached;
  ConsentEngine uncached;
  ConsentEngine indexed;
  final AccessContext context = AccessContext.of("bench", BenchCrm.PURPOSE);
  final Set<DataCategory> categories = Set.of(DataCategory.of("contact.email"));
  final List<SubjectId> subjects = new ArrayList<>();
  List<SubjectId> batch;
  int next;

  @Setup(Level.Trial)
  public void setUp() {
    for (int i = 0; i < SUBJECTS; i++) {
      subjects.add(SubjectId.of(Integer.toString(i)));
    }
    batch = subjects.subList(0, 10_000);
    cached = engine(100_000, false);
    uncached = engine(0, false);
    indexed = engine(0, true);
    if (!indexed.consentIndex().orElseThrow().isUsable()) {
      throw new IllegalStateException("the index is not usable");
    }
    for (SubjectId s : subjects) {
      cached.checkAll(List.of(s), context, categories); // warm the cache
    }
  }

  private ConsentEngine engine(long cacheSize, boolean index) {
    AuditTrail trail = audit.equals("async")
        ? AuditTrail.builder(new LastRecordSink()).asynchronous(65_536, 1_024, Duration.ofSeconds(5)).build()
        : AuditTrail.builder(new LastRecordSink()).synchronous().build();
    ConsentEngine e = ConsentEngine.builder().catalog(BenchCrm.CATALOG).auditTrail(trail)
        .cacheMaximumSize(cacheSize).consentIndex(index).build();
    for (int i = 0; i < SUBJECTS; i += 2) { // half of the subjects consent
      e.grant(Grant.builder(SubjectId.of(Integer.toString(i))).purpose("marketing").category("contact"));
    }
    return e;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    cached.close();
    uncached.close();
    indexed.close();
  }

  private SubjectId nextSubject() {
    next = next + 1 == SUBJECTS ? 0 : next + 1;
    return subjects.get(next);
  }

  /** One subject whose ledger is cached. */
  @Benchmark
  public Decision checkCached() {
    return cached.check(nextSubject(), context, categories);
  }

  /** One subject from the consent index (no cache at all behind it). */
  @Benchmark
  public Decision checkIndexed() {
    return indexed.check(nextSubject(), context, categories);
  }

  /** One subject's decision before audit, from the warm cache: {@code decideAll} of one subject. */
  @Benchmark
  public Map<SubjectId, Decision> decideCached() {
    return cached.decideAll(List.of(nextSubject()), context, categories, cached.clock().instant());
  }

  /** One subject's decision before audit, from the consent index. */
  @Benchmark
  public Map<SubjectId, Decision> decideIndexed() {
    return indexed.decideAll(List.of(nextSubject()), context, categories, indexed.clock().instant());
  }

  /** 10,000 subjects from the consent index in one call, audited (divide by 10,000 per subject). */
  @Benchmark
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Map<SubjectId, Decision> checkBatchOf10000Indexed() {
    return indexed.checkAll(batch, context, categories);
  }

  /** One subject, no cache: the store is read and the rules applied on every call. */
  @Benchmark
  public Decision checkUncached() {
    return uncached.check(nextSubject(), context, categories);
  }

  /** 10,000 subjects in one call, cached; the result is reported per call (divide by 10,000 per subject). */
  @Benchmark
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Map<SubjectId, Decision> checkBatchOf10000() {
    return cached.checkAll(batch, context, categories);
  }
}
