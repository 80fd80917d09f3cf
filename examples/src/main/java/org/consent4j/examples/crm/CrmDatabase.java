package org.consent4j.examples.crm;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import javax.sql.DataSource;
import org.consent4j.Catalog;
import org.consent4j.CollectionMethod;
import org.consent4j.Grant;
import org.consent4j.LegalBasis;
import org.consent4j.Notice;
import org.consent4j.Purpose;
import org.consent4j.PurposeDefinition;
import org.consent4j.SubjectId;
import org.consent4j.Withdrawal;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.audit.AuditTrail;
import org.consent4j.core.audit.JsonLinesAuditSink;
import org.consent4j.jdbc.AuditLevel;
import org.consent4j.jdbc.JdbcConsentStore;
import org.consent4j.jdbc.SchemaMapping;
import org.consent4j.jdbc.wrapper.ConsentDataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A small CRM on a database consent4j does not own: contacts, a friends graph, orders and
 * campaigns, with a few thousand synthetic contacts (the same on every run) and a realistic mix of
 * consents recorded through the engine — marketing e-mail, research with the third party
 * {@code quizlab}, analytics; some withdrawn, some expired, some given under an outdated notice.
 *
 * <pre>{@code
 * try (CrmDatabase crm = CrmDatabase.start(CrmDatabase.H2_URL);
 *      var scope = crm.engine().process(AccessContext.of("campaign-service", "marketing.email"))) {
 *   crm.jdbc().queryForList("SELECT id, email, phone FROM crm_contact");  // consenting contacts only
 * }
 * }</pre>
 *
 * <p>Wiring: one HikariCP pool on the database ({@link #raw()}), used by the consent store, and
 * the guarded data source ({@link #guarded()}) = {@code ConsentDataSource} over that pool. The
 * guard sits on top of the pool rather than under it so that one pool serves both the consent
 * ledger's own queries (which must not be filtered) and the application's, and its size and
 * metrics stay in one place; the guard holds no state per connection worth pooling.
 *
 * <p>Tables: every CRM table is named {@code crm_*} and the consent store's tables
 * {@code crm_consent_*}; {@link #start} drops any tables with those prefixes first, so it can be
 * run again on the same PostgreSQL database. Do not point it at a database whose {@code crm_*}
 * tables you want to keep.
 *
 * <p>The audit trail is a {@link JsonLinesAuditSink} in a temporary file ({@link #auditFile()}),
 * deleted on {@link #close()}.
 *
 * <p>Thread-safe, as its parts are.
 */
public final class CrmDatabase implements AutoCloseable {

  /** The embedded H2 database the example runs on by default. */
  public static final String H2_URL = "jdbc:h2:mem:crm;DB_CLOSE_DELAY=-1";

  /** When the story happens: the engine's clock starts here. */
  public static final Instant STORY_START = Instant.parse("2026-03-02T09:00:00Z");

  /** How many contacts the CRM holds. */
  public static final int CONTACTS = 3_000;

  /** The contact who appears in the campaign export, then withdraws; her data was read by quizlab too. */
  public static final SubjectId STORY_CONTACT = SubjectId.of(42);
  /** A quizlab user, who consented to share their friends list with quizlab. */
  public static final SubjectId QUIZ_USER = SubjectId.of(7);
  /** The quiz user's friends who themselves consented to quizlab. */
  public static final List<SubjectId> QUIZ_CONSENTING_FRIENDS =
      List.of(SubjectId.of(42), SubjectId.of(101), SubjectId.of(505));
  /** A friend of the quiz user who consented to research, but for the first party only, not quizlab. */
  public static final SubjectId FIRST_PARTY_RESEARCH_FRIEND = SubjectId.of(909);
  /** A contact who consented to nothing: a customer, so support may still help them. */
  public static final SubjectId NO_CONSENT_CONTACT = SubjectId.of(13);

  private static final List<Integer> QUIZ_OTHER_FRIENDS = List.of(202, 303, 404, 606, 707, 808, 909, 1010, 1111);

  /** Purposes, data categories, recipients and notices of the CRM. */
  public static final Catalog CATALOG = Catalog.builder()
      // marketing counts only consents given under version 2 of the privacy notice
      .purpose(PurposeDefinition.consent(Purpose.of("marketing")).withMinimumNotice(Notice.of("privacy-notice", 2)))
      .purpose(PurposeDefinition.consent(Purpose.of("marketing.email"))
          .withMinimumNotice(Notice.of("privacy-notice", 2)))
      .purpose("research", LegalBasis.CONSENT)
      .purpose("analytics", LegalBasis.CONSENT)
      // a contract needs no consent, but support may see only what it declares: not the birthday
      .purpose("support", LegalBasis.CONTRACT, "contact.name", "contact.email", "contact.phone", "commerce.order")
      .categories("contact.name", "contact.email", "contact.phone", "profile.birthday", "social.friendship",
          "commerce.order")
      .recipient("quizlab")
      .notice("privacy-notice", 1)
      .notice("privacy-notice", 2)
      .build();

  private static final long SEED = 20260302L;
  private static final String STORE_PREFIX = "crm_consent_";

  private final String url;
  private final HikariDataSource pool;
  private final JdbcConsentStore store;
  private final StoryClock clock;
  private final ConsentEngine engine;
  private final SchemaMapping mapping;
  private final ConsentDataSource guarded;
  private final JdbcTemplate jdbc;
  private final Path auditFile;

  private CrmDatabase(String url, HikariDataSource pool, JdbcConsentStore store, StoryClock clock,
      ConsentEngine engine, SchemaMapping mapping, ConsentDataSource guarded, Path auditFile) {
    this.url = url;
    this.pool = pool;
    this.store = store;
    this.clock = clock;
    this.engine = engine;
    this.mapping = mapping;
    this.guarded = guarded;
    this.jdbc = new JdbcTemplate(guarded);
    this.auditFile = auditFile;
  }

  /**
   * Creates the CRM on the database at {@code jdbcUrl} ({@link #H2_URL}, or e.g.
   * {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres}): drops its old tables, creates
   * and fills the CRM tables and the consent store, records the consents, and wraps the pool.
   *
   * @throws IllegalStateException if the database cannot be set up; the message says why
   */
  public static CrmDatabase start(String jdbcUrl) {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    HikariDataSource pool = pool(jdbcUrl);
    Path auditDir = null;
    ConsentEngine engine = null;
    try {
      dropTables(pool);
      createTables(pool);
      Data data = new Data(new Random(SEED));
      data.insert(pool);

      JdbcConsentStore store = JdbcConsentStore.builder(pool).tablePrefix(STORE_PREFIX).build();
      auditDir = Files.createTempDirectory("crm-audit");
      Path auditFile = auditDir.resolve("audit.jsonl");
      StoryClock clock = new StoryClock(STORY_START);
      engine = ConsentEngine.builder()
          .catalog(CATALOG)
          .store(store)
          .clock(clock)
          // synchronous: no row is read unless the event saying so is on disk
          .auditTrail(AuditTrail.builder(new JsonLinesAuditSink(auditFile)).build())
          .build();
      data.recordConsents(engine);

      SchemaMapping mapping;
      try (InputStream json = CrmDatabase.class.getResourceAsStream("/crm-mapping.json")) {
        mapping = SchemaMapping.fromJson(Objects.requireNonNull(json, "crm-mapping.json is not on the class path"));
      }
      // SUBJECT: the audit trail names whose rows were read, for the subject access export
      ConsentDataSource guarded = ConsentDataSource.wrap(pool, engine, mapping, AuditLevel.SUBJECT);
      return new CrmDatabase(jdbcUrl, pool, store, clock, engine, mapping, guarded, auditFile);
    } catch (SQLException | IOException | RuntimeException e) {
      if (engine != null) {
        engine.close();
      }
      pool.close();
      deleteQuietly(auditDir);
      throw new IllegalStateException("could not set up the CRM on " + redact(jdbcUrl) + ": " + e.getMessage(), e);
    }
  }

  /** The database as it is, around consent4j: for set-up, and to show what consent4j withheld. */
  public DataSource raw() {
    return pool;
  }

  /** The consent ledger, in {@code crm_consent_*} tables of the same database. */
  public JdbcConsentStore store() {
    return store;
  }

  /** The consent engine: grants, withdrawals, processing scopes, audit trail, subject exports. */
  public ConsentEngine engine() {
    return engine;
  }

  /** The clock the engine runs by; the story moves it. */
  public StoryClock clock() {
    return clock;
  }

  /** The schema mapping read from {@code crm-mapping.json}. */
  public SchemaMapping mapping() {
    return mapping;
  }

  /** The guarded data source: every statement on a mapped table is filtered, masked and audited. */
  public DataSource guarded() {
    return guarded;
  }

  /** A JdbcTemplate on {@link #guarded()}. */
  public JdbcTemplate jdbc() {
    return jdbc;
  }

  /** The contact who withdraws her marketing consent in the story ({@link #STORY_CONTACT}). */
  public SubjectId storyContact() {
    return STORY_CONTACT;
  }

  /** The quizlab user whose friends' profiles quizlab asks for ({@link #QUIZ_USER}). */
  public SubjectId quizUser() {
    return QUIZ_USER;
  }

  /** The JSON Lines file the audit trail writes to. */
  public Path auditFile() {
    return auditFile;
  }

  /** The JDBC URL, without password. */
  public String url() {
    return redact(url);
  }

  /**
   * Closes the engine (and its audit file), the pool, and deletes the audit file; an H2
   * in-memory database is shut down, so its data is gone. Idempotent.
   */
  @Override
  public void close() {
    try {
      engine.close();
    } finally {
      try {
        if (url.startsWith("jdbc:h2:mem:") && !pool.isClosed()) {
          try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
          } catch (SQLException e) {
            // already shut down: nothing left to free
          }
        }
      } finally {
        pool.close();
        deleteQuietly(auditFile.getParent());
      }
    }
  }

  @Override
  public String toString() {
    return "CrmDatabase[" + redact(url) + "]";
  }

  // ------------------------------------------------------------------------------- set-up

  private static HikariDataSource pool(String url) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    // Named explicitly: under "mvn exec:java" the driver is not visible to DriverManager's lookup.
    if (url.startsWith("jdbc:h2:")) {
      config.setDriverClassName("org.h2.Driver");
    } else if (url.startsWith("jdbc:postgresql:")) {
      config.setDriverClassName("org.postgresql.Driver");
    }
    config.setPoolName("crm");
    config.setMaximumPoolSize(4);
    config.setMinimumIdle(1);
    config.setConnectionTimeout(10_000);
    return new HikariDataSource(config);
  }

  private static void dropTables(DataSource db) throws SQLException {
    try (Connection c = db.getConnection()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet r = c.getMetaData().getTables(c.getCatalog(), c.getSchema(), "%", new String[] {"TABLE"})) {
        while (r.next()) {
          String name = r.getString("TABLE_NAME");
          if (name.toLowerCase(Locale.ROOT).startsWith("crm_")) {
            tables.add(name);
          }
        }
      }
      try (Statement s = c.createStatement()) {
        for (String t : tables) {
          s.execute("DROP TABLE IF EXISTS " + t + " CASCADE");
        }
      }
    }
  }

  private static void createTables(DataSource db) throws SQLException {
    try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE crm_contact (id INT PRIMARY KEY, name VARCHAR(80) NOT NULL,"
          + " country VARCHAR(2) NOT NULL, email VARCHAR(120), phone VARCHAR(30), birth_date DATE)");
      s.execute("CREATE TABLE crm_friend (user_id INT NOT NULL REFERENCES crm_contact (id),"
          + " friend_id INT NOT NULL REFERENCES crm_contact (id), PRIMARY KEY (user_id, friend_id))");
      s.execute("CREATE TABLE crm_orders (id INT PRIMARY KEY, contact_id INT NOT NULL REFERENCES crm_contact (id),"
          + " amount DECIMAL(10, 2) NOT NULL, placed_at DATE NOT NULL)");
      s.execute("CREATE INDEX crm_orders_contact ON crm_orders (contact_id)");
      s.execute("CREATE TABLE crm_campaign (id INT PRIMARY KEY, name VARCHAR(80) NOT NULL,"
          + " purpose VARCHAR(64) NOT NULL)");
    }
  }

  /** The synthetic CRM: the same rows and consents for the same seed. */
  private static final class Data {
    private static final String[] FIRST = {"Ada", "Ben", "Chloé", "Daan", "Eva", "Finn", "Greta", "Hugo", "Iris",
        "Jonas", "Kim", "Lena", "Milan", "Noor", "Oscar", "Pia", "Quinn", "Rosa", "Sem", "Tess", "Umar", "Vera",
        "Wim", "Xena", "Yara", "Zoë"};
    private static final String[] LAST = {"Jansen", "de Vries", "Müller", "Moreau", "Peeters", "García", "Smit",
        "Schmidt", "Dubois", "Bakker", "Rossi", "Visser", "Weber", "Lambert", "Martín", "Mulder", "Fischer",
        "Laurent", "Janssens", "Ruiz"};
    private static final String[] COUNTRIES = {"NL", "NL", "NL", "DE", "DE", "FR", "BE", "ES"};

    private final Random random;
    private final List<Object[]> contacts = new ArrayList<>();
    private final Set<List<Integer>> friendships = new LinkedHashSet<>();
    private final List<Object[]> orders = new ArrayList<>();

    Data(Random random) {
      this.random = random;
      LocalDate epoch = LocalDate.of(1950, 1, 1);
      for (int id = 1; id <= CONTACTS; id++) {
        String first = FIRST[random.nextInt(FIRST.length)];
        String last = LAST[random.nextInt(LAST.length)];
        if (id == 42) {
          first = "Ada";
          last = "Moreau";
        } else if (id == 7) {
          first = "Tom";
          last = "Jansen";
        }
        String country = id == 42 || id == 7 ? "NL" : COUNTRIES[random.nextInt(COUNTRIES.length)];
        String email = ascii(first + "." + last).toLowerCase(Locale.ROOT) + id + "@example.org";
        String phone = String.format(Locale.ROOT, "+%s 6%08d", dialCode(country), random.nextInt(100_000_000));
        LocalDate birth = epoch.plusDays(random.nextInt(20_000));
        contacts.add(new Object[] {id, first + " " + last, country, email, phone, Date.valueOf(birth)});
      }
      // The quiz user's friends are fixed, so the story's counts are easy to follow.
      List<Integer> quizFriends = new ArrayList<>();
      QUIZ_CONSENTING_FRIENDS.forEach(s -> quizFriends.add(Integer.parseInt(s.value())));
      quizFriends.addAll(QUIZ_OTHER_FRIENDS);
      for (int f : quizFriends) {
        befriend(7, f);
      }
      for (int id = 1; id <= CONTACTS; id++) {
        int n = id == 7 ? 0 : random.nextInt(5);
        for (int i = 0; i < n; i++) {
          int other = 1 + random.nextInt(CONTACTS);
          if (other != id && other != 7) {
            befriend(id, other);
          }
        }
      }
      int orderId = 1;
      LocalDate today = LocalDate.ofInstant(STORY_START, ZoneOffset.UTC);
      for (int id = 1; id <= CONTACTS; id++) {
        int n = random.nextInt(5);
        for (int i = 0; i < n; i++) {
          BigDecimal amount = BigDecimal.valueOf(500 + random.nextInt(49_500), 2);
          orders.add(new Object[] {orderId++, id, amount, Date.valueOf(today.minusDays(1 + random.nextInt(720)))});
        }
      }
    }

    private void befriend(int a, int b) {
      friendships.add(List.of(a, b));
      friendships.add(List.of(b, a));
    }

    void insert(DataSource db) throws SQLException {
      try (Connection c = db.getConnection()) {
        c.setAutoCommit(false);
        batch(c, "INSERT INTO crm_contact (id, name, country, email, phone, birth_date) VALUES (?, ?, ?, ?, ?, ?)",
            contacts);
        List<Object[]> friends = new ArrayList<>();
        friendships.forEach(f -> friends.add(f.toArray()));
        batch(c, "INSERT INTO crm_friend (user_id, friend_id) VALUES (?, ?)", friends);
        batch(c, "INSERT INTO crm_orders (id, contact_id, amount, placed_at) VALUES (?, ?, ?, ?)", orders);
        batch(c, "INSERT INTO crm_campaign (id, name, purpose) VALUES (?, ?, ?)", List.of(
            new Object[] {1, "Spring sale 2026", "marketing.email"},
            new Object[] {2, "Monthly newsletter", "marketing.email"}));
        c.commit();
        c.setAutoCommit(true);
      }
    }

    private static void batch(Connection c, String sql, List<Object[]> rows) throws SQLException {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        int n = 0;
        for (Object[] row : rows) {
          for (int i = 0; i < row.length; i++) {
            ps.setObject(i + 1, row[i]);
          }
          ps.addBatch();
          if (++n % 500 == 0) {
            ps.executeBatch();
          }
        }
        ps.executeBatch();
      }
    }

    /**
     * Records each contact's consents as the CRM's sign-up forms and quizlab's app collected them,
     * at times in the past, through the engine.
     */
    void recordConsents(ConsentEngine engine) {
      Instant now = engine.clock().instant();
      Set<Integer> fixed = new LinkedHashSet<>(List.of(7, 13, 42, 101, 505));
      fixed.addAll(QUIZ_OTHER_FRIENDS);
      for (int id = 1; id <= CONTACTS; id++) {
        SubjectId subject = SubjectId.of(id);
        // drawn for every contact, so the fixed ones do not shift everyone else's consents
        double marketing = random.nextDouble();
        boolean wholeContact = random.nextDouble() < 0.6;
        int notice = random.nextDouble() < 0.15 ? 1 : 2;
        double fate = random.nextDouble();
        int age = 1 + random.nextInt(700);
        int later = random.nextInt(400);
        double research = random.nextDouble();
        double analytics = random.nextDouble();
        if (fixed.contains(id)) {
          continue;
        }
        if (marketing < 0.45) {
          Grant.Builder g = Grant.builder(subject).purpose("marketing.email").notice("privacy-notice", notice)
              .evidence(CollectionMethod.WEB_FORM, "newsletter-signup");
          g = wholeContact ? g.category("contact") : g.category("contact.name").category("contact.email");
          if (fate < 0.10) { // expired: a one-year consent given 400 to 800 days ago
            Instant at = now.minus(Duration.ofDays(400 + later));
            engine.grant(g.grantedAt(at).expiresAt(at.plus(Duration.ofDays(365))));
          } else if (fate < 0.18) { // withdrawn some days after it was given
            Instant at = now.minus(Duration.ofDays(age));
            engine.grant(g.grantedAt(at));
            engine.record(Withdrawal.of(subject, Purpose.of("marketing.email"),
                at.plus(Duration.ofDays(random.nextInt(age)))));
          } else {
            engine.grant(g.grantedAt(now.minus(Duration.ofDays(age))));
          }
        }
        if (research < 0.12) {
          engine.grant(quizlab(subject).grantedAt(now.minus(Duration.ofDays(age))));
        }
        if (analytics < 0.35) {
          engine.grant(Grant.builder(subject).purpose("analytics").category("commerce.order")
              .notice("privacy-notice", 2).evidence(CollectionMethod.MOBILE_APP, "app-onboarding")
              .grantedAt(now.minus(Duration.ofDays(age))));
        }
      }
      Instant monthAgo = now.minus(Duration.ofDays(30));
      // Ada: marketing e-mail (all contact data), quizlab's quiz, analytics
      engine.grant(Grant.builder(STORY_CONTACT).purpose("marketing.email").category("contact")
          .notice("privacy-notice", 2).evidence(CollectionMethod.WEB_FORM, "newsletter-signup")
          .grantedAt(monthAgo));
      engine.grant(quizlab(STORY_CONTACT).grantedAt(monthAgo));
      engine.grant(Grant.builder(STORY_CONTACT).purpose("analytics").category("commerce.order")
          .notice("privacy-notice", 2).evidence(CollectionMethod.MOBILE_APP, "app-onboarding").grantedAt(monthAgo));
      // Tom, the quiz user, and two of his friends took quizlab's quiz; one more friend allowed
      // research by the CRM itself, not by quizlab
      for (SubjectId s : List.of(QUIZ_USER, SubjectId.of(101), SubjectId.of(505))) {
        engine.grant(quizlab(s).grantedAt(monthAgo));
      }
      engine.grant(Grant.builder(FIRST_PARTY_RESEARCH_FRIEND).purpose("research").category("contact.name")
          .category("profile.birthday").category("social.friendship").notice("privacy-notice", 2)
          .evidence(CollectionMethod.WEB_FORM, "customer-survey").grantedAt(monthAgo));
    }

    private static Grant.Builder quizlab(SubjectId subject) {
      return Grant.builder(subject).purpose("research").recipient("quizlab")
          .category("contact.name").category("profile.birthday").category("social.friendship")
          .notice("privacy-notice", 2).evidence(CollectionMethod.WEB_FORM, "quizlab-personality-quiz");
    }

    private static String dialCode(String country) {
      return switch (country) {
        case "NL" -> "31";
        case "DE" -> "49";
        case "FR" -> "33";
        case "BE" -> "32";
        default -> "34";
      };
    }

    private static String ascii(String name) {
      return java.text.Normalizer.normalize(name, java.text.Normalizer.Form.NFD)
          .replaceAll("\\p{M}", "").replace(" ", "");
    }
  }

  private static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // a temporary directory left behind is harmless
    }
  }
}
