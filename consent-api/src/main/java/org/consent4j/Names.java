package org.consent4j;

import java.util.Objects;
import java.util.regex.Pattern;

/** Validation shared by the hierarchical and flat names of the catalog. Not API. */
final class Names {
  static final int MAX_LENGTH = 128;
  private static final Pattern SEGMENT = Pattern.compile("[a-z][a-z0-9_-]*");

  private Names() {}

  /** Validates a dotted name such as {@code marketing.email}; returns it unchanged. */
  static String dotted(String kind, String name) {
    Objects.requireNonNull(name, kind);
    if (name.isEmpty() || name.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          kind + " name must have 1 to " + MAX_LENGTH + " characters, got " + name.length());
    }
    int start = 0;
    while (true) {
      int dot = name.indexOf('.', start);
      String segment = dot < 0 ? name.substring(start) : name.substring(start, dot);
      if (!SEGMENT.matcher(segment).matches()) {
        throw new IllegalArgumentException(kind + " name '" + name
            + "' is not valid: use lower-case segments of [a-z0-9_-], starting with a letter,"
            + " separated by dots (e.g. 'marketing.email')");
      }
      if (dot < 0) {
        return name;
      }
      start = dot + 1;
    }
  }

  /** Validates a flat identifier (no dots), such as a recipient or notice id. */
  static String flat(String kind, String name) {
    dotted(kind, name);
    if (name.indexOf('.') >= 0) {
      throw new IllegalArgumentException(kind + " id '" + name + "' must not contain dots");
    }
    return name;
  }

  /** True when {@code ancestor} equals {@code name} or is a dotted prefix of it. */
  static boolean covers(String ancestor, String name) {
    return name.equals(ancestor)
        || (name.length() > ancestor.length()
            && name.startsWith(ancestor)
            && name.charAt(ancestor.length()) == '.');
  }

  static String parent(String name) {
    int dot = name.lastIndexOf('.');
    return dot < 0 ? null : name.substring(0, dot);
  }
}
