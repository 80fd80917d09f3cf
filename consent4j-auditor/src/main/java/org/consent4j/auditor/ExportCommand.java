package org.consent4j.auditor;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.consent4j.AuditRecord;
import org.consent4j.LedgerEntry;
import org.consent4j.SubjectId;
import org.consent4j.core.SubjectExport;
import org.consent4j.core.audit.AuditTrail;
import org.consent4j.core.audit.Verification;
import org.consent4j.jdbc.JdbcConsentStore;
import org.consent4j.spi.AuditSink;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code export}: one subject's record as {@link SubjectExport} renders it (GDPR Art. 15): their
 * ledger from the database's consent store and every audited access that named them, each without
 * the other subjects it named. The same selection as {@code ConsentEngine.export}, which needs a
 * whole engine (and its catalog) for it.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = {"Exports one subject's record (GDPR Art. 15) as JSON: their consent ledger and the audited accesses"
        + " that concerned them, from a database's consent store and audit trail.",
        "The audit trail is verified first, and nothing is exported from a broken one unless --skip-verification."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:exported", "1:data error (a broken trail, a missing table, an unreachable database)",
        "2:usage error"})
final class ExportCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @ArgGroup(exclusive = false, multiplicity = "1", heading = "Consent store (and audit trail) in a database:%n")
  DatabaseOptions database;

  @Option(names = "--subject", required = true, paramLabel = "ID", description = "The subject's id.")
  SubjectId subject;

  @Option(names = "--audit-file", paramLabel = "FILE",
      description = "Take the accesses from this JSON-lines audit file instead of the database's audit table.")
  Path auditFile;

  @Option(names = "--output", paramLabel = "FILE", description = "Write the JSON to this file instead of standard output.")
  Path output;

  @Option(names = "--skip-verification",
      description = "Export even if the audit trail does not verify (the accesses then prove nothing).")
  boolean skipVerification;

  @Override
  public Integer call() throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    DatabaseOptions db = database;
    JdbcConsentStore store = db.store();
    try (AuditSink sink = auditFile != null ? AuditSource.openFile(auditFile, err) : db.auditSink()) {
      Verification v = AuditTrail.verify(sink, Optional.empty());
      if (!v.valid()) {
        if (!skipVerification) {
          throw new Auditor.DataError("the audit trail is not intact from sequence " + v.firstBrokenSequence().getAsLong()
              + " on (" + v.problem() + "), so nothing was exported; pass --skip-verification to export anyway");
        }
        err.println("WARNING: the audit trail is not intact from sequence " + v.firstBrokenSequence().getAsLong()
            + " on; exported anyway (--skip-verification): " + v.problem());
      }
      List<LedgerEntry> ledger = store.history(subject);
      List<SubjectExport.Access> accesses = new ArrayList<>();
      try (Stream<AuditRecord> records = sink.read()) {
        records.filter(r -> r.event().concerns(subject)).map(SubjectExport.Access::of).forEach(accesses::add);
      }
      String json = new SubjectExport(subject, Clock.systemUTC().instant(), ledger, accesses).toJson();
      if (output != null) {
        Files.writeString(output, json + System.lineSeparator(), StandardCharsets.UTF_8);
        err.println("exported " + ledger.size() + " ledger entries and " + accesses.size() + " accesses to " + output);
      } else {
        spec.commandLine().getOut().println(json);
      }
      return Auditor.VALID;
    }
  }
}
