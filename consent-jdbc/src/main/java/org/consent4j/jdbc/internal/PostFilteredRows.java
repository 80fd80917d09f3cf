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
import org.consent4j.core.ConsentIndex;
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
 * {@code #column}). A NULL subject hides the row, as its EXISTS probe finds nothing.
 *
 * <p>While the engine's consent index is usable, rows are decided by its {@link
 * ConsentIndex.Decider} for the statement (taken when the first row is decided): a subject costs an
 * entry lookup and a per-class array read, and a row allocates nothing (the mask array is reused,
 * as {@link RowFilter} allows). Otherwise decisions are asked of {@link ConsentEngine#decideAll}
 * and kept per subject for the result set, so a subject met again costs a map lookup. Used by the
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
  /** Whether {@link #decider} was asked for yet; it is asked once, on the first row. */
  private boolean asked;
  /** The statement's decider, or null for the decideAll path. */
  private ConsentIndex.Decider decider;
  /** Per source, the bits each of its subjects must have: the subject's and the row category's. */
  private long[] required;
  /** Per visible column, the bit of its mask's category, or 0 when it is never masked. */
  private long[] columnBit;
  /** Per visible column, its mask's source, or -1. */
  private int[] columnSource;
  /** Per source, the permissions all its subjects on the current row share (reused). */
  private long[] shared;
  /** The masks of the current row (reused). */
  private boolean[] masks;

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
    if (!asked) {
      asked = true;
      decider = decider();
    }
    if (decider != null) {
      return fast(row, visibleColumns);
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

  /** The engine's decider for the statement, with the plan's bits worked out; null when it has none. */
  private ConsentIndex.Decider decider() throws SQLException {
    Optional<ConsentIndex.Decider> d;
    try {
      d = engine.decider(context, plan.categories(), at);
    } catch (UndeclaredException e) {
      throw new ConsentSQLException(ReasonCode.UNKNOWN_PURPOSE, e.getMessage(), e);
    }
    if (d.isEmpty()) {
      return null;
    }
    ConsentIndex.Decider decider = d.get();
    List<PostFilterPlan.Source> sources = plan.sources();
    required = new long[sources.size()];
    shared = new long[sources.size()];
    for (int s = 0; s < required.length; s++) {
      required[s] = ConsentIndex.Decider.SUBJECT
          | sources.get(s).rowCategory().map(decider::category).orElse(0L);
    }
    List<Optional<PostFilterPlan.Mask>> columns = plan.columns();
    columnBit = new long[columns.size()];
    columnSource = new int[columns.size()];
    for (int i = 0; i < columnBit.length; i++) {
      Optional<PostFilterPlan.Mask> m = columns.get(i);
      columnSource[i] = m.map(PostFilterPlan.Mask::source).orElse(-1);
      columnBit[i] = m.map(x -> decider.category(x.category())).orElse(0L);
    }
    masks = new boolean[columns.size()];
    return decider;
  }

  /** {@link #decide} by the decider: no allocation. */
  private boolean[] fast(ResultSet row, int visibleColumns) throws SQLException {
    List<PostFilterPlan.Source> sources = plan.sources();
    for (int s = 0; s < required.length; s++) {
      PostFilterPlan.Source source = sources.get(s);
      long all = -1L;
      for (int j = 0; j < source.subjects(); j++) {
        long id = row.getLong(visibleColumns + 1 + source.firstHidden() + j);
        if (row.wasNull()) {
          return null;
        }
        long p;
        try {
          p = decider.permissions(id);
        } catch (ConsentStoreUnavailableException e) {
          throw new ConsentSQLException(ReasonCode.CONSENT_STORE_UNAVAILABLE, e.getMessage(), e);
        }
        if ((p & required[s]) != required[s]) {
          return null;
        }
        all &= p;
      }
      shared[s] = all;
    }
    for (int i = 0; i < masks.length; i++) {
      int s = columnSource[i];
      masks[i] = s >= 0 && (shared[s] & columnBit[i]) == 0;
    }
    return masks;
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
