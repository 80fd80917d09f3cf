package org.consent4j.core.evidence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.consent4j.Article9Condition;
import org.consent4j.AuditEvent;
import org.consent4j.AuditRecord;
import org.consent4j.Catalog;
import org.consent4j.DataCategory;
import org.consent4j.Jurisdiction;
import org.consent4j.LegalBasis;
import org.consent4j.Outcome;
import org.consent4j.Purpose;
import org.consent4j.PurposeDefinition;
import org.consent4j.Recipient;
import org.consent4j.RecipientDefinition;
import org.consent4j.TransferSafeguard;
import org.consent4j.core.audit.AuditTrail;

/**
 * Generates the record of processing activities of GDPR Art. 30 from the catalog (purposes,
 * legal bases, Art. 9(2) conditions, declared categories and recipients with their jurisdictions
 * and safeguards), where each category is stored (from a schema mapping, see {@code
 * consent-jdbc}'s {@code SchemaMapping.storageByCategory()}), the retention the application
 * states per purpose, and the audit trail over a period: per purpose, the categories and
 * recipients actually processed and the counts of audit events, permits and denies.
 *
 * <pre>{@code
 * ProcessingRecord ropa = ProcessingRecords.builder(catalog, controller)
 *     .storage(mapping.storageByCategory())
 *     .retention(Purpose.of("billing"), "10 years after the invoice (tax law)")
 *     .build()
 *     .generate(engine.audit(), from, to);
 * String json = ropa.toJson();
 * String html = ropa.toHtml();
 * }</pre>
 *
 * <p>Counts are of audit events: an engine check writes one event per distinct outcome, a SQL
 * statement one before it runs and one with its row count. Immutable and thread-safe; each
 * {@link #generate} reads the trail as a stream.
 */
public final class ProcessingRecords {
  private final Catalog catalog;
  private final Controller controller;
  private final SortedMap<DataCategory, SortedSet<String>> storage;
  private final Map<Purpose, String> retention;
  private final Clock clock;

  private ProcessingRecords(Builder b) {
    this.catalog = b.catalog;
    this.controller = b.controller;
    this.storage = Collections.unmodifiableSortedMap(new TreeMap<>(b.storage));
    this.retention = Map.copyOf(b.retention);
    this.clock = b.clock;
  }

  /** Starts a builder over {@code catalog}, for {@code controller}. */
  public static Builder builder(Catalog catalog, Controller controller) {
    return new Builder(catalog, controller);
  }

  /**
   * The record over the audit events from {@code from} (inclusive) to {@code to} (exclusive).
   * Flushes an asynchronous trail first.
   *
   * @throws IllegalArgumentException if {@code to} is before {@code from}
   */
  public ProcessingRecord generate(AuditTrail audit, Instant from, Instant to) {
    Objects.requireNonNull(audit, "audit");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    if (to.isBefore(from)) {
      throw new IllegalArgumentException("the period ends (" + to + ") before it starts (" + from + ")");
    }
    Map<Purpose, Tally> tallies = new LinkedHashMap<>();
    for (PurposeDefinition d : catalog.purposes()) {
      Tally t = new Tally();
      t.categories.addAll(d.categories());
      t.recipients.addAll(d.recipients());
      tallies.put(d.purpose(), t);
    }
    audit.flush();
    try (Stream<AuditRecord> records = audit.sink().read()) {
      records.map(AuditRecord::event).filter(e -> !e.time().isBefore(from) && e.time().isBefore(to))
          .forEach(e -> {
            Tally t = tallies.get(e.purpose());
            if (t != null) {
              t.add(e);
            }
          });
    }
    List<ProcessingRecord.Activity> activities = new ArrayList<>();
    for (PurposeDefinition d : catalog.purposes()) {
      Tally t = tallies.get(d.purpose());
      TreeSet<DataCategory> special = new TreeSet<>();
      SortedMap<DataCategory, SortedSet<String>> where = new TreeMap<>();
      for (DataCategory c : t.categories) {
        if (catalog.isSpecial(c)) {
          special.add(c);
        }
        storage.forEach((stored, places) -> {
          if (c.covers(stored)) {
            where.computeIfAbsent(stored, k -> new TreeSet<>()).addAll(places);
          }
        });
      }
      List<ProcessingRecord.RecipientEntry> recipients = new ArrayList<>();
      for (Recipient r : t.recipients) {
        RecipientDefinition rd = catalog.recipient(r);
        recipients.add(new ProcessingRecord.RecipientEntry(r, rd.jurisdiction(), rd.safeguards(),
            catalog.transferNeedsExplicitConsent(r), rd.description()));
      }
      activities.add(new ProcessingRecord.Activity(d.purpose(), d.description(), d.basis(), d.article9Condition(),
          t.categories, special, recipients, Optional.ofNullable(retention.get(d.purpose())), where, t.events,
          t.permits, t.denies));
    }
    return new ProcessingRecord(controller, clock.instant(), from, to, activities);
  }

  private static final class Tally {
    final TreeSet<DataCategory> categories = new TreeSet<>();
    final TreeSet<Recipient> recipients = new TreeSet<>();
    long events;
    long permits;
    long denies;

    void add(AuditEvent e) {
      events++;
      if (e.outcome() == Outcome.DENY) {
        denies++;
      } else {
        permits++;
        categories.addAll(e.categories());
        recipients.add(e.recipient());
      }
    }
  }

  /** Builds {@link ProcessingRecords}. Not thread-safe. */
  public static final class Builder {
    private final Catalog catalog;
    private final Controller controller;
    private final Map<DataCategory, SortedSet<String>> storage = new TreeMap<>();
    private final Map<Purpose, String> retention = new LinkedHashMap<>();
    private Clock clock = Clock.systemUTC();

    private Builder(Catalog catalog, Controller controller) {
      this.catalog = Objects.requireNonNull(catalog, "catalog");
      this.controller = Objects.requireNonNull(controller, "controller");
    }

    /**
     * Where each category is stored, such as {@code contact.email -> [crm.contact.email]}.
     *
     * @throws org.consent4j.UndeclaredException if a category is not declared
     */
    public Builder storage(Map<DataCategory, ? extends Collection<String>> locations) {
      Objects.requireNonNull(locations, "locations");
      locations.forEach((c, places) -> {
        catalog.requireCategory(Objects.requireNonNull(c, "category"));
        storage.computeIfAbsent(c, k -> new TreeSet<>()).addAll(Objects.requireNonNull(places, "places"));
      });
      return this;
    }

    /**
     * How long data processed for {@code purpose} is kept (Art. 30(1)(f)), as stated to subjects.
     *
     * @throws org.consent4j.UnknownPurposeException if the purpose is not declared
     */
    public Builder retention(Purpose purpose, String retention) {
      catalog.purpose(Objects.requireNonNull(purpose, "purpose"));
      Objects.requireNonNull(retention, "retention");
      if (retention.isBlank() || retention.length() > 512) {
        throw new IllegalArgumentException("retention of '" + purpose + "' must be 1 to 512 characters");
      }
      this.retention.put(purpose, retention);
      return this;
    }

    /** The clock for the generation time; the system UTC clock by default. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Builds the generator. */
    public ProcessingRecords build() {
      return new ProcessingRecords(this);
    }
  }

  /**
   * One generated record of processing activities. Immutable.
   *
   * @param controller the controller
   * @param generatedAt when it was generated
   * @param from the start of the period counted (inclusive)
   * @param to the end of the period counted (exclusive)
   * @param activities one per declared purpose, in name order
   */
  public record ProcessingRecord(Controller controller, Instant generatedAt, Instant from, Instant to,
      List<Activity> activities) {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Copies the list. */
    public ProcessingRecord {
      Objects.requireNonNull(controller, "controller");
      Objects.requireNonNull(generatedAt, "generatedAt");
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
      activities = List.copyOf(activities);
    }

    /** The activity of {@code purpose}, if declared. */
    public Optional<Activity> activity(Purpose purpose) {
      Objects.requireNonNull(purpose, "purpose");
      return activities.stream().filter(a -> a.purpose().equals(purpose)).findFirst();
    }

    /**
     * One processing activity: a purpose as declared and as processed in the period.
     *
     * @param purpose the purpose
     * @param description its description, may be empty
     * @param basis its legal basis
     * @param article9Condition its Art. 9(2) condition, if any
     * @param categories the categories it may process (declared) or processed (audited)
     * @param specialCategories those of them that are special (Art. 9)
     * @param recipients the recipients it may pass data to (declared) or passed data to (audited)
     * @param retention how long the data is kept, if stated
     * @param storage where each of its categories is stored
     * @param events the audit events under the purpose in the period
     * @param permits those that permitted (wholly or partly)
     * @param denies those that denied
     */
    public record Activity(Purpose purpose, String description, LegalBasis basis,
        Optional<Article9Condition> article9Condition, SortedSet<DataCategory> categories,
        SortedSet<DataCategory> specialCategories, List<RecipientEntry> recipients, Optional<String> retention,
        SortedMap<DataCategory, SortedSet<String>> storage, long events, long permits, long denies) {

      /** Copies the collections. */
      public Activity {
        Objects.requireNonNull(purpose, "purpose");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(basis, "basis");
        Objects.requireNonNull(article9Condition, "article9Condition");
        categories = Collections.unmodifiableSortedSet(new TreeSet<>(categories));
        specialCategories = Collections.unmodifiableSortedSet(new TreeSet<>(specialCategories));
        recipients = List.copyOf(recipients);
        Objects.requireNonNull(retention, "retention");
        storage = Collections.unmodifiableSortedMap(new TreeMap<>(storage));
      }
    }

    /**
     * A recipient of an activity.
     *
     * @param recipient the recipient
     * @param jurisdiction where it processes the data
     * @param safeguards its transfer safeguards
     * @param transferNeedsExplicitConsent whether passing it data needs explicit transfer consent
     * @param description who it is, may be empty
     */
    public record RecipientEntry(Recipient recipient, Jurisdiction jurisdiction, SortedSet<TransferSafeguard> safeguards,
        boolean transferNeedsExplicitConsent, String description) {

      /** Copies the set. */
      public RecipientEntry {
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(jurisdiction, "jurisdiction");
        safeguards = Collections.unmodifiableSortedSet(new TreeSet<>(safeguards));
        Objects.requireNonNull(description, "description");
      }
    }

    /** The record as indented JSON. */
    public String toJson() {
      ObjectNode root = MAPPER.createObjectNode();
      ObjectNode c = root.putObject("controller");
      c.put("name", controller.name()).put("contact", controller.contact())
          .put("jurisdiction", controller.jurisdiction()).put("policyUrl", controller.policyUrl());
      root.put("generatedAt", generatedAt.toString());
      root.putObject("period").put("from", from.toString()).put("to", to.toString());
      ArrayNode acts = root.putArray("activities");
      for (Activity a : activities) {
        ObjectNode n = acts.addObject();
        n.put("purpose", a.purpose().name());
        n.put("description", a.description());
        n.put("legalBasis", a.basis().name());
        a.article9Condition().ifPresent(x -> n.put("article9Condition", x.name() + " (Art. " + x.article() + ")"));
        ArrayNode cats = n.putArray("categories");
        a.categories().forEach(x -> cats.add(x.name()));
        ArrayNode sp = n.putArray("specialCategories");
        a.specialCategories().forEach(x -> sp.add(x.name()));
        ArrayNode recs = n.putArray("recipients");
        for (RecipientEntry r : a.recipients()) {
          ObjectNode rn = recs.addObject();
          rn.put("id", r.recipient().id()).put("jurisdiction", r.jurisdiction().code())
              .put("transferNeedsExplicitConsent", r.transferNeedsExplicitConsent());
          ArrayNode sg = rn.putArray("safeguards");
          r.safeguards().forEach(s -> sg.add(s.name()));
          if (!r.description().isEmpty()) {
            rn.put("description", r.description());
          }
        }
        n.put("retention", a.retention().orElse("not stated"));
        ObjectNode st = n.putObject("storage");
        a.storage().forEach((cat, places) -> {
          ArrayNode pl = st.putArray(cat.name());
          places.forEach(pl::add);
        });
        n.putObject("counts").put("auditEvents", a.events()).put("permits", a.permits()).put("denies", a.denies());
      }
      try {
        return MAPPER.writeValueAsString(root);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("a JSON tree could not be written", e);
      }
    }

    /** The record as a self-contained, readable HTML page; every value is escaped. */
    public String toHtml() {
      StringBuilder h = new StringBuilder(4096);
      h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Record of processing"
          + " activities</title>\n<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
          + "td,th{border:1px solid #999;padding:4px 8px;vertical-align:top;text-align:left}</style></head><body>\n");
      h.append("<h1>Record of processing activities (GDPR Art. 30)</h1>\n<p>Controller: <b>")
          .append(esc(controller.name())).append("</b>");
      if (!controller.contact().isEmpty()) {
        h.append(", ").append(esc(controller.contact()));
      }
      h.append(" (").append(esc(controller.jurisdiction())).append(")</p>\n<p>Period: ").append(esc(from.toString()))
          .append(" to ").append(esc(to.toString())).append("; generated ").append(esc(generatedAt.toString()))
          .append("</p>\n<table>\n<tr><th>Purpose</th><th>Legal basis</th><th>Categories</th><th>Recipients</th>"
              + "<th>Retention</th><th>Stored in</th><th>Audit events</th><th>Permits</th><th>Denies</th></tr>\n");
      for (Activity a : activities) {
        h.append("<tr><td>").append(esc(a.purpose().name()));
        if (!a.description().isEmpty()) {
          h.append("<br><small>").append(esc(a.description())).append("</small>");
        }
        h.append("</td><td>").append(esc(a.basis().name()));
        a.article9Condition().ifPresent(x -> h.append("<br>Art. ").append(esc(x.article())));
        h.append("</td><td>");
        for (DataCategory c : a.categories()) {
          h.append(esc(c.name())).append(a.specialCategories().contains(c) ? " <b>(special, Art. 9)</b>" : "")
              .append("<br>");
        }
        h.append("</td><td>");
        for (RecipientEntry r : a.recipients()) {
          h.append(esc(r.recipient().id())).append(" (").append(esc(r.jurisdiction().code()));
          if (!r.safeguards().isEmpty()) {
            h.append(", ").append(esc(r.safeguards().toString()));
          }
          if (r.transferNeedsExplicitConsent()) {
            h.append(", <b>transfer needs explicit consent</b>");
          }
          h.append(")<br>");
        }
        h.append("</td><td>").append(esc(a.retention().orElse("not stated"))).append("</td><td>");
        a.storage().forEach((c, places) -> h.append(esc(c.name())).append(": ")
            .append(esc(String.join(", ", places))).append("<br>"));
        h.append("</td><td>").append(a.events()).append("</td><td>").append(a.permits()).append("</td><td>")
            .append(a.denies()).append("</td></tr>\n");
      }
      h.append("</table>\n</body></html>\n");
      return h.toString();
    }

    private static String esc(String s) {
      StringBuilder out = new StringBuilder(s.length());
      for (int i = 0; i < s.length(); i++) {
        char ch = s.charAt(i);
        switch (ch) {
          case '<' -> out.append("&lt;");
          case '>' -> out.append("&gt;");
          case '&' -> out.append("&amp;");
          case '"' -> out.append("&quot;");
          case '\'' -> out.append("&#39;");
          default -> out.append(ch);
        }
      }
      return out.toString();
    }
  }
}
