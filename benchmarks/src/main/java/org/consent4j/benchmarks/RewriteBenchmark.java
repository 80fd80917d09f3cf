package org.consent4j.benchmarks;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.consent4j.AccessContext;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.ProcessingScope;
import org.consent4j.core.audit.AuditTrail;
import org.consent4j.jdbc.AuditLevel;
import org.consent4j.jdbc.JdbcConsentStore;
import org.consent4j.jdbc.internal.ConsentInterceptor;
import org.consent4j.jdbc.wrapper.Interception;
import org.consent4j.jdbc.wrapper.SqlKind;
import org.h2.jdbcx.JdbcDataSource;
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
 * What the guarded connection does to one SQL string before the database sees it, for five
 * typical CRM statements: on a cache miss (parse with JSqlParser, rewrite every mapped table into
 * its filtered, masked view, print) and on a cache hit (look up the rewrite by SQL text, purpose
 * and recipient, and stamp the engine clock's time into it). Measured through the interceptor the
 * wrapper calls, as {@code prepareStatement} calls it (the execution's audit event is measured by
 * {@link AuditAppendBenchmark}). The tables live in an in-process H2 database.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RewriteBenchmark {
  /** Five statements a CRM runs all day. */
  @Param({
      "SELECT id, name, email, phone FROM bench_contact WHERE id = ?",
      "SELECT id, name, email FROM bench_contact WHERE segment = ? ORDER BY name LIMIT 50",
      "SELECT f.friend_id, c.name FROM bench_friend f JOIN bench_contact c ON c.id = f.friend_id WHERE f.user_id = ?",
      "SELECT c.segment, count(*), sum(o.amount) FROM bench_contact c JOIN bench_orders o ON o.contact_id = c.id"
          + " GROUP BY c.segment",
      "UPDATE bench_contact SET phone = ? WHERE id = ?"})
  public String sql;

  ConsentEngine engine;
  ConsentInterceptor hit;
  ConsentInterceptor miss;
  ProcessingScope scope;

  @Setup(Level.Trial)
  public void setUp() throws SQLException {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:mem:rewrite_bench;DB_CLOSE_DELAY=-1");
    try (Connection c = h2.getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS bench_contact (id BIGINT PRIMARY KEY, name VARCHAR(100),"
          + " email VARCHAR(100), phone VARCHAR(30), segment INT)");
      s.execute("CREATE TABLE IF NOT EXISTS bench_friend (user_id BIGINT, friend_id BIGINT)");
      s.execute("CREATE TABLE IF NOT EXISTS bench_orders (id BIGINT PRIMARY KEY, contact_id BIGINT, amount INT)");
    }
    JdbcConsentStore store = JdbcConsentStore.builder(h2).tablePrefix("bench_c4j_").build();
    engine = ConsentEngine.builder().catalog(BenchCrm.CATALOG).store(store)
        .auditTrail(AuditTrail.builder(new LastRecordSink()).synchronous().build()).build();
    hit = ConsentInterceptor.create(h2, engine, BenchCrm.mapping("bench_"), "bench_c4j_", 10_000,
        AuditLevel.STATEMENT);
    miss = ConsentInterceptor.create(h2, engine, BenchCrm.mapping("bench_"), "bench_c4j_", 0,
        AuditLevel.STATEMENT);
    scope = engine.process(AccessContext.of("bench", BenchCrm.PURPOSE));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    scope.close();
    engine.close();
  }

  /** Parse, rewrite and print: what the first execution of a statement text costs. */
  @Benchmark
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Interception cacheMiss() throws SQLException {
    return miss.intercept(sql, SqlKind.PREPARE);
  }

  /** Every later execution of the same text under the same purpose and recipient. */
  @Benchmark
  public Interception cacheHit() throws SQLException {
    return hit.intercept(sql, SqlKind.PREPARE);
  }
}
