package org.consent4j.jdbc.internal.rewrite;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.statement.insert.ConflictActionType;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.insert.InsertConflictTarget;
import net.sf.jsqlparser.statement.update.UpdateSet;

/**
 * What makes an upsert into a mapped table safe ({@code INSERT ... ON CONFLICT DO NOTHING / DO
 * UPDATE} on PostgreSQL, {@code INSERT ... ON DUPLICATE KEY UPDATE} and {@code INSERT IGNORE} on
 * MariaDB). Not API.
 *
 * <p>An upsert must not tell a context anything about rows it cannot see, yet whether it inserted,
 * updated or did nothing shows in its update count. So every row it can conflict with must be one
 * the context may see: the conflict must be on a unique key that holds every subject column (then
 * the conflicting row has the inserted row's subjects), and those subjects must be known and
 * permitted under the context before it runs (then their rows are visible). The first is checked
 * here against the live table's unique keys; the second is the INSERT check ({@link WriteCheck}),
 * for every row, whether or not it stores personal data. The update branch is then restricted to
 * the consent of the existing row as an UPDATE is (by {@code SqlRewriter}).
 */
final class UpsertCheck {
  private UpsertCheck() {}

  /**
   * Whether {@code insert} is an upsert: it has an ON CONFLICT or ON DUPLICATE KEY UPDATE clause,
   * or it is MariaDB's INSERT IGNORE, which skips a conflicting row as ON CONFLICT DO NOTHING does.
   */
  static boolean isUpsert(Insert insert) {
    return insert.getConflictAction() != null || insert.isModifierIgnore() || duplicateKeyUpdate(insert);
  }

  private static boolean duplicateKeyUpdate(Insert insert) {
    return insert.getDuplicateUpdateSets() != null && !insert.getDuplicateUpdateSets().isEmpty();
  }

  /** Whether the upsert may update an existing row (not ON CONFLICT DO NOTHING, not INSERT IGNORE alone). */
  static boolean updates(Insert insert) {
    return insert.getConflictAction() != null
        ? insert.getConflictAction().getConflictActionType() == ConflictActionType.DO_UPDATE
        : duplicateKeyUpdate(insert);
  }

  /** The assignments of the update branch. */
  static List<UpdateSet> updateSets(Insert insert) {
    List<UpdateSet> sets = insert.getConflictAction() != null ? insert.getConflictAction().getUpdateSets()
        : insert.getDuplicateUpdateSets();
    return sets == null ? List.of() : sets;
  }

  /**
   * Refuses the upsert unless every row it can conflict with has the subjects of the row it
   * inserts, and its update branch leaves the subject columns alone.
   */
  static void requireConflictsOnSubjects(Insert insert, ProtectedTable t) {
    if (t.uniqueKeys().isEmpty()) {
      throw refused(t, "the unique keys of the table could not be read");
    }
    if (insert.getConflictAction() == null) {
      // MariaDB compares text keys by their collation, which ignores case and trailing spaces by
      // default: a row of subject 'A' would conflict with the insert of subject 'a'.
      for (String s : t.subjectColumns()) {
        if (!t.column(s).map(ProtectedTable.Column::integral).orElse(false)) {
          throw refused(t, "on MariaDB its subject column " + s + " is not an integer, and text keys are compared by"
              + " a collation under which ids of different subjects may be equal");
        }
      }
    }
    InsertConflictTarget target = insert.getConflictTarget();
    if (target != null && target.getIndexExpression() != null) {
      throw refused(t, "its conflict target is an expression");
    }
    if (target != null && target.getConstraintName() != null) {
      String name = SqlRewriter.unquote(target.getConstraintName());
      ProtectedTable.UniqueKey key = t.uniqueKeys().get().stream().filter(k -> k.name().equals(name)).findFirst()
          .orElseThrow(() -> refused(t, "its conflict constraint is not a unique key consent4j read from the table"));
      requireSubjects(t, key.columns(), "its conflict constraint " + name);
    } else if (target != null && target.getIndexColumnNames() != null && !target.getIndexColumnNames().isEmpty()) {
      List<String> columns = new ArrayList<>();
      target.getIndexColumnNames().forEach(c -> columns.add(SqlRewriter.unquote(c)));
      requireSubjects(t, columns, "its conflict target " + columns);
    } else {
      // ON CONFLICT without a target, and ON DUPLICATE KEY UPDATE, fire on any unique key
      for (ProtectedTable.UniqueKey key : t.uniqueKeys().get()) {
        requireSubjects(t, key.columns(), "the table's unique key " + key.name());
      }
    }
    for (UpdateSet set : updateSets(insert)) {
      for (Column c : set.getColumns()) {
        if (t.subjectColumns().contains(SqlRewriter.unquote(c.getColumnName()))) {
          throw refused(t, "its update branch assigns the subject column " + SqlRewriter.unquote(c.getColumnName()));
        }
      }
    }
  }

  private static void requireSubjects(ProtectedTable t, List<String> keyColumns, String what) {
    Set<String> key = new HashSet<>(keyColumns);
    if (!key.containsAll(t.subjectColumns())) {
      throw refused(t, what + " does not hold the subject column(s) " + t.subjectColumns() + ", so it could"
          + " conflict with a row of another subject that the context may not see, and the update count would tell"
          + " that the row exists");
    }
  }

  /**
   * Refuses an upsert one of whose rows has a subject the database generates. The row an upsert
   * conflicts with is visible only because the INSERT check ({@code SqlRewriter}'s collection
   * check, which runs for every INSERT and refuses subjects it cannot tell at all) requires each
   * inserted row's subject known and permitted before the statement runs; a generated subject is
   * known only afterwards.
   *
   * @param rowChecks the INSERT check's rows for this statement
   */
  static void requireSubjectsKnownBeforeItRuns(List<WriteCheck> rowChecks, ProtectedTable t) {
    for (WriteCheck w : rowChecks) {
      if (w.generated()) {
        throw unknown(t, "a row's subject is generated by the database, so it is known only after the statement ran");
      }
    }
  }

  private static RewriteRefusedException refused(ProtectedTable t, String why) {
    return new RewriteRefusedException(RewriteRefusedException.Why.BYPASS_REFUSED, "the upsert into the mapped table "
        + t.name() + " is refused: " + why + ". An upsert is supported when it conflicts only on a unique key that"
        + " holds the subject column(s) (ON CONFLICT (<subject columns>) on PostgreSQL; on MariaDB every unique key"
        + " of the table must hold them) and inserts VALUES whose subject is a literal or a parameter; otherwise use"
        + " a plain INSERT and a filtered UPDATE");
  }

  private static RewriteRefusedException unknown(ProtectedTable t, String why) {
    return new RewriteRefusedException(RewriteRefusedException.Why.SUBJECT_UNKNOWN, "the upsert into the mapped"
        + " table " + t.name() + " is refused: " + why + ", so consent4j cannot check before it runs that the row it"
        + " may conflict with is one the context may see; insert VALUES with the subject as a literal or a parameter");
  }
}
