package org.consent4j;

/**
 * Who receives personal data: the controller itself ({@link #FIRST_PARTY}) or a named processor
 * or third party. A grant that names no recipient covers the first party only; passing data to
 * a third party needs a grant that names it.
 *
 * @param id a lower-case identifier of {@code [a-z0-9_-]}; {@code self} is the first party
 */
public record Recipient(String id) implements Comparable<Recipient> {

  /** The controller itself. */
  public static final Recipient FIRST_PARTY = new Recipient("self");

  /** @throws IllegalArgumentException if the id is not a valid identifier */
  public Recipient {
    Names.flat("recipient", id);
  }

  /** Returns the recipient with this id ({@code "self"} is the first party). */
  public static Recipient of(String id) {
    return new Recipient(id);
  }

  /** True for the controller itself. */
  public boolean isFirstParty() {
    return equals(FIRST_PARTY);
  }

  @Override
  public int compareTo(Recipient o) {
    return id.compareTo(o.id);
  }

  @Override
  public String toString() {
    return id;
  }
}
