package org.consent4j.jdbc;

import org.consent4j.core.ConsentEngine;

/**
 * Builds an engine under the library's own default for its consent index, whatever the suite
 * runs with ({@code -Dconsent4j.consentIndex=on} or {@code off}): for the tests that assert
 * the default itself. Tests run one at a time in a module's JVM, so the property is set only
 * while {@code build} runs.
 */
public final class DefaultIndexRule {
  private DefaultIndexRule() {}

  public static ConsentEngine build(ConsentEngine.Builder builder) {
    String before = System.getProperty(ConsentEngine.CONSENT_INDEX_PROPERTY);
    System.clearProperty(ConsentEngine.CONSENT_INDEX_PROPERTY);
    try {
      return builder.build();
    } finally {
      if (before != null) {
        System.setProperty(ConsentEngine.CONSENT_INDEX_PROPERTY, before);
      }
    }
  }
}
