package org.consent4j.auditor;

import java.sql.SQLException;

/**
 * Turns an exception into the one line the tool prints. The library's own messages name
 * operations, tables, files and sequences, never record content; a database driver's message may
 * quote values, so of a driver's exception only the SQLState is shown (except where connecting
 * failed: see {@link DriverDataSource}, which removes the credentials first).
 */
final class Failures {
  private Failures() {}

  static String describe(Throwable e) {
    String message = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof SQLException s) {
      message = "the database refused (" + e.getClass().getSimpleName() + ")";
      if (s.getSQLState() != null) {
        message += ", SQLState " + s.getSQLState();
      }
      return message;
    }
    for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
      if (c instanceof SQLException s && s.getSQLState() != null && !message.contains("SQLState")) {
        return message + " (SQLState " + s.getSQLState() + ")";
      }
    }
    return message;
  }
}
