package org.consent4j;

import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.SortedSet;

/**
 * A recipient as declared in the {@link Catalog}: where it processes data, and the safeguards
 * that cover a transfer there.
 *
 * <p>Passing data to a recipient outside the EEA, in a jurisdiction the catalog does not list as
 * adequate ({@link Catalog#adequateJurisdictions()}), and without {@linkplain #safeguards()
 * safeguards}, is permitted only under a grant that records the subject's explicit consent to the
 * transfer ({@link Grant#explicitTransfer()}, Art. 49(1)(a)); otherwise it is denied with
 * {@link Reason#TRANSFER_NOT_SAFEGUARDED}.
 *
 * @param recipient the recipient
 * @param jurisdiction where it processes the data; {@link Jurisdiction#EEA} unless declared
 * @param safeguards the Art. 46/47 safeguards that cover transfers to it; may be empty
 * @param description who it is, as shown in records of processing; may be empty
 */
public record RecipientDefinition(
    Recipient recipient, Jurisdiction jurisdiction, SortedSet<TransferSafeguard> safeguards, String description) {

  /** @throws IllegalArgumentException if the first party is declared outside the EEA */
  public RecipientDefinition {
    Objects.requireNonNull(recipient, "recipient");
    Objects.requireNonNull(jurisdiction, "jurisdiction");
    safeguards = Sorted.set("safeguards", safeguards);
    Sorted.text("description", description, 2048);
    if (recipient.isFirstParty() && !jurisdiction.insideEea()) {
      throw new IllegalArgumentException("the first party ('self') is the controller, which consent4j takes to be"
          + " established in the EEA; declare processors abroad as recipients of their own");
    }
  }

  /** A recipient in the EEA. */
  public static RecipientDefinition of(Recipient recipient) {
    return new RecipientDefinition(recipient, Jurisdiction.EEA, Sorted.set("safeguards", List.<TransferSafeguard>of()), "");
  }

  /** A recipient in {@code jurisdiction} with these safeguards (none is allowed). */
  public static RecipientDefinition of(Recipient recipient, Jurisdiction jurisdiction,
      Collection<TransferSafeguard> safeguards) {
    return new RecipientDefinition(recipient, jurisdiction, Sorted.set("safeguards", safeguards), "");
  }

  /** A copy with this description. */
  public RecipientDefinition withDescription(String description) {
    return new RecipientDefinition(recipient, jurisdiction, safeguards, description);
  }
}
