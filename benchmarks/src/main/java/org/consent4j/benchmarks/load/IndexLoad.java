package org.consent4j.benchmarks.load;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.consent4j.AccessContext;
import org.consent4j.CollectionMethod;
import org.consent4j.ConsentRecord;
import org.consent4j.DataCategory;
import org.consent4j.Decision;
import org.consent4j.Evidence;
import org.consent4j.Grant;
import org.consent4j.GrantId;
import org.consent4j.LedgerEntry;
import org.consent4j.Purpose;
import org.consent4j.PurposeDefinition;
import org.consent4j.Recipient;
import org.consent4j.SubjectId;
import org.consent4j.Withdrawal;
import org.consent4j.benchmarks.BenchCrm;
import org.consent4j.core.ConsentIndex;
import org.consent4j.core.LedgerSource;
import org.consent4j.core.internal.ConsentRules;
import org.consent4j.jdbc.JdbcConsentStore;
import org.consent4j.spi.ConsentStore;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Loads a {@link ConsentIndex} and reports its load time and memory per consenting subject, for
 * the load harness's consent mix (about 55% of the subjects grant {@code marketing} for three
 * categories, a tenth of those withdraw again).
 *
 * <ul>
 *   <li>{@code --source postgres --url URL --rows N [--load auto|always|never]}: from the
 *       harness's PostgreSQL store ({@link Loader} seeds it when missing), streamed through
 *       {@link JdbcConsentStore#forEachLedger}; a sample of decisions is checked against the rules
 *       over {@code history}.
 *   <li>{@code --source synthetic --rows N [--ids numeric|text]}: the same mix generated in
 *       process (no database), to measure memory at sizes the database here cannot hold quickly,
 *       and with text ids ({@code c-<n>}, through the dictionary).
 * </ul>
 *
 * <p>Memory is the heap in use after full collections, after the load minus before it, so it
 * counts everything the index holds. Run with a fixed heap, e.g. {@code java -Xms2g -Xmx2g -cp
 * benchmarks/target/benchmarks.jar org.consent4j.benchmarks.load.IndexLoad ...}.
 */
public final class IndexLoad {
  private static final PrintStream OUT = System.out;
  static final Instant GRANTED = Instant.ofEpochSecond(Loader.GRANTED);
  static final Instant WITHDRAWN = Instant.ofEpochSecond(Loader.WITHDRAWN);

  private IndexLoad() {}

  public static void main(String[] argv) throws Exception {
    Map<String, String> args = new LinkedHashMap<>();
    for (int i = 0; i + 1 < argv.length; i += 2) {
      args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
    }
    long rows = Long.parseLong(args.getOrDefault("rows", "1000000"));
    String source = args.getOrDefault("source", "postgres");
    ConsentStore store;
    if (source.equals("postgres")) {
      PGSimpleDataSource admin = new PGSimpleDataSource();
      admin.setURL(args.get("url"));
      String load = args.getOrDefault("load", "auto");
      if (load.equals("always") || (load.equals("auto") && !seeded(admin, rows))) {
        new Loader(admin, rows, OUT).load();
      }
      store = JdbcConsentStore.builder(admin).tablePrefix(LoadHarness.STORE).build();
      try (var c = admin.getConnection(); var s = c.createStatement();
          var r = s.executeQuery("SELECT count(*) FROM " + LoadHarness.STORE + "ledger")) {
        r.next();
        LEDGER_ROWS[0] = r.getLong(1);
      }
    } else {
      store = new Synthetic(rows, args.getOrDefault("ids", "numeric").equals("text"));
    }
    long before = usedAfterGc();
    ConsentIndex index = new ConsentIndex(BenchCrm.CATALOG, store, Clock.systemUTC(), () -> true);
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    long cpuStart = threads.getCurrentThreadCpuTime();
    long processCpuStart = os.getProcessCpuTime();
    long start = System.nanoTime();
    index.load();
    double seconds = (System.nanoTime() - start) / 1e9;
    double cpu = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9;
    double processCpu = (os.getProcessCpuTime() - processCpuStart) / 1e9;
    long after = usedAfterGc();
    ConsentIndex.Stats stats = index.stats();
    long consenting = countConsenting(index, stats);
    OUT.printf(Locale.ROOT, "source %s, %,d contacts: %,d subjects indexed (%,d consent to %s), %d classes, %,d kept"
            + " exactly, %,d text ids%n", source, rows, stats.subjects(), consenting, BenchCrm.PURPOSE, stats.classes(),
        stats.exactSubjects(), stats.textIds());
    OUT.printf(Locale.ROOT, "load %.1f s wall (%,.0f subjects/s, %,.0f ledger rows/s), %.1f s CPU of the loading thread,"
            + " %.1f s CPU of the process (all its threads, GC included)%n", seconds, stats.subjects() / seconds,
        ledgerRows(store, rows) / seconds, cpu, processCpu);
    OUT.printf(Locale.ROOT, "heap %,d bytes: %.1f bytes per consenting subject, %.1f per indexed subject"
            + " (class sets %,d bytes, entries %,d bytes)%n", after - before, (after - before) / (double) consenting,
        (after - before) / (double) stats.subjects(), stats.bitmapBytes(), stats.entryBytes());
    if (source.equals("postgres")) {
      verifySample(index, store, rows);
    }
    // keep the index reachable until measured
    if (index.stats().subjects() < 0) {
      throw new AssertionError();
    }
  }

  /** The ledger rows loaded: counted in the database, or generated in process. */
  private static long ledgerRows(ConsentStore store, long rows) {
    if (store instanceof Synthetic s) {
      long n = 0;
      for (long i = 1; i <= rows; i++) {
        n += s.ledger(i).size();
      }
      return n;
    }
    return LEDGER_ROWS[0];
  }

  /** The ledger rows of the PostgreSQL store, counted before the load. */
  private static final long[] LEDGER_ROWS = {0};

  private static boolean seeded(PGSimpleDataSource admin, long rows) throws Exception {
    try (var c = admin.getConnection(); var s = c.createStatement();
        var r = s.executeQuery("SELECT count(*) FROM " + LoadHarness.T + "contact")) {
      return r.next() && r.getLong(1) == rows;
    } catch (java.sql.SQLException missing) {
      return false;
    }
  }

  private static long countConsenting(ConsentIndex index, ConsentIndex.Stats stats) {
    // the subjects whose decision permits the benchmark's purpose, counted through the index itself
    PurposeDefinition def = BenchCrm.CATALOG.purpose(Purpose.of(BenchCrm.PURPOSE));
    AccessContext ctx = AccessContext.of("bench", BenchCrm.PURPOSE);
    TreeSet<DataCategory> none = new TreeSet<>();
    Instant now = Instant.now();
    return index.countPermitted(def, ctx, none, now).orElseThrow();
  }

  private static void verifySample(ConsentIndex index, ConsentStore store, long rows) {
    PurposeDefinition def = BenchCrm.CATALOG.purpose(Purpose.of(BenchCrm.PURPOSE));
    AccessContext ctx = AccessContext.of("bench", BenchCrm.PURPOSE);
    TreeSet<DataCategory> asked = new TreeSet<>(Set.of(DataCategory.of("contact.email")));
    Instant now = Instant.now();
    int checked = 0;
    for (long i = 1; i <= rows; i += Math.max(1, rows / 2000)) {
      SubjectId s = SubjectId.of(i);
      Decision expected = ConsentRules.decide(s, BenchCrm.CATALOG, def, ctx, store.history(s), asked, now);
      Decision got = index.decide(s, def, ctx, asked, now).orElseThrow();
      if (!expected.equals(got)) {
        throw new AssertionError("the index disagrees with the store for sampled subject number " + i);
      }
      checked++;
    }
    OUT.printf(Locale.ROOT, "%,d sampled decisions equal the rules over the store's ledgers%n", checked);
  }

  private static long usedAfterGc() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(100);
      used = Math.min(used, rt.totalMemory() - rt.freeMemory());
    }
    return used;
  }

  /** The harness's consent mix generated in process. */
  static final class Synthetic implements ConsentStore, LedgerSource {
    private final long rows;
    private final boolean text;

    Synthetic(long rows, boolean text) {
      this.rows = rows;
      this.text = text;
    }

    private static long mix(long x) {
      x ^= x >>> 33;
      x *= 0xff51afd7ed558ccdL;
      x ^= x >>> 33;
      x *= 0xc4ceb9fe1a85ec53L;
      x ^= x >>> 33;
      return x;
    }

    List<LedgerEntry> ledger(long i) {
      if (Math.floorMod(mix(i), 100) >= 55) {
        return List.of();
      }
      SubjectId s = text ? SubjectId.of("c-" + i) : SubjectId.of(i);
      Evidence e = Evidence.of(CollectionMethod.API, "bench");
      Grant g = new Grant(GrantId.of("g-" + i), s, new TreeSet<>(Set.of(Purpose.of("marketing"))),
          new TreeSet<>(Set.of(DataCategory.of("contact"), DataCategory.of("social.friendship"),
              DataCategory.of("commerce.order"))), new TreeSet<>(Set.of(Recipient.FIRST_PARTY)), Optional.empty(),
          GRANTED, Optional.empty(), e);
      List<LedgerEntry> out = new ArrayList<>(2);
      out.add(new LedgerEntry(i, GRANTED, g));
      if (Math.floorMod(mix(i + 7_777_777), 100) < 10) {
        out.add(new LedgerEntry(rows + i, WITHDRAWN, new Withdrawal(s, Purpose.of("marketing"), Optional.empty(),
            WITHDRAWN, e)));
      }
      return out;
    }

    @Override
    public void forEachLedger(Consumer<List<LedgerEntry>> sink) {
      for (long i = 1; i <= rows; i++) {
        List<LedgerEntry> l = ledger(i);
        if (!l.isEmpty()) {
          sink.accept(l);
        }
      }
    }

    @Override
    public LedgerEntry append(ConsentRecord record, Instant recordedAt) {
      throw new UnsupportedOperationException("read-only");
    }

    @Override
    public List<LedgerEntry> history(SubjectId subject) {
      String v = subject.value();
      return ledger(Long.parseLong(text ? v.substring(2) : v));
    }

    @Override
    public Map<SubjectId, List<LedgerEntry>> histories(Collection<SubjectId> subjects) {
      Map<SubjectId, List<LedgerEntry>> out = new LinkedHashMap<>();
      subjects.forEach(s -> out.put(s, history(s)));
      return out;
    }
  }
}
