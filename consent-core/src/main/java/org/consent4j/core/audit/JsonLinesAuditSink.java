package org.consent4j.core.audit;

import com.google.common.io.ByteStreams;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.consent4j.AuditRecord;
import org.consent4j.AuditUnavailableException;
import org.consent4j.spi.AuditSink;

/**
 * An audit sink that appends one JSON object per record and line to a UTF-8 file, and forces it
 * to the storage device before {@link #write} returns, so a synchronous {@link AuditTrail} never
 * permits an access whose record could be lost in a crash.
 *
 * <p>The file is held with an exclusive {@link FileLock} while the sink is open, because two
 * writers would fork the hash chain: opening a second sink on the same file, in this process or
 * another, fails. A write that fails is cut back off the file, so a batch is appended whole or
 * not at all.
 *
 * <p>A crash during a write can leave an incomplete last line; {@link #last()} then fails and
 * says so, and the line must be inspected and removed by hand, since a sink that repaired the
 * file itself could hide tampering.
 *
 * <p>Thread-safe. {@link #read()} sees the records written before it was called, even while
 * writes go on.
 */
public final class JsonLinesAuditSink implements AuditSink {

  private static final int CHUNK = 8192;
  private static final int READ_CHUNK = 65536;

  private final Path file;
  private final Object lock = new Object();
  // RandomAccessFile rather than FileChannel: an interrupted thread closes a FileChannel for
  // every user, which would refuse all later accesses; a RandomAccessFile's own I/O is not
  // interruptible.
  private final RandomAccessFile out;
  private final FileLock fileLock;
  private boolean closed;
  private boolean damaged;

  /**
   * Opens {@code file} for appending, creating it if it does not exist.
   *
   * @param file a file of the default file system; its directory must exist
   * @throws NullPointerException if {@code file} is null
   * @throws IllegalArgumentException if the file is not on the default file system
   * @throws AuditUnavailableException if the file cannot be opened, or another sink holds it
   */
  public JsonLinesAuditSink(Path file) {
    this.file = Objects.requireNonNull(file, "file");
    File plain;
    try {
      plain = file.toFile();
    } catch (UnsupportedOperationException e) {
      throw new IllegalArgumentException("the audit file must be on the default file system: " + file, e);
    }
    try {
      out = new RandomAccessFile(plain, "rw");
    } catch (IOException e) {
      throw new AuditUnavailableException("audit file " + file + " could not be opened for writing", e);
    }
    FileLock acquired = null;
    try {
      acquired = out.getChannel().tryLock();
    } catch (IOException | OverlappingFileLockException e) {
      closeQuietly(out, e);
      throw new AuditUnavailableException("audit file " + file + " could not be locked", e);
    }
    if (acquired == null) {
      closeQuietly(out, null);
      throw new AuditUnavailableException("audit file " + file + " is in use by another process;"
          + " only one audit trail may write a file, or its hash chain would fork");
    }
    fileLock = acquired;
  }

  private static void closeQuietly(RandomAccessFile file, Exception primary) {
    try {
      file.close();
    } catch (IOException e) {
      if (primary != null) {
        primary.addSuppressed(e);
      }
    }
  }

  /** The file this sink appends to. */
  public Path file() {
    return file;
  }

  /**
   * Appends the records as lines and forces them to the storage device, all or none.
   *
   * @throws NullPointerException if {@code records} or one of them is null
   * @throws AuditUnavailableException if the records could not be written durably (they were
   *     then cut off again), the sink is closed, or an earlier failed write could not be cut off
   */
  @Override
  public void write(List<AuditRecord> records) {
    List<AuditRecord> batch = List.copyOf(records);
    if (batch.isEmpty()) {
      return;
    }
    ByteArrayOutputStream lines = new ByteArrayOutputStream();
    for (AuditRecord r : batch) {
      lines.writeBytes(AuditJson.write(r));
      lines.write('\n');
    }
    String what = "audit records " + batch.get(0).sequence() + " to " + batch.get(batch.size() - 1).sequence();
    synchronized (lock) {
      requireOpen();
      if (damaged) {
        throw new AuditUnavailableException(what + " were not written: audit file " + file
            + " may end with part of an earlier failed write that could not be removed; inspect its last line");
      }
      long start;
      try {
        start = out.length();
      } catch (IOException e) {
        throw new AuditUnavailableException(what + " could not be written to audit file " + file, e);
      }
      try {
        out.seek(start);
        out.write(lines.toByteArray());
        out.getFD().sync();
      } catch (IOException e) {
        try {
          out.setLength(start);
          out.getFD().sync();
        } catch (IOException truncation) {
          damaged = true;
          e.addSuppressed(truncation);
        }
        throw new AuditUnavailableException(what + " could not be written to audit file " + file, e);
      }
    }
  }

  /**
   * Reads the last line of the file, from its end.
   *
   * @throws AuditUnavailableException if the file cannot be read, ends with an incomplete line
   *     (a crash during a write), or its last line is not a valid record, or the sink is closed
   */
  @Override
  public Optional<AuditRecord> last() {
    byte[] line;
    synchronized (lock) {
      requireOpen();
      try {
        line = lastLine();
      } catch (IOException e) {
        throw new AuditUnavailableException("audit file " + file + " could not be read", e);
      }
    }
    if (line == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(AuditJson.read(decode(line)));
    } catch (CharacterCodingException | IllegalArgumentException e) {
      throw new AuditUnavailableException("the last line of audit file " + file + " is not a valid audit record ("
          + reason(e) + ")", e);
    }
  }

  /** The bytes of the last line without its line break, or null for an empty file. */
  private byte[] lastLine() throws IOException {
    long end = out.length();
    if (end == 0) {
      return null;
    }
    out.seek(end - 1);
    if (out.read() != '\n') {
      throw new AuditUnavailableException("audit file " + file + " ends with an incomplete line, probably from a"
          + " crash during a write; that record was never acknowledged: inspect the last line and remove it");
    }
    // Walk back chunk by chunk to the line break before the last line: one line is read, not the file.
    ArrayDeque<byte[]> parts = new ArrayDeque<>();
    byte[] chunk = new byte[CHUNK];
    long position = end - 1;
    while (position > 0) {
      int n = (int) Math.min(CHUNK, position);
      out.seek(position - n);
      out.readFully(chunk, 0, n);
      int newline = n - 1;
      while (newline >= 0 && chunk[newline] != '\n') {
        newline--;
      }
      parts.addFirst(Arrays.copyOfRange(chunk, newline + 1, n));
      if (newline >= 0) {
        break;
      }
      position -= n;
    }
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    parts.forEach(line::writeBytes);
    return line.toByteArray();
  }

  /**
   * Streams the records written before this call, one line at a time. Close the stream.
   *
   * @throws AuditUnavailableException when called on a closed sink or the file cannot be opened,
   *     and from the stream, naming the line, when a line cannot be read or is not a valid record
   */
  @Override
  public Stream<AuditRecord> read() {
    long size;
    synchronized (lock) {
      requireOpen();
      try {
        // Taken under the write lock, so it falls between whole writes: the stream never sees half a batch.
        size = out.length();
      } catch (IOException e) {
        throw new AuditUnavailableException("audit file " + file + " could not be read", e);
      }
    }
    InputStream in;
    try {
      in = ByteStreams.limit(new FileInputStream(file.toFile()), size);
    } catch (IOException e) {
      throw new AuditUnavailableException("audit file " + file + " could not be opened for reading", e);
    }
    Iterator<AuditRecord> lines = new Iterator<>() {
      private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
      private final byte[] chunk = new byte[READ_CHUNK];
      private int position;
      private int limit;
      private long lineNumber;
      private AuditRecord next;

      @Override
      public boolean hasNext() {
        if (next != null) {
          return true;
        }
        String line;
        try {
          line = readLine();
        } catch (IOException e) {
          throw new AuditUnavailableException("audit file " + file + " could not be read at line " + lineNumber
              + " (" + reason(e) + ")", e);
        }
        if (line == null) {
          return false;
        }
        try {
          next = AuditJson.read(line);
        } catch (IllegalArgumentException e) {
          throw new AuditUnavailableException("audit file " + file + ", line " + lineNumber
              + ", is not a valid audit record (" + e.getMessage() + ")", e);
        }
        return true;
      }

      /**
       * Bytes up to the next line break, decoded on their own: a reader that decodes ahead
       * would report a bad byte on the wrong line. Only {@code \n} ends a line, as in {@link #lastLine}.
       */
      private String readLine() throws IOException {
        buffer.reset();
        boolean any = false;
        while (true) {
          if (position == limit) {
            limit = in.read(chunk);
            position = 0;
            if (limit < 0) {
              limit = 0;
              return any ? decode(buffer.toByteArray()) : null;
            }
          }
          if (!any) {
            any = true;
            lineNumber++;
          }
          int start = position;
          while (position < limit && chunk[position] != '\n') {
            position++;
          }
          buffer.write(chunk, start, position - start);
          if (position < limit) {
            position++; // the line break
            return decode(buffer.toByteArray());
          }
        }
      }

      @Override
      public AuditRecord next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        AuditRecord r = next;
        next = null;
        return r;
      }
    };
    return StreamSupport.stream(
            Spliterators.spliteratorUnknownSize(lines, Spliterator.ORDERED | Spliterator.NONNULL), false)
        .onClose(() -> {
          try {
            in.close();
          } catch (IOException e) {
            throw new UncheckedIOException("audit file " + file + " could not be closed after reading", e);
          }
        });
  }

  /**
   * Releases the file lock and closes the file. Idempotent.
   *
   * @throws AuditUnavailableException if the file could not be closed
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      try {
        // Closing the file releases the lock too; released first so a failure to release is seen.
        fileLock.release();
        out.close();
      } catch (IOException e) {
        closeQuietly(out, e);
        throw new AuditUnavailableException("audit file " + file + " could not be closed", e);
      }
    }
  }

  @Override
  public String toString() {
    return "JsonLinesAuditSink[" + file + "]";
  }

  private void requireOpen() {
    if (closed) {
      throw new AuditUnavailableException("audit sink for " + file + " is closed");
    }
  }

  private static String decode(byte[] line) throws CharacterCodingException {
    return StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(line))
        .toString();
  }

  /** Our own messages name fields only; a decoder's message names no content either. */
  private static String reason(Exception e) {
    if (e instanceof CharacterCodingException) {
      return "not valid UTF-8";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
