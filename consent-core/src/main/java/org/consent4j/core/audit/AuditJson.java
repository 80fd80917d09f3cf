package org.consent4j.core.audit;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.consent4j.AuditEvent;
import org.consent4j.AuditRecord;
import org.consent4j.DataCategory;
import org.consent4j.Outcome;
import org.consent4j.Purpose;
import org.consent4j.Recipient;
import org.consent4j.SubjectId;

/**
 * The JSON form of an audit record, one object per line. Mapped by hand rather than by data
 * binding so that the stored format does not change when a value type gains a method, and so that
 * reading is strict: a missing or mistyped field is an error, never a default.
 *
 * <pre>
 * {"sequence":1,"previousHash":"00…","hash":"9f…","event":{"time":"2025-01-01T10:00:00.123456789Z",
 *  "actor":"crm","purpose":"marketing.email","recipient":"self","operation":"check","subjects":["42"],
 *  "categories":["contact.email"],"outcome":"PERMIT","reason":"GRANTED","stateVersion":7,"details":{}}}
 * </pre>
 *
 * Not API. Thread-safe.
 */
final class AuditJson {

  private static final ObjectMapper MAPPER = new ObjectMapper()
      // Two values for one key would let a reader and the verifier see different records.
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private AuditJson() {}

  /** The record as UTF-8 JSON, without a line break: Jackson escapes control characters in strings. */
  static byte[] write(AuditRecord record) {
    AuditEvent e = record.event();
    ObjectNode root = MAPPER.createObjectNode();
    root.put("sequence", record.sequence());
    root.put("previousHash", record.previousHash());
    root.put("hash", record.hash());
    ObjectNode event = root.putObject("event");
    // Instant.toString keeps every nanosecond and Instant.parse reads it back exactly.
    event.put("time", e.time().toString());
    event.put("actor", e.actor());
    event.put("purpose", e.purpose().name());
    event.put("recipient", e.recipient().id());
    event.put("operation", e.operation());
    ArrayNode subjects = event.putArray("subjects");
    e.subjects().forEach(s -> subjects.add(s.value()));
    ArrayNode categories = event.putArray("categories");
    e.categories().forEach(c -> categories.add(c.name()));
    event.put("outcome", e.outcome().name());
    event.put("reason", e.reason());
    event.put("stateVersion", e.stateVersion());
    ObjectNode details = event.putObject("details");
    e.details().forEach(details::put);
    try {
      return MAPPER.writeValueAsBytes(root);
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException("audit record " + record.sequence() + " could not be written as JSON", ex);
    }
  }

  /**
   * Reads one line.
   *
   * @throws IllegalArgumentException if the line is not a valid audit record; the message says
   *     which field is wrong (the cause of a JSON syntax error may quote the line)
   */
  static AuditRecord read(String line) {
    JsonNode root;
    try {
      root = MAPPER.readTree(line);
    } catch (JsonProcessingException ex) {
      throw new IllegalArgumentException("not valid JSON", ex);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    JsonNode event = field(root, "event");
    if (!event.isObject()) {
      throw new IllegalArgumentException("field 'event' is not an object");
    }
    AuditEvent e = new AuditEvent(
        instant(event, "time"),
        text(event, "actor"),
        Purpose.of(text(event, "purpose")),
        Recipient.of(text(event, "recipient")),
        text(event, "operation"),
        subjects(event),
        categories(event),
        outcome(event),
        text(event, "reason"),
        number(event, "stateVersion"),
        details(event));
    return new AuditRecord(number(root, "sequence"), e, text(root, "previousHash"), text(root, "hash"));
  }

  private static Outcome outcome(JsonNode event) {
    String name = text(event, "outcome");
    for (Outcome o : Outcome.values()) {
      if (o.name().equals(name)) {
        return o;
      }
    }
    throw new IllegalArgumentException("field 'outcome' is not one of PERMIT, PARTIAL, DENY");
  }

  private static JsonNode field(JsonNode node, String name) {
    JsonNode value = node.get(name);
    if (value == null || value.isNull()) {
      throw new IllegalArgumentException("field '" + name + "' is missing");
    }
    return value;
  }

  private static String text(JsonNode node, String name) {
    JsonNode value = field(node, name);
    if (!value.isTextual()) {
      throw new IllegalArgumentException("field '" + name + "' is not a string");
    }
    return value.textValue();
  }

  private static long number(JsonNode node, String name) {
    JsonNode value = field(node, name);
    if (!value.isIntegralNumber() || !value.canConvertToLong()) {
      throw new IllegalArgumentException("field '" + name + "' is not a whole number");
    }
    return value.longValue();
  }

  private static Instant instant(JsonNode node, String name) {
    try {
      return Instant.parse(text(node, name));
    } catch (DateTimeParseException ex) {
      throw new IllegalArgumentException("field '" + name + "' is not an ISO-8601 instant", ex);
    }
  }

  private static List<String> texts(JsonNode node, String name) {
    JsonNode array = field(node, name);
    if (!array.isArray()) {
      throw new IllegalArgumentException("field '" + name + "' is not an array");
    }
    List<String> values = new ArrayList<>(array.size());
    for (JsonNode element : array) {
      if (!element.isTextual()) {
        throw new IllegalArgumentException("field '" + name + "' has an element that is not a string");
      }
      values.add(element.textValue());
    }
    return values;
  }

  private static List<SubjectId> subjects(JsonNode event) {
    List<SubjectId> subjects = new ArrayList<>();
    texts(event, "subjects").forEach(s -> subjects.add(SubjectId.of(s)));
    return subjects;
  }

  private static SortedSet<DataCategory> categories(JsonNode event) {
    SortedSet<DataCategory> categories = new TreeSet<>();
    texts(event, "categories").forEach(c -> categories.add(DataCategory.of(c)));
    return categories;
  }

  private static SortedMap<String, String> details(JsonNode event) {
    JsonNode object = field(event, "details");
    if (!object.isObject()) {
      throw new IllegalArgumentException("field 'details' is not an object");
    }
    SortedMap<String, String> details = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      if (!entry.getValue().isTextual()) {
        throw new IllegalArgumentException("field 'details' has a value that is not a string");
      }
      details.put(entry.getKey(), entry.getValue().textValue());
    }
    return details;
  }
}
