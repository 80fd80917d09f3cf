package org.consent4j.clients;

import com.google.common.testing.NullPointerTester;
import org.apache.ibatis.session.Configuration;
import org.consent4j.clients.hibernate.ConsentHibernate;
import org.consent4j.clients.mybatis.ConsentMyBatis;
import org.consent4j.core.ConsentEngine;
import org.junit.jupiter.api.Test;

/** Every public static method of the integrations rejects a null argument. */
final class ClientsNullHandlingTest {

  @Test
  void publicStaticMethodsRejectNulls() {
    try (ConsentEngine engine = ConsentEngine.builder().catalog(ClientCrm.CATALOG).build()) {
      NullPointerTester tester = new NullPointerTester()
          .setDefault(ConsentEngine.class, engine)
          .setDefault(Configuration.class, new Configuration());
      tester.testAllPublicStaticMethods(ConsentHibernate.class);
      tester.testAllPublicStaticMethods(ConsentMyBatis.class);
    }
  }
}
