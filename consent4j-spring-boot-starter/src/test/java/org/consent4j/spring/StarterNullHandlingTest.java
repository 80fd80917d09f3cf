package org.consent4j.spring;

import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.common.testing.NullPointerTester;
import org.consent4j.Catalog;
import org.consent4j.core.ConsentEngine;
import org.junit.jupiter.api.Test;

/** Every public method of the starter's API rejects null at once. */
final class StarterNullHandlingTest {
  @Test
  void publicMethodsRejectNull() {
    NullPointerTester tester = new NullPointerTester();
    tester.testAllPublicStaticMethods(org.consent4j.core.CatalogJson.class);
    tester.testAllPublicConstructors(ContextPropagatingTaskDecorator.class);
    ConsentEngine engine = ConsentEngine.builder().catalog(Catalog.builder().purpose("support",
        org.consent4j.LegalBasis.CONTRACT, "contact").category("contact").build()).build();
    tester.testAllPublicInstanceMethods(new ContextPropagatingTaskDecorator(engine));
    tester.testAllPublicInstanceMethods(new ConsentMetrics());
  }

  /** A public method that silently accepts null. */
  public static final class AcceptsNull {
    private AcceptsNull() {}

    /** Accepts null without complaint. */
    public static int length(String s) {
      return s == null ? 0 : s.length();
    }
  }

  @Test
  void theTesterCatchesAMethodThatAcceptsNull() {
    assertThrows(AssertionError.class, () -> new NullPointerTester().testAllPublicStaticMethods(AcceptsNull.class));
  }
}
