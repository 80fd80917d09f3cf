package org.consent4j.jdbc.e2e;

import static org.consent4j.jdbc.e2e.GuardedDataSourceEndToEndTest.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.consent4j.AuditEvent;
import org.consent4j.core.ProcessingScope;
import org.consent4j.jdbc.ConsentSQLException;
import org.consent4j.jdbc.ConsentSQLException.ReasonCode;
import org.consent4j.jdbc.TestDatabases;
import org.consent4j.jdbc.TestDatabases.Database;
import org.consent4j.jdbc.e2e.GuardedDataSourceEndToEndTest.Crm;
import org.consent4j.jdbc.wrapper.ConsentDataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;

/**
 * Spring's JdbcTemplate as the client, HikariCP as the pool, in both places a pool can stand:
 * on top of the guarded data source ({@code HikariDataSource} whose data source is the {@code
 * ConsentDataSource}) and underneath it ({@code ConsentDataSource} over a {@code
 * HikariDataSource}). Same CRM and grants as {@link GuardedDataSourceEndToEndTest}.
 */
@SuppressWarnings("try") // processing scopes are opened for their effect on the thread
final class SpringOverHikariEndToEndTest {

  static Stream<Database> databases() {
    return TestDatabases.all();
  }

  static final RowMapper<List<Object>> ROW = (r, i) -> row(r.getObject(1), r.getObject(2), r.getObject(3));

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void jdbcTemplateOverHikariOverTheGuardedDataSource(Database db) throws Exception {
    try (Crm crm = new Crm(db); HikariDataSource hikari = hikari(crm.guarded)) {
      runs(crm, new JdbcTemplate(hikari));
      // refusals (SQLState 42501) are not taken for broken connections: nothing was evicted
      assertEquals(1, hikari.getHikariPoolMXBean().getTotalConnections());
      // HikariCP on top unwraps to the guarded connection, and no further
      JdbcTemplate jdbc = new JdbcTemplate(hikari);
      Class<?> driverConnection = switch (db.name()) {
        case "H2" -> org.h2.jdbc.JdbcConnection.class;
        case "PostgreSQL" -> org.postgresql.PGConnection.class;
        default -> org.mariadb.jdbc.Connection.class;
      };
      DataAccessException e = assertThrows(DataAccessException.class,
          () -> jdbc.execute((ConnectionCallback<Object>) con -> con.unwrap(driverConnection)));
      assertEquals(ReasonCode.WRAPPER_UNWRAP_REFUSED,
          assertInstanceOf(ConsentSQLException.class, e.getCause(), e.toString()).reasonCode());
      // a pool over a guarded data source cannot be guarded a second time
      assertThrows(IllegalArgumentException.class,
          () -> ConsentDataSource.wrap(hikari, crm.engine, crm.mapping, crm.store));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void jdbcTemplateOverTheGuardedDataSourceOverHikari(Database db) throws Exception {
    try (Crm crm = new Crm(db); HikariDataSource hikari = hikari(db.dataSource())) {
      ConsentDataSource guarded = ConsentDataSource.wrap(hikari, crm.engine, crm.mapping, crm.store);
      runs(crm, new JdbcTemplate(guarded));
      assertEquals(1, hikari.getHikariPoolMXBean().getTotalConnections());
      // the pool's own connection proxy is not handed out either
      try (java.sql.Connection c = guarded.getConnection()) {
        assertThrows(ConsentSQLException.class, () -> c.unwrap(com.zaxxer.hikari.pool.HikariProxyConnection.class));
      }
    }
  }

  private static HikariDataSource hikari(DataSource under) {
    HikariConfig config = new HikariConfig();
    config.setDataSource(under);
    // One connection, made while the pool starts: nothing is added in the background (which
    // HikariCP's shutdown does not wait for when the data source's login timeout is 0, as the test
    // pool's is), and a connection leaked through the wrapper would show as a time-out.
    config.setMaximumPoolSize(1);
    config.setMinimumIdle(1);
    config.setConnectionTimeout(5_000);
    config.setPoolName("consent4j-e2e");
    return new HikariDataSource(config);
  }

  private static void runs(Crm crm, JdbcTemplate jdbc) {
    String select = crm.sql("SELECT id, email, phone FROM $contact WHERE country = ? AND id >= ? ORDER BY id");
    try (ProcessingScope scope = crm.engine.process(Crm.MARKETING)) {
      int mark = crm.auditRecords().size();
      assertEquals(List.of(row(2, "c2@example.org", null), row(3, null, "+31 3")),
          jdbc.query(select, ROW, "NL", 2));
      List<AuditEvent> events = crm.auditEventsSince(mark);
      assertEquals(List.of("EXECUTING", "ROWS_RETURNED"), events.stream().map(AuditEvent::reason).toList());
      assertEquals("2", events.get(1).details().get("rows"));

      assertEquals(List.of(row(1, "c1@example.org", "+31 1"), row(2, "c2@example.org", null),
          row(3, null, "+31 3")), jdbc.query(select, ROW, "NL", 0));
      assertEquals(List.of(), jdbc.query(select, ROW, "DE", 0)); // 5 has not consented
      assertEquals(3L, jdbc.queryForObject(crm.sql("SELECT count(*) FROM $contact WHERE country = ?"), Long.class,
          "NL"));
      assertEquals(List.of(Map.of("FRIEND_ID", 2L, "EMAIL", "c2@example.org")), upper(jdbc.queryForList(
          crm.sql("SELECT f.friend_id, c.email FROM $friend f LEFT JOIN $contact c ON c.id = f.friend_id"
              + " WHERE f.user_id = ? AND f.friend_id <> ?"), 1, 3)));
      assertEquals(3, jdbc.update(crm.sql("INSERT INTO $export_list SELECT id, email FROM $contact WHERE id <= ?"), 5));
    }
    try (ProcessingScope scope = crm.engine.process(Crm.SUPPORT)) {
      assertEquals(List.of(row(5, "c5@example.org", null)), jdbc.query(select, ROW, "DE", 0));
    }
    try (ProcessingScope scope = crm.engine.process(Crm.QUIZLAB)) {
      assertEquals(List.of(row(1, "c1@example.org", "+31 1")), jdbc.query(select, ROW, "NL", 0));
    }
    // unmapped table, no context
    assertEquals(List.of(row(1, "c1@example.org", 1), row(2, "c2@example.org", 2), row(3, null, 3)),
        jdbc.query(crm.sql("SELECT id, email, id FROM $export_list ORDER BY id"), ROW));

    // refusals come out as Spring exceptions whose cause carries the reason; the pool keeps working
    DataAccessException e = assertThrows(DataAccessException.class, () -> jdbc.query(select, ROW, "NL", 0));
    ConsentSQLException cause = assertInstanceOf(ConsentSQLException.class, e.getCause(), e.toString());
    assertEquals(ReasonCode.NO_CONTEXT, cause.reasonCode());
    try (ProcessingScope scope = crm.engine.process(Crm.MARKETING)) {
      e = assertThrows(DataAccessException.class,
          () -> jdbc.execute(crm.sql("CREATE TABLE $t AS SELECT * FROM $contact")));
      cause = assertInstanceOf(ConsentSQLException.class, e.getCause(), e.toString());
      assertEquals(ReasonCode.BYPASS_REFUSED, cause.reasonCode());
      assertEquals(3L, jdbc.queryForObject(crm.sql("SELECT count(*) FROM $contact"), Long.class));
    }
  }

  private static List<Map<String, Object>> upper(List<Map<String, Object>> rows) {
    return rows.stream().<Map<String, Object>>map(m -> {
      Map<String, Object> out = new java.util.TreeMap<>();
      m.forEach((k, v) -> out.put(k.toUpperCase(java.util.Locale.ROOT), v instanceof Number n ? n.longValue() : v));
      return out;
    }).toList();
  }
}
