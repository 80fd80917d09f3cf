package org.consent4j.benchmarks.load;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.consent4j.AccessContext;
import org.consent4j.benchmarks.BenchCrm;
import org.consent4j.benchmarks.LastRecordSink;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.ProcessingScope;
import org.consent4j.core.audit.AuditTrail;
import org.consent4j.jdbc.JdbcConsentStore;
import org.consent4j.jdbc.wrapper.ConsentDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The database load harness of docs/BENCHMARKS.md: loads a CRM of N contacts (a friends graph,
 * orders, about half of the subjects consenting to {@value BenchCrm#PURPOSE}, the consents in
 * consent4j's own store tables) into PostgreSQL, then runs six workloads through four paths,
 * interleaved A B C D A B C D round after round so that machine noise hits all four alike:
 *
 * <ol>
 *   <li>{@code raw}: plain JDBC, no filtering (the floor);
 *   <li>{@code join}: plain JDBC with a hand-written consent EXISTS join in every statement, over
 *       the store's grant ledger (what a developer writes by hand);
 *   <li>{@code rls}: PostgreSQL row-level security policies doing the same check, the purpose and
 *       recipient passed as session settings, as a role that is neither superuser nor owner;
 *   <li>{@code consent4j}: the same SQL as {@code raw}, through {@code ConsentDataSource.wrap}
 *       under an open processing scope (which also masks columns and audits every statement).
 * </ol>
 *
 * <p>Arguments ({@code --name value}): {@code url} (PostgreSQL JDBC URL, required; use a database
 * of its own), {@code rows} (contacts, default 1,000,000), {@code threads} (comma-separated client
 * thread counts, default {@code 1,2}), {@code rounds} (default 5), {@code seconds} (per workload,
 * path and round, default 3), {@code load} ({@code auto}: load unless the data of this size is
 * there; {@code always}; {@code never}), {@code workloads} and {@code paths} (comma-separated
 * subsets), {@code out} (a file for the Markdown results).
 */
public final class LoadHarness {

  /**
   * The paths, in the order they take turns. {@code PROBE} is not one of the four the issue names
   * and runs only when asked for ({@code --paths ...,probe}): the statement with the least an
   * in-database check can do, one index probe of the consent state table by subject, purpose and
   * recipient, without time bounds, withdrawals or masks. It is not a correct consent check; it
   * measures the floor under any check the database runs per row. {@code POST} (also only when
   * asked for) is consent4j with {@code ReadForm.POST_FILTER}: the statements whose result the
   * wrapper can filter and mask exactly (point, selective, join, export) run over the tables
   * themselves and are filtered in the result set by the engine's decisions; count, update and
   * the paged statements keep the pushdown (docs/REWRITING.md, "Post-filtered reads"). {@code
   * CONSENT4J} is always the pushdown ({@code ReadForm.PUSHDOWN}), whatever the default form.
   */
  enum PathKind { RAW, JOIN, RLS, CONSENT4J, PROBE, POST }

  /**
   * The workloads. {@code GUARDED} is the point lookup with one more condition that consent4j
   * cannot prove safe to run on hidden rows ({@code abs(segment) >= 0}, always true), so it is
   * guarded by the row's consent (docs/REWRITING.md, "The query's own conditions"): it measures
   * what that guard costs. Not in the default list.
   *
   * <p>{@code PAGE} and {@code PAGE_DEEP} (not in the default list; {@code --workloads page}
   * runs them and {@code PAGE_ALL}) read one page of 20 rows of a segment (1% of the contacts),
   * ordered by the primary key: {@code ... WHERE c.segment = ? ORDER BY c.id LIMIT 20 OFFSET ?}, at
   * one of the first five pages ({@code PAGE}) or at an offset of {@code rows / 250} (about 80%
   * through the segment's consenting contacts, {@code PAGE_DEEP}). {@code PAGE_ALL} is a list view:
   * one of the first five pages of all contacts, no WHERE. The {@code post} path keeps the pushdown for paged
   * statements, so for these two it runs what a post-filtered page would: the statement without
   * {@code LIMIT}/{@code OFFSET} through the post-filtering wrapper, skipping the first OFFSET
   * visible rows and closing the result set after 20 (docs/REWRITING.md, "Paging").
   */
  enum Workload { POINT, SELECTIVE, JOIN, EXPORT, COUNT, UPDATE, GUARDED, PAGE, PAGE_DEEP, PAGE_ALL }

  /** The rows of one page of {@link Workload#PAGE}. */
  static final int PAGE_SIZE = 20;

  static final String T = "bench_";
  static final String STORE = "bench_c4j_";
  static final String RLS_ROLE = "bench_rls";
  static final String RLS_PASSWORD = "bench_rls_pw";
  static final int FETCH = 5_000;
  static final int FRIENDS = 3;
  static final int ORDERS = 2;

  private final Map<String, String> args;
  private final String url;
  private final long rows;
  private final PrintStream out = System.out;

  private LoadHarness(Map<String, String> args) {
    this.args = args;
    this.url = required(args, "url");
    this.rows = Long.parseLong(args.getOrDefault("rows", "1000000"));
  }

  /** Runs the harness; see the class comment for the arguments. */
  public static void main(String[] argv) throws Exception {
    Map<String, String> args = new LinkedHashMap<>();
    for (int i = 0; i + 1 < argv.length; i += 2) {
      if (!argv[i].startsWith("--")) {
        throw new IllegalArgumentException("arguments are --name value pairs; got " + argv[i]);
      }
      args.put(argv[i].substring(2), argv[i + 1]);
    }
    new LoadHarness(args).run();
  }

  private static String required(Map<String, String> args, String name) {
    String v = args.get(name);
    if (v == null) {
      throw new IllegalArgumentException("--" + name + " is required, e.g. --url"
          + " 'jdbc:postgresql://127.0.0.1:5432/bench?user=postgres'");
    }
    return v;
  }

  private void run() throws Exception {
    PGSimpleDataSource admin = new PGSimpleDataSource();
    admin.setURL(url);
    String load = args.getOrDefault("load", "auto");
    if (load.equals("always") || (load.equals("auto") && !loaded(admin))) {
      new Loader(admin, rows, out).load();
    }
    int[] threads = Arrays.stream(args.getOrDefault("threads", "1,2").split(",")).mapToInt(Integer::parseInt).toArray();
    int rounds = Integer.parseInt(args.getOrDefault("rounds", "5"));
    Duration slice = Duration.ofMillis((long) (Double.parseDouble(args.getOrDefault("seconds", "3")) * 1000));
    List<Workload> workloads = Arrays.stream(args.getOrDefault("workloads", "point,selective,join,export,count,update")
        .split(",")).map(w -> w.trim().toUpperCase(Locale.ROOT))
        .flatMap(w -> w.equals("PAGE") ? java.util.stream.Stream.of(Workload.PAGE, Workload.PAGE_DEEP, Workload.PAGE_ALL)
            : java.util.stream.Stream.of(Workload.valueOf(w)))
        .distinct().toList();
    List<PathKind> paths = Arrays.stream(args.getOrDefault("paths", "raw,join,rls,consent4j").split(","))
        .map(p -> PathKind.valueOf(p.trim().toUpperCase(Locale.ROOT))).toList();

    PGSimpleDataSource rls = new PGSimpleDataSource();
    rls.setURL(url);
    rls.setUser(RLS_ROLE);
    rls.setPassword(RLS_PASSWORD);
    JdbcConsentStore store = JdbcConsentStore.builder(admin).tablePrefix(STORE).build();
    AuditTrail trail = AuditTrail.builder(new LastRecordSink()).asynchronous(65_536, 1_024, Duration.ofSeconds(5))
        .build();
    // --index true: the harness is one node, so the consent index is safe without a change feed
    boolean indexed = Boolean.parseBoolean(args.getOrDefault("index", "false"));
    ConsentEngine engine = ConsentEngine.builder().catalog(BenchCrm.CATALOG).store(store).auditTrail(trail)
        .consentIndex(indexed).build();
    if (indexed) {
      long started = System.nanoTime();
      while (!engine.consentIndex().orElseThrow().isUsable()) {
        Thread.sleep(100);
      }
      out.printf("consent index usable after %.1f s%n", (System.nanoTime() - started) / 1e9);
    }
    // the pushdown form, as before the default became ReadForm.AUTO (which post-filters with --index true)
    ConsentDataSource guarded = ConsentDataSource.wrap(admin, engine, BenchCrm.mapping(T),
        org.consent4j.jdbc.AuditLevel.STATEMENT, org.consent4j.jdbc.ReadForm.PUSHDOWN);
    Map<PathKind, DataSource> sources = new EnumMap<>(PathKind.class);
    sources.put(PathKind.RAW, admin);
    sources.put(PathKind.JOIN, admin);
    sources.put(PathKind.RLS, rls);
    sources.put(PathKind.CONSENT4J, guarded);
    sources.put(PathKind.PROBE, admin);
    if (paths.contains(PathKind.POST)) {
      sources.put(PathKind.POST, ConsentDataSource.wrap(admin, engine, BenchCrm.mapping(T),
          org.consent4j.jdbc.AuditLevel.STATEMENT, org.consent4j.jdbc.ReadForm.POST_FILTER));
    }
    AccessContext context = AccessContext.of("bench", BenchCrm.PURPOSE);

    Results results = new Results(rows);
    Map<String, List<Double>> cpu = new LinkedHashMap<>();
    out.printf("running %s x %s, threads %s, %d rounds of %s each%n", workloads, paths, Arrays.toString(threads),
        rounds, slice);
    for (int t : threads) {
      for (int round = 1; round <= rounds; round++) {
        for (Workload w : workloads) {
          for (PathKind p : paths) {
            long cpu0 = processCpuNanos();
            Slice s = runSlice(sources.get(p), p, w, t, slice, p == PathKind.CONSENT4J || p == PathKind.POST ? engine : null, context);
            double cpuPerOp = s.ops == 0 ? 0 : (processCpuNanos() - cpu0) / 1e3 / s.ops;
            cpu.computeIfAbsent(t + " " + w + " " + p, k -> new ArrayList<>()).add(cpuPerOp);
            results.add(t, w, p, s);
            out.printf(Locale.ROOT, "threads %d round %d %-9s %-9s %12.3f ops/s %14.1f rows/s %9.1f µs cpu/op%n", t,
                round, w, p, s.opsPerSecond(), s.rowsPerSecond(), cpuPerOp);
          }
        }
      }
    }
    trail.close();
    String table = results.markdown(workloads, paths, threads) + cpuTable(cpu);
    out.println(table);
    if (args.containsKey("out")) {
      Files.writeString(Path.of(args.get("out")), table, StandardCharsets.UTF_8);
    }
  }

  /**
   * CPU time of this whole process (client threads, the audit writer, GC and JIT), in nanoseconds:
   * its growth over a slice, per operation, is what the path costs the client side of the machine.
   * The database server's CPU is not in it.
   */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** The median and the least over the rounds of each cell's client CPU per operation. */
  private static String cpuTable(Map<String, List<Double>> cpu) {
    StringBuilder sb = new StringBuilder("\nClient process CPU per operation (µs, median / least of the rounds; the"
        + " first round includes JIT compilation):");
    cpu.forEach((cell, values) -> {
      double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      sb.append(String.format(Locale.ROOT, " %s %.1f / %.1f;", cell.toLowerCase(Locale.ROOT), v[v.length / 2], v[0]));
    });
    return sb.append('\n').toString();
  }

  private boolean loaded(DataSource admin) {
    try (Connection c = admin.getConnection(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT max(id) FROM " + T + "contact")) {
      return r.next() && r.getLong(1) == rows;
    } catch (SQLException e) {
      return false;
    }
  }

  /** One path running one workload on {@code threads} threads for {@code length}. */
  private Slice runSlice(DataSource source, PathKind path, Workload w, int threads, Duration length,
      ConsentEngine engine, AccessContext context) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch ready = new CountDownLatch(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Slice>> futures = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      futures.add(pool.submit((Callable<Slice>) () -> {
        ProcessingScope scope = engine == null ? null : engine.process(context);
        try (Connection c = source.getConnection()) {
          Runner runner = new Runner(c, path, w, rows);
          runner.once(); // a warm connection: driver and server caches as in steady state
          ready.countDown();
          go.await();
          long end = System.nanoTime() + length.toNanos();
          Slice s = new Slice();
          long start = System.nanoTime();
          do {
            long t0 = System.nanoTime();
            s.rows += runner.once();
            long t1 = System.nanoTime();
            s.ops++;
            if (w == Workload.POINT) {
              s.latencies.add(t1 - t0);
            }
          } while (System.nanoTime() < end);
          s.nanos = System.nanoTime() - start;
          return s;
        } finally {
          if (scope != null) {
            scope.close();
          }
        }
      }));
    }
    ready.await();
    go.countDown();
    Slice total = new Slice();
    for (Future<Slice> f : futures) {
      Slice s = f.get();
      total.ops += s.ops;
      total.rows += s.rows;
      total.latencies.addAll(s.latencies);
      // throughput of the slice: all threads' work over the longest thread's time
      total.nanos = Math.max(total.nanos, s.nanos);
    }
    pool.shutdown();
    return total;
  }

  /** What one thread does for one workload on one path. */
  static final class Runner {
    private final Connection c;
    private final PathKind path;
    private final Workload w;
    private final long rows;
    private final String sql;

    Runner(Connection c, PathKind path, Workload w, long rows) throws SQLException {
      this.c = c;
      this.path = path;
      this.w = w;
      this.rows = rows;
      this.sql = Sql.of(w, path);
      if (path == PathKind.RLS) {
        try (Statement s = c.createStatement()) {
          s.execute("SET consent.purposes = '" + String.join(",", Sql.PURPOSES) + "'");
          s.execute("SET consent.recipient = 'self'");
        }
      }
      c.setAutoCommit(w != Workload.EXPORT); // PostgreSQL streams with a fetch size only inside a transaction
    }

    /** Runs the workload once; returns the rows read or written. */
    long once() throws SQLException {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      try (PreparedStatement s = c.prepareStatement(sql)) { // prepared per use, as JdbcTemplate does
        switch (w) {
          case POINT, GUARDED -> s.setLong(1, 1 + random.nextLong(rows));
          case SELECTIVE -> s.setInt(1, random.nextInt(100));
          case JOIN -> {
            long from = 1 + random.nextLong(Math.max(1, rows - 100));
            s.setLong(1, from);
            s.setLong(2, from + 99);
          }
          case UPDATE -> {
            s.setString(1, "+31 " + random.nextInt(1_000_000));
            s.setLong(2, 1 + random.nextLong(rows));
          }
          case EXPORT -> s.setFetchSize(FETCH);
          case COUNT -> { }
          case PAGE, PAGE_DEEP, PAGE_ALL -> {
            int at = 1;
            if (w != Workload.PAGE_ALL) {
              s.setInt(at++, random.nextInt(100));
            }
            int offset = w == Workload.PAGE_DEEP ? deepOffset(rows) : PAGE_SIZE * random.nextInt(5);
            if (path == PathKind.POST) {
              return postFilteredPage(s, offset);
            }
            s.setInt(at, offset);
          }
          default -> throw new AssertionError(w);
        }
        if (w == Workload.UPDATE) {
          return s.executeUpdate();
        }
        long n = 0;
        try (ResultSet r = s.executeQuery()) {
          int columns = r.getMetaData().getColumnCount();
          while (r.next()) {
            for (int i = 1; i <= columns; i++) {
              r.getObject(i); // read every value, as an application would
            }
            n++;
          }
        }
        if (w == Workload.EXPORT) {
          c.commit();
        }
        return n;
      }
    }

    /**
     * A page as the post-filtered form would serve it: the statement without LIMIT/OFFSET, its
     * first {@code offset} visible rows skipped, the result set closed after {@link #PAGE_SIZE}.
     */
    private static long postFilteredPage(PreparedStatement s, int offset) throws SQLException {
      long n = 0;
      try (ResultSet r = s.executeQuery()) {
        int columns = r.getMetaData().getColumnCount();
        for (int skipped = 0; skipped < offset && r.next(); skipped++) {
          // a skipped row is decided but not read
        }
        while (n < PAGE_SIZE && r.next()) {
          for (int i = 1; i <= columns; i++) {
            r.getObject(i);
          }
          n++;
        }
      }
      return n;
    }

    /** The offset of {@link Workload#PAGE_DEEP}: a multiple of the page size near {@code rows / 250}. */
    static int deepOffset(long rows) {
      return (int) Math.max(PAGE_SIZE, rows / 250 / PAGE_SIZE * PAGE_SIZE);
    }

    @Override
    public String toString() {
      return path + " " + w;
    }
  }

  /** What a slice measured. */
  static final class Slice {
    long ops;
    long rows;
    long nanos;
    final List<Long> latencies = new ArrayList<>();

    double opsPerSecond() {
      return nanos == 0 ? 0 : ops * 1e9 / nanos;
    }

    double rowsPerSecond() {
      return nanos == 0 ? 0 : rows * 1e9 / nanos;
    }
  }

  /** The SQL of each workload: the plain text, and the text with the hand-written consent join. */
  static final class Sql {
    static final List<String> PURPOSES = List.of("marketing", "marketing.email");

    private Sql() {}

    /** The statement of workload {@code w} as path {@code p} runs it (consent4j: as raw, rewritten by the wrapper). */
    static String of(Workload w, PathKind p) {
      if (p == PathKind.POST && (w == Workload.PAGE || w == Workload.PAGE_DEEP || w == Workload.PAGE_ALL)) {
        return pageWithoutLimit(w, null); // see Workload: the page is cut in the harness
      }
      return switch (p) {
        case JOIN -> withCheck(w, Sql::consent);
        case PROBE -> withCheck(w, Sql::probe);
        default -> withCheck(w, null);
      };
    }

    /** The statement with {@code check} (a condition on a subject column) added for every table, or none when null. */
    private static String withCheck(Workload w, java.util.function.UnaryOperator<String> check) {
      boolean on = check != null;
      return switch (w) {
        case POINT -> "SELECT id, name, email, phone FROM " + T + "contact c WHERE c.id = ?"
            + (on ? " AND " + check.apply("c.id") : "");
        case GUARDED -> "SELECT id, name, email, phone FROM " + T + "contact c WHERE c.id = ? AND abs(c.segment) >= 0"
            + (on ? " AND " + check.apply("c.id") : "");
        case SELECTIVE -> "SELECT id, name, email FROM " + T + "contact c WHERE c.segment = ?"
            + (on ? " AND " + check.apply("c.id") : "");
        case JOIN -> "SELECT c.id, c.name, f.friend_id, d.name FROM " + T + "contact c JOIN " + T + "friend f ON"
            + " f.user_id = c.id JOIN " + T + "contact d ON d.id = f.friend_id WHERE c.id BETWEEN ? AND ?"
            + (on ? " AND " + check.apply("c.id") + " AND " + check.apply("f.user_id") + " AND "
                + check.apply("f.friend_id") + " AND " + check.apply("d.id") : "");
        case EXPORT -> "SELECT id, name, email, phone FROM " + T + "contact c" + (on ? " WHERE " + check.apply("c.id") : "");
        case COUNT -> "SELECT count(*) FROM " + T + "orders o" + (on ? " WHERE " + check.apply("o.contact_id") : "");
        case UPDATE -> "UPDATE " + T + "contact c SET phone = ? WHERE c.id = ?"
            + (on ? " AND " + check.apply("c.id") : "");
        case PAGE, PAGE_DEEP, PAGE_ALL -> pageWithoutLimit(w, check) + " LIMIT " + PAGE_SIZE + " OFFSET ?";
      };
    }

    /** The page statement of {@link Workload#PAGE} without its LIMIT and OFFSET. */
    private static String pageWithoutLimit(Workload w, java.util.function.UnaryOperator<String> check) {
      String where = w == Workload.PAGE_ALL ? "" : "c.segment = ?";
      if (check != null) {
        where = where.isEmpty() ? check.apply("c.id") : where + " AND " + check.apply("c.id");
      }
      return "SELECT id, name, email FROM " + T + "contact c" + (where.isEmpty() ? "" : " WHERE " + where)
          + " ORDER BY c.id";
    }

    /**
     * The floor of any in-database check ({@link PathKind#PROBE}): one probe of the consent state
     * table's {@code (subject_num, purpose, recipient)} index. Not a correct check.
     */
    static String probe(String subject) {
      return "EXISTS (SELECT 1 FROM " + STORE + "consent_state g WHERE g.subject_num = " + subject
          + " AND g.purpose IN ('marketing', 'marketing.email') AND g.recipient = 'self')";
    }

    /**
     * The consent check a developer writes by hand over the store's ledger: a grant of the
     * subject for the purpose or an ancestor, to the first party, in effect now, and no later
     * withdrawal of an overlapping purpose. Subject ids are text in the ledger, hence the cast.
     */
    static String consent(String subject) {
      return ledgerCheck(subject, "IN ('marketing', 'marketing.email')", "'self'");
    }

    /** The same check for a row-level security policy: the context comes from session settings. */
    static String policy(String subject) {
      return ledgerCheck(subject, "= ANY (string_to_array(current_setting('consent.purposes'), ','))",
          "current_setting('consent.recipient')");
    }

    /** The ledger check of {@link #consent} with the purposes ({@code purposeTest}) and recipient given as SQL. */
    private static String ledgerCheck(String subject, String purposeTest, String recipient) {
      return "EXISTS (SELECT 1 FROM " + STORE + "grant g JOIN " + STORE + "grant_purpose gp ON gp.seq = g.seq JOIN "
          + STORE + "grant_recipient gr ON gr.seq = g.seq WHERE g.subject_id = " + subject + "::text"
          + " AND gp.purpose " + purposeTest + " AND gr.recipient = " + recipient
          + " AND g.granted_at_sec <= extract(epoch FROM now())"
          + " AND (g.expires_at_sec IS NULL OR g.expires_at_sec > extract(epoch FROM now()))"
          + " AND NOT EXISTS (SELECT 1 FROM " + STORE + "withdrawal w WHERE w.subject_id = g.subject_id"
          + " AND w.purpose " + purposeTest + " AND w.seq > g.seq))";
    }
  }

  /** Every slice, and the tables of medians and ratios. */
  static final class Results {
    private final long rows;
    private final Map<String, List<Slice>> slices = new LinkedHashMap<>();

    Results(long rows) {
      this.rows = rows;
    }

    void add(int threads, Workload w, PathKind p, Slice s) {
      slices.computeIfAbsent(threads + "/" + w + "/" + p, k -> new ArrayList<>()).add(s);
    }

    double median(int threads, Workload w, PathKind p, boolean rowRate) {
      List<Slice> list = slices.get(threads + "/" + w + "/" + p);
      if (list == null) {
        return Double.NaN;
      }
      double[] v = list.stream().mapToDouble(s -> rowRate ? s.rowsPerSecond() : s.opsPerSecond()).sorted().toArray();
      return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    double percentile(int threads, PathKind p, double q) {
      List<Slice> list = slices.get(threads + "/" + Workload.POINT + "/" + p);
      if (list == null) {
        return Double.NaN;
      }
      long[] all = list.stream().flatMap(s -> s.latencies.stream()).mapToLong(Long::longValue).sorted().toArray();
      return all.length == 0 ? Double.NaN : all[Math.min(all.length - 1, (int) Math.ceil(q * all.length) - 1)] / 1000.0;
    }

    /** Whole numbers from 100 up, three significant digits below (0.37 ops/s is not 0). */
    static String number(double v) {
      if (Double.isNaN(v)) {
        return "-";
      }
      return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.3g", v);
    }

    String markdown(List<Workload> workloads, List<PathKind> paths, int[] threads) {
      StringBuilder sb = new StringBuilder();
      for (int t : threads) {
        sb.append(String.format(Locale.ROOT, "%n#### %,d contacts, %d client thread%s%n%n", rows, t, t == 1 ? "" : "s"));
        sb.append("| workload | unit |");
        paths.forEach(p -> sb.append(' ').append(p.name().toLowerCase(Locale.ROOT)).append(" |"));
        paths.stream().filter(p -> p != PathKind.RAW).forEach(p -> sb.append(' ')
            .append(p.name().toLowerCase(Locale.ROOT)).append("/raw |"));
        paths.stream().filter(p -> p != PathKind.RAW && p != PathKind.JOIN).forEach(p -> sb.append(' ')
            .append(p.name().toLowerCase(Locale.ROOT)).append("/join |"));
        sb.append('\n').append("|---|---|");
        int columns = paths.size() + (paths.size() - 1) + (paths.size() - 2);
        sb.append("---:|".repeat(columns)).append('\n');
        for (Workload w : workloads) {
          boolean rowRate = w == Workload.EXPORT;
          sb.append("| ").append(w.name().toLowerCase(Locale.ROOT)).append(" | ").append(rowRate ? "rows/s" : "ops/s")
              .append(" |");
          double raw = median(t, w, PathKind.RAW, rowRate);
          double join = median(t, w, PathKind.JOIN, rowRate);
          for (PathKind p : paths) {
            sb.append(' ').append(number(median(t, w, p, rowRate))).append(" |");
          }
          for (PathKind p : paths) {
            if (p != PathKind.RAW) {
              sb.append(' ').append(number(median(t, w, p, rowRate) / raw)).append(" |");
            }
          }
          for (PathKind p : paths) {
            if (p != PathKind.RAW && p != PathKind.JOIN) {
              sb.append(' ').append(number(median(t, w, p, rowRate) / join)).append(" |");
            }
          }
          sb.append('\n');
        }
        if (workloads.contains(Workload.POINT)) {
          sb.append("\nPoint lookup latency (µs, all rounds):");
          for (PathKind p : paths) {
            sb.append(String.format(Locale.ROOT, " %s p50 %.0f / p99 %.0f;", p.name().toLowerCase(Locale.ROOT),
                percentile(t, p, 0.50), percentile(t, p, 0.99)));
          }
          sb.append('\n');
        }
      }
      return sb.toString();
    }
  }
}
