package org.consent4j.examples.prefs;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** The few HTML and URL helpers the preference centre needs. */
final class Html {
  private Html() {}

  /**
   * Escapes {@code text} for an HTML element's content or a double- or single-quoted attribute
   * value. Every value the pages show goes through here.
   */
  static String esc(Object text) {
    String s = String.valueOf(text);
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** Percent-encodes one path segment or query value ({@code %20} for a space, not {@code +}). */
  static String url(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** Decodes one raw path segment; a {@code +} in a path is a plus sign. */
  static String decodePathSegment(String raw) {
    return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /**
   * Parses an {@code application/x-www-form-urlencoded} string (a query or a form body); the
   * first value of a repeated name wins.
   *
   * @throws IllegalArgumentException if an escape is malformed
   */
  static Map<String, String> form(String encoded) {
    Map<String, String> fields = new LinkedHashMap<>();
    if (encoded == null || encoded.isEmpty()) {
      return fields;
    }
    for (String pair : encoded.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      fields.putIfAbsent(name, value);
    }
    return fields;
  }

  /** A complete page: {@code body} must already be escaped HTML. */
  static String page(String title, String body) {
    return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>%s</title>
        <style>
          body { font-family: system-ui, sans-serif; margin: 2rem; max-width: 70rem; color: #222; }
          table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
          th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: left; vertical-align: top; }
          th { background: #f3f3f3; }
          .PERMIT, .given { color: #1a6b1a; }
          .DENY, .withdrawn, .expired, .refused { color: #a11; }
          .ids { columns: 10rem; }
          nav a { margin-right: 1rem; }
        </style>
        </head>
        <body>
        <nav><a href="/">Contacts</a><a href="/export?purpose=marketing.email">Marketing export</a></nav>
        %s
        </body>
        </html>
        """.formatted(esc(title), body);
  }
}
