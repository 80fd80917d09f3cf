package org.consent4j.jdbc.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.consent4j.AccessContext;
import org.consent4j.ConsentStoreUnavailableException;
import org.consent4j.DataCategory;
import org.consent4j.Decision;
import org.consent4j.SubjectId;
import org.consent4j.UndeclaredException;
import org.consent4j.core.ConsentEngine;
import org.consent4j.jdbc.ConsentSQLException;
import org.consent4j.jdbc.ConsentSQLException.ReasonCode;
import org.consent4j.jdbc.internal.rewrite.PostFilterPlan;
import org.consent4j.jdbc.wrapper.RowFilter;

/**
 * The rows of one result set of a post-filtered statement, decided by the engine's rules at the
 * instant the statement's consent check is bound to ({@link ConsentEngine#decideAll}, without
 * auditing: the statement's own events name what was returned). A row is shown when every subject
 * of every mapped table reference is permitted under the context, with the reference's row
 * category; a personal column reads NULL unless each subject of its reference is permitted its
 * category: exactly the conditions of the pushdown view ({@code ConsentPredicates#row} and
 * {@code #column}). A NULL subject hides the row, as its EXISTS probe finds nothing. Decisions are
 * kept per subject for the result set, so a subject met again costs a map lookup. Used by the
 * thread reading the result set. Not API.
 */
final class PostFilteredRows implements RowFilter {
  private final ConsentEngine engine;
  private final AccessContext context;
  private final PostFilterPlan plan;
  private final Instant at;
  private final Map<Long, Decision> decided = new HashMap<>();
  /** Per source, its subjects' decisions on the current row (reused). */
  private final Decision[][] current;

  PostFilteredRows(ConsentEngine engine, AccessContext context, PostFilterPlan plan, Instant at) {
    this.engine = engine;
    this.context = context;
    this.plan = plan;
    this.at = at;
    this.current = new Decision[plan.sources().size()][];
    for (int i = 0; i < current.length; i++) {
      current[i] = new Decision[plan.sources().get(i).subjects()];
    }
  }

  @Override
  public boolean[] decide(ResultSet row, int visibleColumns) throws SQLException {
    List<Optional<PostFilterPlan.Mask>> columns = plan.columns();
    if (visibleColumns != columns.size()) {
      // The analysis counted the select list differently from the database: never guess a mask.
      throw new ConsentSQLException(ReasonCode.UNANALYSABLE_SQL, "a post-filtered statement returned "
          + visibleColumns + " columns where its analysis expected " + columns.size() + "; wrap the data source"
          + " with ReadForm.PUSHDOWN and report the statement's shape");
    }
    for (int s = 0; s < current.length; s++) {
      PostFilterPlan.Source source = plan.sources().get(s);
      for (int j = 0; j < source.subjects(); j++) {
        long id = row.getLong(visibleColumns + 1 + source.firstHidden() + j);
        if (row.wasNull()) {
          return null;
        }
        Decision d = decision(id);
        if (!d.subjectPermitted() || source.rowCategory().map(c -> !d.permits(c)).orElse(false)) {
          return null;
        }
        current[s][j] = d;
      }
    }
    boolean[] masks = new boolean[columns.size()];
    for (int i = 0; i < masks.length; i++) {
      Optional<PostFilterPlan.Mask> m = columns.get(i);
      if (m.isPresent()) {
        DataCategory c = m.get().category();
        for (Decision d : current[m.get().source()]) {
          if (!d.permits(c)) {
            masks[i] = true;
            break;
          }
        }
      }
    }
    return masks;
  }

  @Override
  public boolean mayMask(int column) {
    return column >= 1 && column <= plan.columns().size() && plan.columns().get(column - 1).isPresent();
  }

  private Decision decision(long id) throws SQLException {
    Decision d = decided.get(id);
    if (d != null) {
      return d;
    }
    SubjectId subject = SubjectId.of(id);
    try {
      d = engine.decideAll(List.of(subject), context, plan.categories(), at).get(subject);
    } catch (ConsentStoreUnavailableException e) {
      throw new ConsentSQLException(ReasonCode.CONSENT_STORE_UNAVAILABLE, e.getMessage(), e);
    } catch (UndeclaredException e) {
      throw new ConsentSQLException(ReasonCode.UNKNOWN_PURPOSE, e.getMessage(), e);
    }
    decided.put(id, d);
    return d;
  }
}
