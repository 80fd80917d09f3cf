package org.consent4j.spring.crm;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** The starter installs consent-clients' Hibernate integration into Boot's JPA: a shared query cache stops the start. */
final class HibernateSharedCachesTest {
  @Test
  void aQueryCacheStopsTheStart() {
    SpringApplicationBuilder app = new SpringApplicationBuilder(CrmTestApplication.class).properties(
        "spring.datasource.url=jdbc:h2:mem:crm-cache;DB_CLOSE_DELAY=-1", "spring.main.web-application-type=none",
        "spring.jpa.properties.hibernate.cache.use_query_cache=true",
        "spring.jpa.properties.hibernate.cache.region.factory_class=" + MapRegionFactory.class.getName());
    assertThatThrownBy(() -> app.run().close()).rootCause()
        .isInstanceOf(org.consent4j.clients.ClientCacheException.class).hasMessageContaining("query cache is on");
  }
}
