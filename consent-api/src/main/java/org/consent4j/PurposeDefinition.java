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
 */
public record PurposeDefinition(
    Purpose purpose,
    LegalBasis basis,
    SortedSet<DataCategory> categories,
    SortedSet<Recipient> recipients,
    Optional<Notice> minimumNotice,
    String description) {

  /** @throws IllegalArgumentException if the definition does not fit its legal basis */
  public PurposeDefinition {
    Objects.requireNonNull(purpose, "purpose");
    Objects.requireNonNull(basis, "basis");
    categories = Sorted.set("categories", categories);
    recipients = Sorted.set("recipients", recipients);
    Objects.requireNonNull(minimumNotice, "minimumNotice");
    Sorted.text("description", description, 2048);
    if (basis == LegalBasis.CONSENT) {
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
    return new PurposeDefinition(purpose, basis, categories, recipients, Optional.of(notice), description);
  }

  /** A copy that may pass data to exactly these recipients (non-consent bases only). */
  public PurposeDefinition withRecipients(java.util.Collection<Recipient> recipients) {
    return new PurposeDefinition(purpose, basis, categories, Sorted.set("recipients", recipients), minimumNotice,
        description);
  }

  /** A copy with this description. */
  public PurposeDefinition withDescription(String description) {
    return new PurposeDefinition(purpose, basis, categories, recipients, minimumNotice, description);
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
