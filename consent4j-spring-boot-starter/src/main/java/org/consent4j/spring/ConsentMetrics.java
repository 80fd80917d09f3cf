package org.consent4j.spring;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.consent4j.AuditEvent;
import org.consent4j.AuditRecord;
import org.consent4j.Outcome;
import org.consent4j.jdbc.spi.StatementObserver;

/**
 * The counts behind the starter's {@code consent4j.*} meters, kept whether or not Micrometer is
 * present: audited decisions by outcome and reason (counted as the audit sink stores their
 * records), statements by form, and rewrite cache lookups. Thread-safe.
 */
public final class ConsentMetrics implements StatementObserver {
  /**
   * Outcome and reason of an audited decision.
   *
   * @param outcome permit or deny
   * @param reason the reason code of the audit event
   */
  public record DecisionKey(Outcome outcome, String reason) {
    /**
     * Validates the components.
     *
     * @throws NullPointerException if an argument is null
     */
    public DecisionKey {
      Objects.requireNonNull(outcome, "outcome");
      Objects.requireNonNull(reason, "reason");
    }
  }

  private final Map<DecisionKey, LongAdder> decisions = new ConcurrentHashMap<>();
  private final Map<Form, LongAdder> statements = new EnumMap<>(Form.class);
  private final LongAdder cacheHits = new LongAdder();
  private final LongAdder cacheMisses = new LongAdder();
  private volatile Consumer<DecisionKey> newDecisionKey = k -> {};

  ConsentMetrics() {
    for (Form f : Form.values()) {
      statements.put(f, new LongAdder());
    }
  }

  @Override
  public void onStatement(Form form) {
    statements.get(form).increment();
  }

  @Override
  public void onRewriteCacheLookup(boolean hit) {
    (hit ? cacheHits : cacheMisses).increment();
  }

  void stored(List<AuditEvent> events) {
    for (AuditEvent e : events) {
      DecisionKey key = new DecisionKey(e.outcome(), e.reason());
      LongAdder a = decisions.get(key);
      if (a == null) {
        LongAdder created = new LongAdder();
        a = decisions.putIfAbsent(key, created);
        if (a == null) {
          a = created;
          newDecisionKey.accept(key);
        }
      }
      a.increment();
    }
  }

  void storedRecords(List<AuditRecord> records) {
    stored(records.stream().map(AuditRecord::event).toList());
  }

  /** Told of each outcome and reason when first counted (for registering a meter for it); also told of those seen so far. */
  synchronized void onNewDecisionKey(Consumer<DecisionKey> listener) {
    newDecisionKey = Objects.requireNonNull(listener, "listener");
    decisions.keySet().forEach(listener);
  }

  /**
   * The audited decisions stored so far with this outcome and reason.
   *
   * @param key the outcome and reason
   * @return how many
   */
  public long decisions(DecisionKey key) {
    LongAdder a = decisions.get(key);
    return a == null ? 0 : a.sum();
  }

  /** The outcomes and reasons counted so far. */
  public java.util.Set<DecisionKey> decisionKeys() {
    return Collections.unmodifiableSet(decisions.keySet());
  }

  /**
   * The statements intercepted so far that took {@code form}.
   *
   * @param form the form
   * @return how many
   */
  public long statements(Form form) {
    return statements.get(form).sum();
  }

  /** Rewrite cache lookups that found the rewrite. */
  public long rewriteCacheHits() {
    return cacheHits.sum();
  }

  /** Rewrite cache lookups that did not. */
  public long rewriteCacheMisses() {
    return cacheMisses.sum();
  }
}
