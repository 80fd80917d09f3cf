package org.consent4j.examples.spring;

import static org.springframework.web.util.HtmlUtils.htmlEscape;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.consent4j.Grant;
import org.consent4j.GrantId;
import org.consent4j.GrantWithdrawal;
import org.consent4j.LedgerEntry;
import org.consent4j.SubjectId;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.SubjectExport;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The preference centre: a contact's consents, one row per grant with a withdraw button each, and
 * who accessed their data, from the audit trail. It has no login (an example): in an application,
 * the contact would be the authenticated user.
 */
@RestController
class PreferenceCentreController {
  private final ConsentEngine engine;

  PreferenceCentreController(ConsentEngine engine) {
    this.engine = engine;
  }

  @GetMapping(value = "/", produces = MediaType.TEXT_HTML_VALUE)
  String index() {
    return page("Preference centre", "<h1>Preference centre</h1><p>Contacts 1 to 300, for example "
        + "<a href=\"/contacts/42\">contact 42</a> or <a href=\"/contacts/2\">contact 2</a>.</p>"
        + "<p>API: <a href=\"/api/campaign?country=NL&amp;size=5&amp;sort=name\">/api/campaign</a>, "
        + "<a href=\"/api/support/contacts/42\">/api/support/contacts/42</a>, "
        + "<a href=\"/actuator/health/consent4j\">health</a>, "
        + "<a href=\"/actuator/metrics/consent4j.statements\">metrics</a>.</p>");
  }

  @GetMapping(value = "/contacts/{id}", produces = MediaType.TEXT_HTML_VALUE)
  String contact(@PathVariable long id) {
    SubjectId subject = SubjectId.of(id);
    SubjectExport export = engine.export(subject);
    Set<GrantId> withdrawn = new TreeSet<>();
    Map<GrantId, Grant> grants = new LinkedHashMap<>();
    for (LedgerEntry e : export.ledger()) {
      if (e.record() instanceof GrantWithdrawal w) {
        withdrawn.add(w.grant());
      } else if (e.record() instanceof Grant g) {
        grants.putIfAbsent(g.id(), g);
      }
    }
    StringBuilder b = new StringBuilder("<h1>Preference centre of contact " + id + "</h1><h2>Your consents</h2>");
    if (grants.isEmpty()) {
      b.append("<p id=\"no-consents\">You have not given any consent.</p>");
    } else {
      b.append("<table id=\"consents\"><tr><th>Purpose</th><th>Data</th><th>State</th><th></th></tr>");
      for (Grant g : grants.values()) {
        boolean effective = !withdrawn.contains(g.id()) && g.inEffectAt(engine.clock().instant());
        b.append("<tr><td>").append(htmlEscape(g.purposes().toString())).append("</td><td>")
            .append(htmlEscape(g.categories().toString())).append("</td><td class=\"state\">")
            .append(effective ? "given" : "withdrawn or expired").append("</td><td>");
        if (effective) {
          b.append("<form method=\"post\" action=\"/contacts/").append(id).append("/withdraw\">")
              .append("<input type=\"hidden\" name=\"grant\" value=\"").append(htmlEscape(g.id().value()))
              .append("\"><button type=\"submit\">Withdraw</button></form>");
        }
        b.append("</td></tr>");
      }
      b.append("</table>");
    }
    b.append("<h2>Who accessed your data</h2><table id=\"accesses\"><tr><th>When</th><th>Who</th><th>Why</th>"
        + "<th>What</th><th>Outcome</th></tr>");
    for (SubjectExport.Access a : export.accesses()) {
      b.append("<tr><td>").append(a.time()).append("</td><td>").append(htmlEscape(a.actor())).append("</td><td>")
          .append(htmlEscape(a.purpose().name())).append("</td><td>").append(htmlEscape(a.operation()))
          .append("</td><td>").append(a.outcome()).append("</td></tr>");
    }
    return page("Contact " + id, b.append("</table>").toString());
  }

  /** Withdraws one grant; accepted from this page's own origin only (no cross-site form posts). */
  @PostMapping("/contacts/{id}/withdraw")
  ResponseEntity<String> withdraw(@PathVariable long id, @RequestParam String grant,
      @RequestHeader(value = "Origin", required = false) String origin,
      @RequestHeader(value = "Host", required = false) String host) {
    if (origin != null && !origin.equals("http://" + host)) {
      return ResponseEntity.status(HttpStatus.FORBIDDEN).body("a withdrawal is accepted from this page's origin only");
    }
    engine.withdraw(SubjectId.of(id), GrantId.of(grant));
    return ResponseEntity.status(HttpStatus.SEE_OTHER).header("Location", "/contacts/" + id).build();
  }

  private static String page(String title, String body) {
    return "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + htmlEscape(title)
        + "</title></head><body>" + body + "</body></html>";
  }
}
