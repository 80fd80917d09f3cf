package org.consent4j.examples.crm;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.consent4j.AccessContext;
import org.consent4j.Decision;
import org.consent4j.Purpose;
import org.consent4j.Reason;
import org.consent4j.SubjectId;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.ProcessingScope;
import org.consent4j.core.audit.AuditTrail;
import org.consent4j.core.audit.JsonLinesAuditSink;
import org.consent4j.core.audit.Verification;
import org.consent4j.core.evidence.ConsentReceipts;
import org.consent4j.core.evidence.Controller;
import org.consent4j.core.evidence.ProcessingRecords;
import org.consent4j.jdbc.ConsentSQLException;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;

/**
 * The CRM story: what consent4j lets each part of a CRM see, on the data of {@link CrmDatabase},
 * step by step — a campaign export, a third-party quiz app asking for its users' friends (the
 * Cambridge Analytica case), a support agent, an analytics count, a withdrawal, a query without a
 * purpose, a subject access export, and the audit trail proving, then failing to prove, that it
 * was not altered.
 *
 * <p>Run it with {@code mvn -B -q -pl examples -am compile exec:java} (embedded H2), or against
 * PostgreSQL with {@code -Dexec.args="jdbc:postgresql://127.0.0.1:5432/test?user=postgres"}.
 */
@SuppressWarnings("try") // processing scopes are opened for their effect on the thread
public final class CrmStory {

  /** The campaign service: marketing e-mail, for the CRM itself. */
  public static final AccessContext CAMPAIGN = AccessContext.of("campaign-service", "marketing.email");
  /** quizlab's app: research, for the third party quizlab. */
  public static final AccessContext QUIZLAB = AccessContext.of("quizlab-app", "research", "quizlab");
  /** A support agent: the customer contract. */
  public static final AccessContext SUPPORT = AccessContext.of("helpdesk/agent-17", "support");
  /** The analytics dashboard. */
  public static final AccessContext ANALYTICS = AccessContext.of("bi-dashboard", "analytics");

  private CrmStory() {}

  /** One contact as the campaign export sees it; a withheld field is null. */
  public record Contact(long id, String name, String email, String phone) {}

  /** One friend's profile as quizlab sees it; a withheld field is null. */
  public record Friend(long id, String name, String country, String email, LocalDate birthDate) {}

  /** A contact as support sees it; a withheld field is null. */
  public record SupportView(long id, String name, String email, String phone, LocalDate birthDate, long orders,
      long friendships) {}

  /** Customers and orders of one country: all of them, and those analytics may count. */
  public record CountryCount(String country, long customers, long customersCounted, long orders, long ordersCounted,
      BigDecimal revenueCounted) {}

  /** What the query without a purpose got. */
  public record Refusal(String exception, ConsentSQLException.ReasonCode reasonCode, String sqlState, String message,
      String springException) {}

  /**
   * What each step of the story returned.
   *
   * @param contacts how many contacts the CRM holds
   * @param campaign the campaign export, every row
   * @param campaignReasons why each contact is or is not in the export, counted by reason
   * @param friendsInDatabase how many friends the quiz user has in the database
   * @param quizlabFriends the friends quizlab got
   * @param support what support sees of the story contact and of a contact who consented to nothing
   * @param analytics the analytics count per country
   * @param campaignAfterWithdrawal the campaign export after the story contact withdrew
   * @param refusal the query without a purpose
   * @param subjectExport the story contact's access export, as JSON
   * @param verification the audit trail's verification
   * @param tampered the verification of a copy of the trail with one record altered
   * @param tamperedSequence the sequence of the altered record
   */
  public record Outcomes(int contacts, List<Contact> campaign, Map<Reason, Integer> campaignReasons,
      int friendsInDatabase, List<Friend> quizlabFriends, List<SupportView> support, List<CountryCount> analytics,
      List<Contact> campaignAfterWithdrawal, Refusal refusal, String subjectExport, Verification verification,
      Verification tampered, long tamperedSequence) {}

  /** Runs the story on H2, or on the database at {@code args[0]}, printing it to standard output. */
  public static void main(String[] args) {
    try (CrmDatabase crm = CrmDatabase.start(args.length > 0 ? args[0] : CrmDatabase.H2_URL)) {
      run(crm, System.out);
    }
  }

  /** Runs the story on a new embedded H2 CRM, printing to {@code out}. */
  public static Outcomes run(PrintStream out) {
    try (CrmDatabase crm = CrmDatabase.start(CrmDatabase.H2_URL)) {
      return run(crm, out);
    }
  }

  /** Runs the story on {@code crm}, printing to {@code out}. Moves the CRM's clock. */
  public static Outcomes run(CrmDatabase crm, PrintStream out) {
    ConsentEngine engine = crm.engine();
    JdbcTemplate jdbc = crm.jdbc();                  // every statement filtered, masked, audited
    JdbcTemplate raw = new JdbcTemplate(crm.raw());  // around consent4j: only to show what it withheld
    SubjectId ada = crm.storyContact();
    int contacts = raw.queryForObject("SELECT count(*) FROM crm_contact", Integer.class);
    out.printf("consent4j CRM story on %s: %,d contacts, %,d friend links, %,d orders; now is %s%n", crm.url(),
        contacts, raw.queryForObject("SELECT count(*) FROM crm_friend", Integer.class),
        raw.queryForObject("SELECT count(*) FROM crm_orders", Integer.class), engine.clock().instant());

    // 1. ------------------------------------------------------------------ campaign export
    heading(out, "1. Campaign export", CAMPAIGN);
    List<Contact> campaign;
    try (ProcessingScope scope = engine.process(CAMPAIGN)) {
      String name = jdbc.queryForObject("SELECT name FROM crm_campaign WHERE id = ?", String.class, 1);
      out.println("   campaign: " + name + "   SELECT id, name, email, phone FROM crm_contact ORDER BY id");
      campaign = jdbc.query("SELECT id, name, email, phone FROM crm_contact ORDER BY id", CONTACT);
    }
    printContacts(out, campaign);
    // The engine gives the same answer as the SQL, with the reason for each contact.
    Map<Reason, Integer> reasons = new EnumMap<>(Reason.class);
    List<SubjectId> everyone = IntStream.rangeClosed(1, contacts).mapToObj(SubjectId::of).toList();
    for (Decision d : engine.checkAll(everyone, CAMPAIGN, Set.of(), "campaign dry run").values()) {
      reasons.merge(d.subjectReason(), 1, Integer::sum);
    }
    out.println("   why each contact is in the export or not (engine.checkAll):");
    table(out, List.of("reason", "contacts"), reasons.entrySet().stream()
        .map(e -> List.<Object>of(e.getKey(), e.getValue())).toList());

    // 2. --------------------------------------------------- quizlab asks for friends' profiles
    heading(out, "2. Third-party quiz app asks for its user's friends (the Cambridge Analytica case)", QUIZLAB);
    String friendsSql = "SELECT c.id, c.name, c.country, c.email, c.birth_date FROM crm_friend f"
        + " JOIN crm_contact c ON c.id = f.friend_id WHERE f.user_id = ? ORDER BY c.id";
    List<Friend> friends;
    try (ProcessingScope scope = engine.process(QUIZLAB)) {
      friends = jdbc.query(friendsSql, FRIEND, Long.parseLong(crm.quizUser().value()));
    }
    int friendsInDatabase = raw.queryForObject("SELECT count(*) FROM crm_friend WHERE user_id = ?", Integer.class,
        Long.parseLong(crm.quizUser().value()));
    out.println("   user " + crm.quizUser() + " consented to share with quizlab; quizlab asks for their friends:");
    table(out, List.of("id", "name", "country", "email", "birth_date"), friends.stream()
        .map(f -> List.<Object>of(f.id(), show(f.name()), f.country(), show(f.email()), show(f.birthDate()))).toList());
    out.printf("   %d of %d friends returned; %d withheld: they never consented to quizlab"
        + " (one consented to research by the CRM itself, not by quizlab). email is NULL: not in the consent.%n",
        friends.size(), friendsInDatabase, friendsInDatabase - friends.size());

    // 3. ----------------------------------------------------------------------------- support
    heading(out, "3. Support agent (contract: name, e-mail, phone, orders; no birthday, no friends)", SUPPORT);
    List<SupportView> support = new ArrayList<>();
    try (ProcessingScope scope = engine.process(SUPPORT)) {
      for (SubjectId s : List.of(ada, CrmDatabase.NO_CONSENT_CONTACT)) {
        long id = Long.parseLong(s.value());
        long orders = jdbc.queryForObject("SELECT count(*) FROM crm_orders WHERE contact_id = ?", Long.class, id);
        long friendships = jdbc.queryForObject("SELECT count(*) FROM crm_friend WHERE user_id = ?", Long.class, id);
        support.add(jdbc.queryForObject("SELECT id, name, email, phone, birth_date FROM crm_contact WHERE id = ?",
            (r, i) -> new SupportView(r.getLong(1), r.getString(2), r.getString(3), r.getString(4),
                r.getObject(5, LocalDate.class), orders, friendships), id));
      }
    }
    table(out, List.of("id", "name", "email", "phone", "birth_date", "orders", "friendships"), support.stream()
        .map(v -> List.<Object>of(v.id(), show(v.name()), show(v.email()), show(v.phone()), show(v.birthDate()),
            v.orders(), v.friendships())).toList());
    out.println("   contact " + CrmDatabase.NO_CONSENT_CONTACT + " consented to nothing: support still serves"
        + " them (contract), and sees of anyone only what the contract needs.");

    // 4. --------------------------------------------------------------------------- analytics
    heading(out, "4. Analytics: customers and revenue per country, counting only those who consented", ANALYTICS);
    String perCountry = "SELECT c.country, count(DISTINCT c.id), count(*), sum(o.amount) FROM crm_contact c"
        + " JOIN crm_orders o ON o.contact_id = c.id GROUP BY c.country ORDER BY c.country";
    List<List<Object>> all = raw.query(perCountry, (r, i) -> List.of(r.getString(1), r.getLong(2), r.getLong(3)));
    List<List<Object>> counted;
    try (ProcessingScope scope = engine.process(ANALYTICS)) {
      counted = jdbc.query(perCountry, (r, i) -> List.of(r.getString(1), r.getLong(2), r.getLong(3),
          r.getBigDecimal(4)));
    }
    List<CountryCount> analytics = new ArrayList<>();
    for (List<Object> a : all) {
      List<Object> c = counted.stream().filter(x -> x.get(0).equals(a.get(0))).findFirst()
          .orElse(List.of(a.get(0), 0L, 0L, BigDecimal.ZERO));
      analytics.add(new CountryCount((String) a.get(0), (Long) a.get(1), (Long) c.get(1), (Long) a.get(2),
          (Long) c.get(2), (BigDecimal) c.get(3)));
    }
    table(out, List.of("country", "customers", "counted", "orders", "counted", "revenue counted"), analytics.stream()
        .map(a -> List.<Object>of(a.country(), a.customers(), a.customersCounted(), a.orders(), a.ordersCounted(),
            a.revenueCounted())).toList());
    out.println("   (the \"customers\" and \"orders\" columns are read around consent4j, for comparison only)");

    // 5. -------------------------------------------------------------------------- withdrawal
    crm.clock().advance(Duration.ofHours(1));
    heading(out, "5. Contact " + ada + " withdraws marketing e-mail consent; the next export", CAMPAIGN);
    engine.withdraw(ada, Purpose.of("marketing.email"));
    List<Contact> after;
    try (ProcessingScope scope = engine.process(CAMPAIGN)) {
      after = jdbc.query("SELECT id, name, email, phone FROM crm_contact ORDER BY id", CONTACT);
    }
    out.printf("   before: %,d contacts, %s included   after: %,d contacts, %s included%n", campaign.size(),
        contains(campaign, ada) ? ada + " is" : ada + " is not", after.size(),
        contains(after, ada) ? ada + " is" : ada + " is not");

    // 6. ---------------------------------------------------------------------- no purpose
    crm.clock().advance(Duration.ofMinutes(5));
    heading(out, "6. A query with no processing context", null);
    Refusal refusal = noPurpose(crm, jdbc, out);

    // 7. ---------------------------------------------------------------- subject access export
    crm.clock().advance(Duration.ofMinutes(5));
    heading(out, "7. Subject access export for contact " + ada + " (GDPR Art. 15): engine.export(subject).toJson()",
        null);
    String json = engine.export(ada).toJson();
    out.println(json.indent(3).stripTrailing());

    // 8. ------------------------------------------------------------------------------ audit
    heading(out, "8. Audit trail: verify, then alter one record in a copy and verify the copy", null);
    Verification verification = engine.audit().verify();
    out.printf("   %s: %d records, hash chain %s%n", crm.auditFile().getFileName(), verification.recordsChecked(),
        verification.valid() ? "intact" : "BROKEN: " + verification.problem());
    Path copy = crm.auditFile().resolveSibling("audit-tampered.jsonl");
    long altered = hideQuizlab(crm.auditFile(), copy);
    out.printf("   copy with record #%d edited (actor quizlab-app -> crm-internal, to hide quizlab's read)%n", altered);
    Verification tampered;
    try (AuditTrail trail = AuditTrail.builder(new JsonLinesAuditSink(copy)).build()) {
      tampered = trail.verify();
    }
    out.printf("   copy: valid=%s, first broken record #%d: %s%n", tampered.valid(),
        tampered.firstBrokenSequence().orElse(-1), tampered.problem());

    evidence(crm, ada, out);

    return new Outcomes(contacts, campaign, reasons, friendsInDatabase, friends, support, analytics, after, refusal,
        json, verification, tampered, altered);
  }

  /** 9. A signed consent receipt, and the record of processing activities (GDPR Art. 30). Writes no audit. */
  private static void evidence(CrmDatabase crm, SubjectId ada, PrintStream out) {
    heading(out, "9. Evidence: a signed consent receipt, and the record of processing activities (Art. 30)", null);
    ConsentEngine engine = crm.engine();
    java.security.KeyPair keys;
    try {
      keys = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair(); // the CRM's own key
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is part of every Java 17 platform", e);
    }
    Controller controller = new Controller("Example CRM B.V.", "privacy@crm.example", "NL",
        "https://crm.example/privacy");
    org.consent4j.Grant first = engine.history(ada).stream().map(org.consent4j.LedgerEntry::record)
        .filter(org.consent4j.Grant.class::isInstance).map(org.consent4j.Grant.class::cast).findFirst().orElseThrow();
    String receipt = ConsentReceipts.builder(engine.catalog(), controller).signingKey(keys.getPrivate(), "crm-demo")
        .publicKey(keys.getPublic()).build().issue(first);
    out.printf("   receipt of contact %s's grant %s (Kantara consent receipt shape, Ed25519): verifies %s%n", ada,
        first.id(), ConsentReceipts.verify(receipt, keys.getPublic()));
    String forged = receipt.replace("\"explicitConsent\" : false", "\"explicitConsent\" : true");
    out.printf("   the same receipt claiming explicit consent: verifies %s%n",
        ConsentReceipts.verify(forged, keys.getPublic()));
    ProcessingRecords.ProcessingRecord ropa = ProcessingRecords.builder(engine.catalog(), controller)
        .storage(crm.mapping().storageByCategory())
        .retention(Purpose.of("support"), "while the customer relationship lasts, then 2 years")
        .build().generate(engine.audit(), java.time.Instant.EPOCH, engine.clock().instant().plusSeconds(1));
    table(out, List.of("purpose", "legal basis", "audit events", "permits", "denies"), ropa.activities().stream()
        .map(a -> List.<Object>of(a.purpose(), a.basis(), a.events(), a.permits(), a.denies())).toList());
    Path html = crm.auditFile().resolveSibling("record-of-processing.html");
    try {
      Files.writeString(html, ropa.toHtml(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + html, e);
    }
    out.println("   the record as a page: " + html + " (and as JSON: ropa.toJson())");
  }

  private static Refusal noPurpose(CrmDatabase crm, JdbcTemplate jdbc, PrintStream out) {
    String sql = "SELECT email FROM crm_contact WHERE country = 'NL'";
    out.println("   " + sql + "   -- plain JDBC, no engine.process(...) around it");
    ConsentSQLException refused = null;
    try (Connection c = crm.guarded().getConnection(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      throw new IllegalStateException("a query without a purpose was let through");
    } catch (ConsentSQLException e) {
      refused = e;
    } catch (SQLException e) {
      throw new IllegalStateException("the database failed: " + e.getMessage(), e);
    }
    out.printf("   %s: SQLState %s, reasonCode %s%n   %s%n", refused.getClass().getName(), refused.getSQLState(),
        refused.reasonCode(), refused.getMessage());
    String spring;
    try {
      jdbc.queryForList(sql, String.class);
      throw new IllegalStateException("a query without a purpose was let through");
    } catch (DataAccessException e) {
      spring = e.getClass().getName();
      out.printf("   the same through JdbcTemplate: %s, caused by %s%n", e.getClass().getSimpleName(),
          e.getCause().getClass().getSimpleName());
    }
    return new Refusal(refused.getClass().getName(), refused.reasonCode(), refused.getSQLState(),
        refused.getMessage(), spring);
  }

  /** Copies the audit file, altering the first record of quizlab reading rows; returns its sequence. */
  private static long hideQuizlab(Path from, Path to) {
    try {
      List<String> lines = new ArrayList<>(Files.readAllLines(from, StandardCharsets.UTF_8));
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        if (line.contains("\"quizlab-app\"") && line.contains("ROWS_RETURNED")) {
          lines.set(i, line.replace("\"quizlab-app\"", "\"crm-internal\""));
          Files.write(to, lines, StandardCharsets.UTF_8);
          Matcher sequence = Pattern.compile("\"sequence\":(\\d+)").matcher(line);
          if (!sequence.find()) {
            throw new IllegalStateException("audit record without a sequence: line " + (i + 1) + " of " + from);
          }
          return Long.parseLong(sequence.group(1));
        }
      }
      throw new IllegalStateException("no record of quizlab reading rows in " + from);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ----------------------------------------------------------------------------- printing

  private static final RowMapper<Contact> CONTACT = (r, i) -> new Contact(r.getLong("id"), r.getString("name"),
      r.getString("email"), r.getString("phone"));

  private static final RowMapper<Friend> FRIEND = (r, i) -> new Friend(r.getLong(1), r.getString(2), r.getString(3),
      r.getString(4), r.getObject(5, LocalDate.class));

  private static void printContacts(PrintStream out, List<Contact> rows) {
    table(out, List.of("id", "name", "email", "phone"), rows.stream().limit(5)
        .map(c -> List.<Object>of(c.id(), show(c.name()), show(c.email()), show(c.phone()))).toList());
    long noPhone = rows.stream().filter(c -> c.phone() == null).count();
    out.printf("   ... %,d contacts exported; phone NULL for %,d of them (consented to name and e-mail only)%n",
        rows.size(), noPhone);
  }

  private static boolean contains(List<Contact> rows, SubjectId subject) {
    return rows.stream().anyMatch(c -> String.valueOf(c.id()).equals(subject.value()));
  }

  private static void heading(PrintStream out, String title, AccessContext context) {
    out.println();
    out.println(title);
    if (context != null) {
      out.println("   context: actor " + context.actor() + ", purpose " + context.purpose() + ", recipient "
          + context.recipient().id());
    }
  }

  private static Object show(Object value) {
    return value == null ? "NULL" : value;
  }

  private static void table(PrintStream out, List<String> header, List<List<Object>> rows) {
    int[] width = new int[header.size()];
    for (int i = 0; i < width.length; i++) {
      width[i] = header.get(i).length();
      for (List<Object> row : rows) {
        width[i] = Math.max(width[i], String.valueOf(row.get(i)).length());
      }
    }
    StringBuilder line = new StringBuilder("   ");
    StringBuilder rule = new StringBuilder("   ");
    for (int i = 0; i < width.length; i++) {
      line.append(String.format(Locale.ROOT, "%-" + width[i] + "s  ", header.get(i)));
      rule.append("-".repeat(width[i])).append("  ");
    }
    out.println(line.toString().stripTrailing());
    out.println(rule.toString().stripTrailing());
    for (List<Object> row : rows) {
      line.setLength(3);
      for (int i = 0; i < width.length; i++) {
        line.append(String.format(Locale.ROOT, "%-" + width[i] + "s  ", row.get(i)));
      }
      out.println(line.toString().stripTrailing());
    }
  }
}
