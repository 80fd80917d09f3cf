package org.consent4j.clients;

import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.common.testing.NullPointerTester;
import org.apache.ibatis.session.Configuration;
import org.consent4j.clients.hibernate.ConsentHibernate;
import org.consent4j.clients.mybatis.ConsentMyBatis;
import org.consent4j.core.ConsentEngine;
import org.junit.jupiter.api.Test;

/** Every public static method of the integrations rejects a null argument. */
final class ClientsNullHandlingTest {

  private static NullPointerTester tester(ConsentEngine engine) {
    return new NullPointerTester()
        .setDefault(ConsentEngine.class, engine)
        .setDefault(Configuration.class, new Configuration());
  }

  @Test
  void publicStaticMethodsRejectNulls() {
    try (ConsentEngine engine = ConsentEngine.builder().catalog(ClientCrm.CATALOG).build()) {
      NullPointerTester tester = tester(engine); // fails with an AssertionError naming the method
      tester.testAllPublicStaticMethods(ConsentHibernate.class);
      tester.testAllPublicStaticMethods(ConsentMyBatis.class);
    }
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
  void theConfiguredTesterCatchesAMethodThatAcceptsNull() {
    try (ConsentEngine engine = ConsentEngine.builder().catalog(ClientCrm.CATALOG).build()) {
      NullPointerTester tester = tester(engine);
      assertThrows(AssertionError.class, () -> tester.testAllPublicStaticMethods(AcceptsNull.class));
    }
  }
}
