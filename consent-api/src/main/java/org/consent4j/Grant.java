package org.consent4j;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;

/**
 * One subject's consent: for some purposes, to some data categories, for some recipients, given
 * under a notice, at a time, until an optional expiry. A grant covers its purposes and their
 * descendants, its categories and their descendants, and exactly the recipients it names (the
 * first party when it names none). It is withdrawn by a later {@link Withdrawal} of a purpose it
 * covers, or by a {@link GrantWithdrawal} naming its id; never edited.
 *
 * <p>Build one with {@link #builder(SubjectId)}; {@code ConsentEngine.grant} stamps the id and
 * time of grants built without them.
 *
 * @param id the grant's identity
 * @param subject the data subject who consented; the grant covers only this subject
 * @param purposes at least one purpose
 * @param categories at least one data category
 * @param recipients at least one recipient
 * @param notice the notice the subject was shown, if known
 * @param grantedAt when the subject consented
 * @param expiresAt when the grant stops being effective, if ever; after {@code grantedAt}
 * @param evidence how the consent was collected
 * @param explicit the subject gave <em>explicit</em> consent (GDPR Art. 9(2)(a)), such as a
 *     separate, specific affirmative statement; only such a grant opens a special category
 * @param explicitTransfer the subject explicitly consented to their data going to the grant's
 *     recipients outside the EEA after being informed of the risks (Art. 49(1)(a)); needed for a
 *     recipient in a jurisdiction without adequacy decision and without safeguards
 */
public record Grant(
    GrantId id,
    SubjectId subject,
    SortedSet<Purpose> purposes,
    SortedSet<DataCategory> categories,
    SortedSet<Recipient> recipients,
    Optional<Notice> notice,
    Instant grantedAt,
    Optional<Instant> expiresAt,
    Evidence evidence,
    boolean explicit,
    boolean explicitTransfer)
    implements ConsentRecord {

  /** @throws IllegalArgumentException if a set is empty or the expiry is not after the grant */
  public Grant {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(subject, "subject");
    purposes = Sorted.set("purposes", purposes);
    categories = Sorted.set("categories", categories);
    recipients = Sorted.set("recipients", recipients);
    Objects.requireNonNull(notice, "notice");
    Objects.requireNonNull(grantedAt, "grantedAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(evidence, "evidence");
    if (purposes.isEmpty()) {
      throw new IllegalArgumentException("a grant needs at least one purpose");
    }
    if (categories.isEmpty()) {
      throw new IllegalArgumentException("a grant needs at least one data category");
    }
    if (recipients.isEmpty()) {
      throw new IllegalArgumentException("a grant needs at least one recipient (FIRST_PARTY by default)");
    }
    if (expiresAt.isPresent() && !expiresAt.get().isAfter(grantedAt)) {
      throw new IllegalArgumentException("a grant's expiry must be after its grant time");
    }
  }

  /**
   * A grant that records neither explicit consent nor explicit consent to a transfer.
   *
   * @throws IllegalArgumentException if a set is empty or the expiry is not after the grant
   */
  public Grant(GrantId id, SubjectId subject, SortedSet<Purpose> purposes, SortedSet<DataCategory> categories,
      SortedSet<Recipient> recipients, Optional<Notice> notice, Instant grantedAt, Optional<Instant> expiresAt,
      Evidence evidence) {
    this(id, subject, purposes, categories, recipients, notice, grantedAt, expiresAt, evidence, false, false);
  }

  /** Starts a grant for this subject. */
  public static Builder builder(SubjectId subject) {
    return new Builder(subject);
  }

  /** A grant of one purpose and one category to the first party, granted at {@code grantedAt}. */
  public static Grant of(SubjectId subject, Purpose purpose, DataCategory category, Instant grantedAt) {
    return builder(subject).purpose(purpose).category(category).grantedAt(grantedAt).build();
  }

  /** True when this grant is in effect at {@code now}: granted at or before it, not yet expired. */
  public boolean inEffectAt(Instant now) {
    return !grantedAt.isAfter(now) && expiresAt.map(now::isBefore).orElse(true);
  }

  /** True when one of this grant's purposes covers {@code purpose}. */
  public boolean coversPurpose(Purpose purpose) {
    for (Purpose p : purposes) {
      if (p.covers(purpose)) {
        return true;
      }
    }
    return false;
  }

  /** True when one of this grant's categories covers {@code category}. */
  public boolean coversCategory(DataCategory category) {
    for (DataCategory c : categories) {
      if (c.covers(category)) {
        return true;
      }
    }
    return false;
  }

  /** True when this grant names {@code recipient}. */
  public boolean coversRecipient(Recipient recipient) {
    return recipients.contains(recipient);
  }

  /**
   * Builds a {@link Grant}. Not thread-safe. Recipients default to the first party, the id to a
   * random one, and {@code grantedAt} must be set unless {@link #build(Instant)} supplies it.
   */
  public static final class Builder {
    private final SubjectId subject;
    private final List<Purpose> purposes = new ArrayList<>();
    private final List<DataCategory> categories = new ArrayList<>();
    private final List<Recipient> recipients = new ArrayList<>();
    private GrantId id;
    private Notice notice;
    private Instant grantedAt;
    private Instant expiresAt;
    private Evidence evidence = Evidence.api();
    private boolean explicit;
    private boolean explicitTransfer;

    private Builder(SubjectId subject) {
      this.subject = Objects.requireNonNull(subject, "subject");
    }

    /** Sets the grant id; a random one is used otherwise. */
    public Builder id(GrantId id) {
      this.id = Objects.requireNonNull(id, "id");
      return this;
    }

    /** Adds a purpose. */
    public Builder purpose(Purpose purpose) {
      purposes.add(Objects.requireNonNull(purpose, "purpose"));
      return this;
    }

    /** Adds a purpose by name. */
    public Builder purpose(String purpose) {
      return purpose(Purpose.of(purpose));
    }

    /** Adds purposes. */
    public Builder purposes(Collection<Purpose> purposes) {
      purposes.forEach(this::purpose);
      return this;
    }

    /** Adds a data category. */
    public Builder category(DataCategory category) {
      categories.add(Objects.requireNonNull(category, "category"));
      return this;
    }

    /** Adds a data category by name. */
    public Builder category(String category) {
      return category(DataCategory.of(category));
    }

    /** Adds data categories. */
    public Builder categories(Collection<DataCategory> categories) {
      categories.forEach(this::category);
      return this;
    }

    /** Adds a recipient; without any, the grant covers the first party only. */
    public Builder recipient(Recipient recipient) {
      recipients.add(Objects.requireNonNull(recipient, "recipient"));
      return this;
    }

    /** Adds a recipient by id. */
    public Builder recipient(String recipient) {
      return recipient(Recipient.of(recipient));
    }

    /** Adds recipients. */
    public Builder recipients(Collection<Recipient> recipients) {
      recipients.forEach(this::recipient);
      return this;
    }

    /** Sets the notice the subject was shown. */
    public Builder notice(Notice notice) {
      this.notice = Objects.requireNonNull(notice, "notice");
      return this;
    }

    /** Sets the notice the subject was shown, by id and version. */
    public Builder notice(String id, int version) {
      return notice(Notice.of(id, version));
    }

    /** Sets when the subject consented. */
    public Builder grantedAt(Instant grantedAt) {
      this.grantedAt = Objects.requireNonNull(grantedAt, "grantedAt");
      return this;
    }

    /** Sets when the grant expires. */
    public Builder expiresAt(Instant expiresAt) {
      this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt");
      return this;
    }

    /** Sets how the consent was collected; {@link Evidence#api()} otherwise. */
    public Builder evidence(Evidence evidence) {
      this.evidence = Objects.requireNonNull(evidence, "evidence");
      return this;
    }

    /** Sets how the consent was collected. */
    public Builder evidence(CollectionMethod method, String reference) {
      return evidence(Evidence.of(method, reference));
    }

    /** Records that the consent was explicit (Art. 9(2)(a)), as special categories require. */
    public Builder explicit() {
      this.explicit = true;
      return this;
    }

    /**
     * Records that the subject explicitly consented to the transfer of their data to the grant's
     * recipients outside the EEA (Art. 49(1)(a)).
     */
    public Builder explicitTransfer() {
      this.explicitTransfer = true;
      return this;
    }

    /**
     * Builds the grant.
     *
     * @throws IllegalStateException if no grant time was set
     * @throws IllegalArgumentException if the grant is not valid
     */
    public Grant build() {
      if (grantedAt == null) {
        throw new IllegalStateException(
            "grantedAt is not set: set it, or pass the builder to ConsentEngine.grant, which stamps it");
      }
      return build(grantedAt);
    }

    /** Builds the grant, using {@code defaultGrantedAt} if no grant time was set. */
    public Grant build(Instant defaultGrantedAt) {
      Objects.requireNonNull(defaultGrantedAt, "defaultGrantedAt");
      return new Grant(
          id == null ? GrantId.random() : id,
          subject,
          Sorted.set("purposes", purposes),
          Sorted.set("categories", categories),
          recipients.isEmpty() ? Sorted.set("recipients", List.of(Recipient.FIRST_PARTY))
              : Sorted.set("recipients", recipients),
          Optional.ofNullable(notice),
          grantedAt == null ? defaultGrantedAt : grantedAt,
          Optional.ofNullable(expiresAt),
          evidence,
          explicit,
          explicitTransfer);
    }
  }
}
