package org.consent4j;

import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where a recipient processes personal data: an ISO 3166-1 alpha-2 country code such as
 * {@code US}, or {@link #EEA} for "somewhere in the European Economic Area". Data passed to a
 * recipient outside the EEA is a transfer (GDPR Art. 44–49).
 *
 * @param code {@code EEA} or two upper-case letters
 */
public record Jurisdiction(String code) implements Comparable<Jurisdiction> {

  private static final Pattern CODE = Pattern.compile("EEA|[A-Z]{2}");

  /** The member states of the EU and the other EEA states (Iceland, Liechtenstein, Norway). */
  private static final Set<String> EEA_MEMBERS = Set.of(
      "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU",
      "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO");

  /** The European Economic Area as a whole: never a transfer. */
  public static final Jurisdiction EEA = new Jurisdiction("EEA");

  /** @throws IllegalArgumentException if the code is not {@code EEA} or two upper-case letters */
  public Jurisdiction {
    Objects.requireNonNull(code, "code");
    if (!CODE.matcher(code).matches()) {
      throw new IllegalArgumentException("jurisdiction '" + code + "' is not valid: use an ISO 3166-1 alpha-2"
          + " country code in upper case (such as 'US') or 'EEA'");
    }
  }

  /** Returns the jurisdiction with this code. */
  public static Jurisdiction of(String code) {
    return new Jurisdiction(code);
  }

  /** True for the EEA and each of its member states: passing data there is not a transfer. */
  public boolean insideEea() {
    return code.equals("EEA") || EEA_MEMBERS.contains(code);
  }

  @Override
  public int compareTo(Jurisdiction o) {
    return code.compareTo(o.code);
  }

  @Override
  public String toString() {
    return code;
  }
}
