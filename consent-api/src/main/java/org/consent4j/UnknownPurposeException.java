package org.consent4j;

/** A purpose that the catalog does not declare was used. */
public class UnknownPurposeException extends UndeclaredException {
  private static final long serialVersionUID = 1L;

  /** For this purpose. */
  public UnknownPurposeException(Purpose purpose) {
    super(Kind.PURPOSE, purpose.name());
  }
}
