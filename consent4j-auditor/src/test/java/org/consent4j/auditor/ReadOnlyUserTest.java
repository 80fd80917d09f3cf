package org.consent4j.auditor;

import static org.consent4j.auditor.Crm.auditor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.UUID;
import org.consent4j.core.ConsentEngine;
import org.consent4j.jdbc.JdbcConsentStore;
import org.consent4j.jdbc.audit.JdbcAuditSink;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The auditor needs nothing but {@code SELECT} on the consent4j tables: a user with only that
 * right verifies the trail, exports a subject and counts the record of processing activities, on H2, PostgreSQL and MariaDB. Its password comes
 * from {@code --password-env}, as an operator would give it.
 */
final class ReadOnlyUserTest {
  /** Set by the surefire configuration. */
  static final String PASSWORD_ENV = "CONSENT4J_AUDITOR_TEST_READONLY_PASSWORD";

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.consent4j.auditor.TestDb#all")
  void aUserWhoMayOnlySelectVerifiesAndExports(TestDb db) throws Exception {
    try (ConsentEngine engine = Crm.run(JdbcConsentStore.builder(db.dataSource()).tablePrefix(db.prefix()).build(),
        JdbcAuditSink.builder(db.dataSource()).tablePrefix(db.prefix()).build())) {
      String user = "c4ja_ro_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
      String password = System.getenv(PASSWORD_ENV);
      List<String> tables = db.tablesStartingWith(db.prefix());
      assertTrue(tables.contains(db.prefix() + "audit"), tables::toString);
      String kind = db.toString();
      String grantee = kind.equals("MariaDB") ? "'" + user + "'@'%'" : user;
      switch (kind) {
        case "H2" -> db.sql("CREATE USER " + user + " PASSWORD '" + password + "'");
        case "PostgreSQL" -> db.sql("CREATE ROLE " + user + " LOGIN PASSWORD '" + password + "'");
        default -> db.sql("CREATE USER " + grantee + " IDENTIFIED BY '" + password + "'");
      }
      try {
        for (String t : tables) {
          db.sql("GRANT SELECT ON " + t + " TO " + grantee);
        }
        // the URL without its own credentials (on H2, without the setting only an admin may make; the
        // database stays open anyway): the user and password come from the options
        String url = kind.equals("H2") ? db.url().substring(0, db.url().indexOf(';'))
            : db.url().substring(0, db.url().indexOf('?'));
        String[] credentials = {"--user", user, "--password-env", PASSWORD_ENV, "--table-prefix", db.prefix()};

        Crm.Result verify = auditor(concat(new String[] {"verify", "--jdbc-url", url}, credentials));
        assertEquals(Auditor.VALID, verify.exitCode(), verify::toString);
        assertTrue(verify.out().startsWith("INTACT: "), verify::toString);

        Crm.Result export = auditor(concat(new String[] {"export", "--jdbc-url", url, "--subject",
            Crm.BOB.value()}, credentials));
        assertEquals(Auditor.VALID, export.exitCode(), export::toString);
        assertTrue(export.out().contains("\"type\" : \"withdrawal\""), export::toString);

        Crm.Result ropa = auditor(concat(new String[] {"processing-records", "--catalog",
            java.nio.file.Path.of(getClass().getResource("/catalog.json").toURI()).toString(), "--controller",
            "Example CRM Ltd", "--jdbc-url", url}, credentials));
        assertEquals(Auditor.VALID, ropa.exitCode(), ropa::toString);
        assertTrue(ropa.out().contains("\"purpose\" : \"marketing.email\""), ropa::toString);

        // and the user really can only read: the claim is about these rights
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, user, password);
            java.sql.Statement s = c.createStatement()) {
          assertThrows(java.sql.SQLException.class, () -> s.executeUpdate("DELETE FROM " + db.prefix() + "audit"));
        }
        assertEquals(Auditor.VALID, auditor(concat(new String[] {"verify", "--jdbc-url", url}, credentials)).exitCode());
      } finally {
        switch (kind) {
          case "H2" -> db.sql("DROP USER " + user);
          case "PostgreSQL" -> db.sql("DROP OWNED BY " + user, "DROP ROLE " + user);
          default -> db.sql("DROP USER " + grantee);
        }
      }
    }
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
