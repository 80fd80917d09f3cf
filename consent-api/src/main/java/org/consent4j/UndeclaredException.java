package org.consent4j;

import java.util.Objects;

/** Something used at run time was not declared in the {@link Catalog}: an error, not a silent deny. */
public class UndeclaredException extends ConsentException {
  private static final long serialVersionUID = 1L;

  /** What kind of thing was not declared. */
  public enum Kind {
    /** a purpose */
    PURPOSE,
    /** a data category */
    CATEGORY,
    /** a recipient */
    RECIPIENT,
    /** a notice version */
    NOTICE
  }

  /** What kind of name was not declared. */
  private final Kind kind;
  /** The undeclared name (a purpose, category, recipient or notice version, never personal data). */
  private final String name;

  /** For an undeclared {@code kind} named {@code name}. */
  public UndeclaredException(Kind kind, String name) {
    super(kind.name().toLowerCase(java.util.Locale.ROOT) + " '" + name
        + "' is not declared in the catalog: declare it with Catalog.builder()."
        + kind.name().toLowerCase(java.util.Locale.ROOT) + "(...) or fix the name");
    this.kind = Objects.requireNonNull(kind, "kind");
    this.name = Objects.requireNonNull(name, "name");
  }

  /** The kind of thing. */
  public Kind kind() {
    return kind;
  }

  /** Its name. */
  public String name() {
    return name;
  }
}
