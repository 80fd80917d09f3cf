package org.consent4j.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.util.UUID;
import javax.sql.DataSource;
import org.consent4j.core.ConsentEngine;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.DataSourceBuilder;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Start-up of the auto-configuration alone, on H2: what it builds, how it fails, health UP and DOWN. */
final class ConsentAutoConfigurationTest {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, ConsentAutoConfiguration.class))
      .withPropertyValues("spring.datasource.url=jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
          "consent4j.change-feed.mode=polling", "consent4j.change-feed.poll-interval=50ms");

  @Test
  void itBuildsTheEngineAndGuardsTheDataSource() {
    runner.run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean(DataSource.class)).isInstanceOf(GuardedDataSource.class);
      assertThat(context.getBean(ConsentEngine.class).catalog().findPurpose(org.consent4j.Purpose.of("support")))
          .isPresent();
    });
  }

  @Test
  void disabledItConfiguresNothing() {
    runner.withPropertyValues("consent4j.enabled=false").run(context -> {
      assertThat(context).hasNotFailed().doesNotHaveBean(ConsentEngine.class);
      assertThat(context.getBean(DataSource.class)).isNotInstanceOf(GuardedDataSource.class);
    });
  }

  @Test
  void aMissingCatalogStopsTheStartWithWhereToPutIt() {
    runner.withPropertyValues("consent4j.catalog=classpath:nowhere/catalog.json").run(context ->
        assertThat(context).getFailure().rootCause().hasMessageContaining("classpath:nowhere/catalog.json does not exist")
            .hasMessageContaining("consent4j.catalog"));
  }

  @Test
  void aMisspeltCatalogKeyStopsTheStart() {
    runner.withPropertyValues("consent4j.catalog=classpath:bad/catalog-typo.json").run(context ->
        assertThat(context).getFailure().rootCause().hasMessageContaining("categores: unknown property"));
  }

  @Test
  void aMappingThatDoesNotFitTheCatalogStopsTheStart() {
    runner.withPropertyValues("consent4j.mapping=classpath:bad/mapping-undeclared.json").run(context ->
        assertThat(context).getFailure().hasMessageContaining("consent4j cannot guard the data source bean 'dataSource'")
            .rootCause().hasMessageContaining("contact.emial"));
  }

  @Test
  void twoDataSourcesNeedTheNameOfTheGuardedOne() {
    runner.withBean("other", DataSource.class, () -> DataSourceBuilder.create()
            .url("jdbc:h2:mem:" + UUID.randomUUID()).build())
        .withBean("dataSource", DataSource.class, () -> DataSourceBuilder.create()
            .url("jdbc:h2:mem:" + UUID.randomUUID()).build())
        .run(context -> assertThat(context).getFailure().rootCause()
            .hasMessageContaining("set consent4j.data-source-bean"));
  }

  @Test
  void aJsonLinesSinkNeedsItsFile() {
    runner.withPropertyValues("consent4j.audit.sink=json-lines").run(context ->
        assertThat(context).getFailure().rootCause().hasMessageContaining("consent4j.audit.file is not set"));
  }

  @Test
  void healthIsUpThenDownWhenTheFeedStopsAndWhenTheDatabaseIsGone() {
    runner.run(context -> {
      ConsentHealthIndicator health = context.getBean(ConsentHealthIndicator.class);
      awaitUp(health);
      context.getBean(ConsentAutoConfiguration.FeedHolder.class).close();
      Health stale = health.health(true);
      assertThat(stale.getStatus()).isEqualTo(Status.DOWN);
      assertThat(stale.getDetails().get("changeFeed").toString()).startsWith("stale");
      assertThat(stale.getDetails()).containsEntry("store", "reachable");
      Connection c = ((GuardedDataSource) context.getBean(DataSource.class)).raw().getConnection();
      c.createStatement().execute("SHUTDOWN"); // the connection dies with the database: not closed here
      Health gone = health.health(true);
      assertThat(gone.getStatus()).isEqualTo(Status.DOWN);
      assertThat(gone.getDetails().get("store").toString()).startsWith("unreachable");
    });
  }

  @Test
  void theReadFormIsAutoByDefaultAndPostFiltersWhileTheIndexIsInUse() {
    underTheDefaultIndexRule(() -> runner.run(context -> {
      assertThat(context.getBean(ConsentProperties.class).getJdbc().getReadForm())
          .isEqualTo(org.consent4j.jdbc.ReadForm.AUTO);
      assertThat(explainEligible(context).postFiltered()).as("the feed keeps the engine's index in use").isTrue();
    }));
  }

  @Test
  void theReadFormPropertyChoosesTheForm() {
    underTheDefaultIndexRule(() -> runner.withPropertyValues("consent4j.jdbc.read-form=pushdown").run(context -> {
      assertThat(context.getBean(ConsentProperties.class).getJdbc().getReadForm())
          .isEqualTo(org.consent4j.jdbc.ReadForm.PUSHDOWN);
      org.consent4j.jdbc.wrapper.RewrittenSql r = explainEligible(context);
      assertThat(r.postFiltered()).as("pushdown even with the index in use").isFalse();
      assertThat(r.sql()).contains("consent_state");
    }));
    runner.withPropertyValues("consent4j.jdbc.read-form=post-filter").run(context ->
        assertThat(context.getBean(ConsentProperties.class).getJdbc().getReadForm())
            .isEqualTo(org.consent4j.jdbc.ReadForm.POST_FILTER));
    runner.withPropertyValues("consent4j.jdbc.read-form=sideways").run(context ->
        assertThat(context).getFailure().hasStackTraceContaining("Failed to bind properties under 'consent4j.jdbc.read-form'"));
  }

  /**
   * Runs {@code body} under the library's own default for the consent index, whatever the suite
   * runs with ({@code -Dconsent4j.consentIndex=on} or {@code off}): the engine is built inside.
   */
  private static void underTheDefaultIndexRule(Runnable body) {
    String before = System.getProperty(ConsentEngine.CONSENT_INDEX_PROPERTY);
    System.clearProperty(ConsentEngine.CONSENT_INDEX_PROPERTY);
    try {
      body.run();
    } finally {
      if (before != null) {
        System.setProperty(ConsentEngine.CONSENT_INDEX_PROPERTY, before);
      }
    }
  }

  /** Creates the mapped table unless the schema script did, waits for the engine's index, and explains an eligible SELECT. */
  private static org.consent4j.jdbc.wrapper.RewrittenSql explainEligible(
      org.springframework.context.ApplicationContext context) throws Exception {
    GuardedDataSource guarded = (GuardedDataSource) context.getBean(DataSource.class);
    try (Connection c = guarded.raw().getConnection(); java.sql.Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS crm_contact (id BIGINT PRIMARY KEY, name VARCHAR(100), email VARCHAR(200),"
          + " phone VARCHAR(40), country CHAR(2) NOT NULL)");
    }
    org.consent4j.core.ConsentIndex index = context.getBean(ConsentEngine.class).consentIndex()
        .orElseThrow(() -> new AssertionError("a change feed turns the engine's index on"));
    for (int i = 0; i < 400 && !index.isUsable(); i++) {
      Thread.sleep(50); // the feed is fresh after its first poll; the index loads once it is
    }
    assertThat(index.isUsable()).isTrue();
    return guarded.consentDataSource().explain("SELECT id, email FROM crm_contact WHERE country = 'NL'",
        org.consent4j.AccessContext.of("test", "marketing"));
  }

  private static void awaitUp(ConsentHealthIndicator health) throws InterruptedException {
    // the feed is fresh after its first poll (50 ms); this waits for that event, not for a time
    for (int i = 0; i < 200 && health.health(true).getStatus() != Status.UP; i++) {
      Thread.sleep(50);
    }
    assertThat(health.health(true).getStatus()).isEqualTo(Status.UP);
  }
}
