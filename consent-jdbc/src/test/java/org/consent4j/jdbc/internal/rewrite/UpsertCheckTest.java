package org.consent4j.jdbc.internal.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.consent4j.AccessContext;
import org.consent4j.Catalog;
import org.consent4j.DataCategory;
import org.consent4j.LegalBasis;
import org.consent4j.jdbc.internal.Dialect;
import org.junit.jupiter.api.Test;

/**
 * Which upserts the rewriter lets through (issue 12, item 10), decided from the table's unique
 * keys and subject columns alone; what they do on the databases is proven by {@code UpsertTest}
 * and {@code UpsertProperties}.
 */
final class UpsertCheckTest {
  static final Catalog CATALOG = Catalog.builder().purpose("marketing", LegalBasis.CONSENT)
      .categories("contact.email").build();
  static final Optional<AccessContext> CONTEXT = Optional.of(AccessContext.of("crm", "marketing"));

  /** {@code contact(id, email)} keyed by id, and {@code account(login, email)} keyed by a text login. */
  static SqlRewriter rewriter(List<ProtectedTable.UniqueKey> contactKeys) {
    ProtectedTable contact = new ProtectedTable(Optional.empty(), "contact", List.of(
        new ProtectedTable.Column("id", false, true), new ProtectedTable.Column("email", true)),
        List.of("id"), Optional.empty(), Map.of("email", DataCategory.of("contact.email")),
        Optional.of(contactKeys), List.of(), List.of());
    ProtectedTable account = new ProtectedTable(Optional.empty(), "account", List.of(
        new ProtectedTable.Column("login", true), new ProtectedTable.Column("email", true)),
        List.of("login"), Optional.empty(), Map.of("email", DataCategory.of("contact.email")),
        Optional.of(List.of(new ProtectedTable.UniqueKey("account_pkey", List.of("login")))), List.of(), List.of());
    ProtectedTable unread = new ProtectedTable(Optional.empty(), "unread", List.of(
        new ProtectedTable.Column("id", false, true)), List.of("id"), Optional.empty(), Map.of());
    return new SqlRewriter(List.of(contact, account, unread), CATALOG, Dialect.POSTGRESQL, "c4j_");
  }

  static final List<ProtectedTable.UniqueKey> PK = List.of(new ProtectedTable.UniqueKey("contact_pkey", List.of("id")));

  static RewriteRefusedException refusal(List<ProtectedTable.UniqueKey> keys, String sql) {
    return assertThrows(RewriteRefusedException.class, () -> rewriter(keys).rewrite(sql, CONTEXT), sql);
  }

  @Test
  void aConflictOnTheSubjectsKeyPassesWithAnInsertCheckOfItsSubject() {
    for (String sql : List.of("INSERT INTO contact (id, email) VALUES (?, ?) ON CONFLICT (id) DO NOTHING",
        "INSERT INTO contact (id, email) VALUES (?, ?) ON CONFLICT ON CONSTRAINT contact_pkey DO NOTHING",
        "INSERT INTO contact (id) VALUES (?) ON CONFLICT DO NOTHING",
        "INSERT INTO contact (id, email) VALUES (?, ?) ON DUPLICATE KEY UPDATE email = VALUES(email)",
        "INSERT INTO account (login, email) VALUES (?, ?) ON CONFLICT (login) DO UPDATE SET email = EXCLUDED.email")) {
      RewrittenStatement r = rewriter(PK).rewrite(sql, CONTEXT);
      // one check of the subject alone, whatever the row stores
      assertTrue(r.writeChecks().stream().anyMatch(w -> w.categories().isEmpty() && w.subjects().size() == 1), sql);
    }
  }

  @Test
  void aConflictThatCouldMatchAnotherSubjectsRowIsRefused() {
    List<ProtectedTable.UniqueKey> withEmail = List.of(PK.get(0),
        new ProtectedTable.UniqueKey("contact_email", List.of("email")));
    for (String sql : List.of("INSERT INTO contact (id) VALUES (?) ON CONFLICT DO NOTHING",
        "INSERT INTO contact (id, email) VALUES (?, ?) ON CONFLICT (email) DO NOTHING",
        "INSERT INTO contact (id, email) VALUES (?, ?) ON CONFLICT ON CONSTRAINT contact_email DO NOTHING",
        "INSERT INTO contact (id, email) VALUES (?, ?) ON DUPLICATE KEY UPDATE email = VALUES(email)",
        "INSERT IGNORE INTO contact (id, email) VALUES (?, ?)")) {
      RewriteRefusedException e = refusal(withEmail, sql);
      assertEquals(RewriteRefusedException.Why.BYPASS_REFUSED, e.why(), sql);
      assertTrue(e.getMessage().contains("does not hold the subject column"), e.getMessage());
    }
  }

  @Test
  void whatCannotBeMadeSafeIsRefusedWithItsReason() {
    Map<String, String> reasons = Map.of(
        "INSERT INTO contact (id) VALUES (?) ON CONFLICT ON CONSTRAINT other DO NOTHING", "not a unique key",
        "INSERT INTO contact (id) VALUES (?) ON CONFLICT ((id + 1)) DO NOTHING", "cannot be parsed",
        "INSERT INTO contact (id) VALUES (?) ON CONFLICT (id) DO UPDATE SET id = 2", "assigns the subject column",
        "INSERT INTO unread (id) VALUES (?) ON CONFLICT (id) DO NOTHING", "could not be read",
        "INSERT INTO account (login, email) VALUES (?, ?) ON DUPLICATE KEY UPDATE email = VALUES(email)",
        "is not an integer",
        "INSERT INTO contact (id) VALUES (?) ON CONFLICT (id) DO UPDATE SET email = 'x' RETURNING email",
        "RETURNING");
    reasons.forEach((sql, reason) -> {
      RewriteRefusedException e = refusal(PK, sql);
      assertTrue(e.getMessage().contains(reason), sql + ": " + e.getMessage());
    });
    for (String sql : List.of("INSERT INTO contact (id) VALUES (1 + 1) ON CONFLICT (id) DO NOTHING",
        "INSERT INTO contact SELECT 1, 'x' ON CONFLICT (id) DO NOTHING")) {
      assertEquals(RewriteRefusedException.Why.SUBJECT_UNKNOWN, refusal(PK, sql).why(), sql);
    }
  }

  /** A subject the database generates is known only after the upsert ran: too late to know its conflict is visible. */
  @Test
  void anUpsertWhoseSubjectTheDatabaseGeneratesIsRefused() {
    ProtectedTable ticket = new ProtectedTable(Optional.empty(), "ticket", List.of(
        new ProtectedTable.Column("id", false, true, true, true), new ProtectedTable.Column("email", true)),
        List.of("id"), Optional.empty(), Map.of("email", DataCategory.of("contact.email")),
        Optional.of(List.of(new ProtectedTable.UniqueKey("ticket_pkey", List.of("id")))), List.of(), List.of());
    SqlRewriter rewriter = new SqlRewriter(List.of(ticket), CATALOG, Dialect.POSTGRESQL, "c4j_");
    RewriteRefusedException e = assertThrows(RewriteRefusedException.class, () -> rewriter.rewrite(
        "INSERT INTO ticket (email) VALUES (?) ON CONFLICT (id) DO NOTHING", CONTEXT));
    assertEquals(RewriteRefusedException.Why.SUBJECT_UNKNOWN, e.why());
    assertTrue(e.getMessage().contains("generated by the database"), e.getMessage());
    rewriter.rewrite("INSERT INTO ticket (email) VALUES (?)", CONTEXT); // a plain INSERT is checked after it runs
  }
}
