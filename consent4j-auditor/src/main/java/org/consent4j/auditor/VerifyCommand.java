package org.consent4j.auditor;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.consent4j.core.audit.AuditTrail;
import org.consent4j.core.audit.ChainHead;
import org.consent4j.core.audit.Verification;
import org.consent4j.jdbc.audit.AuditCheckpoints;
import org.consent4j.spi.AuditSink;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code verify}: recomputes every hash of the chain with {@link AuditTrail#verify(AuditSink,
 * Optional)} and, given a checkpoint, proves the chain still reaches it unchanged.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {"Verifies an audit trail, in a database or a JSON-lines file, against its checkpoints.",
        "Detects changed, removed, inserted and reordered records; with a checkpoint also a cut-off tail and a chain"
            + " re-sealed from scratch. Exit code 0 when intact, 1 when not (naming the first broken record's"
            + " sequence), 2 on a usage error."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:the trail is intact", "1:it is not, or it cannot be read", "2:usage error"})
final class VerifyCommand implements Callable<Integer> {
  /** Encodings of the checkpoint key in its environment variable. */
  enum KeyEncoding { base64, hex, utf8 }

  @Spec
  CommandSpec spec;

  @ArgGroup(exclusive = true, multiplicity = "1")
  AuditSource source;

  @ArgGroup(exclusive = true, heading = "Checkpoint (optional):%n")
  Checkpoint checkpoint;

  static final class Checkpoint {
    @ArgGroup(exclusive = false)
    SignedCheckpoints signed;

    @Option(names = "--checkpoint", paramLabel = "SEQUENCE:HASH",
        description = "A chain head kept outside the audit store (sequence and hash of the record it ended at).")
    String head;
  }

  static final class SignedCheckpoints {
    @Option(names = "--checkpoints", required = true, paramLabel = "FILE",
        description = "A file of signed checkpoints written by AuditCheckpoints; its newest line is used and must"
            + " have a valid signature.")
    Path file;

    @Option(names = "--checkpoint-key-env", required = true, paramLabel = "VAR",
        description = "The environment variable that holds the checkpoints' HMAC key.")
    String keyEnv;

    @Option(names = "--key-encoding", defaultValue = "base64", paramLabel = "ENCODING",
        description = "How the key is written in that variable: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    KeyEncoding encoding;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ChainHead unsignedHead = checkpoint != null && checkpoint.head != null ? parseHead(checkpoint.head) : null;
    byte[] key = checkpoint != null && checkpoint.signed != null ? key(checkpoint.signed) : null;
    try (AuditSink sink = source.open(err)) {
      Optional<ChainHead> head = Optional.ofNullable(unsignedHead);
      if (key != null) {
        head = Optional.of(signedHead(sink, checkpoint.signed.file, key));
      }
      Verification v = AuditTrail.verify(sink, head);
      String against = head.map(h -> " against the checkpoint at sequence " + h.sequence()).orElse(
          " (no checkpoint given: a cut-off tail or a re-sealed chain cannot be seen without one)");
      if (v.valid()) {
        out.println("INTACT: " + v.recordsChecked() + " audit records of " + source.describe() + " verified" + against);
        return Auditor.VALID;
      }
      err.println("BROKEN: the audit trail of " + source.describe() + " is not intact from sequence "
          + v.firstBrokenSequence().getAsLong() + " on (" + v.recordsChecked() + " records before it verified"
          + against + "): " + v.problem());
      return Auditor.DATA_ERROR;
    }
  }

  private static ChainHead parseHead(String text) {
    int colon = text.indexOf(':');
    try {
      if (colon < 0) {
        throw new IllegalArgumentException("expected SEQUENCE:HASH");
      }
      return new ChainHead(Long.parseLong(text.substring(0, colon)), text.substring(colon + 1));
    } catch (IllegalArgumentException e) {
      throw new Auditor.UsageError("--checkpoint is not SEQUENCE:HASH with a 64-digit lower-case hex hash ("
          + e.getMessage() + ")");
    }
  }

  private static byte[] key(SignedCheckpoints signed) {
    String value = System.getenv(signed.keyEnv);
    if (value == null) {
      throw new Auditor.UsageError("--checkpoint-key-env names the environment variable " + signed.keyEnv
          + ", which is not set");
    }
    byte[] key;
    try {
      key = switch (signed.encoding) {
        case base64 -> Base64.getDecoder().decode(value.strip());
        case hex -> HexFormat.of().parseHex(value.strip());
        case utf8 -> value.getBytes(StandardCharsets.UTF_8);
      };
    } catch (IllegalArgumentException e) {
      // never the key, nor the decoder's message, which may quote it
      throw new Auditor.UsageError("the checkpoint key in " + signed.keyEnv + " is not valid " + signed.encoding);
    }
    if (key.length < 32) {
      throw new Auditor.UsageError("the checkpoint key in " + signed.keyEnv + " has " + key.length
          + " bytes; checkpoint keys have at least 32 (is --key-encoding right?)");
    }
    return key;
  }

  private static ChainHead signedHead(AuditSink sink, Path file, byte[] key) {
    if (!Files.isRegularFile(file)) {
      throw new Auditor.DataError("there is no checkpoint file " + file);
    }
    Optional<ChainHead> latest;
    try {
      latest = new AuditCheckpoints(sink, file, key, Clock.systemUTC()).latest();
    } catch (IllegalArgumentException e) {
      throw new Auditor.DataError("checkpoint file " + file + ": " + e.getMessage(), e);
    } catch (SecurityException e) {
      throw new Auditor.DataError("checkpoint refused, from " + file + ": " + e.getMessage(), e);
    } catch (UncheckedIOException e) {
      throw new Auditor.DataError("checkpoint file " + file + " cannot be read", e);
    }
    return latest.orElseThrow(() -> new Auditor.DataError("checkpoint file " + file + " holds no checkpoint"));
  }
}
