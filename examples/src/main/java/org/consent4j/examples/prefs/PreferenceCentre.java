package org.consent4j.examples.prefs;

import static org.consent4j.examples.prefs.Html.esc;
import static org.consent4j.examples.prefs.Html.url;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.consent4j.AccessContext;
import org.consent4j.CollectionMethod;
import org.consent4j.DataCategory;
import org.consent4j.Decision;
import org.consent4j.Evidence;
import org.consent4j.Grant;
import org.consent4j.GrantWithdrawal;
import org.consent4j.LedgerEntry;
import org.consent4j.Objection;
import org.consent4j.Purpose;
import org.consent4j.Reason;
import org.consent4j.Recipient;
import org.consent4j.SubjectId;
import org.consent4j.Withdrawal;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.ProcessingScope;
import org.consent4j.core.SubjectExport;
import org.consent4j.examples.crm.CrmDatabase;

/**
 * A contact's preference centre as a tiny local web page, on the JDK's own HTTP server: the
 * contact's consents, one per grant, with a Withdraw button each that withdraws that grant only
 * (withdrawal as easy as giving, GDPR Art. 7(3)), their consent ledger, and who accessed their data, when and why, from
 * the audit trail (Art. 15). A second page runs the marketing export through the guarded
 * {@code DataSource}, so a withdrawal can be seen taking effect.
 *
 * <pre>
 *   GET  /                          a few contacts of the CRM
 *   GET  /contact/{id}              the contact's consents, ledger and access history
 *   POST /contact/{id}/withdraw     form field grant (one grant, by id; the page's buttons), or
 *                                   purpose and recipient (a purpose; empty recipient: every one)
 *   GET  /export?purpose=marketing.email[&amp;recipient=self]   the contact ids an export gets
 * </pre>
 *
 * <p>It listens on 127.0.0.1 only, has no login — anyone on this machine may act for any contact —
 * and is a demonstration, not a production preference centre. It answers only requests whose
 * {@code Host} is its own loopback address, and refuses form posts from another origin. Every
 * value shown is HTML-escaped; nothing about a contact is logged.
 *
 * <p>Run it: {@code PreferenceCentre [port] [jdbc-url]} — port 0 (the default) picks a free port;
 * the JDBC URL defaults to the embedded H2 CRM.
 */
public final class PreferenceCentre implements AutoCloseable {

  /** The actor the preference centre's own consent checks are audited as. */
  public static final String ACTOR = "preference-centre";

  /** The actor the export page runs as. */
  public static final String EXPORT_ACTOR = "campaign-service";

  /** The evidence recorded with a withdrawal made here. */
  public static final Evidence EVIDENCE = Evidence.of(CollectionMethod.WEB_FORM, "preference-centre");

  private static final int MAX_FORM_BYTES = 8 * 1024;

  private final CrmDatabase crm;
  private final ConsentEngine engine;
  private final HttpServer server;
  private final ExecutorService executor;
  private final URI uri;

  private PreferenceCentre(CrmDatabase crm, int port) throws IOException {
    this.crm = crm;
    this.engine = crm.engine();
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    AtomicInteger threads = new AtomicInteger();
    this.executor = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "preference-centre-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    InetSocketAddress bound = server.getAddress();
    this.uri = URI.create("http://" + bound.getAddress().getHostAddress() + ":" + bound.getPort() + "/");
  }

  /**
   * Starts the preference centre for {@code crm} on 127.0.0.1:{@code port} ({@code 0}: a free
   * port). Closing it stops the server, not the CRM.
   *
   * @throws IOException if the port cannot be bound
   */
  public static PreferenceCentre start(CrmDatabase crm, int port) throws IOException {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be 0 to 65535, got " + port);
    }
    PreferenceCentre centre = new PreferenceCentre(crm, port);
    centre.server.start();
    return centre;
  }

  /** Where it listens, such as {@code http://127.0.0.1:41234/}. */
  public URI uri() {
    return uri;
  }

  /** Stops the server, waiting up to a second for requests in flight. Idempotent. */
  @Override
  public void close() {
    server.stop(1);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Starts the CRM (embedded H2, or the database at a {@code jdbc:} argument) and its preference
   * centre (on a free port, or on a numeric argument), prints the address, and serves until the
   * process is stopped.
   */
  public static void main(String[] args) throws IOException, InterruptedException {
    int port = 0;
    String jdbcUrl = CrmDatabase.H2_URL;
    for (String a : args) {
      if (a.matches("\\d{1,5}")) {
        port = Integer.parseInt(a);
      } else if (a.startsWith("jdbc:")) {
        jdbcUrl = a;
      } else {
        System.err.println("usage: PreferenceCentre [port] [jdbc-url]");
        System.exit(2);
      }
    }
    CrmDatabase crm = CrmDatabase.start(jdbcUrl);
    PreferenceCentre centre = start(crm, port);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      centre.close();
      crm.close();
      stopped.countDown();
    }, "preference-centre-shutdown"));
    System.out.println("consent4j preference centre for the CRM on " + crm.url() + ":");
    System.out.println("  " + centre.uri() + "            contacts");
    System.out.println("  " + centre.uri() + "contact/" + url(crm.storyContact().value()) + "   the story contact");
    System.out.println("  " + centre.uri() + "export?purpose=marketing.email   the marketing export");
    System.out.println("Press Ctrl+C to stop.");
    stopped.await();
  }

  // ------------------------------------------------------------------------------- routing

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      Response response;
      try {
        response = route(exchange);
      } catch (BadRequest | IllegalArgumentException | org.consent4j.UndeclaredException e) {
        response = Response.html(400, Html.page("Bad request", "<h1>Bad request</h1><p>" + esc(e.getMessage())
            + "</p>"));
      } catch (RuntimeException e) {
        // the message may name a subject: it goes to the local page, never to the log
        System.err.println("preference centre: " + exchange.getRequestMethod() + " failed with "
            + e.getClass().getName());
        response = Response.html(500, Html.page("Error", "<h1>Something went wrong</h1><p>"
            + esc(e.getClass().getSimpleName()) + ": " + esc(e.getMessage()) + "</p>"));
      }
      send(exchange, response);
    }
  }

  private Response route(HttpExchange exchange) throws IOException {
    if (!ownHost(exchange.getRequestHeaders().getFirst("Host"))) {
      return Response.text(421, "this server answers for " + uri.getAuthority() + " only");
    }
    String method = exchange.getRequestMethod();
    String[] path = exchange.getRequestURI().getRawPath().split("/", -1); // "", segment, ...
    if (path.length == 2 && path[1].isEmpty()) {
      return "GET".equals(method) ? index() : Response.notAllowed("GET");
    }
    if (path.length == 2 && path[1].equals("export")) {
      return "GET".equals(method) ? export(Html.form(exchange.getRequestURI().getRawQuery()))
          : Response.notAllowed("GET");
    }
    if (path.length == 3 && path[1].equals("contact") && !path[2].isEmpty()) {
      return "GET".equals(method) ? contact(subject(path[2])) : Response.notAllowed("GET");
    }
    if (path.length == 4 && path[1].equals("contact") && !path[2].isEmpty() && path[3].equals("withdraw")) {
      if (!"POST".equals(method)) {
        return Response.notAllowed("POST");
      }
      String origin = exchange.getRequestHeaders().getFirst("Origin");
      if (origin != null && !ownOrigin(origin)) {
        return Response.text(403, "a withdrawal is accepted from this page's own origin only");
      }
      return withdraw(subject(path[2]), Html.form(readForm(exchange)));
    }
    return Response.html(404, Html.page("Not found", "<h1>Not found</h1>"));
  }

  /** The Host header names this server's loopback address (or localhost) and port: no DNS rebinding. */
  private boolean ownHost(String host) {
    int port = uri.getPort();
    return host != null && (host.equals("127.0.0.1:" + port) || host.equals("localhost:" + port)
        || host.equals("[::1]:" + port));
  }

  private boolean ownOrigin(String origin) {
    return origin.startsWith("http://") && ownHost(origin.substring("http://".length()));
  }

  private static SubjectId subject(String rawSegment) {
    return SubjectId.of(Html.decodePathSegment(rawSegment));
  }

  // ------------------------------------------------------------------------------- pages

  private Response index() {
    StringBuilder b = new StringBuilder("<h1>Preference centre</h1>\n<p>Contacts of the CRM:</p>\n<ul>\n");
    List<SubjectId> featured = List.of(crm.storyContact(), CrmDatabase.QUIZ_USER, SubjectId.of(101),
        CrmDatabase.FIRST_PARTY_RESEARCH_FRIEND, CrmDatabase.NO_CONSENT_CONTACT, SubjectId.of(1), SubjectId.of(2),
        SubjectId.of(3));
    for (SubjectId s : featured) {
      b.append("<li><a href=\"/contact/").append(esc(url(s.value()))).append("\">Contact ").append(esc(s.value()))
          .append("</a></li>\n");
    }
    b.append("</ul>\n<p>Any other contact: <code>/contact/{id}</code>, ids 1 to ")
        .append(CrmDatabase.CONTACTS).append(".</p>\n");
    return Response.html(200, Html.page("Preference centre", b.toString()));
  }

  private Response contact(SubjectId subject) {
    List<LedgerEntry> ledger = engine.history(subject);
    java.util.Set<org.consent4j.GrantId> withdrawnById = new java.util.HashSet<>();
    Map<org.consent4j.GrantId, Grant> grants = new java.util.LinkedHashMap<>();
    for (LedgerEntry e : ledger) {
      if (e.record() instanceof GrantWithdrawal w) {
        withdrawnById.add(w.grant());
      } else if (e.record() instanceof Grant g) {
        grants.putIfAbsent(g.id(), g);
      }
    }
    String id = esc(subject.value());
    String base = "/contact/" + esc(url(subject.value()));
    StringBuilder b = new StringBuilder();
    b.append("<h1>Preference centre of contact <span id=\"subject\">").append(id).append("</span></h1>\n");

    b.append("<h2>Your consents</h2>\n");
    if (grants.isEmpty()) {
      b.append("<p id=\"no-consents\">You have not given any consent.</p>\n");
    } else {
      // one row per consent given (grant), each withdrawn on its own: the others stay, even for the same purpose
      b.append("<table id=\"consents\">\n<tr><th>Purpose</th><th>Recipient</th><th>Data</th><th>State</th><th></th></tr>\n");
      for (Grant g : grants.values()) {
        String purposes = spaced(g.purposes());
        String recipients = spaced(g.recipients());
        String state = withdrawnById.contains(g.id()) ? "withdrawn" : state(subject, g);
        b.append("<tr data-purpose=\"").append(esc(purposes)).append("\" data-recipient=\"").append(esc(recipients))
            .append("\" data-grant=\"").append(esc(g.id().value())).append("\"><td>").append(esc(join(g.purposes())))
            .append("</td><td>").append(esc(join(g.recipients().stream().map(PreferenceCentre::recipientLabel).toList())))
            .append("</td><td>").append(esc(join(g.categories()))).append("</td><td class=\"state ")
            .append(esc(state)).append("\">").append(esc(state)).append("</td><td>");
        if (!state.equals("withdrawn") && !state.equals("expired")) {
          b.append("<form class=\"withdraw\" method=\"post\" action=\"").append(base).append("/withdraw\" data-purpose=\"")
              .append(esc(purposes)).append("\" data-recipient=\"").append(esc(recipients)).append("\" data-grant=\"")
              .append(esc(g.id().value())).append("\">")
              .append("<input type=\"hidden\" name=\"grant\" value=\"").append(esc(g.id().value())).append("\">")
              .append("<button type=\"submit\">Withdraw</button></form>");
        }
        b.append("</td></tr>\n");
      }
      b.append("</table>\n");
    }

    b.append("<h2>Consent ledger</h2>\n");
    if (ledger.isEmpty()) {
      b.append("<p>Nothing recorded.</p>\n");
    } else {
      b.append("<table id=\"ledger\">\n<tr><th>#</th><th>Recorded</th><th>Record</th><th>Purposes</th>"
          + "<th>Recipients</th><th>Data</th><th>Notice</th><th>Effective</th><th>Collected by</th></tr>\n");
      for (LedgerEntry e : ledger) {
        b.append("<tr><td>").append(e.sequence()).append("</td><td>").append(esc(e.recordedAt())).append("</td>");
        if (e.record() instanceof Grant g) {
          b.append("<td>grant</td><td>").append(esc(join(g.purposes()))).append("</td><td>")
              .append(esc(join(g.recipients().stream().map(PreferenceCentre::recipientLabel).toList())))
              .append("</td><td>").append(esc(join(g.categories()))).append("</td><td>")
              .append(esc(g.notice().map(n -> n.id() + " v" + n.version()).orElse(""))).append("</td><td>from ")
              .append(esc(g.grantedAt())).append(esc(g.expiresAt().map(t -> " until " + t).orElse("")))
              .append("</td>");
        } else if (e.record() instanceof Withdrawal w) {
          b.append("<td>withdrawal</td><td>").append(esc(w.purpose())).append("</td><td>")
              .append(esc(w.recipient().map(PreferenceCentre::recipientLabel).orElse("every recipient")))
              .append("</td><td></td><td></td><td>from ").append(esc(w.withdrawnAt())).append("</td>");
        } else if (e.record() instanceof GrantWithdrawal w) {
          // the whole grant: its purposes and recipients, as the consent rows showed them
          Grant g = grants.get(w.grant());
          b.append("<td>withdrawal</td><td>").append(esc(g == null ? "" : join(g.purposes()))).append("</td><td>")
              .append(esc(g == null ? "" : join(g.recipients().stream().map(PreferenceCentre::recipientLabel).toList())))
              .append("</td><td>the whole consent ").append(esc(w.grant().value())).append("</td><td></td><td>from ")
              .append(esc(w.withdrawnAt())).append("</td>");
        } else if (e.record() instanceof Objection o) {
          b.append("<td>objection</td><td>").append(esc(o.purpose())).append("</td><td></td><td></td><td></td><td>from ")
              .append(esc(o.objectedAt())).append("</td>");
        }
        b.append("<td>").append(esc(e.record().evidence().method() + " " + e.record().evidence().reference()))
            .append("</td></tr>\n");
      }
      b.append("</table>\n");
    }

    SubjectExport export = engine.export(subject);
    List<SubjectExport.Access> accesses = new ArrayList<>(export.accesses());
    java.util.Collections.reverse(accesses);
    b.append("<h2>Who accessed your data</h2>\n<p>").append(accesses.size())
        .append(" audited decisions concerning you, newest first.</p>\n");
    if (!accesses.isEmpty()) {
      b.append("<table id=\"accesses\">\n<tr><th>#</th><th>Time</th><th>Actor</th><th>Purpose</th><th>Recipient</th>"
          + "<th>Operation</th><th>Outcome</th><th>Reason</th><th>Data</th></tr>\n");
      for (SubjectExport.Access a : accesses) {
        b.append("<tr><td>").append(a.sequence()).append("</td><td>").append(esc(a.time())).append("</td><td>")
            .append(esc(a.actor())).append("</td><td>").append(esc(a.purpose())).append("</td><td>")
            .append(esc(recipientLabel(a.recipient()))).append("</td><td>").append(esc(a.operation()))
            .append("</td><td class=\"").append(esc(a.outcome())).append("\">").append(esc(a.outcome()))
            .append("</td><td>").append(esc(a.reason())).append("</td><td>").append(esc(join(a.categories())))
            .append("</td></tr>\n");
      }
      b.append("</table>\n");
    }
    return Response.html(200, Html.page("Preference centre of contact " + subject.value(), b.toString()));
  }

  private Response withdraw(SubjectId subject, Map<String, String> form) {
    String grant = form.getOrDefault("grant", "").strip();
    String purpose = form.getOrDefault("purpose", "").strip();
    String recipient = form.getOrDefault("recipient", "").strip();
    // Recorded as the subject's own act through this form; every check that starts after this
    // returns sees it.
    if (!grant.isEmpty()) {
      // the page's button: one grant, by its id; the engine refuses an id that is not this contact's
      try {
        engine.record(new GrantWithdrawal(subject, org.consent4j.GrantId.of(grant), engine.clock().instant(),
            EVIDENCE));
      } catch (org.consent4j.UnknownGrantException e) {
        throw new BadRequest(e.getMessage());
      }
    } else if (!purpose.isEmpty()) {
      // a purpose, for every recipient or one: the engine checks the names against the catalog
      engine.record(new Withdrawal(subject, Purpose.of(purpose),
          recipient.isEmpty() ? Optional.empty() : Optional.of(Recipient.of(recipient)),
          engine.clock().instant(), EVIDENCE));
    } else {
      throw new BadRequest("the form names no grant and no purpose to withdraw");
    }
    return Response.redirect("/contact/" + url(subject.value()));
  }

  @SuppressWarnings("try") // the scope is used by the guarded DataSource, not by name
  private Response export(Map<String, String> query) {
    String purpose = query.getOrDefault("purpose", "marketing.email");
    String recipient = query.getOrDefault("recipient", Recipient.FIRST_PARTY.id());
    AccessContext context = AccessContext.of(EXPORT_ACTOR, purpose, recipient);
    String sql = "SELECT id FROM crm_contact ORDER BY id";
    List<Long> ids;
    try (ProcessingScope scope = engine.process(context)) {
      ids = crm.jdbc().queryForList(sql, Long.class); // filtered and audited by the guarded DataSource
    }
    StringBuilder b = new StringBuilder("<h1>Export for ").append(esc(purpose)).append("</h1>\n<p>")
        .append("<code>").append(esc(sql)).append("</code> as <code>").append(esc(EXPORT_ACTOR))
        .append("</code>, purpose <code>").append(esc(purpose)).append("</code>, recipient <code>")
        .append(esc(recipientLabel(context.recipient()))).append("</code>: <span id=\"count\">").append(ids.size())
        .append("</span> of ").append(CrmDatabase.CONTACTS).append(" contacts.</p>\n<ul id=\"ids\" class=\"ids\">\n");
    for (Long id : ids) {
      String s = esc(id);
      b.append("<li data-subject=\"").append(s).append("\"><a href=\"/contact/").append(s).append("\">").append(s)
          .append("</a></li>\n");
    }
    b.append("</ul>\n");
    return Response.html(200, Html.page("Export for " + purpose, b.toString()));
  }

  // ------------------------------------------------------------------------------- helpers

  /**
   * The state of one grant as the engine decides for its first purpose and recipient; a grant whose
   * every purpose and recipient the engine reports withdrawn reads withdrawn.
   */
  private String state(SubjectId subject, Grant g) {
    boolean allWithdrawn = true;
    Reason first = null;
    for (Purpose p : g.purposes()) {
      for (Recipient r : g.recipients()) {
        // the engine decides, by the same rules as every other access; the check is audited
        Reason reason = engine.checkAll(List.of(subject), AccessContext.of(ACTOR, p, r), Set.of(),
            "preference centre: show consent state").get(subject).subjectReason();
        first = first == null ? reason : first;
        allWithdrawn &= reason == Reason.GRANT_WITHDRAWN;
      }
    }
    if (allWithdrawn) {
      return "withdrawn";
    }
    return g.expiresAt().map(t -> !t.isAfter(engine.clock().instant())).orElse(false) ? "expired" : state(first);
  }

  private static String spaced(java.util.Collection<?> values) {
    StringBuilder b = new StringBuilder();
    for (Object v : values) {
      b.append(b.length() == 0 ? "" : " ").append(v);
    }
    return b.toString();
  }

  private static String state(Reason reason) {
    return switch (reason) {
      case GRANTED, LEGAL_BASIS -> "given";
      case GRANT_WITHDRAWN -> "withdrawn";
      case GRANT_EXPIRED -> "expired";
      case NOTICE_OUTDATED -> "given under an outdated notice: not used";
      default -> reason.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    };
  }

  private static String recipientLabel(Recipient r) {
    return r.isFirstParty() ? "us (" + r.id() + ")" : r.id();
  }

  private static String join(java.util.Collection<?> values) {
    StringBuilder b = new StringBuilder();
    for (Object v : values) {
      b.append(b.length() == 0 ? "" : ", ").append(v);
    }
    return b.toString();
  }

  private static String readForm(HttpExchange exchange) throws IOException {
    String type = exchange.getRequestHeaders().getFirst("Content-Type");
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
      throw new BadRequest("expected a form (application/x-www-form-urlencoded)");
    }
    try (InputStream in = exchange.getRequestBody()) {
      byte[] body = in.readNBytes(MAX_FORM_BYTES + 1);
      if (body.length > MAX_FORM_BYTES) {
        throw new BadRequest("the form is larger than " + MAX_FORM_BYTES + " bytes");
      }
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private static void send(HttpExchange exchange, Response response) throws IOException {
    var headers = exchange.getResponseHeaders();
    headers.set("Content-Type", response.contentType());
    headers.set("Cache-Control", "no-store");
    headers.set("X-Content-Type-Options", "nosniff");
    // not no-referrer: with it, a browser sends "Origin: null" on the page's own form posts
    headers.set("Referrer-Policy", "same-origin");
    headers.set("X-Frame-Options", "DENY");
    headers.set("Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'");
    response.headers().forEach(headers::set);
    byte[] body = response.body().getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(response.status(), body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private record Response(int status, String contentType, String body, Map<String, String> headers) {
    static Response html(int status, String body) {
      return new Response(status, "text/html; charset=utf-8", body, Map.of());
    }

    static Response text(int status, String body) {
      return new Response(status, "text/plain; charset=utf-8", body + "\n", Map.of());
    }

    static Response redirect(String location) {
      return new Response(303, "text/plain; charset=utf-8", "", Map.of("Location", location));
    }

    static Response notAllowed(String allow) {
      return new Response(405, "text/plain; charset=utf-8", "method not allowed\n", Map.of("Allow", allow));
    }
  }

  private static final class BadRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadRequest(String message) {
      super(message);
    }
  }
}
