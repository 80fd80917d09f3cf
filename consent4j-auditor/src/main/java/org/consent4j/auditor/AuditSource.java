package org.consent4j.auditor;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.consent4j.AuditRecord;
import org.consent4j.core.audit.JsonLinesAuditSink;
import org.consent4j.spi.AuditSink;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** Where an audit trail is: a database ({@code --jdbc-url} and its options) or a JSON-lines file. */
final class AuditSource {
  @ArgGroup(exclusive = false, heading = "Audit trail in a database:%n")
  DatabaseOptions database;

  @Option(names = "--file", paramLabel = "FILE",
      description = "An audit trail in a JSON-lines file (JsonLinesAuditSink); it is read, never written, and may"
          + " be in use by a running application.")
  Path file;

  /** Opens the sink; the caller closes it. */
  AuditSink open(PrintWriter err) {
    if (database != null) {
      return database.auditSink();
    }
    return openFile(file, err);
  }

  /** A short, credential-free name of the source for messages. */
  String describe() {
    return database != null ? database.describe() : "file " + file;
  }

  /**
   * The file's records, read through {@link JsonLinesAuditSink} so that a line is parsed exactly as
   * the library reads it. That sink opens its file for writing and locks it, which an auditor may
   * not be allowed to, and which fails while the application holds the file; so it reads a private
   * copy (in {@code java.io.tmpdir}, readable by its owner only, deleted on close) of the file up to
   * its last complete line. A line still being written when the copy was taken is left out, and
   * said so on {@code err}: a record is acknowledged only once its whole line is on disk.
   */
  static AuditSink openFile(Path file, PrintWriter err) {
    if (!Files.isRegularFile(file)) {
      // JsonLinesAuditSink would create it, and an empty trail verifies.
      throw new Auditor.DataError("there is no audit file " + file + " (the tool never creates one)");
    }
    Path copy;
    try {
      copy = Files.createTempFile("consent4j-auditor-", ".jsonl");
    } catch (IOException e) {
      throw new Auditor.DataError("cannot make a private copy of audit file " + file + " in "
          + System.getProperty("java.io.tmpdir"), e);
    }
    try {
      long kept = copyCompleteLines(file, copy);
      long size = Files.size(copy);
      if (kept < size) {
        try (FileChannel c = FileChannel.open(copy, StandardOpenOption.WRITE)) {
          c.truncate(kept);
        }
        err.println("WARNING: audit file " + file + " ends with an incomplete line (a write in progress, or a crash"
            + " during one); it was left out, and the records before it were read");
      }
      JsonLinesAuditSink sink = new JsonLinesAuditSink(copy);
      return new AuditSink() {
        @Override
        public void write(List<AuditRecord> records) {
          throw new UnsupportedOperationException("the auditor never writes an audit trail");
        }

        @Override
        public Optional<AuditRecord> last() {
          return sink.last();
        }

        @Override
        public Stream<AuditRecord> read() {
          return sink.read();
        }

        @Override
        public void close() {
          try {
            sink.close();
          } finally {
            deleteQuietly(copy);
          }
        }
      };
    } catch (IOException | RuntimeException e) {
      deleteQuietly(copy);
      if (e instanceof RuntimeException r) {
        throw r;
      }
      throw new Auditor.DataError("audit file " + file + " cannot be read", e);
    }
  }

  /** Copies {@code from}; returns the length of its part up to and including its last line break. */
  private static long copyCompleteLines(Path from, Path to) throws IOException {
    long lastBreak = 0;
    long position = 0;
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(from);
        OutputStream out = Files.newOutputStream(to, StandardOpenOption.TRUNCATE_EXISTING)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        out.write(buffer, 0, n);
        for (int i = 0; i < n; i++) {
          if (buffer[i] == '\n') {
            lastBreak = position + i + 1;
          }
        }
        position += n;
      }
    }
    return lastBreak;
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // a temporary file left behind is the only consequence; the verification result stands
      System.getLogger(AuditSource.class.getName()).log(System.Logger.Level.WARNING,
          "could not delete the temporary copy " + file, e);
    }
  }
}
