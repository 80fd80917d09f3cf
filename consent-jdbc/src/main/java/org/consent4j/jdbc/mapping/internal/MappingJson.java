package org.consent4j.jdbc.mapping.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.consent4j.DataCategory;
import org.consent4j.jdbc.MappingException;
import org.consent4j.jdbc.SchemaMapping;
import org.consent4j.jdbc.TableMapping;

/**
 * The JSON form of a {@link SchemaMapping} (described in {@code docs/MAPPING.md}). Reading walks
 * a Jackson tree by hand, so that every problem is reported at once with its path; writing is
 * canonical, so that equal mappings give equal text and equal fingerprints.
 */
public final class MappingJson {
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();
  private static final List<String> ROOT_FIELDS = List.of("tables", "trusted");
  private static final List<String> TABLE_FIELDS = List.of("schema", "table", "subject", "rowCategory", "columns",
      "erasure");

  private MappingJson() {}

  /** Reads a mapping from JSON text. */
  public static SchemaMapping read(String json) {
    return read(() -> {
      try {
        return MAPPER.readTree(json);
      } catch (JsonProcessingException e) {
        throw syntaxError(e);
      }
    });
  }

  /** Reads a mapping from a stream, to its end, without closing it. */
  public static SchemaMapping read(InputStream in) {
    return read(() -> {
      try {
        return MAPPER.readTree(new NonClosing(in));
      } catch (JsonProcessingException e) {
        throw syntaxError(e);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the schema mapping: " + e.getMessage(), e);
      }
    });
  }

  /** Reads a mapping from a file; problems are prefixed with the file name. */
  public static SchemaMapping read(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return read(in);
    } catch (MappingException e) {
      List<String> problems = new ArrayList<>();
      e.problems().forEach(p -> problems.add(file + ": " + p));
      throw e.getCause() == null ? new MappingException(problems) : new MappingException(problems, e.getCause());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the schema mapping " + file + ": " + e.getMessage(), e);
    }
  }

  private static SchemaMapping read(Supplier<JsonNode> parse) {
    JsonNode root = parse.get();
    List<String> problems = new ArrayList<>();
    SchemaMapping.Builder mapping = SchemaMapping.builder();
    if (root == null || !root.isObject()) {
      throw new MappingException("the document must be a JSON object: {\"tables\": [ ... ]}");
    }
    unknownFields(root, "the document", ROOT_FIELDS, problems);
    JsonNode tables = root.get("tables");
    if (tables == null || tables.isNull()) {
      problems.add("missing property 'tables': add \"tables\": [ ... ] (may be empty)");
    } else if (!tables.isArray()) {
      problems.add("tables: expected an array of table mappings");
    } else {
      Map<String, String> seen = new HashMap<>();
      for (int i = 0; i < tables.size(); i++) {
        String path = "tables[" + i + "]";
        TableMapping t = table(tables.get(i), path, problems);
        if (t == null) {
          continue;
        }
        String earlier = seen.putIfAbsent(t.qualifiedName(), path);
        if (earlier != null) {
          problems.add(path + ": table '" + t.qualifiedName() + "' is already mapped at " + earlier
              + " (names are case-insensitive): merge the two entries");
        } else {
          mapping.table(t);
        }
      }
    }
    JsonNode trusted = root.get("trusted");
    if (trusted != null && !trusted.isNull()) {
      if (!trusted.isArray()) {
        problems.add("trusted: expected an array of view or function names, e.g. [\"order_totals\"]");
      } else {
        for (int i = 0; i < trusted.size(); i++) {
          JsonNode n = trusted.get(i);
          if (!n.isTextual()) {
            problems.add("trusted[" + i + "]: expected a view or function name");
            continue;
          }
          try {
            mapping.trust(n.textValue());
          } catch (IllegalArgumentException e) {
            problems.add("trusted[" + i + "]: " + e.getMessage());
          }
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new MappingException(problems);
    }
    return mapping.build();
  }

  /** One table entry, or null (with problems added) when it is wrong. */
  private static TableMapping table(JsonNode node, String path, List<String> problems) {
    if (!node.isObject()) {
      problems.add(path + ": expected a table mapping object {\"table\": ..., \"subject\": ...}");
      return null;
    }
    int before = problems.size();
    unknownFields(node, path, TABLE_FIELDS, problems);
    String schema = optionalText(node, "schema", path, problems);
    String table = optionalText(node, "table", path, problems);
    if (table == null && !node.hasNonNull("table")) {
      problems.add(path + ": missing property 'table': name the table, e.g. \"table\": \"contact\"");
    }
    TableMapping.Builder b = null;
    try {
      if (table != null) {
        b = schema == null ? TableMapping.builder(table) : TableMapping.builder(schema, table);
      } else if (schema != null) {
        Identifiers.declared("schema", schema);
      }
    } catch (IllegalArgumentException e) {
      problems.add(path + ": " + e.getMessage());
    }
    List<String> subjects = subjects(node, path, problems);
    for (int i = 0; i < subjects.size(); i++) {
      String where = node.get("subject").isArray() ? path + ".subject[" + i + "]" : path + ".subject";
      String subject = subjects.get(i);
      apply(where, problems, b, x -> x.subject(subject));
    }
    String rowCategory = optionalText(node, "rowCategory", path, problems);
    if (rowCategory != null) {
      apply(path + ".rowCategory", problems, b, x -> x.rowCategory(rowCategory));
    }
    String erasure = optionalText(node, "erasure", path, problems);
    if (erasure != null) {
      switch (erasure) {
        case "delete" -> apply(path + ".erasure", problems, b, x -> x.erasure(org.consent4j.jdbc.ErasurePolicy.DELETE));
        case "nullify" -> apply(path + ".erasure", problems, b, x -> x.erasure(org.consent4j.jdbc.ErasurePolicy.NULLIFY));
        default -> problems.add(path + ".erasure: expected \"delete\" or \"nullify\", got '"
            + Identifiers.shorten(erasure) + "'");
      }
    }
    JsonNode columns = node.get("columns");
    if (columns != null && !columns.isNull()) {
      if (!columns.isObject()) {
        problems.add(path + ".columns: expected an object of column name to data category,"
            + " e.g. {\"email\": \"contact.email\"}");
      } else {
        for (Iterator<Map.Entry<String, JsonNode>> it = columns.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          String where = path + ".columns." + Identifiers.shorten(e.getKey());
          if (!e.getValue().isTextual()) {
            problems.add(where + ": expected a data category name, e.g. \"contact.email\"");
            continue;
          }
          apply(where, problems, b, x -> x.column(e.getKey(), e.getValue().textValue()));
        }
      }
    }
    if (problems.size() > before || b == null) {
      return null;
    }
    try {
      return b.build();
    } catch (IllegalStateException e) {
      problems.add(path + ": " + e.getMessage());
      return null;
    }
  }

  private interface Step {
    void apply(TableMapping.Builder b);
  }

  /** Applies a builder step (or, without a builder, validates its values alone). */
  private static void apply(String where, List<String> problems, TableMapping.Builder b, Step step) {
    try {
      step.apply(b != null ? b : TableMapping.builder("validation_only"));
    } catch (IllegalArgumentException e) {
      problems.add(where + ": " + e.getMessage());
    }
  }

  private static List<String> subjects(JsonNode node, String path, List<String> problems) {
    JsonNode s = node.get("subject");
    List<String> out = new ArrayList<>();
    if (s == null || s.isNull()) {
      problems.add(path + ": missing property 'subject': name the column(s) holding the subject id,"
          + " e.g. \"subject\": \"id\" or \"subject\": [\"user_id\", \"friend_id\"]");
    } else if (s.isTextual()) {
      out.add(s.textValue());
    } else if (s.isArray() && !s.isEmpty()) {
      for (int i = 0; i < s.size(); i++) {
        if (s.get(i).isTextual()) {
          out.add(s.get(i).textValue());
        } else {
          problems.add(path + ".subject[" + i + "]: expected a column name");
        }
      }
    } else {
      problems.add(path + ".subject: expected a column name or a non-empty array of column names");
    }
    return out;
  }

  private static String optionalText(JsonNode node, String field, String path, List<String> problems) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      problems.add(path + "." + field + ": expected a string or null");
      return null;
    }
    return v.textValue();
  }

  private static void unknownFields(JsonNode node, String path, java.util.Collection<String> known,
      List<String> problems) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!known.contains(f)) {
        problems.add(path + ": unknown property '" + Identifiers.shorten(f) + "' (expected "
            + String.join(", ", known) + ")");
      }
    }
  }

  private static MappingException syntaxError(JsonProcessingException e) {
    StringBuilder where = new StringBuilder();
    JsonLocation loc = e.getLocation();
    if (loc != null && loc.getLineNr() > 0) {
      where.append("line ").append(loc.getLineNr()).append(", column ").append(loc.getColumnNr());
    }
    if (e.getProcessor() instanceof JsonParser p) {
      String path = path(p.getParsingContext());
      if (!path.isEmpty()) {
        where.append(where.length() == 0 ? "" : " (").append(path).append(where.length() == 0 ? "" : ")");
      }
    }
    String message = e.getOriginalMessage();
    return new MappingException(List.of((where.length() == 0 ? "" : where + ": ") + "not valid JSON: "
        + message), e);
  }

  /** A parser context as a path such as {@code tables[1].columns.email}. */
  private static String path(JsonStreamContext context) {
    List<String> parts = new ArrayList<>();
    for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
      if (c.inArray()) {
        parts.add(0, "[" + Math.max(c.getCurrentIndex(), 0) + "]");
      } else if (c.getCurrentName() != null) {
        parts.add(0, "." + Identifiers.shorten(c.getCurrentName()));
      }
    }
    String s = String.join("", parts);
    return s.startsWith(".") ? s.substring(1) : s;
  }

  /**
   * The canonical JSON text. Written by hand: every name in a mapping is a validated identifier
   * or category name, none of which needs escaping, and the layout stays exactly as documented.
   */
  public static String write(SchemaMapping mapping) {
    StringBuilder sb = new StringBuilder("{\n  \"tables\": [");
    boolean firstTable = true;
    for (TableMapping t : mapping.tables()) {
      sb.append(firstTable ? "\n" : ",\n").append("    {\n");
      firstTable = false;
      t.schema().ifPresent(s -> sb.append("      \"schema\": \"").append(s).append("\",\n"));
      sb.append("      \"table\": \"").append(t.table()).append("\",\n");
      sb.append("      \"subject\": [");
      for (int i = 0; i < t.subjectColumns().size(); i++) {
        sb.append(i == 0 ? "\"" : ", \"").append(t.subjectColumns().get(i)).append('"');
      }
      sb.append("],\n");
      t.rowCategory().ifPresent(c -> sb.append("      \"rowCategory\": \"").append(c).append("\",\n"));
      t.erasure().ifPresent(e -> sb.append("      \"erasure\": \"").append(e.jsonName()).append("\",\n"));
      sb.append("      \"columns\": {");
      boolean firstColumn = true;
      for (Map.Entry<String, DataCategory> e : t.columns().entrySet()) {
        sb.append(firstColumn ? "\n" : ",\n").append("        \"").append(e.getKey()).append("\": \"")
            .append(e.getValue()).append('"');
        firstColumn = false;
      }
      sb.append(firstColumn ? "}\n" : "\n      }\n").append("    }");
    }
    sb.append(firstTable ? "]" : "\n  ]");
    if (!mapping.trusted().isEmpty()) {
      sb.append(",\n  \"trusted\": [");
      boolean first = true;
      for (String n : mapping.trusted()) {
        sb.append(first ? "\"" : ", \"").append(n).append('"');
        first = false;
      }
      sb.append(']');
    }
    sb.append("\n}\n");
    return sb.toString();
  }

  /** SHA-256 of the canonical JSON, in hex. */
  public static String fingerprint(SchemaMapping mapping) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(write(mapping).getBytes(StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  /** Keeps Jackson from closing a caller's stream. */
  private static final class NonClosing extends java.io.FilterInputStream {
    NonClosing(InputStream in) {
      super(in);
    }

    @Override
    public void close() {}
  }
}
