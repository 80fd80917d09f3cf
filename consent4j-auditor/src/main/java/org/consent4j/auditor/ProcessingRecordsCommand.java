package org.consent4j.auditor;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.consent4j.Catalog;
import org.consent4j.Purpose;
import org.consent4j.core.audit.AuditTrail;
import org.consent4j.core.audit.InMemoryAuditSink;
import org.consent4j.core.evidence.Controller;
import org.consent4j.core.evidence.ProcessingRecords;
import org.consent4j.core.evidence.ProcessingRecords.ProcessingRecord;
import org.consent4j.jdbc.MappingException;
import org.consent4j.jdbc.SchemaMapping;
import org.consent4j.spi.AuditSink;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code processing-records}: the record of processing activities (GDPR Art. 30) of a catalog
 * file, as {@link ProcessingRecords} generates and renders it (JSON or HTML), with the counts of an
 * audit trail over a period when one is given.
 */
@Command(name = "processing-records", mixinStandardHelpOptions = true,
    description = {"Prints the record of processing activities (GDPR Art. 30) declared by a catalog JSON file, as"
        + " ProcessingRecords renders it (json or html).",
        "Given an audit trail (--jdbc-url or --file) it also counts, per purpose, the audit events, permits and"
            + " denies in the period [--from, --to); without one, every count is 0 and a warning says so."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:printed", "1:data error (an invalid catalog or mapping, an unreadable trail)", "2:usage error"})
final class ProcessingRecordsCommand implements Callable<Integer> {
  /** The renderings {@link ProcessingRecord} has. */
  enum Format { json, html }

  @Spec
  CommandSpec spec;

  @Option(names = "--catalog", required = true, paramLabel = "FILE", description = "The catalog, as JSON.")
  Path catalogFile;

  @Option(names = "--controller", required = true, paramLabel = "NAME", description = "The controller's name.")
  String controller;

  @Option(names = "--controller-contact", defaultValue = "", paramLabel = "TEXT",
      description = "How to reach the controller or its data protection officer.")
  String contact;

  @Option(names = "--controller-jurisdiction", defaultValue = "EU", paramLabel = "CODE",
      description = "Where the controller is established (default: ${DEFAULT-VALUE}).")
  String jurisdiction;

  @Option(names = "--policy-url", defaultValue = "", paramLabel = "URL", description = "Where the privacy policy is.")
  String policyUrl;

  @Option(names = "--retention", paramLabel = "PURPOSE=TEXT",
      description = "How long data of a purpose is kept, as stated to subjects; repeatable.")
  Map<String, String> retention = new LinkedHashMap<>();

  @Option(names = "--mapping", paramLabel = "FILE",
      description = "A schema mapping JSON file: where each category is stored.")
  Path mappingFile;

  @Option(names = "--format", defaultValue = "json", paramLabel = "FORMAT",
      description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Format format;

  @Option(names = "--from", paramLabel = "INSTANT", defaultValue = "1970-01-01T00:00:00Z",
      description = "Start of the period counted, inclusive, such as 2026-01-01T00:00:00Z (default: ${DEFAULT-VALUE}).")
  Instant from;

  @Option(names = "--to", paramLabel = "INSTANT", description = "End of the period counted, exclusive (default: now).")
  Instant to;

  @Option(names = "--output", paramLabel = "FILE", description = "Write to this file instead of standard output.")
  Path output;

  @ArgGroup(exclusive = true, heading = "Audit trail to count (optional):%n")
  AuditSource audit;

  @Override
  public Integer call() throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    Instant end = to != null ? to : Instant.now();
    if (end.isBefore(from)) {
      throw new Auditor.UsageError("--to (" + end + ") is before --from (" + from + ")");
    }
    Controller c;
    try {
      c = new Controller(controller, contact, jurisdiction, policyUrl);
    } catch (IllegalArgumentException e) {
      throw new Auditor.UsageError(e.getMessage());
    }
    Catalog catalog = CatalogFile.read(catalogFile);
    ProcessingRecords.Builder b = ProcessingRecords.builder(catalog, c);
    for (Map.Entry<String, String> r : retention.entrySet()) {
      try {
        b.retention(Purpose.of(r.getKey()), r.getValue());
      } catch (IllegalArgumentException | org.consent4j.UndeclaredException e) {
        throw new Auditor.UsageError("--retention " + r.getKey() + ": " + e.getMessage());
      }
    }
    if (mappingFile != null) {
      if (!Files.isRegularFile(mappingFile)) {
        throw new Auditor.DataError("there is no mapping file " + mappingFile);
      }
      try {
        b.storage(SchemaMapping.fromJson(mappingFile).storageByCategory());
      } catch (MappingException | IllegalArgumentException e) {
        throw new Auditor.DataError("mapping " + mappingFile + ": " + e.getMessage(), e);
      }
    }
    AuditSink sink;
    if (audit != null) {
      sink = audit.open(err);
    } else {
      sink = new InMemoryAuditSink();
      err.println("WARNING: no audit trail given (--jdbc-url or --file): every count is 0");
    }
    ProcessingRecord record;
    try (AuditTrail trail = AuditTrail.builder(sink).build()) {
      record = b.build().generate(trail, from, end);
    }
    String text = format == Format.json ? record.toJson() : record.toHtml();
    if (output != null) {
      Files.writeString(output, text, StandardCharsets.UTF_8);
      err.println("wrote the record of " + record.activities().size() + " processing activities to " + output);
    } else {
      spec.commandLine().getOut().print(text.endsWith("\n") ? text : text + System.lineSeparator());
    }
    return Auditor.VALID;
  }
}
