package org.consent4j.core.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BooleanSupplier;
import org.consent4j.ConsentStoreUnavailableException;
import org.consent4j.Grant;
import org.consent4j.LedgerEntry;
import org.consent4j.SubjectId;
import org.consent4j.spi.ConsentStore;

/**
 * Hot per-subject ledgers in front of the consent store. Not API.
 *
 * <p>Why the generations: a load that read the store just before a withdrawal was appended must
 * not put its stale ledger into the cache after the withdrawal's invalidation ran, or checks
 * that start after {@code withdraw} returned could still permit. Every write bumps the
 * generation of its subject's stripe before it invalidates; a load caches its result only if
 * the generation it saw before reading the store is unchanged, checked inside the same
 * per-key compute that an invalidation takes, so the two are serialized.
 */
public final class ConsentStateCache {
  private static final int STRIPES = 4096;

  private final ConsentStore store;
  private final Clock clock;
  private final Cache<SubjectId, List<LedgerEntry>> cache;
  private final AtomicLongArray generations = new AtomicLongArray(STRIPES);
  private final BooleanSupplier trusted;
  /** Set while the cache is not trusted; the first trusted read after it forgets everything. */
  private final java.util.concurrent.atomic.AtomicBoolean distrusted = new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * @param maximumSize how many subjects to keep; 0 disables caching
   * @param timeToLive how long an entry may answer at most, also bounded by the next expiry of a
   *     grant it holds
   */
  public ConsentStateCache(ConsentStore store, Clock clock, long maximumSize, Duration timeToLive) {
    this(store, clock, maximumSize, timeToLive, () -> true);
  }

  /**
   * @param trusted asked on every read: while it answers false, the cache is neither read nor
   *     filled, and every read goes to the store (a node that lost touch with the other nodes'
   *     writes must not answer from memory); when it answers true again, everything cached before
   *     is forgotten, since it may have missed changes meanwhile
   */
  public ConsentStateCache(ConsentStore store, Clock clock, long maximumSize, Duration timeToLive,
      BooleanSupplier trusted) {
    this.trusted = trusted;
    this.store = store;
    this.clock = clock;
    long ttlNanos = saturatedNanos(timeToLive);
    this.cache = Caffeine.newBuilder()
        .maximumSize(maximumSize)
        // Maintenance (read-buffer drains, eviction, expiry) on the calling thread: handing it to
        // the common pool woke a pool thread every few reads, which cost a cached check more than
        // the check itself.
        .executor(Runnable::run)
        .ticker(ticker(clock))
        .expireAfter(new Expiry<SubjectId, List<LedgerEntry>>() {
          @Override
          public long expireAfterCreate(SubjectId key, List<LedgerEntry> value, long currentTime) {
            return Math.max(0, Math.min(ttlNanos, nanosUntilNextExpiry(value)));
          }

          @Override
          public long expireAfterUpdate(SubjectId key, List<LedgerEntry> value, long currentTime, long currentDuration) {
            return expireAfterCreate(key, value, currentTime);
          }

          @Override
          public long expireAfterRead(SubjectId key, List<LedgerEntry> value, long currentTime, long currentDuration) {
            return currentDuration;
          }
        })
        .build();
  }

  /** Far-future expiries (9999-12-31 placeholders) must not overflow: they just mean "no bound". */
  private static long saturatedNanos(Duration d) {
    return d.compareTo(MAX_NANOS) >= 0 ? Long.MAX_VALUE : d.toNanos();
  }

  private static final Duration MAX_NANOS = Duration.ofNanos(Long.MAX_VALUE);

  private static Ticker ticker(Clock clock) {
    return () -> {
      Instant now = clock.instant();
      return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    };
  }

  private long nanosUntilNextExpiry(List<LedgerEntry> ledger) {
    Instant now = clock.instant();
    long best = Long.MAX_VALUE;
    for (LedgerEntry e : ledger) {
      if (e.record() instanceof Grant g && g.expiresAt().isPresent() && g.expiresAt().get().isAfter(now)) {
        best = Math.min(best, saturatedNanos(Duration.between(now, g.expiresAt().get())));
      }
    }
    return best;
  }

  /**
   * The ledger of one subject: {@link #ledgers} for a single subject, without its collections
   * when the ledger is cached.
   */
  public List<LedgerEntry> ledger(SubjectId subject) {
    if (trust()) {
      List<LedgerEntry> hit = cache.getIfPresent(subject);
      if (hit != null) {
        return hit;
      }
    }
    return ledgers(List.of(subject)).get(subject);
  }

  /** The ledgers of these subjects: cached ones, and the rest in one store round trip. */
  public Map<SubjectId, List<LedgerEntry>> ledgers(Collection<SubjectId> subjects) {
    Map<SubjectId, List<LedgerEntry>> out = new HashMap<>(Math.max(16, subjects.size() * 2));
    List<SubjectId> missing = new ArrayList<>();
    boolean trust = trust();
    for (SubjectId s : subjects) {
      List<LedgerEntry> hit = trust ? cache.getIfPresent(s) : null;
      if (hit != null) {
        out.put(s, hit);
      } else {
        missing.add(s);
      }
    }
    if (missing.isEmpty()) {
      return out;
    }
    LinkedHashSet<SubjectId> unique = new LinkedHashSet<>(missing);
    long[] seen = new long[unique.size()];
    int i = 0;
    for (SubjectId s : unique) {
      seen[i++] = generations.get(stripe(s));
    }
    Map<SubjectId, List<LedgerEntry>> loaded;
    try {
      loaded = store.histories(unique);
    } catch (ConsentStoreUnavailableException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new ConsentStoreUnavailableException(
          "the consent store failed to read consent state (" + e.getClass().getSimpleName()
              + "); access is denied until it answers again", e);
    }
    i = 0;
    for (SubjectId s : unique) {
      List<LedgerEntry> ledger = loaded.get(s);
      if (ledger == null) {
        throw new ConsentStoreUnavailableException(
            "the consent store returned no history for a subject it was asked about; access is denied", null);
      }
      List<LedgerEntry> copy = checked(s, ledger);
      long generation = seen[i++];
      int stripe = stripe(s);
      if (trust) {
        cache.asMap().compute(s, (k, old) -> generations.get(stripe) == generation ? copy : old);
      }
      out.put(s, copy);
    }
    return out;
  }

  /** Whether cached ledgers may be used now; the first trusted read after a distrusted one empties the cache. */
  private boolean trust() {
    boolean trust = trusted.getAsBoolean();
    if (!trust) {
      distrusted.set(true);
    } else if (distrusted.get()) {
      // Invalidate first, then clear the flag: a reader that still sees the flag invalidates again.
      invalidateAll();
      distrusted.set(false);
    }
    return trust;
  }

  /**
   * The rules read "later" as "further down the list" and trust every entry to be the subject's
   * own, so a store that breaks either promise must not be believed (fail closed).
   */
  private static List<LedgerEntry> checked(SubjectId subject, List<LedgerEntry> ledger) {
    long previous = 0;
    for (LedgerEntry e : ledger) {
      if (e.sequence() <= previous) {
        throw new ConsentStoreUnavailableException("the consent store returned the ledger of subject " + subject
            + " out of sequence order; access is denied until the store is fixed", null);
      }
      if (!e.record().subject().equals(subject)) {
        throw new ConsentStoreUnavailableException("the consent store returned another subject's record in the ledger"
            + " of subject " + subject + "; access is denied until the store is fixed", null);
      }
      previous = e.sequence();
    }
    return List.copyOf(ledger);
  }

  /** Forgets a subject's ledger after a write; see the class comment for the order. */
  public void invalidate(SubjectId subject) {
    generations.incrementAndGet(stripe(subject));
    cache.asMap().compute(subject, (k, old) -> null);
  }

  /** Forgets every ledger. */
  public void invalidateAll() {
    for (int i = 0; i < STRIPES; i++) {
      generations.incrementAndGet(i);
    }
    cache.invalidateAll();
  }

  private static int stripe(SubjectId s) {
    int h = s.hashCode();
    return (h ^ (h >>> 16)) & (STRIPES - 1);
  }
}
