package org.consent4j.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import com.google.common.testing.NullPointerTester;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import org.consent4j.ConsentRecord;
import org.consent4j.DataCategory;
import org.consent4j.Grant;
import org.consent4j.Purpose;
import org.consent4j.SubjectId;
import org.consent4j.jdbc.TestDatabases.Database;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

final class JdbcConsentStoreConfigurationTest {
  final Database h2 = TestDatabases.h2();

  @AfterEach
  void dropDatabase() throws Exception {
    h2.close();
  }

  @Test
  void defaultTablePrefixIsConsent4j() {
    JdbcConsentStore store = JdbcConsentStore.create(h2.dataSource());
    assertEquals("consent4j_", store.tablePrefix());
    assertEquals("JdbcConsentStore[H2, consent4j_*]", store.toString());
  }

  @Test
  void invalidTablePrefixIsRejectedNamingIt() {
    JdbcConsentStore.Builder builder = JdbcConsentStore.builder(h2.dataSource());
    for (String bad : List.of("", "1abc", "Upper_", "semi;colon", "a b", "x".repeat(32), "t\"; DROP TABLE x; --")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> builder.tablePrefix(bad));
      assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
    builder.tablePrefix("x".repeat(31));
    builder.tablePrefix("a");
  }

  @Test
  void unsupportedDatabaseIsRejectedNamingTheProduct() throws Exception {
    DataSource oracle = mock(DataSource.class);
    Connection c = mock(Connection.class);
    DatabaseMetaData meta = mock(DatabaseMetaData.class);
    when(oracle.getConnection()).thenReturn(c);
    when(c.getMetaData()).thenReturn(meta);
    when(meta.getDatabaseProductName()).thenReturn("Oracle");

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JdbcConsentStore.create(oracle));

    assertTrue(e.getMessage().contains("'Oracle'"), e.getMessage());
    org.mockito.Mockito.verify(c).close();
  }

  @Test
  void everyPublicMethodRejectsNull() {
    NullPointerTester tester = new NullPointerTester()
        .setDefault(DataSource.class, h2.dataSource())
        .setDefault(ConsentRecord.class,
            Grant.of(SubjectId.of("c-1"), Purpose.of("marketing"), DataCategory.of("contact"), Instant.EPOCH))
        .setDefault(SubjectId.class, SubjectId.of("c-1"))
        .setDefault(String.class, "p_");
    tester.testAllPublicStaticMethods(JdbcConsentStore.class);
    JdbcConsentStore store = JdbcConsentStore.create(h2.dataSource());
    tester.testAllPublicInstanceMethods(store);
    tester.testAllPublicInstanceMethods(JdbcConsentStore.builder(h2.dataSource()));
    assertThrows(NullPointerException.class, () -> store.histories(java.util.Arrays.asList(SubjectId.of("a"), null)));
  }
}
