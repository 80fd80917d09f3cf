package org.consent4j.auditor;

import java.io.PrintWriter;
import java.util.Objects;
import org.consent4j.SubjectId;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The entry point of the auditor's command line, {@code consent4j-auditor}, with the subcommands
 * {@code verify}, {@code export} and {@code processing-records}.
 *
 * <p>Exit codes: {@value #VALID} when the command did what was asked (for {@code verify}: the
 * trail is intact); {@value #DATA_ERROR} when the data says no or cannot be read (a broken
 * chain, a refused checkpoint, a missing table or file, an unreachable database); {@value
 * #USAGE_ERROR} for a usage error (an unknown option, a missing or malformed value). Messages go
 * to standard error; they name sequences, tables, files and SQLStates, never the content of a
 * record, and never a password.
 */
@Command(name = "consent4j-auditor", mixinStandardHelpOptions = true,
    versionProvider = Auditor.Version.class,
    description = "Checks and reads a consent4j audit trail, consent ledger and catalog, for auditors.",
    subcommands = {VerifyCommand.class, ExportCommand.class, ProcessingRecordsCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:done; for verify, the trail is intact", "1:data error: a broken chain, a refused checkpoint,"
        + " a missing table or file, an unreachable database", "2:usage error"})
public final class Auditor implements Runnable {
  /** The exit code of a command that did what was asked. */
  public static final int VALID = 0;
  /** The exit code of a data error: a broken chain, unreadable data, a missing table or file. */
  public static final int DATA_ERROR = 1;
  /** The exit code of a usage error. */
  public static final int USAGE_ERROR = 2;

  @Spec
  CommandSpec spec;

  /** Used by picocli; call {@link #execute} or {@link #main} instead. */
  Auditor() {}

  /** Without a subcommand: a usage error that lists the subcommands. */
  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a subcommand: verify, export or processing-records");
  }

  /**
   * Runs the command line and exits the JVM with its exit code.
   *
   * @param args the arguments, as given to {@code java -jar}
   */
  public static void main(String[] args) {
    System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  /**
   * Runs the command line in this process, writing to the given streams, and returns its exit code
   * ({@value #VALID}, {@value #DATA_ERROR} or {@value #USAGE_ERROR}). Thread-safe: each call has
   * its own state.
   *
   * @param out where results go
   * @param err where messages go
   * @param args the arguments
   * @throws NullPointerException if an argument is null
   */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(err, "err");
    Objects.requireNonNull(args, "args");
    CommandLine cl = commandLine();
    cl.setOut(out);
    cl.setErr(err);
    try {
      return cl.execute(args);
    } finally {
      out.flush();
      err.flush();
    }
  }

  /** The command line, configured, without streams. */
  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Auditor());
    cl.registerConverter(SubjectId.class, value -> {
      try {
        return SubjectId.of(value);
      } catch (IllegalArgumentException e) {
        // the message names the rule, not the value: a subject id is personal data
        throw new CommandLine.TypeConversionException("not a valid subject id: " + e.getMessage());
      }
    });
    cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      PrintWriter err = commandLine.getErr();
      if (e instanceof UsageError) {
        err.println("consent4j-auditor " + commandLine.getCommandName() + ": " + e.getMessage());
        commandLine.usage(err);
        return USAGE_ERROR;
      }
      err.println("consent4j-auditor " + commandLine.getCommandName() + ": " + Failures.describe(e));
      return DATA_ERROR;
    });
    return cl;
  }

  /** The version from the jar's manifest, when there is one. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Auditor.class.getPackage().getImplementationVersion();
      return new String[] {"consent4j-auditor " + (v == null ? "(development build)" : v)};
    }
  }

  /** A usage error found after parsing (options that only make sense together); exit code 2. */
  static final class UsageError extends RuntimeException {
    UsageError(String message) {
      super(message);
    }
  }

  /** A data error with a message of our own; exit code 1. */
  static final class DataError extends RuntimeException {
    DataError(String message) {
      super(message);
    }

    DataError(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
