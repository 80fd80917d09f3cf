package org.consent4j.jdbc.internal.rewrite;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.regex.Pattern;
import org.consent4j.AccessContext;
import org.consent4j.Catalog;
import org.consent4j.DataCategory;
import org.consent4j.LegalBasis;
import org.consent4j.Notice;
import org.consent4j.Purpose;
import org.consent4j.PurposeDefinition;
import org.consent4j.jdbc.internal.Dialect;

/**
 * The rules of {@code ConsentRules} written as SQL conditions over the consent tables, so that
 * the database filters rows with an indexed semi-join instead of asking Java row by row. Each
 * method mirrors one part of the Java rules; the tests hold the two to one answer. Not API.
 *
 * <p>Every value spliced into the SQL is a validated catalog name ({@code [a-z0-9_.-]}), a
 * validated table prefix (qualified with the store's quoted, validated schema name when it has one),
 * a column name from the database's own metadata (quoted), or the
 * time markers that {@link RewrittenStatement} replaces with numbers.
 */
final class ConsentPredicates {
  /** Replaced by the engine clock's epoch second each time a statement runs. */
  static final String NOW_SECOND = "c4j__now_s__";
  /** Replaced by the nanosecond within that second. */
  static final String NOW_NANO = "c4j__now_n__";
  /** Common start of both markers. */
  static final String MARKER = "c4j__now_";

  private static final Pattern PLAIN = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final Dialect dialect;
  /** What precedes each store table's name: the table prefix, qualified with the store's schema if any. */
  private final String prefix;
  private final Catalog catalog;

  ConsentPredicates(Dialect dialect, String prefix, Catalog catalog) {
    this.dialect = dialect;
    this.prefix = prefix;
    this.catalog = catalog;
  }

  /** The database the conditions are written for. */
  Dialect dialect() {
    return dialect;
  }

  /** The condition under which a row of {@code table} (reached as {@code q}) is visible. */
  String row(ProtectedTable table, String q, PurposeDefinition def, AccessContext ctx) {
    if (def.basis() == LegalBasis.CONSENT) {
      List<String> parts = new ArrayList<>();
      for (String s : table.subjectColumns()) {
        parts.add(effectiveGrant(table, q, s, ctx, def, table.rowCategory()));
      }
      return and(parts);
    }
    if (!def.recipients().contains(ctx.recipient())
        || table.rowCategory().map(c -> !def.declaresCategory(c)).orElse(false)
        || !legalBasisAllowsTransfer(ctx)
        || table.rowCategory().map(c -> !legalBasisAllowsSpecial(c, def)).orElse(false)) {
      return "1 = 0";
    }
    if (def.basis() != LegalBasis.LEGITIMATE_INTERESTS) {
      return "1 = 1";
    }
    List<String> parts = new ArrayList<>();
    for (String s : table.subjectColumns()) {
      parts.add("NOT EXISTS (SELECT 1 FROM " + prefix + "objection o WHERE o.subject_id = " + subject(table, q, s)
          + " AND o.purpose IN (" + list(overlapping(ctx.purpose())) + "))");
    }
    return and(parts);
  }

  /**
   * The condition under which a personal column of {@code category} is shown rather than masked,
   * given that its row is visible. With several subjects in a row, each must have consented.
   */
  String column(ProtectedTable table, String q, DataCategory category, PurposeDefinition def, AccessContext ctx) {
    if (def.basis() != LegalBasis.CONSENT) {
      return def.declaresCategory(category) && legalBasisAllowsSpecial(category, def) ? "1 = 1" : "1 = 0";
    }
    List<String> parts = new ArrayList<>();
    for (String s : table.subjectColumns()) {
      parts.add(effectiveGrant(table, q, s, ctx, def, Optional.of(category)));
    }
    return and(parts);
  }

  /** True when the column is always shown under this definition, so no CASE is needed. */
  boolean alwaysShown(DataCategory category, PurposeDefinition def) {
    return def.basis() != LegalBasis.CONSENT && def.declaresCategory(category) && legalBasisAllowsSpecial(category, def);
  }

  // ---- GDPR Art. 9 and 44-49: decided from the catalog when the statement is rewritten

  /**
   * Under a non-consent basis a special category needs an Art. 9(2) condition on the purpose (the
   * catalog rejects purposes that declare one without it; this keeps the SQL closed regardless).
   */
  private boolean legalBasisAllowsSpecial(DataCategory category, PurposeDefinition def) {
    return !catalog.isSpecial(category) || def.article9Condition().isPresent();
  }

  /** Under a non-consent basis no grant can record consent to a transfer, so one that needs it is refused. */
  private boolean legalBasisAllowsTransfer(AccessContext ctx) {
    return !catalog.transferNeedsExplicitConsent(ctx.recipient());
  }

  /**
   * The extra condition on the grant whose sequence number is {@code grantSeq} (a column
   * reference) in {@link #effectiveGrant}: it must record explicit
   * consent when the category is special (Art. 9(2)(a)), and explicit consent to the transfer when
   * the recipient is in a third country without adequacy or safeguards (Art. 49(1)(a)). Empty
   * when neither applies. Both are static for a rewrite.
   */
  String explicitGrantCondition(String grantSeq, AccessContext ctx, Optional<DataCategory> category) {
    StringBuilder sb = new StringBuilder();
    if (category.isPresent() && catalog.isSpecial(category.get())) {
      sb.append(specialCondition(grantSeq));
    }
    if (catalog.transferNeedsExplicitConsent(ctx.recipient())) {
      sb.append(" AND EXISTS (SELECT 1 FROM ").append(prefix).append("grant_explicit gt WHERE gt.seq = ")
          .append(grantSeq).append(" AND gt.scope = 'transfer')");
    }
    return sb.toString();
  }

  /** The grant {@code grantSeq} records explicit consent to its special categories (Art. 9(2)(a)). */
  private String specialCondition(String grantSeq) {
    return " AND EXISTS (SELECT 1 FROM " + prefix + "grant_explicit gx WHERE gx.seq = " + grantSeq
        + " AND gx.scope = 'categories')";
  }

  /**
   * An effective grant as a probe of the current consent state table (one narrow row per grant,
   * purpose, recipient and category, without the rows a withdrawal voids for every purpose): an
   * index lookup for one row, a hash semi-join for many. A row that a withdrawal of a narrower
   * purpose voids in part names that purpose in {@code voided_purposes}. The probe reads no other
   * table, so PostgreSQL can also hash it where it masks a column of many rows.
   */
  private String effectiveGrant(ProtectedTable table, String q, String subjectColumn, AccessContext ctx,
      PurposeDefinition def, Optional<DataCategory> category) {
    StringBuilder sb = new StringBuilder(768);
    sb.append("EXISTS (SELECT 1 FROM ").append(prefix).append("consent_state g WHERE ")
        .append(subjectKey(table, q, subjectColumn));
    category.ifPresent(c -> sb.append(" AND g.category IN (").append(list(categoryAncestors(c))).append(')'));
    stateRowInEffect(sb, ctx, def);
    sb.append(explicitGrantCondition("g.grant_seq", ctx, category));
    sb.append(')');
    return sb.toString();
  }

  /**
   * Appends the conditions every state row {@code g} of an effective grant meets, whatever the
   * category: the purpose and recipient, in effect now, the notice minimum, and not voided by a
   * withdrawal of a narrower purpose. Each begins with " AND ".
   */
  private void stateRowInEffect(StringBuilder sb, AccessContext ctx, PurposeDefinition def) {
    sb.append(" AND g.purpose IN (").append(list(ancestors(ctx.purpose()))).append(')')
        .append(" AND g.recipient = '").append(ctx.recipient().id()).append('\'');
    // in effect: granted at or before now, and not yet expired (seconds and nanoseconds apart,
    // which hold every instant exactly and cannot overflow)
    sb.append(" AND (g.granted_at_sec < ").append(NOW_SECOND).append(" OR (g.granted_at_sec = ").append(NOW_SECOND)
        .append(" AND g.granted_at_nano <= ").append(NOW_NANO).append("))")
        .append(" AND (g.expires_at_sec IS NULL OR g.expires_at_sec > ").append(NOW_SECOND)
        .append(" OR (g.expires_at_sec = ").append(NOW_SECOND).append(" AND g.expires_at_nano > ").append(NOW_NANO)
        .append("))");
    Optional<Notice> notice = def.minimumNotice();
    if (notice.isPresent()) {
      sb.append(" AND g.notice_id = '").append(notice.get().id()).append("' AND g.notice_version >= ")
          .append(notice.get().version());
    }
    // a withdrawal of a narrower purpose than the row's voids it for the purposes that overlap it
    sb.append(" AND (g.voided_purposes IS NULL OR (");
    String and = "";
    for (String w : overlapping(ctx.purpose())) {
      sb.append(and).append("g.voided_purposes NOT LIKE '%,").append(w.replace("!", "!!").replace("_", "!_")
          .replace("%", "!%")).append(",%' ESCAPE '!'");
      and = " AND ";
    }
    sb.append("))");
  }

  /**
   * Whether {@link #lateralView} applies: on PostgreSQL, under a consent purpose, for a table with
   * at least one masked column (without one, the row's single {@code EXISTS} is already one probe)
   * and one subject column (the SQL-vs-engine property tests hold only that case to the engine's
   * answer; a table with several subject columns keeps the {@code EXISTS} shape).
   */
  boolean lateralViewApplies(ProtectedTable table, PurposeDefinition def) {
    return dialect == Dialect.POSTGRESQL && def.basis() == LegalBasis.CONSENT && !table.personal().isEmpty()
        && table.subjectColumns().size() == 1;
  }

  /**
   * The filtered, masked view of {@code table} under a consent purpose, with ONE lookup of the
   * consent state per row and subject column instead of one {@code EXISTS} for the row and one
   * more per masked column: an aggregate over the subject's effective state rows returns whether
   * the row is visible ({@code r}) and, per masked category, whether an effective grant covers it
   * ({@code m_i}). The conditions are exactly those of {@link #row} and {@link #column}: the
   * category-independent ones (purpose, recipient, time, notice, voided purposes, explicit
   * transfer consent) filter the state rows; the per-category ones (category covered, explicit
   * consent for a special category) decide each flag.
   *
   * <p>Two forms, one answer. For a statement that restricts the table ({@code wholeTable}
   * false), a {@code CROSS JOIN LATERAL} aggregate without GROUP BY: one index probe per row read,
   * which keeps a point lookup or a selective query an index probe of the table followed by one of
   * the state table. For a statement that reads the whole table ({@code wholeTable} true: no
   * WHERE, no join in its query block, as an export is), a join to the state rows aggregated
   * {@code GROUP BY} subject: one pass over the state table, which PostgreSQL merges or hashes
   * with the table instead of probing once per row (an export of 1,000,000 contacts: 1.1 s
   * instead of 2.1 s; docs/BENCHMARKS.md). A row whose subject has no effective state row finds
   * no group (the inner join drops it) where the lateral form finds {@code r = 0}; {@code r > 0}
   * decides both.
   *
   * @param columns the table's columns in view order, each with its category or null when it is
   *     shown as it is
   * @param from the table's name as the statement names it (validated by the parser)
   * @param wholeTable whether the statement reads the table unrestricted, see above
   */
  String lateralView(ProtectedTable table, List<Map.Entry<ProtectedTable.Column, DataCategory>> columns,
      String from, PurposeDefinition def, AccessContext ctx, boolean wholeTable) {
    List<DataCategory> masked = new ArrayList<>();
    for (Map.Entry<ProtectedTable.Column, DataCategory> e : columns) {
      if (e.getValue() != null && !masked.contains(e.getValue())) {
        masked.add(e.getValue());
      }
    }
    List<String> subjects = table.subjectColumns();
    StringBuilder cols = new StringBuilder();
    for (Map.Entry<ProtectedTable.Column, DataCategory> e : columns) {
      String ref = "c4j_t." + quote(e.getKey().name());
      cols.append(cols.length() == 0 ? "" : ", ");
      if (e.getValue() == null) {
        cols.append(ref);
        continue;
      }
      int i = masked.indexOf(e.getValue());
      List<String> parts = new ArrayList<>();
      for (int s = 0; s < subjects.size(); s++) {
        parts.add("c4j_p" + s + ".m_" + i + " = 1");
      }
      cols.append("CASE WHEN ").append(String.join(" AND ", parts)).append(" THEN ").append(ref).append(" END AS ")
          .append(quote(e.getKey().name()));
    }
    StringBuilder sb = new StringBuilder(1024 * subjects.size());
    sb.append("SELECT ").append(cols).append(" FROM ").append(from).append(" c4j_t");
    List<String> where = new ArrayList<>();
    for (int s = 0; s < subjects.size(); s++) {
      String p = "c4j_p" + s;
      ProtectedTable.Column subject = table.column(subjects.get(s)).orElseThrow();
      // the state table's key column for this subject column, and the row's value to compare with it
      String stateKey = subject.integral() ? "g.subject_num" : "g.subject_id";
      String rowKey = subject.integral() ? "c4j_t." + quote(subject.name()) : subject(table, "c4j_t", subject.name());
      sb.append(wholeTable ? " JOIN (SELECT " + stateKey + " AS c4j_s, " : " CROSS JOIN LATERAL (SELECT ");
      Optional<DataCategory> rowCategory = table.rowCategory();
      if (rowCategory.isPresent()) {
        sb.append(flag(rowCategory.get(), ctx));
      } else {
        sb.append("COUNT(*)");
      }
      sb.append(" AS r");
      for (int i = 0; i < masked.size(); i++) {
        sb.append(", ").append(flag(masked.get(i), ctx)).append(" AS m_").append(i);
      }
      sb.append(" FROM ").append(prefix).append("consent_state g WHERE ").append(stateKey)
          .append(wholeTable ? " IS NOT NULL" : " = " + rowKey);
      stateRowInEffect(sb, ctx, def);
      sb.append(explicitGrantCondition("g.grant_seq", ctx, Optional.empty()));
      if (wholeTable) {
        sb.append(" GROUP BY ").append(stateKey).append(") ").append(p).append(" ON ").append(p).append(".c4j_s = ")
            .append(rowKey);
      } else {
        sb.append(") ").append(p);
      }
      where.add(p + ".r > 0");
    }
    sb.append(" WHERE ").append(String.join(" AND ", where));
    return sb.toString();
  }

  /** 1 when one of the subject's effective state rows covers {@code category}, else 0. */
  private String flag(DataCategory category, AccessContext ctx) {
    StringBuilder sb = new StringBuilder("MAX(CASE WHEN g.category IN (").append(list(categoryAncestors(category)))
        .append(')');
    if (catalog.isSpecial(category)) {
      sb.append(specialCondition("g.grant_seq"));
    }
    return sb.append(" THEN 1 ELSE 0 END)").toString();
  }

  /**
   * The state row's subject equals the row's subject column: an integer column against the
   * numeric key (no cast, so the planner can use an index or hash join either way), any other
   * column against the text key.
   */
  private String subjectKey(ProtectedTable table, String q, String column) {
    ProtectedTable.Column c = table.column(column).orElseThrow();
    if (c.integral()) {
      return "g.subject_num = " + q + "." + quote(c.name());
    }
    return "g.subject_id = " + subject(table, q, column);
  }

  /** The subject column as text, comparable with {@code subject_id}. */
  String subject(ProtectedTable table, String q, String column) {
    ProtectedTable.Column c = table.column(column).orElseThrow();
    String ref = q + "." + quote(c.name());
    if (c.textual()) {
      return ref;
    }
    return switch (dialect) {
      case MARIADB, MYSQL -> "CAST(" + ref + " AS CHAR(256))";
      case H2, POSTGRESQL -> "CAST(" + ref + " AS VARCHAR(256))";
    };
  }

  /** A column name as the database reported it, quoted unless it reads the same unquoted. */
  String quote(String name) {
    boolean plain = PLAIN.matcher(name).matches() && switch (dialect) {
      case H2 -> name.equals(name.toUpperCase(Locale.ROOT));
      case POSTGRESQL -> name.equals(name.toLowerCase(Locale.ROOT));
      case MARIADB, MYSQL -> true;
    };
    if (plain) {
      return name;
    }
    return switch (dialect) {
      case MARIADB, MYSQL -> "`" + name.replace("`", "``") + "`";
      case H2, POSTGRESQL -> "\"" + name.replace("\"", "\"\"") + "\"";
    };
  }

  /** A purpose and its ancestors: the grant purposes that cover it. */
  private static Set<String> ancestors(Purpose p) {
    Set<String> out = new LinkedHashSet<>();
    for (Purpose x = p; x != null; x = x.parent().orElse(null)) {
      out.add(x.name());
    }
    return out;
  }

  private static Set<String> categoryAncestors(DataCategory c) {
    Set<String> out = new LinkedHashSet<>();
    for (DataCategory x = c; x != null; x = x.parent().orElse(null)) {
      out.add(x.name());
    }
    return out;
  }

  /**
   * Every purpose a withdrawal or objection may name that overlaps {@code p}: its ancestors, and
   * its declared descendants (the engine refuses undeclared purposes in the ledger).
   */
  private Set<String> overlapping(Purpose p) {
    Set<String> out = ancestors(p);
    for (PurposeDefinition d : catalog.purposes()) {
      if (p.covers(d.purpose())) {
        out.add(d.purpose().name());
      }
    }
    return out;
  }

  private static String list(Set<String> names) {
    StringJoiner j = new StringJoiner(", ");
    for (String n : names) {
      j.add("'" + n + "'");
    }
    return j.toString();
  }

  private static String and(List<String> parts) {
    return parts.size() == 1 ? parts.get(0) : "(" + String.join(" AND ", parts) + ")";
  }
}
