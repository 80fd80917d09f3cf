package org.consent4j;

/**
 * The information text a subject was shown when consenting, by id and version (Art. 7, 13).
 * A purpose may require a minimum version; grants given under an older version do not count.
 *
 * @param id a lower-case identifier such as {@code privacy-notice}
 * @param version the version, at least 1
 */
public record Notice(String id, int version) implements Comparable<Notice> {

  /** @throws IllegalArgumentException if the id is invalid or the version is below 1 */
  public Notice {
    Names.flat("notice", id);
    if (version < 1) {
      throw new IllegalArgumentException("notice version must be at least 1, got " + version);
    }
  }

  /** Returns the notice with this id and version. */
  public static Notice of(String id, int version) {
    return new Notice(id, version);
  }

  /** True when this is the same notice as {@code minimum} at that version or a later one. */
  public boolean satisfies(Notice minimum) {
    return id.equals(minimum.id) && version >= minimum.version;
  }

  @Override
  public int compareTo(Notice o) {
    int c = id.compareTo(o.id);
    return c != 0 ? c : Integer.compare(version, o.version);
  }

  @Override
  public String toString() {
    return id + "@v" + version;
  }
}
