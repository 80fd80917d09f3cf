package org.consent4j.core.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.locks.StampedLock;

/**
 * A dictionary of text subject ids to dense numbers 0, 1, 2, ..., for the consent index: the ids'
 * UTF-8 bytes in one array, their start offsets in another, and an open-addressing table of
 * numbers, so an id costs its bytes plus about 12 bytes (a {@code HashMap<String, Integer>} costs
 * about 100). Numbers are never reused. Lookups are lock-free (optimistic reads, retried under the
 * read lock when a write overlapped); additions are serialized. Not API.
 */
public final class TextIds {
  private final StampedLock lock = new StampedLock();
  private byte[] bytes = new byte[1 << 12];
  /** starts[i] is where id i begins; starts[count] where the next one will. */
  private int[] starts = new int[257];
  private int count;
  /** Slots hold number + 1; 0 is empty. Length is a power of two, at most half full. */
  private int[] table = new int[512];

  /** The number of {@code id}, or -1 if it has none. */
  public int get(String id) {
    byte[] key = id.getBytes(StandardCharsets.UTF_8);
    int hash = hash(key);
    long stamp = lock.tryOptimisticRead();
    if (stamp != 0) {
      try {
        int n = find(key, hash, bytes, starts, table);
        if (lock.validate(stamp)) {
          return n;
        }
      } catch (RuntimeException overlappedWrite) {
        // arrays read while a write replaced them: read again under the lock
      }
    }
    stamp = lock.readLock();
    try {
      return find(key, hash, bytes, starts, table);
    } finally {
      lock.unlockRead(stamp);
    }
  }

  /** The number of {@code id}, giving it the next one if it has none. */
  public int getOrAdd(String id) {
    int n = get(id);
    if (n >= 0) {
      return n;
    }
    byte[] key = id.getBytes(StandardCharsets.UTF_8);
    int hash = hash(key);
    long stamp = lock.writeLock();
    try {
      n = find(key, hash, bytes, starts, table);
      if (n >= 0) {
        return n;
      }
      n = count;
      int end = starts[n];
      if (end + key.length > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, end + key.length));
      }
      System.arraycopy(key, 0, bytes, end, key.length);
      if (n + 2 > starts.length) {
        starts = Arrays.copyOf(starts, starts.length * 2);
      }
      starts[n + 1] = end + key.length;
      count = n + 1;
      if (count * 2 > table.length) {
        rehash(table.length * 2);
      } else {
        insert(table, hash, n);
      }
      return n;
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  /** How many ids have a number. */
  public int size() {
    long stamp = lock.readLock();
    try {
      return count;
    } finally {
      lock.unlockRead(stamp);
    }
  }

  /** Bytes held by the arrays. */
  public long bytes() {
    long stamp = lock.readLock();
    try {
      return 16L + bytes.length + 16L + 4L * starts.length + 16L + 4L * table.length;
    } finally {
      lock.unlockRead(stamp);
    }
  }

  private void rehash(int size) {
    int[] t = new int[size];
    for (int i = 0; i < count; i++) {
      insert(t, hash(bytes, starts[i], starts[i + 1]), i);
    }
    table = t;
  }

  private static void insert(int[] t, int hash, int n) {
    int mask = t.length - 1;
    int i = hash & mask;
    while (t[i] != 0) {
      i = (i + 1) & mask;
    }
    t[i] = n + 1;
  }

  private static int find(byte[] key, int hash, byte[] bytes, int[] starts, int[] t) {
    int mask = t.length - 1;
    for (int i = hash & mask, probes = 0; probes <= mask; i = (i + 1) & mask, probes++) {
      int slot = t[i];
      if (slot == 0) {
        return -1;
      }
      int n = slot - 1;
      int from = starts[n];
      int to = starts[n + 1];
      if (to - from == key.length && Arrays.equals(bytes, from, to, key, 0, key.length)) {
        return n;
      }
    }
    return -1;
  }

  private static int hash(byte[] key) {
    return hash(key, 0, key.length);
  }

  private static int hash(byte[] b, int from, int to) {
    int h = 0x9747b28c;
    for (int i = from; i < to; i++) {
      h = (h ^ b[i]) * 0x01000193;
    }
    return h ^ (h >>> 16);
  }
}
