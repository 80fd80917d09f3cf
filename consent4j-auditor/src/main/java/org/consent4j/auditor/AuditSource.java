package org.consent4j.auditor;

import java.nio.file.Files;
import java.nio.file.Path;
import org.consent4j.core.audit.JsonLinesAuditSink;
import org.consent4j.spi.AuditSink;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** Where an audit trail is: a database ({@code --jdbc-url} and its options) or a JSON-lines file. */
final class AuditSource {
  @ArgGroup(exclusive = false, heading = "Audit trail in a database:%n")
  DatabaseOptions database;

  @Option(names = "--file", paramLabel = "FILE",
      description = "An audit trail in a JSON-lines file (JsonLinesAuditSink). The tool takes the file's lock, so"
          + " verify a copy while an application writes it.")
  Path file;

  /** Opens the sink; the caller closes it. */
  AuditSink open() {
    if (database != null) {
      return database.auditSink();
    }
    return openFile(file);
  }

  /** A short, credential-free name of the source for messages. */
  String describe() {
    return database != null ? database.describe() : "file " + file;
  }

  static AuditSink openFile(Path file) {
    if (!Files.isRegularFile(file)) {
      // JsonLinesAuditSink would create it, and an empty trail verifies.
      throw new Auditor.DataError("there is no audit file " + file + " (the tool never creates one)");
    }
    return new JsonLinesAuditSink(file);
  }
}
