package org.consent4j;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The declared purposes, data categories, recipients and notices. Anything not declared here is
 * an error when used ({@link UndeclaredException}), never a silent deny. Declaring a category
 * also declares its ancestors: {@code contact.email} declares {@code contact}.
 *
 * <p>Beyond the consent check it holds what GDPR Art. 9 and 44–49 need: the <em>special</em>
 * categories ({@link Builder#specialCategory}; a category is special when it or an ancestor is
 * flagged), the jurisdiction and safeguards of each recipient ({@link Builder#recipient(
 * RecipientDefinition)}), and the jurisdictions with an adequacy decision ({@link
 * Builder#adequateJurisdictions}). A purpose with a basis other than consent that declares a
 * category which is, or contains, a special category must name an {@link Article9Condition}, or
 * the catalog is rejected when built.
 *
 * <pre>{@code
 * Catalog catalog = Catalog.builder()
 *     .purpose("marketing.email", LegalBasis.CONSENT)
 *     .purpose("billing", LegalBasis.CONTRACT, "contact", "payment")
 *     .category("contact.email").category("contact.phone").category("payment")
 *     .recipient("quizlab")
 *     .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class Catalog {
  private final SortedMap<Purpose, PurposeDefinition> purposes;
  private final SortedSet<DataCategory> categories;
  private final SortedSet<Recipient> recipients;
  private final SortedMap<Recipient, RecipientDefinition> recipientDefinitions;
  private final SortedSet<DataCategory> special;
  private final SortedSet<Jurisdiction> adequate;
  private final SortedSet<Notice> notices;
  private final String version;

  private Catalog(Builder b) {
    TreeMap<Purpose, PurposeDefinition> defs = new TreeMap<>();
    for (PurposeDefinition d : b.purposes.values()) {
      defs.put(d.purpose(), d);
    }
    TreeSet<DataCategory> cats = new TreeSet<>();
    for (DataCategory c : b.categories) {
      for (DataCategory x = c; x != null; x = x.parent().orElse(null)) {
        cats.add(x);
      }
    }
    TreeMap<Recipient, RecipientDefinition> recDefs = new TreeMap<>(b.recipients);
    recDefs.putIfAbsent(Recipient.FIRST_PARTY, RecipientDefinition.of(Recipient.FIRST_PARTY));
    TreeSet<Recipient> recs = new TreeSet<>(recDefs.keySet());
    TreeSet<DataCategory> specials = new TreeSet<>(b.special);
    for (DataCategory c : specials) {
      for (DataCategory x = c; x != null; x = x.parent().orElse(null)) {
        cats.add(x);
      }
    }
    TreeSet<Notice> nots = new TreeSet<>(b.notices);
    for (PurposeDefinition d : defs.values()) {
      for (DataCategory c : d.categories()) {
        if (!cats.contains(c)) {
          throw new IllegalArgumentException("purpose '" + d.purpose() + "' uses data category '" + c
              + "', which is not declared: add .category(\"" + c + "\")");
        }
      }
      for (Recipient r : d.recipients()) {
        if (!recs.contains(r)) {
          throw new IllegalArgumentException("purpose '" + d.purpose() + "' uses recipient '" + r
              + "', which is not declared: add .recipient(\"" + r + "\")");
        }
      }
      d.minimumNotice().ifPresent(n -> {
        if (!nots.contains(n)) {
          throw new IllegalArgumentException("purpose '" + d.purpose() + "' requires notice " + n
              + ", which is not declared: add .notice(\"" + n.id() + "\", " + n.version() + ")");
        }
      });
    }
    if (defs.isEmpty()) {
      throw new IllegalArgumentException("a catalog needs at least one purpose");
    }
    for (PurposeDefinition d : defs.values()) {
      if (d.basis() == LegalBasis.CONSENT || d.article9Condition().isPresent()) {
        continue;
      }
      for (DataCategory c : d.categories()) {
        for (DataCategory sp : specials) {
          if (c.covers(sp) || sp.covers(c)) {
            throw new IllegalArgumentException("purpose '" + d.purpose() + "' has legal basis " + d.basis()
                + " and declares data category '" + c + "', which " + (c.equals(sp) ? "is" : sp.covers(c) ? "is part of"
                : "contains") + " the special category '" + sp + "' (GDPR Art. 9): " + d.basis()
                + " alone never permits it. Name the Art. 9(2) condition that applies with"
                + " PurposeDefinition.withArticle9Condition(...), base the purpose on explicit consent, or remove the"
                + " category from the purpose");
          }
        }
      }
    }
    this.purposes = java.util.Collections.unmodifiableSortedMap(defs);
    this.categories = java.util.Collections.unmodifiableSortedSet(cats);
    this.recipients = java.util.Collections.unmodifiableSortedSet(recs);
    this.recipientDefinitions = java.util.Collections.unmodifiableSortedMap(recDefs);
    this.special = java.util.Collections.unmodifiableSortedSet(specials);
    this.adequate = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(b.adequate));
    this.notices = java.util.Collections.unmodifiableSortedSet(nots);
    this.version = fingerprint();
  }

  /** Starts an empty catalog. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The definition of {@code purpose}.
   *
   * @throws UnknownPurposeException if it is not declared
   */
  public PurposeDefinition purpose(Purpose purpose) {
    PurposeDefinition d = purposes.get(Objects.requireNonNull(purpose, "purpose"));
    if (d == null) {
      throw new UnknownPurposeException(purpose);
    }
    return d;
  }

  /** The definition of {@code purpose}, if declared. */
  public Optional<PurposeDefinition> findPurpose(Purpose purpose) {
    return Optional.ofNullable(purposes.get(Objects.requireNonNull(purpose, "purpose")));
  }

  /** Every declared purpose, in name order. */
  public Collection<PurposeDefinition> purposes() {
    return purposes.values();
  }

  /** Every declared data category, ancestors included. */
  public SortedSet<DataCategory> categories() {
    return categories;
  }

  /** Every declared recipient, the first party included. */
  public SortedSet<Recipient> recipients() {
    return recipients;
  }

  /** The categories flagged special (GDPR Art. 9); their descendants are special too. */
  public SortedSet<DataCategory> specialCategories() {
    return special;
  }

  /** True when {@code category} or one of its ancestors is flagged special (GDPR Art. 9). */
  public boolean isSpecial(DataCategory category) {
    Objects.requireNonNull(category, "category");
    for (DataCategory sp : special) {
      if (sp.covers(category)) {
        return true;
      }
    }
    return false;
  }

  /** The jurisdictions outside the EEA that have an adequacy decision (GDPR Art. 45). */
  public SortedSet<Jurisdiction> adequateJurisdictions() {
    return adequate;
  }

  /**
   * The declaration of {@code recipient}: its jurisdiction and safeguards.
   *
   * @throws UndeclaredException if it is not declared
   */
  public RecipientDefinition recipient(Recipient recipient) {
    RecipientDefinition d = recipientDefinitions.get(Objects.requireNonNull(recipient, "recipient"));
    if (d == null) {
      throw new UndeclaredException(UndeclaredException.Kind.RECIPIENT, recipient.id());
    }
    return d;
  }

  /**
   * True when passing data to {@code recipient} is a transfer (GDPR Art. 44) that only the
   * subject's explicit consent can permit (Art. 49(1)(a)): the recipient is outside the EEA, its
   * jurisdiction has no adequacy decision in this catalog, and it declares no safeguards.
   *
   * @throws UndeclaredException if the recipient is not declared
   */
  public boolean transferNeedsExplicitConsent(Recipient recipient) {
    RecipientDefinition d = recipient(recipient);
    return !d.jurisdiction().insideEea() && !adequate.contains(d.jurisdiction()) && d.safeguards().isEmpty();
  }

  /** Every declared notice version. */
  public SortedSet<Notice> notices() {
    return notices;
  }

  /** @throws UndeclaredException if {@code category} is not declared */
  public DataCategory requireCategory(DataCategory category) {
    if (!categories.contains(Objects.requireNonNull(category, "category"))) {
      throw new UndeclaredException(UndeclaredException.Kind.CATEGORY, category.name());
    }
    return category;
  }

  /** @throws UndeclaredException if {@code recipient} is not declared */
  public Recipient requireRecipient(Recipient recipient) {
    if (!recipients.contains(Objects.requireNonNull(recipient, "recipient"))) {
      throw new UndeclaredException(UndeclaredException.Kind.RECIPIENT, recipient.id());
    }
    return recipient;
  }

  /** @throws UndeclaredException if {@code notice} is not declared */
  public Notice requireNotice(Notice notice) {
    if (!notices.contains(Objects.requireNonNull(notice, "notice"))) {
      throw new UndeclaredException(UndeclaredException.Kind.NOTICE, notice.toString());
    }
    return notice;
  }

  /**
   * Checks that an access context names a declared purpose and recipient.
   *
   * @return the definition of the context's purpose
   * @throws UndeclaredException if either is not declared
   */
  public PurposeDefinition require(AccessContext context) {
    PurposeDefinition d = purpose(context.purpose());
    requireRecipient(context.recipient());
    return d;
  }

  /**
   * A fingerprint of everything declared: two catalogs with the same declarations have the same
   * version. Caches keyed by it never mix answers of different catalogs.
   */
  public String version() {
    return version;
  }

  private String fingerprint() {
    StringBuilder sb = new StringBuilder();
    for (PurposeDefinition d : purposes.values()) {
      sb.append("P|").append(d.purpose()).append('|').append(d.basis()).append('|').append(d.categories())
          .append('|').append(d.recipients()).append('|').append(d.minimumNotice().map(Notice::toString).orElse(""))
          .append('|').append(d.article9Condition().map(Enum::name).orElse("")).append('\n');
    }
    sb.append("C|").append(categories).append("\nR|").append(recipients).append("\nN|").append(notices);
    sb.append("\nS|").append(special).append("\nA|").append(adequate);
    for (RecipientDefinition r : recipientDefinitions.values()) {
      sb.append("\nT|").append(r.recipient()).append('|').append(r.jurisdiction()).append('|').append(r.safeguards());
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  @Override
  public String toString() {
    return "Catalog[version=" + version + ", purposes=" + purposes.keySet() + "]";
  }

  /** Builds a {@link Catalog}. Not thread-safe. Each method rejects bad values at once. */
  public static final class Builder {
    private final Map<Purpose, PurposeDefinition> purposes = new LinkedHashMap<>();
    private final List<DataCategory> categories = new ArrayList<>();
    private final Map<Recipient, RecipientDefinition> recipients = new LinkedHashMap<>();
    private final List<DataCategory> special = new ArrayList<>();
    private final List<Jurisdiction> adequate = new ArrayList<>();
    private final List<Notice> notices = new ArrayList<>();

    private Builder() {}

    /**
     * Declares a purpose. A consent purpose takes no categories; any other basis must name the
     * categories it may process, and may pass data to the first party only.
     *
     * @throws IllegalArgumentException if the purpose is declared twice or the definition is invalid
     */
    public Builder purpose(String name, LegalBasis basis, String... categories) {
      Objects.requireNonNull(categories, "categories");
      List<DataCategory> cats = new ArrayList<>();
      for (String c : categories) {
        cats.add(DataCategory.of(c));
      }
      return purpose(new PurposeDefinition(Purpose.of(name), basis, Sorted.set("categories", cats),
          basis == LegalBasis.CONSENT ? Sorted.set("recipients", List.<Recipient>of())
              : Sorted.set("recipients", List.of(Recipient.FIRST_PARTY)),
          Optional.empty(), ""));
    }

    /**
     * Declares a purpose from a full definition.
     *
     * @throws IllegalArgumentException if the purpose is declared twice
     */
    public Builder purpose(PurposeDefinition definition) {
      Objects.requireNonNull(definition, "definition");
      if (purposes.putIfAbsent(definition.purpose(), definition) != null) {
        throw new IllegalArgumentException("purpose '" + definition.purpose() + "' is declared twice");
      }
      return this;
    }

    /** Declares a data category (and its ancestors). */
    public Builder category(String name) {
      categories.add(DataCategory.of(name));
      return this;
    }

    /** Declares data categories (and their ancestors). */
    public Builder categories(String... names) {
      Arrays.stream(Objects.requireNonNull(names, "names")).forEach(this::category);
      return this;
    }

    /**
     * Flags a data category as special (GDPR Art. 9: health, political opinions, psychological
     * profiles, ...), declaring it and its ancestors. It and its descendants are processed only
     * under a grant recorded as explicit, or under a purpose naming an {@link Article9Condition}.
     */
    public Builder specialCategory(String name) {
      special.add(DataCategory.of(name));
      return this;
    }

    /** Declares a recipient in the EEA. The first party is always declared. */
    public Builder recipient(String id) {
      return recipient(RecipientDefinition.of(Recipient.of(id)));
    }

    /**
     * Declares a recipient in {@code jurisdiction} (an ISO 3166-1 alpha-2 code or {@code EEA})
     * with these transfer safeguards (none is allowed).
     */
    public Builder recipient(String id, String jurisdiction, TransferSafeguard... safeguards) {
      Objects.requireNonNull(safeguards, "safeguards");
      return recipient(RecipientDefinition.of(Recipient.of(id), Jurisdiction.of(jurisdiction),
          Arrays.asList(safeguards)));
    }

    /**
     * Declares a recipient with its jurisdiction and safeguards.
     *
     * @throws IllegalArgumentException if the recipient is already declared differently
     */
    public Builder recipient(RecipientDefinition definition) {
      Objects.requireNonNull(definition, "definition");
      RecipientDefinition old = recipients.putIfAbsent(definition.recipient(), definition);
      if (old != null && !old.equals(definition)) {
        throw new IllegalArgumentException("recipient '" + definition.recipient() + "' is declared twice, differently");
      }
      return this;
    }

    /**
     * Lists jurisdictions with an adequacy decision of the Commission (GDPR Art. 45), such as
     * {@code CH}, {@code GB}, {@code JP}: passing data to a recipient there needs no safeguard. The
     * list changes over time, so the application declares the one it relies on.
     */
    public Builder adequateJurisdictions(String... codes) {
      for (String c : Objects.requireNonNull(codes, "codes")) {
        adequate.add(Jurisdiction.of(c));
      }
      return this;
    }

    /** Declares a notice version. */
    public Builder notice(String id, int version) {
      notices.add(Notice.of(id, version));
      return this;
    }

    /**
     * Builds the catalog.
     *
     * @throws IllegalArgumentException if a purpose uses an undeclared category, recipient or notice
     */
    public Catalog build() {
      return new Catalog(this);
    }
  }
}
