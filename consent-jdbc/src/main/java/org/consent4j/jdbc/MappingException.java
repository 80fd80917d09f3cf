package org.consent4j.jdbc;

import java.util.List;
import java.util.Objects;
import org.consent4j.ConsentException;

/**
 * A {@link SchemaMapping} is wrong: its JSON cannot be read, it names a data category the catalog
 * does not declare, it names a table or column the database does not have, or a table reference
 * matches it ambiguously. Every problem found is listed at once ({@link #problems()}), each naming
 * the place (JSON path, table, column) and how to fix it; none holds personal data.
 *
 * <p>Unchecked, like every consent4j exception. Instances are immutable.
 */
public class MappingException extends ConsentException {
  private static final long serialVersionUID = 1L;

  /** Every problem found, in the order found. */
  private final List<String> problems;

  /**
   * With one problem.
   *
   * @throws NullPointerException if {@code problem} is null
   */
  public MappingException(String problem) {
    this(List.of(Objects.requireNonNull(problem, "problem")));
  }

  /**
   * With every problem found, in the order found.
   *
   * @throws NullPointerException if {@code problems} is or holds null
   * @throws IllegalArgumentException if {@code problems} is empty
   */
  public MappingException(List<String> problems) {
    super(render(problems));
    this.problems = List.copyOf(problems);
  }

  /**
   * With every problem found and the exception that revealed them (a JSON parse error, say).
   *
   * @throws NullPointerException if {@code problems} is or holds null, or {@code cause} is null
   * @throws IllegalArgumentException if {@code problems} is empty
   */
  public MappingException(List<String> problems, Throwable cause) {
    super(render(problems), Objects.requireNonNull(cause, "cause"));
    this.problems = List.copyOf(problems);
  }

  /** Every problem, one sentence each, in the order found; never empty. */
  public List<String> problems() {
    return problems;
  }

  private static String render(List<String> problems) {
    List<String> copy = List.copyOf(Objects.requireNonNull(problems, "problems"));
    if (copy.isEmpty()) {
      throw new IllegalArgumentException("a MappingException needs at least one problem");
    }
    if (copy.size() == 1) {
      return "schema mapping: " + copy.get(0);
    }
    StringBuilder sb = new StringBuilder("schema mapping has ").append(copy.size()).append(" problems:");
    for (String p : copy) {
      sb.append("\n  - ").append(p);
    }
    return sb.toString();
  }
}
