package org.consent4j.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.consent4j.AccessContext;
import org.consent4j.AuditEvent;
import org.consent4j.AuditRecord;
import org.consent4j.AuditUnavailableException;
import org.consent4j.Catalog;
import org.consent4j.ConsentRecord;
import org.consent4j.ConsentStoreUnavailableException;
import org.consent4j.DataCategory;
import org.consent4j.Decision;
import org.consent4j.Evidence;
import org.consent4j.Grant;
import org.consent4j.GrantId;
import org.consent4j.GrantWithdrawal;
import org.consent4j.LedgerEntry;
import org.consent4j.LegalBasis;
import org.consent4j.NoProcessingContextException;
import org.consent4j.Objection;
import org.consent4j.Outcome;
import org.consent4j.Purpose;
import org.consent4j.PurposeDefinition;
import org.consent4j.Reason;
import org.consent4j.Recipient;
import org.consent4j.SubjectId;
import org.consent4j.UndeclaredException;
import org.consent4j.UnknownGrantException;
import org.consent4j.Withdrawal;
import org.consent4j.core.audit.AuditTrail;
import org.consent4j.core.internal.ConsentRules;
import org.consent4j.core.internal.ConsentStateCache;
import org.consent4j.spi.ConsentStore;

/**
 * Records subjects' grants, withdrawals and objections, and decides whether an access context
 * may process their data — writing every decision to the audit trail.
 *
 * <pre>{@code
 * ConsentEngine engine = ConsentEngine.builder().catalog(catalog).build();
 * engine.grant(Grant.builder(SubjectId.of("42")).purpose("marketing.email").category("contact.email"));
 * try (var scope = engine.process(AccessContext.of("campaign-service", "marketing.email"))) {
 *   Decision d = engine.check(SubjectId.of("42"), Set.of(DataCategory.of("contact.email")));
 * }
 * }</pre>
 *
 * <p>Decisions follow the rules of {@code DESIGN.md}: default deny for consent purposes; a grant
 * covers only its own subject, its purposes and their descendants, its categories and their
 * descendants, and the recipients it names; it is effective from its grant time until its
 * expiry or a later withdrawal; a purpose may require a minimum notice version; purposes with
 * another legal basis need no grant but are limited to their declared categories and
 * recipients, and legitimate interests yield to an objection.
 *
 * <p>A subject withdraws either a purpose ({@link #withdraw(SubjectId, Purpose)}: every grant
 * stops covering every purpose that overlaps it) or one grant ({@link #withdraw(SubjectId,
 * GrantId)}: that grant stops covering anything).
 *
 * <p>Consistency: a write ({@code grant}, {@code withdraw}, {@code object}) is appended to the
 * store and the subject's cached state is invalidated before the method returns, so every
 * check that starts after it returns sees it.
 *
 * <p>Failures fail closed: an undeclared purpose, category or recipient throws
 * {@link UndeclaredException}; a store that cannot be read throws
 * {@link ConsentStoreUnavailableException}; an audit event that cannot be written throws
 * {@link AuditUnavailableException}. None of them returns a permit.
 *
 * <p>Thread-safe. Processing scopes are per engine and per thread.
 */
public final class ConsentEngine implements AutoCloseable {
  private final Catalog catalog;
  private final ConsentStore store;
  private final AuditTrail audit;
  private final Clock clock;
  private final ConsentStateCache cache;
  /** Null when disabled. */
  private final ConsentIndex index;
  private final ThreadLocal<ProcessingScope> scopes = new ThreadLocal<>();

  private ConsentEngine(Builder b) {
    this.catalog = Objects.requireNonNull(b.catalog, "catalog is not set: call ConsentEngine.builder().catalog(...)");
    this.store = b.store != null ? b.store : new InMemoryConsentStore();
    this.audit = b.audit != null ? b.audit : AuditTrail.inMemory();
    this.clock = b.clock;
    this.cache = new ConsentStateCache(store, clock, b.cacheMaximumSize, b.cacheTimeToLive, b.cacheTrusted);
    boolean ownStore = b.store == null;
    boolean indexed = b.consentIndex != null ? b.consentIndex
        : indexedByDefault(store, ownStore, b.cacheTrustedSet);
    if (indexed) {
      this.index = new ConsentIndex(catalog, store, clock, b.cacheTrusted);
      if (store instanceof InMemoryConsentStore) {
        index.load();
      } else {
        index.reloadInBackground();
      }
    } else {
      this.index = null;
    }
  }

  /**
   * The system property that sets whether engines built without {@link Builder#consentIndex}
   * keep a consent index: {@code auto} (the default: only where it is safe, see {@link
   * Builder#consentIndex}), {@code on} (wherever the store is a {@link LedgerSource}) or {@code
   * off}. Read when an engine is built. Meant for running a whole test suite each way ({@code mvn
   * verify -Dconsent4j.consentIndex=off}) and for turning the index off without a code change;
   * {@code on} is as unsafe as {@code consentIndex(true)} for a store other engines write to
   * without a change feed.
   */
  public static final String CONSENT_INDEX_PROPERTY = "consent4j.consentIndex";

  private static boolean indexedByDefault(ConsentStore store, boolean ownStore, boolean feed) {
    String value = System.getProperty(CONSENT_INDEX_PROPERTY);
    String mode = value == null ? "auto" : value.trim().toLowerCase(java.util.Locale.ROOT);
    switch (mode) {
      case "auto":
      case "":
        return store instanceof LedgerSource && (ownStore || feed);
      case "on":
        return store instanceof LedgerSource;
      case "off":
        return false;
      default:
        throw new IllegalArgumentException("system property " + CONSENT_INDEX_PROPERTY + " is '" + value
            + "'; it must be auto, on or off");
    }
  }

  /**
   * The engine's consent index, when enabled: decisions are read from it while it is {@link
   * ConsentIndex#isUsable() usable}, and from the cache and the store otherwise.
   */
  public Optional<ConsentIndex> consentIndex() {
    return Optional.ofNullable(index);
  }

  /** Starts building an engine; only the catalog is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The catalog every name is checked against. */
  public Catalog catalog() {
    return catalog;
  }

  /** The audit trail every decision is written to. */
  public AuditTrail audit() {
    return audit;
  }

  /** The clock decisions are made by. */
  public Clock clock() {
    return clock;
  }

  /**
   * The consent store the engine records to and reads from (the one given to the builder, or the
   * in-memory default), so that integrations that run the consent check elsewhere (in SQL, next to
   * the store's tables) use the same store as the engine.
   */
  public ConsentStore store() {
    return store;
  }

  // ---------------------------------------------------------------- ledger writes

  /**
   * Records a grant, stamping it with a random id and the engine's current time unless the
   * builder set them.
   *
   * @return the grant as recorded
   * @throws UndeclaredException if a purpose, category, recipient or notice is not declared
   * @throws IllegalArgumentException if a purpose does not take consent, or the grant time is in
   *     the future
   * @throws ConsentStoreUnavailableException if the store cannot append it
   */
  public Grant grant(Grant.Builder grant) {
    return record(Objects.requireNonNull(grant, "grant").build(clock.instant()));
  }

  /** Records a fully built grant; see {@link #grant(Grant.Builder)}. */
  public Grant record(Grant grant) {
    Objects.requireNonNull(grant, "grant");
    Instant now = clock.instant();
    for (Purpose p : grant.purposes()) {
      PurposeDefinition d = catalog.purpose(p);
      if (d.basis() != LegalBasis.CONSENT) {
        throw new IllegalArgumentException("purpose '" + p + "' has legal basis " + d.basis()
            + " and takes no grant; grant only consent purposes");
      }
    }
    grant.categories().forEach(catalog::requireCategory);
    grant.recipients().forEach(catalog::requireRecipient);
    grant.notice().ifPresent(catalog::requireNotice);
    if (grant.grantedAt().isAfter(now)) {
      throw new IllegalArgumentException("a grant cannot be recorded before its grant time ("
          + grant.grantedAt() + " is after the engine's clock, " + now + ")");
    }
    append(grant, now);
    return grant;
  }

  /**
   * Records the subject's withdrawal of {@code purpose} (and every purpose overlapping it) for
   * every recipient. Every check that starts after this returns sees it.
   *
   * @throws UndeclaredException if the purpose is not declared
   */
  public Withdrawal withdraw(SubjectId subject, Purpose purpose) {
    return record(new Withdrawal(subject, purpose, Optional.empty(), clock.instant(), Evidence.api()));
  }

  /** Records the subject's withdrawal of {@code purpose} for {@code recipient} only. */
  public Withdrawal withdraw(SubjectId subject, Purpose purpose, Recipient recipient) {
    return record(new Withdrawal(subject, purpose, Optional.of(recipient), clock.instant(), Evidence.api()));
  }

  /** Records a withdrawal; see {@link #withdraw(SubjectId, Purpose)}. */
  public Withdrawal record(Withdrawal withdrawal) {
    Objects.requireNonNull(withdrawal, "withdrawal");
    catalog.purpose(withdrawal.purpose());
    withdrawal.recipient().ifPresent(catalog::requireRecipient);
    append(withdrawal, clock.instant());
    return withdrawal;
  }

  /**
   * Records the subject's withdrawal of one grant, named by its id (the "withdraw" button next to
   * one consent): from now on that grant covers nothing, and the subject's other grants are
   * untouched. Every check that starts after this returns sees it.
   *
   * <p>Idempotent: when the subject has already withdrawn this grant by its id, nothing is
   * recorded and the earlier withdrawal is returned, so a repeated click or a retried request
   * is harmless (two calls racing on two nodes may both record one; both void the same grant).
   *
   * @return the withdrawal as recorded, or the earlier one
   * @throws UnknownGrantException if the subject's ledger holds no grant with this id (an unknown
   *     id, or another subject's grant); nothing is recorded
   * @throws ConsentStoreUnavailableException if the store cannot be read or cannot append it
   */
  public GrantWithdrawal withdraw(SubjectId subject, GrantId grant) {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(grant, "grant");
    return record(new GrantWithdrawal(subject, grant, clock.instant(), Evidence.api()));
  }

  /**
   * Records a withdrawal of one grant; see {@link #withdraw(SubjectId, GrantId)}.
   *
   * @throws UnknownGrantException if the subject's ledger holds no grant with this id
   */
  public GrantWithdrawal record(GrantWithdrawal withdrawal) {
    Objects.requireNonNull(withdrawal, "withdrawal");
    // Read from the store, not the cache: a grant recorded on another node a moment ago must be found.
    List<LedgerEntry> ledger;
    try {
      ledger = store.history(withdrawal.subject());
    } catch (ConsentStoreUnavailableException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new ConsentStoreUnavailableException("the consent store failed to read the ledger of subject "
          + withdrawal.subject() + " (" + e.getClass().getSimpleName() + ") to withdraw grant " + withdrawal.grant()
          + "; nothing was recorded", e);
    }
    boolean known = false;
    for (LedgerEntry e : ledger) {
      if (e.record() instanceof GrantWithdrawal earlier && earlier.grant().equals(withdrawal.grant())
          && earlier.subject().equals(withdrawal.subject())) {
        return earlier;
      }
      known |= e.record() instanceof Grant g && withdrawal.voids(g);
    }
    if (!known) {
      throw new UnknownGrantException(withdrawal.subject(), withdrawal.grant());
    }
    append(withdrawal, clock.instant());
    return withdrawal;
  }

  /**
   * Records the subject's objection (Art. 21) to {@code purpose}: every legitimate-interests
   * purpose overlapping it is denied for the subject from now on.
   *
   * @throws UndeclaredException if the purpose is not declared
   * @throws IllegalArgumentException if no legitimate-interests purpose overlaps it
   */
  public Objection object(SubjectId subject, Purpose purpose) {
    return record(new Objection(subject, purpose, clock.instant(), Evidence.api()));
  }

  /** Records an objection; see {@link #object(SubjectId, Purpose)}. */
  public Objection record(Objection objection) {
    Objects.requireNonNull(objection, "objection");
    catalog.purpose(objection.purpose());
    boolean applies = catalog.purposes().stream()
        .anyMatch(d -> d.basis() == LegalBasis.LEGITIMATE_INTERESTS && d.purpose().overlaps(objection.purpose()));
    if (!applies) {
      throw new IllegalArgumentException("no purpose overlapping '" + objection.purpose()
          + "' is based on legitimate interests, so there is nothing to object to; to stop consent-based"
          + " processing, withdraw the consent");
    }
    append(objection, clock.instant());
    return objection;
  }

  private void append(ConsentRecord record, Instant now) {
    try {
      store.append(record, now);
    } catch (ConsentStoreUnavailableException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new ConsentStoreUnavailableException("the consent store failed to append a "
          + record.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT) + " for subject " + record.subject()
          + " (" + e.getClass().getSimpleName() + "); it may or may not have been recorded", e);
    } finally {
      // Even when the store reports a failure: a commit whose acknowledgement was lost is durable,
      // and a withdrawal must not stay hidden behind a cached ledger.
      cache.invalidate(record.subject());
      if (index != null) {
        index.refresh(record.subject());
      }
    }
  }

  /** Every ledger entry of one subject, in order: the proof of consent (Art. 7(1)). */
  public List<LedgerEntry> history(SubjectId subject) {
    Objects.requireNonNull(subject, "subject");
    return cache.ledgers(List.of(subject)).get(subject);
  }

  // ---------------------------------------------------------------- decisions

  /**
   * Decides for one subject under an explicit context, and audits the decision.
   *
   * @param categories the data categories to decide on; may be empty to ask about the subject only
   * @throws UndeclaredException if the purpose, recipient or a category is not declared
   */
  public Decision check(SubjectId subject, AccessContext context, Set<DataCategory> categories) {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(categories, "categories");
    // checkAll for one subject, without its collections: the same rules, the same audit event.
    PurposeDefinition definition = catalog.require(context);
    java.util.SortedSet<DataCategory> asked = declared(categories);
    Instant now = clock.instant();
    Decision decision = decideOne(subject, definition, context, asked, now);
    audit(List.of(decision), context, asked, "check", now);
    return decision;
  }

  /**
   * Decides for one subject under the context bound to this thread.
   *
   * @throws NoProcessingContextException if no scope is open on this thread
   */
  public Decision check(SubjectId subject, Set<DataCategory> categories) {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(categories, "categories");
    return check(subject, requireContext("check"), categories);
  }

  /**
   * Decides for many subjects in one store round trip, and audits the decisions as one event per
   * distinct outcome.
   *
   * @return a decision per distinct subject, in the order first given
   */
  public Map<SubjectId, Decision> checkAll(Collection<SubjectId> subjects, AccessContext context,
      Set<DataCategory> categories) {
    return checkAll(subjects, context, categories, "check");
  }

  /**
   * Decides for many subjects in one store round trip, and writes the audit events of the
   * decisions under {@code operation} (what the caller is about to do with the data, such as
   * {@code repository ContactRepository.findFriends}).
   *
   * @return a decision per distinct subject, in the order first given
   * @throws UndeclaredException if the purpose, recipient or a category is not declared
   * @throws ConsentStoreUnavailableException if consent state cannot be read
   * @throws AuditUnavailableException if the decisions cannot be audited
   */
  public Map<SubjectId, Decision> checkAll(Collection<SubjectId> subjects, AccessContext context,
      Set<DataCategory> categories, String operation) {
    Objects.requireNonNull(subjects, "subjects");
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(categories, "categories");
    Objects.requireNonNull(operation, "operation");
    PurposeDefinition definition = catalog.require(context);
    java.util.SortedSet<DataCategory> asked = declared(categories);
    Instant now = clock.instant();
    Map<SubjectId, Decision> decisions = decide(subjects, definition, context, asked, now);
    audit(decisions.values(), context, asked, operation, now);
    return decisions;
  }

  /**
   * Decides for many subjects at the instant {@code at}, by the same rules as {@link #checkAll},
   * <em>without auditing</em>. For callers that audit what was actually read themselves (such as
   * consent-jdbc's post-filtered reads, which write one event per statement naming the subjects
   * whose rows were returned); an application that calls it takes on that duty.
   *
   * @return a decision per distinct subject, in the order first given
   * @throws UndeclaredException if the purpose, recipient or a category is not declared
   * @throws ConsentStoreUnavailableException if consent state cannot be read
   */
  public Map<SubjectId, Decision> decideAll(Collection<SubjectId> subjects, AccessContext context,
      Set<DataCategory> categories, Instant at) {
    Objects.requireNonNull(subjects, "subjects");
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(categories, "categories");
    Objects.requireNonNull(at, "at");
    return decide(subjects, catalog.require(context), context, declared(categories), at);
  }

  /**
   * A decider for one statement's rows: the decisions {@link #decideAll} would make under {@code
   * context} for {@code categories} at {@code at}, subject by subject, as bits and without
   * allocating for subjects of the consent index's classes (see {@link ConsentIndex.Decider}).
   * <em>Not audited</em>, as {@code decideAll} is not. Empty when the consent index is disabled or
   * not {@link ConsentIndex#isUsable() usable} at the moment, when the purpose's decisions do not
   * depend on the subject's ledger (its legal basis is neither consent nor legitimate interests),
   * or when more than {@link ConsentIndex.Decider#MAX_CATEGORIES} categories are asked: the caller
   * then calls {@code decideAll}.
   *
   * @throws UndeclaredException if the purpose, recipient or a category is not declared
   */
  public Optional<ConsentIndex.Decider> decider(AccessContext context, Set<DataCategory> categories, Instant at) {
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(categories, "categories");
    Objects.requireNonNull(at, "at");
    PurposeDefinition definition = catalog.require(context);
    java.util.SortedSet<DataCategory> asked = declared(categories);
    if (index == null || !ConsentRules.needsHistory(definition) || asked.size() > ConsentIndex.Decider.MAX_CATEGORIES
        || !index.isUsable()) {
      return Optional.empty();
    }
    return Optional.of(index.decider(definition, context, asked, at,
        s -> decideOne(s, definition, context, asked, at)));
  }

  /** The last categories {@link #declared} was given and its answer, so that repeated checks skip the copy. */
  private volatile Declared lastDeclared;

  /** Whether {@code given} (nulls allowed, which it never equals) holds exactly the categories of {@code known}. */
  private static boolean sameCategories(Set<DataCategory> known, Set<DataCategory> given) {
    if (given.size() != known.size()) {
      return false;
    }
    for (DataCategory c : given) {
      if (c == null || !known.contains(c)) {
        return false;
      }
    }
    return true;
  }

  private record Declared(Set<DataCategory> given, java.util.SortedSet<DataCategory> asked) {}

  /**
   * {@code categories} as the catalog declares them, sorted and unmodifiable; each must be declared.
   * The catalog is immutable, so the answer for categories equal to the last ones is reused.
   */
  private java.util.SortedSet<DataCategory> declared(Set<DataCategory> categories) {
    Declared last = lastDeclared;
    if (last != null && sameCategories(last.given, categories)) {
      return last.asked;
    }
    TreeSet<DataCategory> asked = new TreeSet<>();
    for (DataCategory c : categories) {
      asked.add(catalog.requireCategory(Objects.requireNonNull(c, "category")));
    }
    java.util.SortedSet<DataCategory> frozen = java.util.Collections.unmodifiableSortedSet(asked);
    // a copy of what was given: the caller may change its set afterwards
    lastDeclared = new Declared(Set.copyOf(asked), frozen);
    return frozen;
  }

  /**
   * The decision for one subject, for a purpose and categories already looked up: from the consent
   * index when it is usable and answers, else by the rules over the subject's cached ledger.
   */
  private Decision decideOne(SubjectId s, PurposeDefinition definition, AccessContext context,
      java.util.SortedSet<DataCategory> asked, Instant at) {
    Decision d = index != null && ConsentRules.needsHistory(definition) && index.isUsable()
        ? index.decideOrNull(s, definition, context, asked, at) : null;
    if (d == null) {
      List<LedgerEntry> ledger = ConsentRules.needsHistory(definition) ? cache.ledger(s) : List.of();
      d = ConsentRules.decide(s, catalog, definition, context, ledger, asked, at);
    }
    return d;
  }

  /** The decisions of {@link #decideAll}, for a purpose and categories already looked up. */
  private Map<SubjectId, Decision> decide(Collection<SubjectId> subjects, PurposeDefinition definition,
      AccessContext context, java.util.SortedSet<DataCategory> asked, Instant at) {
    if (subjects.size() == 1) {
      // one subject: no copies, no ordered map
      SubjectId s = Objects.requireNonNull(subjects.iterator().next(), "subject");
      return java.util.Collections.singletonMap(s, decideOne(s, definition, context, asked, at));
    }
    List<SubjectId> distinct = new ArrayList<>(new java.util.LinkedHashSet<>(subjects));
    for (SubjectId s : distinct) {
      Objects.requireNonNull(s, "subject");
    }
    Map<SubjectId, Decision> decisions = new LinkedHashMap<>();
    List<SubjectId> unanswered = distinct;
    if (index != null && ConsentRules.needsHistory(definition) && index.isUsable()) {
      unanswered = new ArrayList<>();
      for (SubjectId s : distinct) {
        Decision d = index.decideOrNull(s, definition, context, asked, at);
        // null placeholders keep the order first given
        decisions.put(s, d);
        if (d == null) {
          unanswered.add(s);
        }
      }
    }
    if (!unanswered.isEmpty()) {
      Map<SubjectId, List<LedgerEntry>> ledgers = ConsentRules.needsHistory(definition)
          ? cache.ledgers(unanswered) : Map.of();
      for (SubjectId s : unanswered) {
        decisions.put(s,
            ConsentRules.decide(s, catalog, definition, context, ledgers.getOrDefault(s, List.of()), asked, at));
      }
    }
    return java.util.Collections.unmodifiableMap(decisions);
  }

  private void audit(Collection<Decision> decisions, AccessContext context, Set<DataCategory> asked, String operation,
      Instant now) {
    // One event per distinct (outcome, reasons): a batch of 10,000 subjects writes a handful.
    Collection<List<Decision>> grouped;
    if (decisions.size() == 1) {
      grouped = List.of(List.copyOf(decisions));
    } else {
      Map<Object, List<Decision>> groups = new LinkedHashMap<>();
      for (Decision d : decisions) {
        groups.computeIfAbsent(List.of(d.subjectReason(), d.categories()), k -> new ArrayList<>()).add(d);
      }
      grouped = groups.values();
    }
    for (List<Decision> group : grouped) {
      Decision first = group.get(0);
      Outcome outcome = first.outcome();
      SortedMap<String, String> details = new TreeMap<>();
      StringBuilder withheld = new StringBuilder();
      first.categories().forEach((c, r) -> {
        if (!r.permits() && first.subjectPermitted()) {
          withheld.append(withheld.length() == 0 ? "" : ",").append(c).append(':').append(r);
        }
      });
      if (withheld.length() > 0) {
        details.put("withheld", withheld.toString());
      }
      // A denied subject's categories may have a problem of their own (a special category without
      // explicit consent behind a transfer that is not safeguarded): the audit names both.
      StringBuilder also = new StringBuilder();
      first.categories().forEach((c, r) -> {
        if (!first.subjectPermitted() && r != first.subjectReason()) {
          also.append(also.length() == 0 ? "" : ",").append(c).append(':').append(r);
        }
      });
      if (also.length() > 0) {
        details.put("also-denied", also.toString());
      }
      List<SubjectId> subjects = new ArrayList<>(group.size());
      long version = 0;
      for (Decision d : group) {
        subjects.add(d.subject());
        version = Math.max(version, d.stateVersion());
      }
      Set<DataCategory> categories = outcome == Outcome.DENY ? asked : first.permittedCategories();
      audit.submit(new AuditEvent(now, context.actor(), context.purpose(), context.recipient(), operation, subjects,
          new TreeSet<>(categories), outcome, first.subjectReason().name(), version, details));
    }
  }

  // ---------------------------------------------------------------- processing scopes

  /**
   * Binds {@code context} to this thread until the returned scope is closed.
   *
   * @throws UndeclaredException if the context's purpose or recipient is not declared
   */
  public ProcessingScope process(AccessContext context) {
    Objects.requireNonNull(context, "context");
    catalog.require(context);
    return new ProcessingScope(scopes, context);
  }

  /** The context bound to this thread by the innermost open scope, if any. */
  public Optional<AccessContext> currentContext() {
    ProcessingScope s = scopes.get();
    return s == null ? Optional.empty() : Optional.of(s.context());
  }

  /**
   * The context bound to this thread.
   *
   * @param operation what needs it, for the error message
   * @throws NoProcessingContextException if no scope is open on this thread
   */
  public AccessContext requireContext(String operation) {
    Objects.requireNonNull(operation, "operation");
    ProcessingScope s = scopes.get();
    if (s == null) {
      throw new NoProcessingContextException(operation);
    }
    return s.context();
  }

  // ---------------------------------------------------------------- subject rights

  /**
   * Everything known about one subject's consents and the accesses to their data (GDPR Art. 15):
   * the full ledger and every audit record that names them. Reads the audit trail as a stream.
   */
  public SubjectExport export(SubjectId subject) {
    Objects.requireNonNull(subject, "subject");
    audit.flush();
    List<LedgerEntry> ledger = history(subject);
    List<SubjectExport.Access> accesses = new ArrayList<>();
    try (Stream<AuditRecord> records = audit.sink().read()) {
      records.filter(r -> r.event().concerns(subject)).map(SubjectExport.Access::of).forEach(accesses::add);
    }
    return new SubjectExport(subject, clock.instant(), ledger, accesses);
  }

  /**
   * Forgets all cached consent state; the next checks read the store. A check already reading
   * the store when this is called does not put what it read into the cache.
   */
  public void invalidateCache() {
    cache.invalidateAll();
    if (index != null) {
      index.reloadInBackground();
    }
  }

  /**
   * Forgets one subject's cached consent state, for a change another engine (another node)
   * made to the store; the next check of the subject reads the store. A check of the subject
   * already reading the store when this is called does not put what it read into the cache.
   *
   * @throws NullPointerException if {@code subject} is null
   */
  public void invalidateCache(SubjectId subject) {
    cache.invalidate(Objects.requireNonNull(subject, "subject"));
    if (index != null) {
      index.refresh(subject);
    }
  }

  /** Closes the audit trail, draining an asynchronous one. */
  @Override
  public void close() {
    if (index != null) {
      index.close();
    }
    audit.close();
  }

  @Override
  public String toString() {
    return "ConsentEngine[catalog=" + catalog.version() + "]";
  }

  /** Builds a {@link ConsentEngine}. Not thread-safe. */
  public static final class Builder {
    private Catalog catalog;
    private ConsentStore store;
    private AuditTrail audit;
    private Clock clock = Clock.systemUTC();
    private long cacheMaximumSize = 100_000;
    private Duration cacheTimeToLive = Duration.ofMinutes(10);
    private java.util.function.BooleanSupplier cacheTrusted = () -> true;
    private boolean cacheTrustedSet;
    private Boolean consentIndex;

    private Builder() {}

    /**
     * A condition asked before every read of cached consent state; while it answers false, the
     * engine neither reads nor fills its cache and asks the store every time (so, with the store
     * unreachable, denies). Used by a change feed from the database (for example {@code
     * org.consent4j.jdbc.revocation.ConsentChangeFeed}) to stop a node from trusting its cache once it
     * has not heard of other nodes' changes for longer than its staleness bound. When it answers
     * true again, the engine forgets everything it cached before, which may have missed changes.
     * Always true by default. Must be fast and thread-safe; an exception it throws fails the check.
     *
     * @throws NullPointerException if {@code trusted} is null
     */
    public Builder cacheTrustedWhile(java.util.function.BooleanSupplier trusted) {
      this.cacheTrusted = Objects.requireNonNull(trusted, "trusted");
      this.cacheTrustedSet = true;
      return this;
    }

    /**
     * Whether to keep a {@link ConsentIndex} of every subject's consent state in memory, so that
     * checks read no store. By default it is on only where that is safe: with the engine's own
     * in-memory store (one node), or with a store that is a {@link LedgerSource} when a change
     * feed is attached through {@link #cacheTrustedWhile} (the index is then not used while the
     * condition answers false, and reloads when it answers true again). With an in-memory store
     * the index is loaded when the engine is built; with another store it loads in the background,
     * and decisions read the store until it is complete. Turning it on for a store shared with
     * other engines without a change feed lets this engine miss their writes. Without a call to
     * this method, the system property {@value ConsentEngine#CONSENT_INDEX_PROPERTY} ({@code
     * auto}, {@code on}, {@code off}) can change the default.
     *
     * @throws IllegalArgumentException at {@link #build()} if enabled and the store is no {@link LedgerSource}
     */
    public Builder consentIndex(boolean enabled) {
      this.consentIndex = enabled;
      return this;
    }

    /** The catalog; required. */
    public Builder catalog(Catalog catalog) {
      this.catalog = Objects.requireNonNull(catalog, "catalog");
      return this;
    }

    /** The consent store; an {@link InMemoryConsentStore} by default. */
    public Builder store(ConsentStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** The audit trail; a synchronous in-memory one by default. */
    public Builder auditTrail(AuditTrail audit) {
      this.audit = Objects.requireNonNull(audit, "audit");
      return this;
    }

    /** The clock for grant times, expiry and audit; the system UTC clock by default. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * How many subjects' consent state to keep in memory (100,000 by default; 0 disables the cache).
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder cacheMaximumSize(long size) {
      if (size < 0) {
        throw new IllegalArgumentException("cacheMaximumSize must not be negative, got " + size);
      }
      this.cacheMaximumSize = size;
      return this;
    }

    /**
     * How long a subject's cached state may answer at most (10 minutes by default). Writes through
     * this engine invalidate at once; this bounds how long a write made elsewhere can go unseen.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder cacheTimeToLive(Duration ttl) {
      Objects.requireNonNull(ttl, "ttl");
      if (ttl.isNegative()) {
        throw new IllegalArgumentException("cacheTimeToLive must not be negative, got " + ttl);
      }
      this.cacheTimeToLive = ttl;
      return this;
    }

    /**
     * Builds the engine.
     *
     * @throws NullPointerException if no catalog was set
     */
    public ConsentEngine build() {
      return new ConsentEngine(this);
    }
  }
}
