package org.consent4j.examples.prefs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.consent4j.AccessContext;
import org.consent4j.LedgerEntry;
import org.consent4j.Reason;
import org.consent4j.SubjectId;
import org.consent4j.GrantWithdrawal;
import org.consent4j.Withdrawal;
import org.consent4j.examples.crm.CrmDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The preference centre over plain HTTP, no browser needed: the same withdraw-then-export flow as
 * {@link PreferenceCentreBrowserTest}, plus escaping, the loopback-only and same-origin guards,
 * and the error answers.
 */
class PreferenceCentreTest {
  private static CrmDatabase crm;
  private static PreferenceCentre centre;
  private static HttpClient http;

  @BeforeAll
  static void start() throws IOException {
    crm = CrmDatabase.start("jdbc:h2:mem:prefs-http;DB_CLOSE_DELAY=-1");
    centre = PreferenceCentre.start(crm, 0);
    // never follows redirects, so the tests see the 303
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  @AfterAll
  static void stop() {
    if (centre != null) {
      centre.close();
    }
    if (crm != null) {
      crm.close();
    }
  }

  @Test
  void listensOnLoopbackOnly() {
    assertEquals("127.0.0.1", centre.uri().getHost());
    assertTrue(centre.uri().getPort() > 0);
  }

  @Test
  void withdrawingMarketingOnThePageRemovesTheContactFromTheNextExport() throws Exception {
    SubjectId ada = crm.storyContact();
    List<String> before = exportedIds(get("export?purpose=marketing.email"));
    assertTrue(before.contains(ada.value()), "the story contact is in the marketing export before withdrawing");

    String page = get("contact/" + ada.value()).body();
    assertTrue(page.contains("<span id=\"subject\">42</span>"), page);
    assertEquals("given", state(page, "marketing.email", "self"));
    assertEquals("given", state(page, "research", "quizlab"));
    assertEquals("given", state(page, "analytics", "self"));
    assertTrue(hasWithdrawButton(page, "marketing.email", "self"));
    // the export just made is in the contact's access history
    assertTrue(page.contains("<td>campaign-service</td><td>marketing.email</td>"), page);
    assertTrue(page.contains("id=\"accesses\""));

    // the button posts the id of that one grant
    String grant = buttonGrant(page, "marketing.email", "self");
    HttpResponse<String> posted = postForm("contact/42/withdraw", "grant=" + grant, null);
    assertEquals(303, posted.statusCode());
    assertEquals("/contact/42", posted.headers().firstValue("Location").orElseThrow());

    // recorded as the subject's own withdrawal of that grant, collected by the form
    LedgerEntry last = crm.engine().history(ada).get(crm.engine().history(ada).size() - 1);
    GrantWithdrawal w = assertInstanceOf(GrantWithdrawal.class, last.record());
    assertEquals(grant, w.grant().value());
    assertEquals(PreferenceCentre.EVIDENCE, w.evidence());

    page = get("contact/42").body();
    assertEquals("withdrawn", state(page, "marketing.email", "self"));
    assertFalse(hasWithdrawButton(page, "marketing.email", "self"), "no button for a withdrawn consent");
    assertEquals("given", state(page, "research", "quizlab"), "other consents are untouched");
    assertTrue(page.contains("<td>withdrawal</td><td>marketing.email</td><td>us (self)</td>"), page);

    List<String> after = exportedIds(get("export?purpose=marketing.email"));
    assertFalse(after.contains(ada.value()), "the next export excludes the contact");
    assertEquals(before.size() - 1, after.size(), "and nobody else");
    assertTrue(after.containsAll(before.stream().filter(id -> !id.equals(ada.value())).toList()));
  }

  @Test
  void withdrawingForOneRecipientLeavesTheOthers() throws Exception {
    SubjectId s = SubjectId.of(505); // research with quizlab
    assertEquals("given", state(get("contact/505").body(), "research", "quizlab"));
    // posted as a browser posts the page's own form: with the page's origin
    String origin = "http://127.0.0.1:" + centre.uri().getPort();
    assertEquals(303, postForm("contact/505/withdraw", "purpose=research&recipient=quizlab", origin).statusCode());
    assertEquals("withdrawn", state(get("contact/505").body(), "research", "quizlab"));
    assertEquals(Reason.GRANT_WITHDRAWN, crm.engine().check(s, AccessContext.of("test", "research", "quizlab"),
        Set.of()).subjectReason());
  }

  @Test
  void aPurposeCanStillBeWithdrawnByFormForEveryGrantThatCoversIt() throws Exception {
    // a contact of the generated CRM with a current marketing.email consent, other than the story's
    SubjectId s = java.util.stream.IntStream.rangeClosed(200, 400).mapToObj(SubjectId::of)
        .filter(x -> crm.engine().check(x, AccessContext.of("test", "marketing.email"), Set.of()).subjectReason()
            == Reason.GRANTED).findFirst().orElseThrow();
    assertEquals("given", state(get("contact/" + s.value()).body(), "marketing.email", "self"));
    assertEquals(303, postForm("contact/" + s.value() + "/withdraw", "purpose=marketing.email&recipient=self", null)
        .statusCode());
    LedgerEntry last = crm.engine().history(s).get(crm.engine().history(s).size() - 1);
    Withdrawal w = assertInstanceOf(Withdrawal.class, last.record());
    assertEquals("marketing.email", w.purpose().name());
    assertEquals("self", w.recipient().orElseThrow().id());
    assertEquals("withdrawn", state(get("contact/" + s.value()).body(), "marketing.email", "self"));
  }

  @Test
  void withdrawingAnotherContactsGrantOrAnUnknownOneIsRefusedAndRecordsNothing() throws Exception {
    String othersGrant = buttonGrant(get("contact/42").body(), "research", "quizlab"); // the story contact's
    SubjectId s = SubjectId.of(7);
    int entries = crm.engine().history(s).size();
    assertEquals(400, postForm("contact/7/withdraw", "grant=" + othersGrant, null).statusCode());
    assertEquals(400, postForm("contact/7/withdraw", "grant=no-such-grant", null).statusCode());
    assertEquals(entries, crm.engine().history(s).size(), "nothing recorded");
  }

  @Test
  void aContactWithoutConsentsSeesNoneAndNoButtons() throws Exception {
    String page = get("contact/" + CrmDatabase.NO_CONSENT_CONTACT.value()).body();
    assertTrue(page.contains("id=\"no-consents\""), page);
    assertFalse(page.contains("class=\"withdraw\""));
  }

  @Test
  void theIndexLinksToContacts() throws Exception {
    HttpResponse<String> r = get("");
    assertEquals(200, r.statusCode());
    assertEquals("text/html; charset=utf-8", r.headers().firstValue("Content-Type").orElseThrow());
    assertTrue(r.headers().firstValue("Content-Security-Policy").isPresent());
    assertTrue(r.body().contains("<a href=\"/contact/42\">Contact 42</a>"), r.body());
  }

  @Test
  void everythingShownIsEscaped() throws Exception {
    String evil = "<script>alert('x')</script>&\"";
    HttpResponse<String> r = get("contact/" + Html.url(evil));
    assertEquals(200, r.statusCode());
    assertFalse(r.body().contains("<script>"), r.body());
    assertTrue(r.body().contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"), r.body());
    assertEquals("&lt;a href=&quot;x&quot;&gt;O&#39;Brien &amp; co&lt;/a&gt;", Html.esc("<a href=\"x\">O'Brien & co</a>"));
  }

  @Test
  void aFormPostedFromAnotherOriginIsRefused() throws Exception {
    SubjectId s = SubjectId.of(101);
    int entries = crm.engine().history(s).size();
    HttpResponse<String> r = postForm("contact/101/withdraw", "purpose=research&recipient=quizlab",
        "http://evil.example");
    assertEquals(403, r.statusCode());
    assertEquals(entries, crm.engine().history(s).size(), "nothing recorded");
  }

  @Test
  void aRequestForAnotherHostIsRefused() throws IOException {
    // DNS rebinding: a page of another site resolving its name to 127.0.0.1
    try (Socket socket = new Socket(centre.uri().getHost(), centre.uri().getPort())) {
      OutputStream out = socket.getOutputStream();
      out.write(("GET /contact/42 HTTP/1.1\r\nHost: evil.example:" + centre.uri().getPort()
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(answer.startsWith("HTTP/1.1 421"), answer);
      assertFalse(answer.contains("consents"), answer);
    }
  }

  @Test
  void undeclaredNamesAndBadRequestsAreRefusedAndRecordNothing() throws Exception {
    SubjectId s = SubjectId.of(7);
    int entries = crm.engine().history(s).size();
    assertEquals(400, postForm("contact/7/withdraw", "purpose=spying&recipient=self", null).statusCode());
    assertEquals(400, postForm("contact/7/withdraw", "purpose=research&recipient=nobody", null).statusCode());
    assertEquals(400, postForm("contact/7/withdraw", "recipient=self", null).statusCode());
    assertEquals(entries, crm.engine().history(s).size(), "nothing recorded");

    HttpResponse<String> undeclared = get("export?purpose=spying");
    assertEquals(400, undeclared.statusCode());
    assertTrue(undeclared.body().contains("spying"), undeclared.body());
    assertEquals(404, get("nowhere").statusCode());
    assertEquals(405, get("contact/7/withdraw").statusCode());
    HttpResponse<String> post = http.send(HttpRequest.newBuilder(centre.uri().resolve("export"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(405, post.statusCode());
  }

  @Test
  void anExportForAPurposeWithAnotherLegalBasisSeesEveryContact() throws Exception {
    // support is a contract purpose: no consent needed, every contact is there
    assertEquals(CrmDatabase.CONTACTS, exportedIds(get("export?purpose=support")).size());
  }

  // ------------------------------------------------------------------------------- helpers

  private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(centre.uri().resolve(path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> postForm(String path, String form, String origin)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(centre.uri().resolve(path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form));
    if (origin != null) {
      b.header("Origin", origin);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static final Pattern EXPORTED = Pattern.compile("<li data-subject=\"([^\"]+)\">");

  private static List<String> exportedIds(HttpResponse<String> r) {
    assertEquals(200, r.statusCode(), r.body());
    Matcher m = EXPORTED.matcher(r.body());
    List<String> ids = new java.util.ArrayList<>();
    while (m.find()) {
      ids.add(m.group(1));
    }
    Matcher count = Pattern.compile("<span id=\"count\">(\\d+)</span>").matcher(r.body());
    assertTrue(count.find());
    assertEquals(ids.size(), Integer.parseInt(count.group(1)));
    return ids;
  }

  /** The state cell of the consent row (one grant) for {@code purpose} and {@code recipient}. */
  private static String state(String page, String purpose, String recipient) {
    Matcher m = Pattern.compile("<tr data-purpose=\"" + Pattern.quote(purpose) + "\" data-recipient=\""
        + Pattern.quote(recipient) + "\"[^>]*>.*?<td class=\"state [^\"]*\">([^<]*)</td>").matcher(page);
    assertTrue(m.find(), "no consent row for " + purpose + "/" + recipient + " in\n" + page);
    return m.group(1);
  }

  private static boolean hasWithdrawButton(String page, String purpose, String recipient) {
    return page.contains("<form class=\"withdraw\" method=\"post\" action=\"/contact/")
        && Pattern.compile("<form class=\"withdraw\"[^>]*data-purpose=\"" + Pattern.quote(purpose)
            + "\" data-recipient=\"" + Pattern.quote(recipient) + "\"[^>]*>").matcher(page).find();
  }

  /** The grant id the Withdraw button of the consent row for {@code purpose} and {@code recipient} posts. */
  private static String buttonGrant(String page, String purpose, String recipient) {
    Matcher m = Pattern.compile("<form class=\"withdraw\"[^>]*data-purpose=\"" + Pattern.quote(purpose)
        + "\" data-recipient=\"" + Pattern.quote(recipient) + "\" data-grant=\"[^\"]+\">"
        + "<input type=\"hidden\" name=\"grant\" value=\"([^\"]+)\">").matcher(page);
    assertTrue(m.find(), "no Withdraw button for " + purpose + "/" + recipient + " in\n" + page);
    return m.group(1);
  }
}
