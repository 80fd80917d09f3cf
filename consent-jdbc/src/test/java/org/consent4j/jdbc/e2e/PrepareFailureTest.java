package org.consent4j.jdbc.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import org.consent4j.AuditEvent;
import org.consent4j.Outcome;
import org.consent4j.core.ProcessingScope;
import org.consent4j.jdbc.ConsentSQLException;
import org.consent4j.jdbc.TestDatabases.Database;
import org.consent4j.jdbc.e2e.GuardedDataSourceEndToEndTest.Crm;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A rewritten statement that the driver rejects when it is prepared is handled as one rejected
 * when it runs: a {@code FAILED} audit event, and the database's SQLState without its message
 * (H2's quotes the whole rewritten statement). H2 prepares on the server at {@code
 * prepareStatement}; PostgreSQL's and MariaDB's drivers (client-side prepare by default) only
 * reject the statement when it executes, so there the test holds the same outcome one step later.
 */
@SuppressWarnings("try") // scopes are opened for their effect on the thread
final class PrepareFailureTest {

  static java.util.stream.Stream<Database> databases() {
    return org.consent4j.jdbc.TestDatabases.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aStatementTheDatabaseRejectsIsAuditedAndItsMessageWithheldWhereverTheDriverRejectsIt(Database db)
      throws Exception {
    for (String sql : List.of("SELECT id, no_such_column FROM $contact WHERE id = ?",
        "UPDATE $contact SET email = ? WHERE no_such_column = 1")) {
      try (Crm crm = new Crm(db); ProcessingScope scope = crm.engine.process(Crm.MARKETING);
          Connection c = crm.guarded.getConnection()) {
        int mark = crm.auditRecords().size();
        SQLException e = assertThrows(SQLException.class, () -> {
          try (PreparedStatement ps = c.prepareStatement(crm.sql(sql))) {
            ps.setString(1, "1");
            ps.execute();
          }
        });
        assertFalse(e instanceof ConsentSQLException, e::toString);
        assertTrue(e.getMessage().contains("withheld"), e.getMessage());
        for (String internal : List.of("consent_state", "c4j_", crm.p)) {
          assertFalse(e.getMessage().toLowerCase(java.util.Locale.ROOT).contains(internal), e.getMessage());
        }
        assertNull(e.getCause());
        assertNotNull(e.getSQLState());
        List<AuditEvent> failed = crm.auditEventsSince(mark).stream().filter(a -> a.reason().equals("FAILED"))
            .toList();
        assertEquals(1, failed.size(), () -> crm.auditEventsSince(mark).toString());
        assertEquals(Outcome.DENY, failed.get(0).outcome());
        assertEquals(Crm.MARKETING.purpose(), failed.get(0).purpose());
      }
    }
  }
}
