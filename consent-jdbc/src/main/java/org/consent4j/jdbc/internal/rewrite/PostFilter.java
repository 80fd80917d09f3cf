package org.consent4j.jdbc.internal.rewrite;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import net.sf.jsqlparser.expression.Alias;
import net.sf.jsqlparser.expression.DoubleValue;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.JdbcParameter;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.expression.NullValue;
import net.sf.jsqlparser.expression.StringValue;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.AllTableColumns;
import net.sf.jsqlparser.statement.select.FromItem;
import net.sf.jsqlparser.statement.select.Join;
import net.sf.jsqlparser.statement.select.OrderByElement;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SelectItem;
import org.consent4j.DataCategory;
import org.consent4j.LegalBasis;
import org.consent4j.PurposeDefinition;

/**
 * Decides, per statement, whether the <em>post-filtered form</em> gives exactly the pushdown
 * result, and if so turns the rewritten statement into it. In that form the statement reads the
 * mapped tables themselves (by their qualified names, as the views do), with each mapped table
 * reference's subject columns appended as hidden trailing columns; the result set then drops the
 * rows whose subjects the engine does not permit and returns NULL for the personal columns it does
 * not permit (see {@link PostFilterPlan}). Not API.
 *
 * <p>The form is exact when each of these holds (each is checked; any other statement keeps the
 * pushdown form). Write V(r) for "row r of a mapped table is visible" and note that in the pushdown
 * form a statement sees the mapped tables' visible rows, with masked values, and nothing else.
 *
 * <ol>
 *   <li><b>The purpose's legal basis is consent.</b> Under another basis a row whose subject is
 *       NULL is visible, which a per-subject decision cannot say; and the pushdown has no per-row
 *       probe there to save (except for legitimate interests' objections).
 *   <li><b>One plain SELECT</b> ({@link PlainSelect}): no set operation, no WITH, and nothing in it
 *       but its select list, FROM, inner joins, WHERE and ORDER BY: no DISTINCT, GROUP BY, HAVING,
 *       QUALIFY, window definitions, LIMIT, OFFSET, FETCH, TOP, INTO, locking clause
 *       ({@code FOR UPDATE}, {@code FOR SHARE}), hierarchical query or vendor flag. Each of these
 *       computes over the set of rows (which rows are first, which are equal, how many there are,
 *       which rows are locked), and that set differs between the forms until the result set
 *       filters it. LIMIT/OFFSET (and FETCH FIRST) could be served exactly by skipping and
 *       counting visible rows in the result set when the ORDER BY covers a unique NOT NULL key of
 *       every FROM item (otherwise not even the pushdown's page is determined); but the database
 *       would then have to produce every row the WHERE matches (no bound on the rows to read is
 *       safe, since the number of hidden rows before the page is unknown), and measured against
 *       the pushdown that loses where paging matters, on large tables and first pages
 *       (docs/BENCHMARKS.md, "Paging"). Paged statements keep the pushdown.
 *   <li><b>Every mapped table reference stands in the top-level FROM</b>, joined with plain, inner,
 *       cross or comma joins (no outer, natural, semi, apply or USING join): an inner join of the
 *       tables' rows restricted to visible rows equals the join of all rows restricted afterwards
 *       to the combinations whose every mapped row is visible, with the same multiplicity, provided
 *       the join and WHERE conditions give the same answer on visible rows in both forms (next
 *       points). An outer join would have to NULL-extend instead of drop; it keeps the pushdown.
 *       The other FROM items must be plain tables (no derived table, function or LATERAL).
 *   <li><b>No subquery anywhere</b>, and no CTE: a mapped table in one would be read unfiltered;
 *       a correlated one could compare a hidden row's values.
 *   <li><b>No condition that could fail</b>: the WHERE and ON conditions run on hidden rows too in
 *       this form, so they must be exactly those {@link PredicateGuards} leaves unguarded (safe
 *       comparisons of plain columns with literals, parameters or columns of their type). The
 *       test is on the result: with the views printed as tables, the statement must hold no
 *       consent condition at all (no guard, no fence, no lock condition).
 *   <li><b>Personal columns only as plain projected columns</b>: never in WHERE, ON or ORDER BY
 *       (where the pushdown sees the masked value, NULL, and this form the stored one), never
 *       inside an expression. Checked by name: any column reference named like a personal column
 *       of a mapped table in the statement refuses, whatever its qualifier (over-refusing is safe).
 *       ORDER BY takes plain columns only, none named like a personal column or like the alias of
 *       a personal column in the select list (a position could name one too, so none is taken).
 *   <li><b>The select list holds plain columns, literals and parameters only</b>, so it cannot fail
 *       on a hidden row and each column's mask is known: a column of a mapped reference's personal
 *       column is masked by that reference's subjects; {@code *} only when every FROM item is a
 *       mapped reference, {@code t.*} only for a mapped reference (their columns, in the table's
 *       order, are the view's). An unqualified column name held by several mapped references keeps
 *       the pushdown.
 *   <li><b>Every subject column is an integer column</b>: the pushdown compares it with the state
 *       table's numeric key, which is exactly the canonical decimal id the engine decides for. A
 *       text subject is compared by the database's collation (case- and trailing-space-insensitive
 *       on MariaDB, padded for CHAR), which the Java lookup does not reproduce.
 * </ol>
 *
 * <p>With all of these, a row of the unfiltered statement is in the pushdown result exactly when
 * every mapped row it combines is visible (a NULL or unknown subject is not), every value it
 * shows is the stored one or NULL by the same rule as the view's CASE, and the order of ORDER BY is
 * that of the pushdown's on the rows both keep. The result set asks {@code
 * ConsentEngine.decideAll} at the instant the statement's SQL would have bound.
 */
public final class PostFilter {
  private PostFilter() {}

  /**
   * The verdict for one statement.
   *
   * @param plan the plan when the post-filtered form is exact and the statement was turned into it
   * @param reason why the pushdown form is kept (empty when {@code plan} is present)
   */
  public record Verdict(Optional<PostFilterPlan> plan, String reason) {
    static Verdict no(String reason) {
      return new Verdict(Optional.empty(), reason);
    }
  }

  private static final Set<String> ALLOWED_SELECT_FIELDS = Set.of("selectItems", "fromItem", "joins", "where",
      "orderByElements");
  private static final Set<String> ALLOWED_JOIN_FIELDS = Set.of("onExpressions", "fromItem", "inner", "simple",
      "cross");

  /**
   * Decides for {@code statement}, already rewritten by the rewriter (its mapped tables are views
   * in {@code viewTables}), and when the post-filtered form is exact turns it into that form: its
   * top-level views print as their tables, and each one's subject columns are appended to the
   * select list as hidden columns {@code c4j_s0}, ... Otherwise leaves it as it is.
   */
  static Verdict decide(Object statement, Map<ViewFromItem, ProtectedTable> viewTables, PurposeDefinition def,
      ConsentPredicates predicates) {
    if (def == null || def.basis() != LegalBasis.CONSENT) {
      return Verdict.no("the purpose's legal basis is not consent");
    }
    if (!(statement instanceof PlainSelect ps) || statement.getClass() != PlainSelect.class) {
      return Verdict.no("not a single plain SELECT (a set operation, VALUES, or a write)");
    }
    String clause = disallowedField(ps, ALLOWED_SELECT_FIELDS);
    if (clause != null) {
      return Verdict.no("the SELECT has a " + clause + " clause, which computes over the set of rows");
    }
    List<FromItem> from = new ArrayList<>();
    from.add(ps.getFromItem());
    if (ps.getJoins() != null) {
      for (Join j : ps.getJoins()) {
        String flag = disallowedField(j, ALLOWED_JOIN_FIELDS);
        if (flag != null) {
          return Verdict.no("a join is not a plain inner join (" + flag + ")");
        }
        from.add(j.getFromItem());
      }
    }
    List<ViewFromItem> views = new ArrayList<>();
    List<ProtectedTable> mapped = new ArrayList<>();
    boolean allMapped = true;
    for (FromItem f : from) {
      if (f instanceof ViewFromItem v && viewTables.containsKey(v)) {
        if (v.fenced() || v.base().isEmpty() || v.getAlias() == null) {
          return Verdict.no("a mapped table reference is fenced (a condition could see its hidden rows)");
        }
        ProtectedTable t = viewTables.get(v);
        for (String s : t.subjectColumns()) {
          if (!t.column(s).orElseThrow().integral()) {
            return Verdict.no("the subject column " + s + " of " + t.name() + " is not an integer column (text"
                + " subjects compare by the database's collation)");
          }
        }
        views.add(v);
        mapped.add(t);
      } else if (f != null && f.getClass() == Table.class) {
        allMapped = false;
      } else {
        return Verdict.no("a FROM item is not a table (derived table, function or missing FROM)");
      }
    }
    if (views.isEmpty()) {
      return Verdict.no("no mapped table in the top-level FROM");
    }
    if (holdsSubquery(ps)) {
      return Verdict.no("the statement holds a subquery");
    }
    Set<String> personal = new java.util.HashSet<>();
    for (ProtectedTable t : mapped) {
      t.personal().keySet().forEach(personal::add);
    }
    // The select list: each visible column and its mask.
    List<Optional<PostFilterPlan.Mask>> columns = new ArrayList<>();
    Set<String> aliases = new java.util.HashSet<>();
    for (SelectItem<?> item : ps.getSelectItems()) {
      Object e = item.getExpression();
      int before = columns.size();
      if (e instanceof AllTableColumns all) {
        int at = reference(all.getTable(), views);
        if (at < 0 || all.getExceptColumns() != null || all.getReplaceExpressions() != null) {
          return Verdict.no("t.* names a table that is not a mapped reference");
        }
        expand(mapped.get(at), at, columns);
      } else if (e instanceof AllColumns all) {
        if (!allMapped || all.getExceptColumns() != null || all.getReplaceExpressions() != null) {
          return Verdict.no("* over a FROM item that is not a mapped table");
        }
        for (int i = 0; i < mapped.size(); i++) {
          expand(mapped.get(i), i, columns);
        }
      } else if (e instanceof Column c) {
        Optional<Optional<PostFilterPlan.Mask>> mask = mask(c, views, mapped, allMapped);
        if (mask.isEmpty()) {
          return Verdict.no("the column " + c.getColumnName() + " of the select list cannot be told to one table");
        }
        columns.add(mask.get());
      } else if (e instanceof StringValue || e instanceof LongValue || e instanceof DoubleValue
          || e instanceof NullValue || e instanceof JdbcParameter) {
        columns.add(Optional.empty());
      } else {
        return Verdict.no("the select list holds an expression (it could fail on a hidden row, or read a"
            + " personal value)");
      }
      if (item.getAlias() != null && columns.subList(before, columns.size()).stream().anyMatch(Optional::isPresent)) {
        aliases.add(unquote(item.getAlias().getName())); // ORDER BY it would sort by a personal value
      }
    }
    List<Object> conditions = new ArrayList<>();
    conditions.add(ps.getWhere());
    if (ps.getJoins() != null) {
      for (Join j : ps.getJoins()) {
        conditions.add(j.getOnExpressions());
      }
    }
    for (Column c : columns(conditions)) {
      if (personal.contains(unquote(c.getColumnName()))) {
        return Verdict.no("a personal column (" + c.getColumnName() + ") is compared in WHERE or ON");
      }
    }
    if (ps.getOrderByElements() != null) {
      for (OrderByElement o : ps.getOrderByElements()) {
        if (!(o.getExpression() instanceof Column c)) {
          return Verdict.no("ORDER BY holds an expression or a position");
        }
        String name = unquote(c.getColumnName());
        if (personal.contains(name) || aliases.contains(name)) {
          return Verdict.no("ORDER BY names a personal column, or the alias of one");
        }
      }
    }
    views.forEach(v -> v.plain(true));
    if (ps.toString().contains(ConsentPredicates.MARKER)) {
      views.forEach(v -> v.plain(false));
      return Verdict.no("a condition of the statement is guarded (it could fail on a hidden row)");
    }
    // The hidden subject columns, reference by reference.
    List<PostFilterPlan.Source> sources = new ArrayList<>();
    TreeSet<DataCategory> categories = new TreeSet<>();
    int hidden = 0;
    for (int i = 0; i < views.size(); i++) {
      ProtectedTable t = mapped.get(i);
      String alias = views.get(i).getAlias().getName();
      sources.add(new PostFilterPlan.Source(alias, hidden, t.subjectColumns().size(), t.rowCategory()));
      t.rowCategory().ifPresent(categories::add);
      for (String s : t.subjectColumns()) {
        String ref = alias + "." + predicates.quote(t.column(s).orElseThrow().name());
        ps.addSelectItem(new Column(ref), new Alias("c4j_s" + hidden, true));
        hidden++;
      }
    }
    for (Optional<PostFilterPlan.Mask> m : columns) {
      m.ifPresent(x -> categories.add(x.category()));
    }
    return new Verdict(Optional.of(new PostFilterPlan(sources, columns, categories, hidden)), "");
  }

  /** The view's columns, in the table's order, with their masks. */
  private static void expand(ProtectedTable t, int at, List<Optional<PostFilterPlan.Mask>> out) {
    for (ProtectedTable.Column c : t.columns()) {
      DataCategory cat = t.personal().get(c.key());
      out.add(cat == null ? Optional.empty() : Optional.of(new PostFilterPlan.Mask(at, cat)));
    }
  }

  /**
   * The mask of a plain column of the select list: empty when it cannot be told which table it
   * belongs to; an empty mask when it is shown as it is.
   */
  private static Optional<Optional<PostFilterPlan.Mask>> mask(Column c, List<ViewFromItem> views,
      List<ProtectedTable> mapped, boolean allMapped) {
    String name = unquote(c.getColumnName());
    Table q = c.getTable();
    if (q != null && q.getName() != null) {
      if (q.getSchemaName() != null) {
        return Optional.empty();
      }
      int at = reference(q, views);
      if (at < 0) {
        // a column of an unmapped table; named like a personal column, it might not be one of its
        for (ProtectedTable t : mapped) {
          if (t.personal().containsKey(name)) {
            return Optional.empty();
          }
        }
        return Optional.of(Optional.empty());
      }
      if (mapped.get(at).column(name).isEmpty()) {
        return Optional.empty(); // not a column the view has (the table changed since it was read)
      }
      return Optional.of(maskOf(mapped.get(at), at, name));
    }
    int found = -1;
    for (int i = 0; i < mapped.size(); i++) {
      if (mapped.get(i).column(name).isPresent()) {
        if (found >= 0) {
          return Optional.empty();
        }
        found = i;
      }
    }
    if (found < 0 && allMapped) {
      return Optional.empty(); // no FROM item has it as far as the rewriter knows
    }
    return Optional.of(found < 0 ? Optional.empty() : maskOf(mapped.get(found), found, name));
  }

  private static Optional<PostFilterPlan.Mask> maskOf(ProtectedTable t, int at, String name) {
    DataCategory cat = t.personal().get(name);
    return cat == null ? Optional.empty() : Optional.of(new PostFilterPlan.Mask(at, cat));
  }

  /** The index of the mapped reference {@code q} names by its alias, or -1. */
  private static int reference(Table q, List<ViewFromItem> views) {
    if (q == null || q.getName() == null || q.getSchemaName() != null) {
      return -1;
    }
    String name = unquote(q.getName());
    int found = -1;
    for (int i = 0; i < views.size(); i++) {
      if (unquote(views.get(i).getAlias().getName()).equals(name)) {
        if (found >= 0) {
          return -1;
        }
        found = i;
      }
    }
    return found;
  }

  static String unquote(String name) {
    String n = name;
    if (n.length() >= 2 && (n.charAt(0) == '"' || n.charAt(0) == '`' || n.charAt(0) == '[')) {
      n = n.substring(1, n.length() - 1);
    }
    return n.toLowerCase(Locale.ROOT);
  }

  /**
   * The first field of {@code node} (a parser node) outside {@code allowed} that holds something:
   * a non-null object, a true flag, a non-empty list. Null when there is none.
   */
  private static String disallowedField(Object node, Set<String> allowed) {
    for (Class<?> k = node.getClass(); k != null && k != Object.class; k = k.getSuperclass()) {
      if (!k.getName().startsWith("net.sf.jsqlparser.") || k.getSimpleName().equals("ASTNodeAccessImpl")) {
        continue;
      }
      for (Field f : k.getDeclaredFields()) {
        if (java.lang.reflect.Modifier.isStatic(f.getModifiers()) || allowed.contains(f.getName())) {
          continue;
        }
        Object v;
        try {
          f.setAccessible(true);
          v = f.get(node);
        } catch (ReflectiveOperationException | RuntimeException e) {
          return f.getName();
        }
        boolean set = v instanceof Boolean b ? b : v instanceof Collection<?> c ? !c.isEmpty() : v != null;
        if (set) {
          return f.getName();
        }
      }
    }
    return null;
  }

  private static boolean holdsSubquery(PlainSelect root) {
    boolean[] found = {false};
    walk(root, java.util.Collections.newSetFromMap(new IdentityHashMap<>()), o -> {
      if (o != root && o instanceof Select) {
        found[0] = true;
      }
    });
    return found[0];
  }

  private static List<Column> columns(Object o) {
    List<Column> out = new ArrayList<>();
    walk(o, java.util.Collections.newSetFromMap(new IdentityHashMap<>()), x -> {
      if (x instanceof Column c) {
        out.add(c);
      }
    });
    return out;
  }

  private static void walk(Object o, Set<Object> seen, java.util.function.Consumer<Object> visit) {
    if (o == null || o instanceof Enum<?> || o instanceof String) {
      return;
    }
    if (o instanceof Collection<?> coll) {
      for (Object e : coll) {
        walk(e, seen, visit);
      }
      return;
    }
    if (!o.getClass().getName().startsWith("net.sf.jsqlparser.")) {
      return; // a consent4j view is printed, not visited; boxed values hold nothing
    }
    if (!seen.add(o)) {
      return;
    }
    visit.accept(o);
    for (Field f : SqlRewriter.FIELDS.get(o.getClass())) {
      try {
        walk(f.get(o), seen, visit);
      } catch (IllegalAccessException e) {
        throw new IllegalStateException("cannot read parser node field " + f, e);
      }
    }
  }
}
