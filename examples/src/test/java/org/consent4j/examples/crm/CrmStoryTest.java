package org.consent4j.examples.crm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.consent4j.DataCategory;
import org.consent4j.Decision;
import org.consent4j.Reason;
import org.consent4j.SubjectId;
import org.consent4j.examples.crm.CrmStory.Contact;
import org.consent4j.examples.crm.CrmStory.Friend;
import org.consent4j.examples.crm.CrmStory.Outcomes;
import org.consent4j.examples.crm.CrmStory.SupportView;
import org.consent4j.jdbc.ConsentSQLException.ReasonCode;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The CRM story as the README shows it, each printed outcome checked: on embedded H2 always, on
 * PostgreSQL when {@code CONSENT4J_POSTGRES_URL} is set (skipped otherwise, failed under
 * {@code CONSENT4J_REQUIRE_DATABASES=true}). The expected numbers follow from the CRM's fixed
 * seed; each is also checked against the database read around consent4j or against the engine.
 */
final class CrmStoryTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void theStoryRunsOnH2AndEachStepShowsOnlyWhatWasConsented() throws Exception {
    runsTheStory("jdbc:h2:mem:crm_" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1");
  }

  @Test
  void theStoryRunsOnPostgresql() throws Exception {
    String url = System.getenv("CONSENT4J_POSTGRES_URL");
    if (url == null || url.isBlank()) {
      String why = "PostgreSQL is not configured: set CONSENT4J_POSTGRES_URL to its JDBC URL";
      if ("true".equalsIgnoreCase(System.getenv("CONSENT4J_REQUIRE_DATABASES"))) {
        Assertions.fail(why + " (CONSENT4J_REQUIRE_DATABASES=true requires every database)");
      }
      Assumptions.abort(why);
    }
    runsTheStory(url);
  }

  @Test
  void theDefaultEntryPointRunsOnEmbeddedH2() {
    Outcomes o = CrmStory.run(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    assertEquals(979, o.campaign().size());
    assertTrue(o.tampered().firstBrokenSequence().isPresent());
  }

  private static void runsTheStory(String url) throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    try (CrmDatabase crm = CrmDatabase.start(url)) {
      Outcomes o = CrmStory.run(crm, new PrintStream(printed, true, StandardCharsets.UTF_8));
      String out = printed.toString(StandardCharsets.UTF_8);
      JdbcTemplate raw = new JdbcTemplate(crm.raw());
      assertEquals(3_000, o.contacts());

      campaignExport(o, raw, out);
      quizlab(o, out);
      support(o, raw, out);
      analytics(crm, o, raw);
      withdrawal(o, out);
      refusal(o, out);
      subjectExport(o);

      // 8. the live trail verifies; the copy with one record edited does not, at that record
      assertTrue(o.verification().valid(), o.verification().problem());
      assertTrue(o.verification().recordsChecked() >= 20, o.verification().toString());
      assertFalse(o.tampered().valid());
      assertEquals(o.tamperedSequence(), o.tampered().firstBrokenSequence().getAsLong());
      assertTrue(out.contains(o.verification().recordsChecked() + " records, hash chain intact"), out);
      assertTrue(out.contains("copy: valid=false, first broken record #" + o.tamperedSequence()), out);

      // 9. the receipt verifies, a forged copy does not; the record of processing lists every purpose
      assertTrue(out.matches("(?s).*Ed25519\\): verifies true\n.*"), out);
      assertTrue(out.contains("the same receipt claiming explicit consent: verifies false"), out);
      assertTrue(out.matches("(?s).*\n   support +CONTRACT +[1-9][0-9]* +[1-9][0-9]* +0\n.*"), out);
    }
  }

  private static void campaignExport(Outcomes o, JdbcTemplate raw, String out) {
    // the engine's reasons and the SQL agree: exactly the GRANTED contacts are exported
    assertEquals(Map.of(Reason.GRANTED, 979, Reason.NO_GRANT, 1641, Reason.GRANT_WITHDRAWN, 94,
        Reason.GRANT_EXPIRED, 136, Reason.NOTICE_OUTDATED, 150), o.campaignReasons());
    assertEquals(979, o.campaign().size());
    assertTrue(ids(o.campaign()).contains(42L));
    assertFalse(ids(o.campaign()).contains(13L), "consented to nothing");
    assertFalse(ids(o.campaign()).contains(7L), "consented to quizlab only");
    // only consented fields: every contact consented to name and e-mail; 392 not to phone
    assertTrue(o.campaign().stream().allMatch(c -> c.name() != null && c.email() != null));
    assertEquals(392, o.campaign().stream().filter(c -> c.phone() == null).count());
    // and what is shown is the real value
    Contact ada = o.campaign().stream().filter(c -> c.id() == 42).findFirst().orElseThrow();
    assertEquals(raw.queryForMap("SELECT name, email, phone FROM crm_contact WHERE id = 42").values().stream()
        .map(String::valueOf).toList(), List.of(ada.name(), ada.email(), ada.phone()));
    assertTrue(out.contains("979 contacts exported; phone NULL for 392 of them"), out);
    assertTrue(out.contains("NOTICE_OUTDATED  150"), out);
  }

  private static void quizlab(Outcomes o, String out) {
    assertEquals(12, o.friendsInDatabase());
    assertEquals(List.of(42L, 101L, 505L), o.quizlabFriends().stream().map(Friend::id).toList());
    for (Friend f : o.quizlabFriends()) {
      assertNotNull(f.name());
      assertNotNull(f.birthDate());
      assertNotNull(f.country(), "not personal: seen with the row");
      assertNull(f.email(), "not in the quizlab consent");
    }
    assertTrue(out.contains("3 of 12 friends returned; 9 withheld"), out);
    assertTrue(out.contains("42   Ada Moreau     NL       NULL"), out);
  }

  private static void support(Outcomes o, JdbcTemplate raw, String out) {
    assertEquals(List.of(42L, 13L), o.support().stream().map(SupportView::id).toList());
    for (SupportView v : o.support()) {
      assertNotNull(v.name());
      assertNotNull(v.email());
      assertNotNull(v.phone());
      assertNull(v.birthDate(), "support does not declare profile.birthday");
      assertEquals(raw.queryForObject("SELECT count(*) FROM crm_orders WHERE contact_id = ?", Long.class, v.id()),
          v.orders());
      assertEquals(0, v.friendships(), "support does not declare social.friendship");
      assertTrue(raw.queryForObject("SELECT count(*) FROM crm_friend WHERE user_id = ?", Long.class, v.id()) > 0);
    }
    assertTrue(out.contains("13  Quinn Smit"), out);
  }

  private static void analytics(CrmDatabase crm, Outcomes o, JdbcTemplate raw) {
    assertEquals(List.of("BE", "DE", "ES", "FR", "NL"), o.analytics().stream().map(CrmStory.CountryCount::country)
        .toList());
    long counted = 0;
    long customers = 0;
    for (CrmStory.CountryCount c : o.analytics()) {
      assertTrue(c.customersCounted() > 0 && c.customersCounted() < c.customers(), c.toString());
      assertTrue(c.ordersCounted() > 0 && c.ordersCounted() < c.orders(), c.toString());
      counted += c.customersCounted();
      customers += c.customers();
    }
    assertEquals(raw.queryForObject("SELECT count(DISTINCT contact_id) FROM crm_orders", Long.class), customers);
    // the SQL counted exactly the customers the engine says consented to analytics
    List<SubjectId> buyers = raw.queryForList("SELECT DISTINCT contact_id FROM crm_orders", Long.class).stream()
        .map(SubjectId::of).toList();
    long permitted = crm.engine().checkAll(buyers, CrmStory.ANALYTICS, Set.of(DataCategory.of("commerce.order")),
        "test").values().stream().filter(Decision::subjectPermitted).count();
    assertEquals(permitted, counted);
  }

  private static void withdrawal(Outcomes o, String out) {
    List<Long> before = new ArrayList<>(ids(o.campaign()));
    before.remove(42L);
    assertEquals(before, ids(o.campaignAfterWithdrawal()));
    assertTrue(out.contains("before: 979 contacts, 42 is included   after: 978 contacts, 42 is not included"), out);
  }

  private static void refusal(Outcomes o, String out) {
    assertEquals(ReasonCode.NO_CONTEXT, o.refusal().reasonCode());
    assertEquals("42501", o.refusal().sqlState());
    assertTrue(o.refusal().message().contains("crm_contact"), o.refusal().message());
    assertTrue(o.refusal().message().contains("engine.process(AccessContext.of(actor, purpose))"),
        o.refusal().message());
    assertFalse(o.refusal().message().contains("example.org"));
    assertTrue(o.refusal().exception().endsWith("ConsentSQLException"));
    assertTrue(DataAccessException.class.isAssignableFrom(classOf(o.refusal().springException())));
    assertTrue(out.contains("SQLState 42501, reasonCode NO_CONTEXT"), out);
  }

  private static void subjectExport(Outcomes o) throws Exception {
    JsonNode export = JSON.readTree(o.subjectExport());
    assertEquals("42", export.get("subject").asText());
    List<String> ledger = new ArrayList<>();
    Instant withdrawnAt = null;
    for (JsonNode e : export.get("consentLedger")) {
      if (e.get("type").asText().equals("grant")) {
        ledger.add("grant " + e.get("purposes").get(0).asText() + " to " + e.get("recipients").get(0).asText());
      } else {
        ledger.add(e.get("type").asText() + " " + e.get("purpose").asText());
        withdrawnAt = Instant.parse(e.get("withdrawnAt").asText());
      }
    }
    assertEquals(List.of("grant marketing.email to self", "grant research to quizlab", "grant analytics to self",
        "withdrawal marketing.email"), ledger);

    // who read her rows: the campaign (before she withdrew, not after), quizlab, support
    List<String> reads = new ArrayList<>();
    for (JsonNode a : export.get("accesses")) {
      if (a.get("reason").asText().equals("ROWS_RETURNED")) {
        reads.add(a.get("actor").asText() + "/" + a.get("purpose").asText() + "/" + a.get("recipient").asText());
        if (a.get("actor").asText().equals("campaign-service")) {
          assertTrue(Instant.parse(a.get("time").asText()).isBefore(withdrawnAt), a.toString());
        }
      }
    }
    assertEquals(List.of("campaign-service/marketing.email/self", "quizlab-app/research/quizlab",
        "helpdesk/agent-17/support/self"), reads);
    // the analytics count read no row of hers that it could name
    assertFalse(o.subjectExport().contains("bi-dashboard"));
  }

  private static List<Long> ids(List<Contact> rows) {
    return rows.stream().map(Contact::id).toList();
  }

  private static Class<?> classOf(String name) {
    try {
      return Class.forName(name);
    } catch (ClassNotFoundException e) {
      throw new AssertionError(name, e);
    }
  }
}
