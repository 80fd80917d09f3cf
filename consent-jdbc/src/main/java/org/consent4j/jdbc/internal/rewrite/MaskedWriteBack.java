package org.consent4j.jdbc.internal.rewrite;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.JdbcParameter;
import net.sf.jsqlparser.expression.NullValue;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.statement.update.Update;
import net.sf.jsqlparser.statement.update.UpdateSet;
import org.consent4j.DataCategory;

/**
 * An UPDATE that writes back the NULL a masked column read as (an ORM's dirty-checking update
 * writes every column of the entity) leaves the stored value untouched instead of leaving the row
 * out. Not API.
 *
 * <p>An assignment {@code col = ?} or {@code col = NULL} to a personal column of the target
 * becomes {@code col = CASE WHEN <col consented> THEN <value> ELSE col END}, and the column's
 * consent condition no longer restricts the rows outright but as {@code (<col consented> OR
 * <value is NULL>)} (unless the statement also reads {@code col}: then the plain condition the
 * rewriter adds for that read still restricts them): a NULL written into a column the
 * row's subject did not consent to changes nothing, while a non-NULL value still leaves the row
 * out, as before (and, with the CASE, could not be stored even if the row were reached). Whether a
 * {@code ?} is NULL is known only when the statement runs, so the condition holds a NULL flag: a
 * placeholder of its own that the JDBC wrapper binds to 1 when the application binds NULL to that
 * parameter and to 0 otherwise ({@link TimeParameters#nullFlags()}); wherever the flag cannot be
 * a placeholder it is the literal 0, which restricts the row as before.
 *
 * <p>Not applied when the statement holds a subquery, assigns a subject column (on MariaDB later
 * assignments would see the new subject), or the assignment sets several columns at once.
 */
final class MaskedWriteBack {
  /** The NULL flag of the application's parameter n is {@code c4j__now_p<n>__} in the rewritten text. */
  static final Pattern FLAG = Pattern.compile(Pattern.quote(ConsentPredicates.MARKER) + "p([0-9]+)__");

  /** One assignment of a personal column from a parameter or NULL. */
  record Assignment(UpdateSet set, Column column, DataCategory category, Expression value) {}

  private MaskedWriteBack() {}

  /** The marker of the NULL flag of the application's 1-based parameter {@code index}. */
  static String flag(int index) {
    return ConsentPredicates.MARKER + "p" + index + "__";
  }

  /**
   * The assignments of {@code update} that may write back a masked NULL.
   *
   * @param names the names by which the statement refers to the target (its alias, its name)
   * @param jdbcIndexes whether the parser's parameter indexes are the JDBC ones (one statement in
   *     the string)
   */
  static List<Assignment> find(Update update, ProtectedTable t, Set<String> names, boolean jdbcIndexes) {
    List<Assignment> out = new ArrayList<>();
    if (update.getUpdateSets() == null) {
      return out;
    }
    for (UpdateSet set : update.getUpdateSets()) {
      for (Column c : set.getColumns()) {
        if (t.subjectColumns().contains(SqlRewriter.unquote(c.getColumnName()))) {
          return List.of(); // the subject may change under the condition: keep the plain restriction
        }
      }
    }
    for (UpdateSet set : update.getUpdateSets()) {
      if (set.getColumns().size() != 1 || set.getValues() == null || set.getValues().size() != 1) {
        continue;
      }
      Column c = set.getColumns().get(0);
      String qualifier = c.getTable() == null || c.getTable().getName() == null
          ? null : SqlRewriter.unquote(c.getTable().getName());
      DataCategory cat = t.personal().get(SqlRewriter.unquote(c.getColumnName()));
      Expression value = set.getValue(0);
      boolean parameter = value instanceof JdbcParameter p && jdbcIndexes && !p.isUseFixedIndex()
          && p.getIndex() != null;
      if (cat != null && (qualifier == null || names.contains(qualifier))
          && (parameter || value instanceof NullValue)) {
        out.add(new Assignment(set, c, cat, value));
      }
    }
    return out;
  }

  /**
   * Rewrites each assignment to keep the stored value where its column is not consented, and
   * returns the condition the rows must meet instead of each column's consent condition.
   *
   * @param consented the consent condition of a category's column, on the target's row
   */
  static Optional<Expression> guard(List<Assignment> assignments, Function<DataCategory, String> consented) {
    StringBuilder where = new StringBuilder();
    for (Assignment a : assignments) {
      String cond = consented.apply(a.category());
      String col = a.column().toString();
      Expression guarded = parse("CASE WHEN " + cond + " THEN " + a.value() + " ELSE " + col + " END", false);
      replaceValue(a, guarded);
      if (a.value() instanceof JdbcParameter p) {
        where.append(where.length() == 0 ? "" : " AND ").append("(").append(cond).append(" OR ")
            .append(flag(p.getIndex())).append(" = 1)");
      } // a literal NULL writes nothing the subject did not consent to: no restriction
    }
    return where.length() == 0 ? Optional.empty() : Optional.of(parse(where.toString(), true));
  }

  /** Puts the CASE in place of the value, keeping the parameter node itself (and so its index). */
  private static void replaceValue(Assignment a, Expression guarded) {
    net.sf.jsqlparser.expression.CaseExpression ce = (net.sf.jsqlparser.expression.CaseExpression) guarded;
    ce.getWhenClauses().get(0).setThenExpression(a.value());
    @SuppressWarnings("unchecked")
    List<Expression> values = (List<Expression>) a.set().getValues();
    values.set(0, ce);
  }

  private static Expression parse(String text, boolean condition) {
    try {
      return condition ? CCJSqlParserUtil.parseCondExpression(text) : CCJSqlParserUtil.parseExpression(text);
    } catch (JSQLParserException e) {
      throw new RewriteRefusedException(RewriteRefusedException.Why.UNANALYSABLE_SQL,
          "an assignment of a write on a mapped table could not be re-read after rewriting");
    }
  }
}
