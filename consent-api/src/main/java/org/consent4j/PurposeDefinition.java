package org.consent4j;

import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;

/**
 * A purpose as declared in the {@link Catalog}.
 *
 * <p>A {@link LegalBasis#CONSENT} purpose takes its categories and recipients from each subject's
 * grants, so it declares none. A purpose with another basis needs no grant, but only for the
 * categories it declares (purpose limitation) and only for the recipients it declares (the first
 * party by default).
 *
 * @param purpose the purpose
 * @param basis its legal basis
 * @param categories for a non-consent basis, the categories it may process
 * @param recipients for a non-consent basis, the recipients it may pass data to
 * @param minimumNotice for a consent basis, the oldest notice version under which a grant counts
 * @param description what the purpose is, as shown to subjects and in records of processing
 * @param article9Condition for a non-consent basis, the Art. 9(2) condition under which it may
 *     process special categories ({@link Catalog.Builder#specialCategory}); a purpose that declares a
 *     special category without one is rejected when the catalog is built
 */
public record PurposeDefinition(
    Purpose purpose,
    LegalBasis basis,
    SortedSet<DataCategory> categories,
    SortedSet<Recipient> recipients,
    Optional<Notice> minimumNotice,
    String description,
    Optional<Article9Condition> article9Condition) {

  /** @throws IllegalArgumentException if the definition does not fit its legal basis */
  public PurposeDefinition {
    Objects.requireNonNull(purpose, "purpose");
    Objects.requireNonNull(basis, "basis");
    categories = Sorted.set("categories", categories);
    recipients = Sorted.set("recipients", recipients);
    Objects.requireNonNull(minimumNotice, "minimumNotice");
    Sorted.text("description", description, 2048);
    Objects.requireNonNull(article9Condition, "article9Condition");
    if (basis == LegalBasis.CONSENT) {
      if (article9Condition.isPresent()) {
        throw new IllegalArgumentException("purpose '" + purpose + "' is based on consent: it processes special"
            + " categories under explicit grants (Art. 9(2)(a)), so name no other Art. 9(2) condition on it");
      }
      if (!categories.isEmpty() || !recipients.isEmpty()) {
        throw new IllegalArgumentException("purpose '" + purpose + "' is based on consent: its categories and"
            + " recipients come from each subject's grant, so declare none on the purpose");
      }
    } else {
      if (categories.isEmpty()) {
        throw new IllegalArgumentException("purpose '" + purpose + "' has legal basis " + basis
            + " and so must declare the data categories it may process (purpose limitation)");
      }
      if (recipients.isEmpty()) {
        throw new IllegalArgumentException("purpose '" + purpose + "' has legal basis " + basis
            + " and must declare at least one recipient (Recipient.FIRST_PARTY by default)");
      }
      if (minimumNotice.isPresent()) {
        throw new IllegalArgumentException("purpose '" + purpose + "' has legal basis " + basis
            + ": a minimum notice version applies to consent purposes only");
      }
    }
  }

  /**
   * A definition without an Art. 9(2) condition.
   *
   * @throws IllegalArgumentException if the definition does not fit its legal basis
   */
  public PurposeDefinition(Purpose purpose, LegalBasis basis, SortedSet<DataCategory> categories,
      SortedSet<Recipient> recipients, Optional<Notice> minimumNotice, String description) {
    this(purpose, basis, categories, recipients, minimumNotice, description, Optional.empty());
  }

  /** A consent purpose with no minimum notice and no description. */
  public static PurposeDefinition consent(Purpose purpose) {
    return new PurposeDefinition(purpose, LegalBasis.CONSENT, new java.util.TreeSet<>(), new java.util.TreeSet<>(),
        Optional.empty(), "");
  }

  /**
   * A purpose with a basis other than consent, allowed to process {@code categories} for the first
   * party.
   */
  public static PurposeDefinition of(Purpose purpose, LegalBasis basis, java.util.Collection<DataCategory> categories) {
    return new PurposeDefinition(purpose, basis, Sorted.set("categories", categories),
        Sorted.set("recipients", java.util.List.of(Recipient.FIRST_PARTY)), Optional.empty(), "");
  }

  /** A copy that requires grants to have been given under {@code notice} or a later version of it. */
  public PurposeDefinition withMinimumNotice(Notice notice) {
    return new PurposeDefinition(purpose, basis, categories, recipients, Optional.of(notice), description,
        article9Condition);
  }

  /** A copy that may pass data to exactly these recipients (non-consent bases only). */
  public PurposeDefinition withRecipients(java.util.Collection<Recipient> recipients) {
    return new PurposeDefinition(purpose, basis, categories, Sorted.set("recipients", recipients), minimumNotice,
        description, article9Condition);
  }

  /** A copy with this description. */
  public PurposeDefinition withDescription(String description) {
    return new PurposeDefinition(purpose, basis, categories, recipients, minimumNotice, description,
        article9Condition);
  }

  /**
   * A copy that may process special categories under {@code condition} (non-consent bases only).
   *
   * @throws IllegalArgumentException if the purpose is based on consent
   */
  public PurposeDefinition withArticle9Condition(Article9Condition condition) {
    return new PurposeDefinition(purpose, basis, categories, recipients, minimumNotice, description,
        Optional.of(Objects.requireNonNull(condition, "condition")));
  }

  /** True when the purpose needs an effective grant. */
  public boolean needsGrant() {
    return basis == LegalBasis.CONSENT;
  }

  /** True when one of the declared categories covers {@code category}. */
  public boolean declaresCategory(DataCategory category) {
    for (DataCategory c : categories) {
      if (c.covers(category)) {
        return true;
      }
    }
    return false;
  }
}
