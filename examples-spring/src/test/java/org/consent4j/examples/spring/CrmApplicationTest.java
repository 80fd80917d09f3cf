package org.consent4j.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The Spring Boot CRM over HTTP: the export, a withdrawal in the preference centre, health and metrics. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
final class CrmApplicationTest {
  private final HttpClient http = HttpClient.newHttpClient();
  @LocalServerPort int port;

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String form) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aWithdrawalInThePreferenceCentreTakesContact42OutOfTheNextExport() throws Exception {
    String export = get("/api/campaign?country=NL&size=500&sort=id").body();
    assertThat(export).contains("\"id\":42,").contains("contact42@example.org");
    assertThat(export).doesNotContain("\"id\":2,"); // contact 2 lives in Belgium

    String page = get("/contacts/42").body();
    assertThat(page).contains("Withdraw").contains("marketing.email").contains("<td>crm</td>");
    String grant = page.replaceAll("(?s).*name=\"grant\" value=\"([^\"]+)\".*", "$1");
    assertThat(post("/contacts/42/withdraw", "grant=" + grant).statusCode()).isEqualTo(303);

    String after = get("/api/campaign?country=NL&size=500&sort=id").body();
    assertThat(after).doesNotContain("\"id\":42,").contains("\"total\":");
    assertThat(get("/api/support/contacts/42").body()).contains("contact42@example.org"); // contract: still served
    assertThat(get("/contacts/42").body()).doesNotContain("<button");
  }

  @Test
  void healthAndMetricsAreServed() throws Exception {
    get("/api/support/contacts/7");
    assertThat(get("/actuator/health/consent4j").body()).contains("\"status\":\"UP\"");
    assertThat(get("/actuator/metrics/consent4j.statements?tag=form:pushdown").body()).contains("\"COUNT\"");
  }
}
