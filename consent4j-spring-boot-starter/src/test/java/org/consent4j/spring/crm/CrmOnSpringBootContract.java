package org.consent4j.spring.crm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.consent4j.AccessContext;
import org.consent4j.Grant;
import org.consent4j.ProcessingScopeException;
import org.consent4j.Purpose;
import org.consent4j.SubjectId;
import org.consent4j.core.ConsentEngine;
import org.consent4j.jdbc.ConsentSQLException;
import org.consent4j.spring.GuardedDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.dao.DataAccessException;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The CRM on Spring Boot with the starter, on one database (subclasses choose it). Contacts 1, 2 and
 * 4 consented to marketing e-mail (2 to name and e-mail only), 3 never did, 5 is granted and
 * withdrawn by one test, 6 lives in Belgium.
 */
abstract class CrmOnSpringBootContract {
  @Autowired ContactRepository contacts;
  @Autowired CrmServices.Campaign campaign;
  @Autowired CrmServices.Support support;
  @Autowired CrmServices.Background background;
  @Autowired ConsentEngine engine;
  @Autowired DataSource dataSource;
  @Autowired MeterRegistry meters;
  @Autowired HealthIndicator consent4jHealthIndicator;

  @BeforeEach
  void grantOnce() {
    if (engine.history(SubjectId.of("1")).isEmpty()) {
      engine.grant(Grant.builder(SubjectId.of("1")).purpose("marketing.email").category("contact"));
      engine.grant(Grant.builder(SubjectId.of("2")).purpose("marketing.email").category("contact.name")
          .category("contact.email"));
      engine.grant(Grant.builder(SubjectId.of("4")).purpose("marketing.email").category("contact"));
    }
  }

  private static List<Long> ids(Page<Contact> page) {
    return page.getContent().stream().map(Contact::getId).toList();
  }

  @Test
  void theRepositoryPagesAndSortsOnlyConsentingContactsAndMasksWhatTheyDidNotGrant() {
    Page<Contact> first = campaign.export("NL", PageRequest.of(0, 2, Sort.by("name")));
    assertThat(ids(first)).containsExactly(1L, 2L); // Anna, Bram; Cato (3) never consented
    assertThat(first.getTotalElements()).isEqualTo(3);
    assertThat(first.getTotalPages()).isEqualTo(2);
    assertThat(first.getContent().get(0).getPhone()).isEqualTo("+31 600000001");
    assertThat(first.getContent().get(1).getEmail()).isEqualTo("bram.devries@example.org");
    assertThat(first.getContent().get(1).getPhone()).isNull(); // name and e-mail only
    Page<Contact> second = campaign.export("NL", PageRequest.of(1, 2, Sort.by("name")));
    assertThat(ids(second)).containsExactly(4L);
    Page<Contact> descending = campaign.export("NL", PageRequest.of(0, 10, Sort.by(Sort.Direction.DESC, "id")));
    assertThat(ids(descending)).containsExactly(4L, 2L, 1L);
  }

  @Test
  void aTransactionalServiceWritesInsideItsScope() {
    support.changePhone(6, "+32 400000066");
    assertThat(support.find(6).getPhone()).isEqualTo("+32 400000066");
    support.changePhone(6, "+32 400000006");
    assertThat(support.find(6).getPhone()).isEqualTo("+32 400000006");
  }

  @Test
  void aWithdrawalIsSeenByTheNextRequest() {
    engine.grant(Grant.builder(SubjectId.of("5")).purpose("marketing.email").category("contact"));
    assertThat(ids(campaign.export("NL", PageRequest.of(0, 10, Sort.by("id"))))).containsExactly(1L, 2L, 4L, 5L);
    engine.withdraw(SubjectId.of("5"), Purpose.of("marketing.email"));
    assertThat(ids(campaign.export("NL", PageRequest.of(0, 10, Sort.by("id"))))).containsExactly(1L, 2L, 4L);
  }

  @Test
  void nestedScopesRestoreTheOuterContextAndTheActorIsTheApplication() {
    assertThat(support.nested(campaign)).containsExactly("support", "marketing.email", "support");
    assertThat(campaign.context().actor()).isEqualTo("crm-test");
    assertThat(engine.currentContext()).isEmpty();
    try (var scope = engine.process(AccessContext.of("agent-7", "marketing.email"))) {
      // the repository serves marketing: it runs in the caller's more specific context
      assertThat(contacts.findByCountryOrderById("NL")).extracting(Contact::getId).containsExactly(1L, 2L, 4L);
      assertThat(campaign.context()).isEqualTo(AccessContext.of("agent-7", "marketing.email"));
    }
  }

  @Test
  void theActorIsSpringSecuritysAuthenticatedPrincipal() {
    var context = org.springframework.security.core.context.SecurityContextHolder.getContext();
    try {
      context.setAuthentication(org.springframework.security.authentication.UsernamePasswordAuthenticationToken
          .authenticated("agent-7", null, List.of()));
      assertThat(campaign.context().actor()).isEqualTo("agent-7");
      context.setAuthentication(new org.springframework.security.authentication.AnonymousAuthenticationToken("key",
          "anonymousUser", org.springframework.security.core.authority.AuthorityUtils.createAuthorityList("ROLE_ANON")));
      assertThat(campaign.context().actor()).isEqualTo("crm-test");
    } finally {
      org.springframework.security.core.context.SecurityContextHolder.clearContext();
    }
  }

  @Test
  void withoutAContextTheRepositoryAndTheGuardedDataSourceRefuse() {
    assertThatThrownBy(() -> contacts.findByCountryOrderById("NL")).isInstanceOf(ProcessingScopeException.class)
        .hasMessageContaining("several purposes");
    JdbcTemplate jdbc = new JdbcTemplate(dataSource);
    assertThatThrownBy(() -> jdbc.queryForList("SELECT email FROM crm_contact"))
        .isInstanceOf(DataAccessException.class).rootCause().isInstanceOf(ConsentSQLException.class)
        .satisfies(e -> assertThat(((ConsentSQLException) e).reasonCode())
            .isEqualTo(ConsentSQLException.ReasonCode.NO_CONTEXT));
  }

  @Test
  void bootsExecutorCarriesTheCallersContextAndAPlainExecutorDoesNot() throws Exception {
    try (var scope = engine.process(AccessContext.of("campaign", "marketing.email"))) {
      assertThat(background.emails("NL").get(10, TimeUnit.SECONDS))
          .containsExactly("anna.jansen@example.org", "bram.devries@example.org", "daan.visser@example.org");
      ExecutorService plain = Executors.newSingleThreadExecutor();
      try {
        assertThatThrownBy(() -> plain.submit(() -> contacts.findByCountryOrderById("NL")).get())
            .isInstanceOf(ExecutionException.class).cause().isInstanceOf(ProcessingScopeException.class);
      } finally {
        plain.shutdownNow();
      }
    }
    // no context at the call: the task has none either
    assertThatThrownBy(() -> background.emails("NL").get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(ProcessingScopeException.class);
  }

  @Test
  void theDataSourceBeanIsGuardedAndDoesNotHandOutThePool() throws SQLException {
    assertThat(dataSource).isInstanceOf(GuardedDataSource.class);
    assertThatThrownBy(() -> dataSource.unwrap(HikariDataSource.class)).isInstanceOf(ConsentSQLException.class)
        .satisfies(e -> assertThat(((ConsentSQLException) e).reasonCode())
            .isEqualTo(ConsentSQLException.ReasonCode.WRAPPER_UNWRAP_REFUSED));
    assertThat(dataSource.isWrapperFor(HikariDataSource.class)).isFalse();
    assertThat(dataSource.unwrap(org.consent4j.jdbc.wrapper.ConsentDataSource.class)).isNotNull();
  }

  @Test
  void healthIsUpAndTheMetersCountStatementsCacheLookupsAndDecisions() {
    assertThat(consent4jHealthIndicator.health(true).getStatus()).isEqualTo(Status.UP);
    assertThat(consent4jHealthIndicator.health(true).getDetails()).containsEntry("store", "reachable");

    double pushdown = counter("consent4j.statements", "form", "pushdown");
    double refused = counter("consent4j.statements", "form", "refused");
    double hits = counter("consent4j.rewrite.cache", "result", "hit");
    long records = engine.audit().head().sequence();
    double decisions = decisions();

    support.find(1);
    support.find(1); // a new transaction: read again, the same SQL from the rewrite cache
    assertThatThrownBy(() -> new JdbcTemplate(dataSource).queryForList("SELECT email FROM crm_contact"))
        .isInstanceOf(DataAccessException.class);

    assertThat(counter("consent4j.statements", "form", "pushdown") - pushdown).isEqualTo(2);
    assertThat(counter("consent4j.statements", "form", "refused") - refused).isEqualTo(1);
    assertThat(counter("consent4j.rewrite.cache", "result", "hit") - hits).isGreaterThanOrEqualTo(1);
    long written = engine.audit().head().sequence() - records;
    assertThat(written).isPositive();
    assertThat(decisions() - decisions).isEqualTo(written);
    assertThat(meters.get("consent4j.audit.queue.depth").gauge().value()).isZero();
  }

  private double counter(String name, String tag, String value) {
    return meters.get(name).tag(tag, value).functionCounter().count();
  }

  private double decisions() {
    return meters.find("consent4j.decisions").functionCounters().stream().mapToDouble(c -> c.count()).sum();
  }
}
