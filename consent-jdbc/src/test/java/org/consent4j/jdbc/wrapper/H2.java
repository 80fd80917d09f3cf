package org.consent4j.jdbc.wrapper;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.h2.jdbcx.JdbcDataSource;

/** In-memory H2 databases for the wrapper tests. */
final class H2 {
  private H2() {}

  /**
   * A data source over a fresh in-memory database named {@code name}, kept alive until {@code
   * keepAlive} closes, with a CONTACT table (protected in the tests) and a NOTE table (not).
   */
  static JdbcDataSource database(String name) {
    JdbcDataSource dataSource = new JdbcDataSource();
    dataSource.setURL("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1");
    return dataSource;
  }

  /** (Re)creates CONTACT(ID, EMAIL, TAGS) with three rows and NOTE(ID, TEXT) with one. */
  static void reset(Connection raw) throws SQLException {
    try (Statement statement = raw.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS CONTACT");
      statement.execute("DROP TABLE IF EXISTS NOTE");
      statement.execute(
          "CREATE TABLE CONTACT(ID INT PRIMARY KEY, EMAIL VARCHAR(100), TAGS INT ARRAY)");
      statement.execute(
          "INSERT INTO CONTACT VALUES (1, 'a@x.org', ARRAY[1, 2]), (2, 'b@x.org', ARRAY[3]),"
              + " (3, 'c@y.org', ARRAY[])");
      statement.execute(
          "CREATE TABLE NOTE(ID INT AUTO_INCREMENT PRIMARY KEY, TEXT VARCHAR(100))");
      statement.execute("INSERT INTO NOTE(TEXT) VALUES ('hello')");
    }
  }
}
