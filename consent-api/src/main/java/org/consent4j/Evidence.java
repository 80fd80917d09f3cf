package org.consent4j;

/**
 * How a ledger record was collected: the method and a reference to the evidence kept elsewhere
 * (a form version, a call recording id, a ticket number). The reference must not itself hold
 * personal data.
 *
 * @param method how it was collected
 * @param reference where the evidence is kept; may be empty, at most 512 characters
 */
public record Evidence(CollectionMethod method, String reference) {

  /** @throws IllegalArgumentException if the reference is too long or has control characters */
  public Evidence {
    java.util.Objects.requireNonNull(method, "method");
    Sorted.text("evidence reference", reference, 512);
  }

  /** Returns evidence of this method with this reference. */
  public static Evidence of(CollectionMethod method, String reference) {
    return new Evidence(method, reference);
  }

  /** Evidence for records made through the API with no further reference. */
  public static Evidence api() {
    return new Evidence(CollectionMethod.API, "");
  }
}
