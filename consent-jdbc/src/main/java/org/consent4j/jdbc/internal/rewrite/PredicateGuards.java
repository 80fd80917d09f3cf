package org.consent4j.jdbc.internal.rewrite;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import net.sf.jsqlparser.expression.DoubleValue;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.ExpressionVisitor;
import net.sf.jsqlparser.expression.JdbcParameter;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.expression.NotExpression;
import net.sf.jsqlparser.expression.NullValue;
import net.sf.jsqlparser.expression.Parenthesis;
import net.sf.jsqlparser.expression.SignedExpression;
import net.sf.jsqlparser.expression.StringValue;
import net.sf.jsqlparser.expression.operators.conditional.AndExpression;
import net.sf.jsqlparser.expression.operators.conditional.OrExpression;
import net.sf.jsqlparser.expression.operators.relational.Between;
import net.sf.jsqlparser.expression.operators.relational.ComparisonOperator;
import net.sf.jsqlparser.expression.operators.relational.ExistsExpression;
import net.sf.jsqlparser.expression.operators.relational.ExpressionList;
import net.sf.jsqlparser.expression.operators.relational.InExpression;
import net.sf.jsqlparser.expression.operators.relational.IsNullExpression;
import net.sf.jsqlparser.expression.operators.relational.LikeExpression;
import net.sf.jsqlparser.expression.operators.relational.ParenthesedExpressionList;
import net.sf.jsqlparser.parser.ASTNodeAccessImpl;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.FromItem;
import net.sf.jsqlparser.statement.select.Join;
import net.sf.jsqlparser.statement.select.LateralSubSelect;
import net.sf.jsqlparser.statement.select.Limit;
import net.sf.jsqlparser.statement.select.Offset;
import net.sf.jsqlparser.statement.select.OrderByElement;
import net.sf.jsqlparser.statement.select.ParenthesedFromItem;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SelectItem;
import net.sf.jsqlparser.statement.select.SetOperationList;
import net.sf.jsqlparser.statement.select.TableFunction;
import net.sf.jsqlparser.statement.select.Values;
import net.sf.jsqlparser.statement.select.WithItem;
import net.sf.jsqlparser.statement.update.Update;
import org.consent4j.jdbc.internal.Dialect;

/**
 * Keeps a statement's own conditions from running on rows of mapped tables that the context may
 * not see (issue 12, item 2: the error channel). Not API.
 *
 * <p>Why: a view of a mapped table is a derived table, and PostgreSQL and MariaDB merge it into
 * the query and may evaluate the query's conditions on the table's rows before the consent
 * condition. A condition that fails, or not, depending on a hidden row ({@code 1/(id - 5)},
 * {@code CAST(country AS INT)}) then tells by failing that the row exists, and what it holds.
 *
 * <p>What: one classifier of <em>safe</em> conditions — those that cannot fail, or behave
 * differently, whatever a row holds: a plain column compared with a literal or a parameter of
 * its own type (or another plain column of its type), {@code IN} lists, {@code BETWEEN},
 * {@code IS [NOT] NULL}, {@code LIKE} with a literal pattern without escapes, {@code EXISTS} and
 * {@code IN} over subqueries that cannot fail, and AND/OR/NOT of these. Safe conditions stay
 * where they are and may see raw rows, so the planner keeps using indexes for them. Every other
 * conjunct of a WHERE or JOIN ON of a query block that reads a mapped table's view is wrapped as
 * {@code CASE WHEN <each view's row is visible> THEN (<conjunct>) END}: a CASE is evaluated in
 * order, so the conjunct runs only on visible rows, wherever the planner puts it. What cannot be
 * guarded that way is fenced so that the planner must filter first ({@code OFFSET 0} on
 * PostgreSQL and H2, a {@code LIMIT} on MariaDB, which neither merges nor pushes conditions into
 * a derived table with a limit): derived tables and CTEs that hold mapped tables, views on the
 * nullable side of an outer join, and — under a {@code LATERAL} subquery or a table function that
 * may fail — every view of the block. A HAVING conjunct without an aggregate (which PostgreSQL
 * and MariaDB move into WHERE) gets an aggregate, {@code CASE WHEN COUNT(*) > 0 THEN (..) END},
 * so it stays after the grouping. Writes use the same classifier for the conditions they move
 * in front of their consent check ({@link #safePrefix}).
 *
 * <p>One instance per rewrite; not thread-safe.
 */
final class PredicateGuards {
  /**
   * The aliases the consent conditions use inside their own subqueries ({@code ConsentPredicates}):
   * a view the statement names so cannot be guarded (its alias would be shadowed there), and is
   * fenced instead.
   */
  private static final Set<String> PROBE_ALIASES = Set.of("g", "gx", "gt", "o");

  /** Whether {@code name} (unquoted) is one of the aliases the consent conditions use inside their subqueries. */
  static boolean isProbeAlias(String name) {
    return name != null && PROBE_ALIASES.contains(name.toLowerCase(java.util.Locale.ROOT));
  }

  /** The largest row count MariaDB accepts: a limit that keeps every row. */
  private static final String MARIADB_NO_LIMIT = "18446744073709551615";

  /** What a column reference is known to be. */
  enum Kind {
    /** A column of a mapped table of integer type. */
    INTEGRAL,
    /** A column of a mapped table of character type. */
    TEXTUAL,
    /** A column of a mapped table of another type. */
    OTHER,
    /** A column of a table that is not mapped, of unknown type. */
    BASE,
    /** An expression of a derived table, an unknown or ambiguous name: may be anything. */
    UNKNOWN
  }

  /** A FROM item of a query block as the classifier sees it. */
  private static final class Entry {
    final FromItem item;
    final Set<String> names = new HashSet<>();
    /** The mapped table behind a view (or a write's target); null otherwise. */
    final ProtectedTable table;
    /** A table that is not mapped and not a CTE. */
    final boolean base;
    final boolean nullable;
    /** Puts another FROM item where this one stands; null when it cannot be replaced. */
    java.util.function.Consumer<FromItem> replace;

    Entry(FromItem item, String name, ProtectedTable table, boolean base, boolean nullable) {
      this.item = item;
      if (name != null) {
        names.add(SqlRewriter.unquote(name));
      }
      this.table = table;
      this.base = base;
      this.nullable = nullable;
    }
  }

  /** The FROM items visible to a block's conditions, and those of the enclosing blocks. */
  private static final class Scope {
    final Scope parent;
    final List<Entry> entries;

    Scope(Scope parent, List<Entry> entries) {
      this.parent = parent;
      this.entries = entries;
    }
  }

  /** A JOIN's ON conditions, with the FROM items they may name. */
  private record On(Join join, List<Entry> inScope) {}

  private final Dialect dialect;
  private final Map<ViewFromItem, ProtectedTable> views;
  /** The condition under which a row of a mapped table, reached by the alias, is visible. */
  private final BiFunction<ProtectedTable, String, String> visibility;
  /** CTE names of the statement (as {@link SqlRewriter#cteKey}), and whether each body holds a view. */
  private final Map<String, WithItem<?>> ctes = new java.util.HashMap<>();
  private final Set<Object> walked = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
  private final Map<Object, Boolean> holdsView = new IdentityHashMap<>();
  /** The CTEs whose bodies the walk is in: a reference to one of them there is its recursive self-reference. */
  private final Set<WithItem<?>> inside = java.util.Collections.newSetFromMap(new IdentityHashMap<>());

  /** Whether a write's target table is mapped (its raw rows are then restricted by the write condition only). */
  private final java.util.function.Predicate<Table> mappedTarget;

  PredicateGuards(Dialect dialect, Map<ViewFromItem, ProtectedTable> views,
      BiFunction<ProtectedTable, String, String> visibility, java.util.function.Predicate<Table> mappedTarget) {
    this.dialect = dialect;
    this.views = views;
    this.visibility = visibility;
    this.mappedTarget = mappedTarget;
  }

  // ---- the pass over a rewritten statement

  /** Guards every query block of {@code statement}, whose mapped tables are already views. */
  void guard(Object statement) {
    collectCtes(statement, java.util.Collections.newSetFromMap(new IdentityHashMap<>()));
    walk(statement, null);
  }

  private void collectCtes(Object o, Set<Object> seen) {
    if (o == null || o instanceof Enum<?> || o instanceof String || !seen.add(o)) {
      return;
    }
    if (o instanceof WithItem<?> w && w.getAlias() != null) {
      ctes.put(SqlRewriter.cteKey(w.getAlias().getName()), w);
    }
    children(o).forEach(c -> collectCtes(c, seen));
  }

  private void walk(Object o, Scope scope) {
    if (o == null || o instanceof Enum<?> || o instanceof String || !walked.add(o)) {
      return;
    }
    if (o instanceof PlainSelect ps) {
      List<Entry> entries = new ArrayList<>();
      List<On> ons = new ArrayList<>();
      collect(ps.getFromItem(), ps::setFromItem, ps.getJoins(), false, entries, ons);
      Scope s = new Scope(scope, entries);
      children(o).forEach(c -> walk(c, s));
      block(ps, s, ons);
      return;
    }
    if (o instanceof Update u) {
      List<Entry> entries = new ArrayList<>();
      List<On> ons = new ArrayList<>();
      // the target itself: a mapped one is restricted by the rewriter's write condition
      entries.add(new Entry(u.getTable(), aliasOrName(u.getTable()), null, true, false));
      collect(null, u.getStartJoins(), false, entries, ons);
      int startJoins = ons.size();
      collect(u.getFromItem(), u::setFromItem, u.getJoins(), false, entries, ons);
      Scope s = new Scope(scope, entries);
      children(o).forEach(c -> walk(c, s));
      boolean hidden = protects(entries) || u.getTable() != null && mappedTarget.test(u.getTable());
      for (On on : ons.subList(0, startJoins)) {
        // MariaDB's UPDATE a JOIN b ON ...: the ON runs on the target's raw rows, which no view
        // filters and the write condition (in WHERE) does not reach. An inner join's unsafe
        // conjuncts mean the same in WHERE, where they are guarded; the others are refused.
        List<Expression> conds = onConditions(on.join());
        if (!hidden || conds.stream().allMatch(e -> safe(e, s))) {
          continue;
        }
        Join j = on.join();
        boolean outer = j.isLeft() || j.isRight() || j.isFull() || j.isOuter() || j.isNatural();
        List<Expression> moved = conds.stream().filter(e -> !safe(e, s)).toList();
        if (outer || moved.stream().anyMatch(PredicateGuards::holdsParameter)) {
          throw new RewriteRefusedException(RewriteRefusedException.Why.UNANALYSABLE_SQL, "a JOIN condition of"
              + " a multi-table UPDATE over mapped tables could fail on rows the context may not see; move it to"
              + " the WHERE clause");
        }
        List<Expression> kept = new ArrayList<>(conds.stream().filter(e -> safe(e, s)).toList());
        j.setOnExpressions(List.of(kept.isEmpty() ? new net.sf.jsqlparser.expression.operators.relational.EqualsTo(
            new LongValue(1), new LongValue(1)) : and(kept)));
        List<Expression> where = new ArrayList<>(conjuncts(u.getWhere()));
        where.addAll(moved);
        u.setWhere(and(where));
      }
      if (!protects(entries)) {
        return;
      }
      List<Expression> where = conjuncts(u.getWhere());
      boolean unsafe = where.stream().anyMatch(e -> !safe(e, s));
      for (On on : ons) {
        unsafe |= onConditions(on.join()).stream().anyMatch(e -> !safe(e, s));
      }
      if (unsafe) {
        if (where.stream().anyMatch(e -> !safe(e, s))) {
          u.setWhere(rebuild(where, s, entries));
        }
        ons.forEach(on -> guardOn(on, s));
      }
      return;
    }
    if (o instanceof WithItem<?> w) {
      inside.add(w);
      children(o).forEach(c -> walk(c, scope));
      inside.remove(w);
      return;
    }
    children(o).forEach(c -> walk(c, scope));
  }

  /**
   * Flattens a FROM list (and nested joins) into entries, telling which may be null-extended, and
   * notes each JOIN's ON conditions with the entries in their scope.
   */
  private void collect(FromItem first, List<Join> joins, boolean nullable, List<Entry> out, List<On> ons) {
    collect(first, null, joins, nullable, out, ons);
  }

  private void collect(FromItem first, java.util.function.Consumer<FromItem> replaceFirst, List<Join> joins,
      boolean nullable, List<Entry> out, List<On> ons) {
    List<Join> js = joins == null ? List.of() : joins;
    List<Entry> here = new ArrayList<>();
    for (int i = -1; i < js.size(); i++) {
      FromItem item = i < 0 ? first : js.get(i).getFromItem();
      if (item == null) {
        continue;
      }
      boolean n = nullable || (i >= 0 && (js.get(i).isLeft() || js.get(i).isFull()));
      for (int k = i + 1; k < js.size() && !n; k++) {
        n = js.get(k).isRight() || js.get(k).isFull();
      }
      if (item instanceof ParenthesedFromItem pf) {
        List<Entry> nested = new ArrayList<>();
        collect(pf.getFromItem(), pf.getJoins(), n, nested, ons);
        here.addAll(nested);
      } else {
        Entry e = entry(item, n);
        if (i < 0) {
          e.replace = replaceFirst;
        } else {
          Join j = js.get(i);
          e.replace = x -> j.setFromItem(x);
        }
        here.add(e);
      }
      if (i >= 0) {
        ons.add(new On(js.get(i), List.copyOf(here)));
      }
    }
    out.addAll(here);
  }

  private Entry entry(FromItem item, boolean nullable) {
    if (item instanceof ViewFromItem v) {
      return new Entry(item, v.getAlias() == null ? null : v.getAlias().getName(), views.get(v), false, nullable);
    }
    if (item instanceof Table t) {
      boolean cte = t.getSchemaName() == null && ctes.containsKey(SqlRewriter.cteKey(t.getName()));
      return new Entry(item, aliasOrName(t), null, !cte, nullable);
    }
    return new Entry(item, item.getAlias() == null ? null : item.getAlias().getName(), null, false, nullable);
  }

  private static String aliasOrName(Table t) {
    if (t == null) {
      return null;
    }
    return t.getAlias() != null ? t.getAlias().getName() : t.getName();
  }

  /** Whether any entry holds rows a context may not see: a view, or a derived table or CTE holding one. */
  private boolean protects(List<Entry> entries) {
    for (Entry e : entries) {
      if (e.table != null && e.item instanceof ViewFromItem || holdsHiddenRows(e)) {
        return true;
      }
    }
    return false;
  }

  private boolean holdsHiddenRows(Entry e) {
    if (e.item instanceof ViewFromItem || e.base || e.item == null) {
      return false;
    }
    if (e.item instanceof Table t) {
      WithItem<?> w = ctes.get(SqlRewriter.cteKey(t.getName()));
      return w != null && holdsView(w);
    }
    return holdsView(e.item);
  }

  private void block(PlainSelect ps, Scope s, List<On> ons) {
    List<Entry> entries = s.entries;
    if (!protects(entries)) {
      return; // nothing here can be hidden; enclosing blocks guard their own
    }
    List<Expression> where = conjuncts(ps.getWhere());
    boolean unsafeWhere = where.stream().anyMatch(e -> !safe(e, s));
    boolean unsafe = unsafeWhere;
    for (On on : ons) {
      for (Expression e : onConditions(on.join())) {
        unsafe |= !safe(e, s);
      }
    }
    boolean lateral = false;
    for (Entry e : entries) {
      if (e.item instanceof LateralSubSelect l && !cannotFail(l, s)
          || e.item instanceof TableFunction f && !safeArguments(f, s)) {
        lateral = true;
      }
    }
    for (On on : ons) {
      // USING and NATURAL compare columns the statement does not spell out; H2 and MariaDB convert
      // mismatched types row by row, so unless the types are known to match, filter first.
      lateral |= !implicitComparisonsSafe(on);
    }
    if (lateral) {
      // A LATERAL subquery or table function runs once per row of the items before it, wherever
      // the planner joins it, and an implicit comparison cannot be guarded: filter every view first.
      for (Entry e : entries) {
        fence(e);
      }
    } else if (unsafe) {
      if (unsafeWhere) {
        ps.setWhere(rebuild(where, s, entries));
      }
      for (On on : ons) {
        guardOn(on, s);
      }
    }
    if (ps.getHaving() != null) {
      List<Expression> having = conjuncts(ps.getHaving());
      boolean moved = false;
      List<Expression> out = new ArrayList<>();
      for (Expression e : having) {
        if (!safe(e, s) && !aggregates(e, java.util.Collections.newSetFromMap(new IdentityHashMap<>()))) {
          // PostgreSQL and MariaDB move a HAVING condition without an aggregate into WHERE, before
          // the consent filter; with one, it stays after the grouping, on visible rows only.
          out.add(new Guarded("CASE WHEN COUNT(*) > 0 THEN (", e, ") END"));
          moved = true;
        } else {
          out.add(e);
        }
      }
      if (moved) {
        ps.setHaving(and(out));
      }
    }
  }

  /**
   * The conjuncts with each unsafe one guarded by the visibility of every view that is never
   * null-extended; views that may be null-extended, and derived tables and CTEs holding views,
   * are fenced instead (a guard cannot reach inside them).
   */
  private Expression rebuild(List<Expression> where, Scope s, List<Entry> entries) {
    for (Entry e : entries) {
      if (!guardable(e)) {
        fence(e);
      }
    }
    List<Expression> out = new ArrayList<>();
    for (Expression e : where) {
      out.add(safe(e, s) ? e : guarded(e, entries));
    }
    return and(out);
  }

  private void guardOn(On on, Scope s) {
    List<Expression> conds = onConditions(on.join());
    if (conds.stream().allMatch(e -> safe(e, s))) {
      return;
    }
    for (Entry e : on.inScope()) {
      if (!guardable(e)) {
        fence(e);
      }
    }
    List<Expression> out = new ArrayList<>();
    for (Expression c : conds) {
      out.add(safe(c, s) ? c : guarded(c, on.inScope()));
    }
    on.join().setOnExpressions(List.of(and(out)));
  }

  private boolean implicitComparisonsSafe(On on) {
    Join j = on.join();
    boolean using = j.getUsingColumns() != null && !j.getUsingColumns().isEmpty();
    if (dialect == Dialect.POSTGRESQL || !using && !j.isNatural()) {
      return true;
    }
    if (j.isNatural()) {
      return false;
    }
    for (Column c : j.getUsingColumns()) {
      Kind kind = null;
      for (Entry e : on.inScope()) {
        Kind k = e.table == null ? Kind.UNKNOWN : kindIn(e, SqlRewriter.unquote(c.getColumnName()));
        if (k == Kind.UNKNOWN && e.table != null) {
          continue; // the column is not this table's
        }
        if (k != Kind.INTEGRAL && k != Kind.TEXTUAL || kind != null && kind != k) {
          return false;
        }
        kind = k;
      }
    }
    return true;
  }

  private static List<Expression> onConditions(Join j) {
    List<Expression> out = new ArrayList<>();
    if (j.getOnExpressions() != null) {
      for (Expression e : j.getOnExpressions()) {
        out.addAll(conjuncts(e));
      }
    }
    return out;
  }

  /**
   * Whether a guard can stand for {@code e}: a view that is never null-extended and whose alias the
   * consent condition's own subqueries do not shadow.
   */
  private static boolean guardable(Entry e) {
    return e.item instanceof ViewFromItem v && !e.nullable && e.table != null
        && !PROBE_ALIASES.contains(SqlRewriter.unquote(v.getAlias().getName()));
  }

  private Expression guarded(Expression conjunct, List<Entry> entries) {
    List<String> conds = new ArrayList<>();
    for (Entry e : entries) {
      if (guardable(e) && e.item instanceof ViewFromItem v) {
        String c = visibility.apply(e.table, v.getAlias().getName());
        if (!c.equals("1 = 1")) {
          conds.add(c);
        }
      }
    }
    if (conds.isEmpty()) {
      return conjunct;
    }
    return new Guarded("CASE WHEN " + String.join(" AND ", conds) + " THEN (", conjunct, ") END");
  }

  /** Makes the planner filter {@code e}'s rows before the block's conditions see them. */
  private void fence(Entry e) {
    if (e.item instanceof ViewFromItem v) {
      v.fence(dialect == Dialect.MARIADB || dialect == Dialect.MYSQL ? " LIMIT " + MARIADB_NO_LIMIT : " OFFSET 0");
    } else if (e.item instanceof ParenthesedSelect p && holdsView(p)) {
      fence(p.getSelect());
    } else if (e.item instanceof Table t && holdsHiddenRows(e)) {
      WithItem<?> w = ctes.get(SqlRewriter.cteKey(t.getName()));
      if (inside.contains(w) || w.isRecursive() && dialect == Dialect.POSTGRESQL) {
        // A recursive self-reference reads the rows of the previous step, already filtered; and
        // PostgreSQL never merges a recursive CTE into the query or pushes conditions into it.
        return;
      }
      if (!(w.getParenthesedStatement() instanceof ParenthesedSelect body)) {
        throw new RewriteRefusedException(RewriteRefusedException.Why.UNANALYSABLE_SQL, "a condition on the"
            + " data-modifying CTE " + SqlRewriter.unquote(t.getName()) + ", which reads mapped tables, could fail on"
            + " rows the context may not see; select from the tables instead");
      } else if (!w.isRecursive()) {
        fence(body.getSelect());
      } else if (e.replace != null) {
        // MariaDB refuses a limit in a recursive CTE's body: fence the reference instead.
        PlainSelect all = new PlainSelect();
        all.addSelectItems(new AllColumns());
        all.setFromItem(new Table(t.getName()));
        fence(all);
        ParenthesedSelect wrapped = new ParenthesedSelect();
        wrapped.setSelect(all);
        wrapped.setAlias(t.getAlias() != null ? t.getAlias() : new net.sf.jsqlparser.expression.Alias(t.getName(), false));
        e.replace.accept(wrapped);
      } else {
        throw new RewriteRefusedException(RewriteRefusedException.Why.UNANALYSABLE_SQL, "a condition on the"
            + " recursive CTE " + SqlRewriter.unquote(t.getName()) + ", which reads mapped tables, could fail on rows"
            + " the context may not see, and consent4j cannot fence it here; move the condition into the CTE");
      }
    }
  }

  private void fence(Select select) {
    if (select == null || select.getLimit() != null || select.getOffset() != null || select.getFetch() != null) {
      return; // a limit already keeps the planner from merging or pushing conditions into it
    }
    if (select instanceof ParenthesedSelect p) {
      fence(p.getSelect());
    } else if (dialect == Dialect.MARIADB || dialect == Dialect.MYSQL) {
      Limit l = new Limit();
      l.setRowCount(new LongValue(MARIADB_NO_LIMIT));
      select.setLimit(l);
    } else {
      Offset o = new Offset();
      o.setOffset(new LongValue(0));
      select.setOffset(o);
    }
  }

  // ---- the classifier

  /**
   * How many leading conjuncts of a write's condition are safe: they may run before the consent
   * check, so the database finds the rows by index; only a prefix is taken, so the placeholders
   * keep their order.
   *
   * @param names the names the target is reached by (its alias, its table name)
   */
  int safePrefix(List<Expression> conjuncts, Set<String> names, ProtectedTable target) {
    Entry t = new Entry(null, null, target, false, false);
    t.names.addAll(names);
    Scope s = new Scope(null, List.of(t));
    int n = 0;
    // In a write the target's personal columns are raw, not masked as in a view: a condition on one
    // runs only after that column's consent check.
    while (n < conjuncts.size() && safe(conjuncts.get(n), s) && !readsPersonal(conjuncts.get(n), target)) {
      n++;
    }
    return n;
  }

  private static boolean holdsParameter(Object o) {
    if (o instanceof JdbcParameter || o instanceof net.sf.jsqlparser.expression.JdbcNamedParameter) {
      return true;
    }
    for (Object child : children(o)) {
      if (holdsParameter(child)) {
        return true;
      }
    }
    return false;
  }

  private static boolean readsPersonal(Object o, ProtectedTable target) {
    if (o instanceof Column c) {
      return target.personal().containsKey(SqlRewriter.unquote(c.getColumnName()));
    }
    for (Object child : children(o)) {
      if (readsPersonal(child, target)) {
        return true;
      }
    }
    return false;
  }

  /** True when {@code e} cannot fail, or behave differently, whatever the rows it sees hold. */
  private boolean safe(Expression e, Scope s) {
    if (e instanceof AndExpression a) {
      return safe(a.getLeftExpression(), s) && safe(a.getRightExpression(), s);
    }
    if (e instanceof OrExpression o) {
      return safe(o.getLeftExpression(), s) && safe(o.getRightExpression(), s);
    }
    if (e instanceof NotExpression n) {
      return safe(n.getExpression(), s);
    }
    if (e instanceof Parenthesis p) {
      return safe(p.getExpression(), s);
    }
    if (e instanceof ParenthesedExpressionList<?> l && l.size() == 1) {
      return safe(l.get(0), s);
    }
    if (e instanceof ComparisonOperator c) {
      return comparable(c.getLeftExpression(), c.getRightExpression(), s);
    }
    if (e instanceof IsNullExpression n) {
      return kind(n.getLeftExpression(), s) != Kind.UNKNOWN || literal(n.getLeftExpression());
    }
    if (e instanceof Between b) {
      return comparable(b.getLeftExpression(), b.getBetweenExpressionStart(), s)
          && comparable(b.getLeftExpression(), b.getBetweenExpressionEnd(), s);
    }
    if (e instanceof InExpression in) {
      if (in.isGlobal() || in.getOldOracleJoinSyntax() != 0) {
        return false;
      }
      Expression right = in.getRightExpression();
      if (right instanceof Select sub) {
        return cannotFail(sub, s)
            && comparable(in.getLeftExpression(), s, onlyColumn(sub), new Scope(s, entries(sub)));
      }
      if (right instanceof ExpressionList<?> list) {
        for (Object v : list) {
          if (!(v instanceof Expression x) || !comparable(in.getLeftExpression(), x, s)) {
            return false;
          }
        }
        return !list.isEmpty();
      }
      return false;
    }
    if (e instanceof ExistsExpression ex) {
      return ex.getRightExpression() instanceof Select sub && cannotFail(sub, s);
    }
    if (e instanceof LikeExpression like) {
      Kind k = kind(like.getLeftExpression(), s);
      boolean keyword = like.getLikeKeyWord() == LikeExpression.KeyWord.LIKE
          || like.getLikeKeyWord() == LikeExpression.KeyWord.ILIKE && dialect == Dialect.POSTGRESQL;
      // A pattern with an escape character can be malformed ('a\' fails on PostgreSQL once a value
      // matches up to it): only literal patterns without backslashes are safe.
      return keyword && like.getEscape() == null && !like.isUseBinary()
          && (k == Kind.TEXTUAL || k == Kind.BASE && dialect == Dialect.POSTGRESQL)
          && like.getRightExpression() instanceof StringValue p && p.getValue().indexOf('\\') < 0;
    }
    return false;
  }

  /**
   * A comparison that cannot fail on any row: a plain column against a literal or a parameter of
   * its type, or against a plain column of its type. PostgreSQL resolves the types of a
   * comparison when it parses it, so a mismatch fails whatever the data; H2 and MariaDB convert
   * values row by row (H2 fails on {@code 'FR'} read as a number, MariaDB warns and, in a strict
   * write, fails), so there the types must match.
   */
  private boolean comparable(Expression l, Expression r, Scope s) {
    return comparable(l, s, r, s);
  }

  private boolean comparable(Expression l, Scope sl, Expression r, Scope sr) {
    Kind kl = kind(l, sl);
    Kind kr = kind(r, sr);
    if (kl == Kind.UNKNOWN && kr == Kind.UNKNOWN) {
      return literal(l) && literal(r) && l.getClass() == r.getClass();
    }
    if (kl != Kind.UNKNOWN && kr != Kind.UNKNOWN) {
      return dialect == Dialect.POSTGRESQL || kl == kr && (kl == Kind.INTEGRAL || kl == Kind.TEXTUAL);
    }
    Kind k = kl != Kind.UNKNOWN ? kl : kr;
    Expression v = kl != Kind.UNKNOWN ? r : l;
    if (v instanceof NullValue) {
      return true;
    }
    boolean pg = dialect == Dialect.POSTGRESQL;
    if (v instanceof JdbcParameter) {
      return k == Kind.INTEGRAL || pg;
    }
    if (integer(v) || v instanceof DoubleValue) {
      return k == Kind.INTEGRAL || pg;
    }
    if (v instanceof StringValue) {
      return k == Kind.TEXTUAL || pg || dialect == Dialect.H2;
    }
    return false;
  }

  private static boolean integer(Expression v) {
    return v instanceof LongValue || v instanceof SignedExpression se && se.getExpression() instanceof LongValue;
  }

  private static boolean literal(Expression v) {
    return integer(v) || v instanceof StringValue || v instanceof NullValue || v instanceof DoubleValue;
  }

  /** What a column reference names; {@code UNKNOWN} for anything that is not a plain column. */
  private Kind kind(Expression e, Scope scope) {
    if (!(e instanceof Column c)) {
      return Kind.UNKNOWN;
    }
    String col = SqlRewriter.unquote(c.getColumnName());
    String q = c.getTable() == null || c.getTable().getName() == null ? null : SqlRewriter.unquote(c.getTable().getName());
    for (Scope s = scope; s != null; s = s.parent) {
      if (q != null) {
        for (Entry en : s.entries) {
          if (en.names.contains(q)) {
            return kindIn(en, col);
          }
        }
        continue;
      }
      Entry found = null;
      boolean others = false;
      for (Entry en : s.entries) {
        if (en.table == null) {
          others = true;
        } else if (en.table.column(col).isPresent()) {
          if (found != null) {
            return Kind.UNKNOWN; // ambiguous: the database refuses it
          }
          found = en;
        }
      }
      if (found != null) {
        return kindIn(found, col);
      }
      if (others) {
        return Kind.UNKNOWN; // it may be a column of a derived table, whatever expression that is
      }
    }
    return Kind.UNKNOWN;
  }

  private static Kind kindIn(Entry en, String col) {
    if (en.table != null) {
      return en.table.column(col).map(c -> c.integral() ? Kind.INTEGRAL : c.textual() ? Kind.TEXTUAL : Kind.OTHER)
          .orElse(Kind.UNKNOWN);
    }
    return en.base ? Kind.BASE : Kind.UNKNOWN;
  }

  /**
   * True when running {@code select} cannot fail whatever the rows hold: only plain columns and
   * literals in its select list, safe conditions, no grouping condition, no derived tables that
   * can fail. A subquery that can fail would tell, by failing, that an outer hidden row reached it.
   */
  private boolean cannotFail(Select select, Scope parent) {
    if (select.getWithItemsList() != null && !select.getWithItemsList().isEmpty()) {
      return false;
    }
    if (!plainLimits(select)) {
      return false;
    }
    if (select instanceof ParenthesedSelect p) {
      return p.getSelect() != null && cannotFail(p.getSelect(), parent);
    }
    if (select instanceof SetOperationList set) {
      for (Select branch : set.getSelects()) {
        if (!cannotFail(branch, parent)) {
          return false;
        }
      }
      return orderByPlain(set.getOrderByElements(), parent);
    }
    if (select instanceof Values values) {
      return literals(values.getExpressions());
    }
    if (!(select instanceof PlainSelect ps)) {
      return false;
    }
    List<Entry> entries = new ArrayList<>();
    List<On> ons = new ArrayList<>();
    collect(ps.getFromItem(), ps.getJoins(), false, entries, ons);
    Scope s = new Scope(parent, entries);
    for (Entry e : entries) {
      boolean ok = e.item instanceof ViewFromItem || e.base
          || e.item instanceof ParenthesedSelect p && !(p instanceof LateralSubSelect) && cannotFail(p, parent);
      if (!ok) {
        return false;
      }
    }
    for (On on : ons) {
      if (on.join().getUsingColumns() != null && !on.join().getUsingColumns().isEmpty() && dialect != Dialect.POSTGRESQL
          || on.join().isNatural() && dialect != Dialect.POSTGRESQL) {
        return false;
      }
      for (Expression e : onConditions(on.join())) {
        if (!safe(e, s)) {
          return false;
        }
      }
    }
    if (ps.getWhere() != null && !safe(ps.getWhere(), s) || ps.getHaving() != null || ps.getQualify() != null) {
      return false;
    }
    for (SelectItem<?> item : ps.getSelectItems()) {
      Object x = item.getExpression();
      boolean ok = x instanceof AllColumns || x instanceof Expression y && (literal(y) || kind(y, s) != Kind.UNKNOWN);
      if (!ok) {
        return false;
      }
    }
    if (ps.getGroupBy() != null && ps.getGroupBy().getGroupByExpressionList() != null) {
      for (Object g : ps.getGroupBy().getGroupByExpressionList()) {
        if (!(g instanceof Expression x) || kind(x, s) == Kind.UNKNOWN) {
          return false;
        }
      }
    }
    return orderByPlain(ps.getOrderByElements(), s);
  }

  private boolean orderByPlain(List<OrderByElement> order, Scope s) {
    if (order != null) {
      for (OrderByElement o : order) {
        if (kind(o.getExpression(), s) == Kind.UNKNOWN && !integer(o.getExpression())) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean plainLimits(Select s) {
    if (s.getLimit() != null) {
      Limit l = s.getLimit();
      if (!(l.getRowCount() == null || l.getRowCount() instanceof LongValue)
          || !(l.getOffset() == null || l.getOffset() instanceof LongValue)) {
        return false;
      }
    }
    return (s.getOffset() == null || s.getOffset().getOffset() instanceof LongValue) && s.getFetch() == null;
  }

  private static boolean literals(Object o) {
    if (o instanceof Collection<?> c) {
      for (Object x : c) {
        if (!literals(x)) {
          return false;
        }
      }
      return true;
    }
    return o instanceof Expression e && literal(e);
  }

  /** The arguments of a table function (which runs once per row of the items before it) cannot fail. */
  private boolean safeArguments(TableFunction f, Scope s) {
    if (f.getFunction() == null || f.getFunction().getParameters() == null) {
      return true;
    }
    for (Object p : f.getFunction().getParameters()) {
      if (!(p instanceof Expression x) || !(literal(x) || x instanceof JdbcParameter || kind(x, s) != Kind.UNKNOWN)) {
        return false;
      }
    }
    return true;
  }

  /** The single column a subquery selects, for {@code x IN (SELECT col ...)}; null if it is not one. */
  private static Expression onlyColumn(Select sub) {
    Select s = sub;
    while (s instanceof ParenthesedSelect p) {
      s = p.getSelect();
    }
    if (s instanceof PlainSelect ps && ps.getSelectItems().size() == 1) {
      return ps.getSelectItems().get(0).getExpression();
    }
    return null;
  }

  /** The FROM entries of a subquery, to resolve its select list. */
  private List<Entry> entries(Select sub) {
    Select s = sub;
    while (s instanceof ParenthesedSelect p) {
      s = p.getSelect();
    }
    List<Entry> entries = new ArrayList<>();
    if (s instanceof PlainSelect ps) {
      collect(ps.getFromItem(), ps.getJoins(), false, entries, new ArrayList<>());
    }
    return entries;
  }

  // ---- helpers

  private boolean holdsView(Object o) {
    Boolean known = holdsView.get(o);
    if (known != null) {
      return known;
    }
    boolean found = holdsView(o, java.util.Collections.newSetFromMap(new IdentityHashMap<>()));
    holdsView.put(o, found);
    return found;
  }

  private boolean holdsView(Object o, Set<Object> seen) {
    if (o instanceof ViewFromItem) {
      return true;
    }
    if (o == null || o instanceof Enum<?> || o instanceof String || !seen.add(o)) {
      return false;
    }
    if (o instanceof Table t && t.getSchemaName() == null) {
      WithItem<?> w = ctes.get(SqlRewriter.cteKey(t.getName()));
      if (w != null && !seen.contains(w) && holdsView(w, seen)) {
        return true;
      }
    }
    for (Object c : children(o)) {
      if (holdsView(c, seen)) {
        return true;
      }
    }
    return false;
  }

  private boolean aggregates(Object o, Set<Object> seen) {
    if (o == null || o instanceof Enum<?> || o instanceof String || !seen.add(o)) {
      return false;
    }
    if (o instanceof net.sf.jsqlparser.expression.Function fn && fn.getName() != null
        && SqlRewriter.AGGREGATES.contains(fn.getName().toLowerCase(java.util.Locale.ROOT))) {
      return true;
    }
    if (o instanceof Select) {
      return false; // a subquery's aggregates are its own
    }
    for (Object c : children(o)) {
      if (aggregates(c, seen)) {
        return true;
      }
    }
    return false;
  }

  /** The parser nodes and collections directly below {@code o}. */
  private static List<Object> children(Object o) {
    List<Object> out = new ArrayList<>();
    if (o instanceof Collection<?> coll) {
      out.addAll(coll);
      return out;
    }
    if (o instanceof Object[] array) {
      out.addAll(List.of(array));
      return out;
    }
    if (!o.getClass().getName().startsWith("net.sf.jsqlparser.")) {
      return out;
    }
    for (Field f : SqlRewriter.FIELDS.get(o.getClass())) {
      try {
        Object v = f.get(o);
        if (v != null) {
          out.add(v);
        }
      } catch (IllegalAccessException e) {
        throw new IllegalStateException("cannot read parser node field " + f, e);
      }
    }
    return out;
  }

  /** The conjuncts of a chain of ANDs, left to right (the order of their placeholders). */
  static List<Expression> conjuncts(Expression e) {
    List<Expression> out = new ArrayList<>();
    flatten(e, out);
    return out;
  }

  private static void flatten(Expression e, List<Expression> out) {
    if (e == null) {
      return;
    }
    if (e instanceof AndExpression and) {
      flatten(and.getLeftExpression(), out);
      flatten(and.getRightExpression(), out);
    } else {
      out.add(e);
    }
  }

  private static Expression and(List<Expression> parts) {
    Expression out = null;
    for (Expression p : parts) {
      out = out == null ? p : new AndExpression(out, p);
    }
    return out;
  }

  /**
   * A conjunct wrapped in SQL text generated here (never user input): printed, never visited, like
   * {@link ViewFromItem}. The conjunct is printed when the statement is, so later changes to it
   * (a fenced view inside) are kept.
   */
  static final class Guarded extends ASTNodeAccessImpl implements Expression {
    private final String before;
    private final Expression inner;
    private final String after;

    Guarded(String before, Expression inner, String after) {
      this.before = before;
      this.inner = inner;
      this.after = after;
    }

    /** The user's condition it guards, still the parser's nodes (renamed qualifiers follow into it). */
    Expression inner() {
      return inner;
    }

    @Override
    public <T, S> T accept(ExpressionVisitor<T> visitor, S context) {
      throw new UnsupportedOperationException("a consent4j guard is only printed, never visited");
    }

    @Override
    public String toString() {
      return before + inner + after;
    }
  }
}
