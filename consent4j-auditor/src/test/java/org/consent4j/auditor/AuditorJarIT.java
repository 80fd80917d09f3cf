package org.consent4j.auditor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.InMemoryConsentStore;
import org.consent4j.core.audit.JsonLinesAuditSink;
import org.consent4j.jdbc.JdbcConsentStore;
import org.consent4j.jdbc.audit.AuditCheckpoints;
import org.consent4j.jdbc.audit.JdbcAuditSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built jar, run with {@code java -jar} in a child JVM as an operator runs it: failsafe runs
 * this after the package phase made the jar, whose path it passes as {@code auditor.jar}. Proves
 * the shaded jar has its main class, picocli, the drivers (found through the merged
 * {@code java.sql.Driver} services) and exit codes.
 */
final class AuditorJarIT {
  @TempDir
  Path dir;

  record Run(int exitCode, String out, String err) {}

  private static Run java(String... args) throws IOException, InterruptedException {
    String jar = System.getProperty("auditor.jar");
    // Run by surefire (say, with -Dtest=...), there is no jar yet: only failsafe, after package, passes one.
    org.junit.jupiter.api.Assumptions.assumeTrue(jar != null, "auditor.jar is set by failsafe after the package phase");
    assertTrue(Files.isRegularFile(Path.of(jar)), "the runnable jar is missing: " + jar);
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", jar));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .start();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    assertTrue(p.waitFor(2, TimeUnit.MINUTES), "the auditor did not finish");
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
  }

  @Test
  void helpVersionAndUsageErrors() throws Exception {
    Run help = java("--help");
    assertEquals(0, help.exitCode(), help::toString);
    assertTrue(help.out().contains("Usage: consent4j-auditor"), help::toString);
    Run version = java("--version");
    assertEquals(0, version.exitCode(), version::toString);
    assertTrue(version.out().matches("consent4j-auditor \\d+\\.\\d+\\.\\d+.*\\R"), version::toString);
    assertEquals(2, java("verify").exitCode());
    assertEquals(2, java().exitCode());
  }

  @Test
  void aJsonLinesTrailVerifiesThenFailsAtTheEditedLine() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    try (JsonLinesAuditSink sink = new JsonLinesAuditSink(file);
        ConsentEngine engine = Crm.run(new InMemoryConsentStore(), sink)) {
      new AuditCheckpoints(sink, dir.resolve("checkpoints"), VerifyCommandTest.key(), Clock.systemUTC()).checkpoint();
    }
    String[] verify = {"verify", "--file", file.toString(), "--checkpoints", dir.resolve("checkpoints").toString(),
        "--checkpoint-key-env", VerifyCommandTest.KEY_ENV};
    Run ok = java(verify);
    assertEquals(0, ok.exitCode(), ok::toString);
    assertTrue(ok.out().startsWith("INTACT: "), ok::toString);

    List<String> lines = new ArrayList<>(Files.readAllLines(file));
    lines.remove(lines.size() - 1);
    Files.writeString(file, String.join("\n", lines) + "\n");
    Run cut = java(verify);
    assertEquals(1, cut.exitCode(), cut::toString);
    assertTrue(cut.err().contains("not intact from sequence " + (lines.size() + 1) + " on"), cut::toString);
  }

  @Test
  void anH2FileDatabaseIsVerifiedAndExported() throws Exception {
    {
      String url = "jdbc:h2:file:" + dir.resolve("crm") + ";WRITE_DELAY=0";
      DriverDataSource ds = new DriverDataSource(url, null, null);
      try (ConsentEngine engine = Crm.run(JdbcConsentStore.create(ds), JdbcAuditSink.create(ds))) {
        engine.audit().flush();
      }
      // the child JVM opens the file after this JVM let go of it (no connection is held: one per call)
      Run ok = java("verify", "--jdbc-url", url);
      assertEquals(0, ok.exitCode(), ok::toString);
      Run export = java("export", "--jdbc-url", url, "--subject", Crm.ALICE.value());
      assertEquals(0, export.exitCode(), export::toString);
      assertTrue(export.out().contains("\"subject\" : \"" + Crm.ALICE.value() + "\""), export::toString);
      Run ropa = java("processing-records", "--catalog",
          Path.of(getClass().getResource("/catalog.json").toURI()).toString(), "--controller", "Example CRM Ltd",
          "--jdbc-url", url, "--format", "html");
      assertEquals(0, ropa.exitCode(), ropa::toString);
      assertTrue(ropa.out().contains("<td>marketing.email"), ropa::toString);
    }
  }
}
