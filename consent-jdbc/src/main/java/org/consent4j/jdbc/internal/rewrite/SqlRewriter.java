package org.consent4j.jdbc.internal.rewrite;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;
import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.expression.Alias;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.Statements;
import net.sf.jsqlparser.statement.delete.Delete;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.select.AllTableColumns;
import net.sf.jsqlparser.statement.select.FromItem;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.WithItem;
import net.sf.jsqlparser.statement.update.Update;
import org.consent4j.AccessContext;
import org.consent4j.Catalog;
import org.consent4j.DataCategory;
import org.consent4j.PurposeDefinition;
import org.consent4j.jdbc.internal.Dialect;

/**
 * Rewrites SQL so that every reference to a mapped table reads a filtered, masked view of it.
 * Not API.
 *
 * <p>How: the statement is parsed with JSqlParser and its whole syntax tree is walked (by
 * reflection over the parser's node classes, so that no kind of node can be forgotten). A
 * mapped table found where a {@link FromItem} stands — FROM, every JOIN, subqueries anywhere,
 * CTE bodies, set-operation branches, the source of INSERT…SELECT, UPDATE…FROM — is replaced by
 * {@code (SELECT <columns, personal ones masked> FROM table WHERE <consent>) alias}. A mapped
 * table found anywhere else (SELECT INTO, DELETE USING, a position a later parser version adds)
 * refuses the statement; {@code FOR UPDATE OF} names the view that stands under the table's name,
 * and a locking read locks exactly the visible rows (see {@code Rewrite.lockVisibleRows}). UPDATE and DELETE targets keep their table and get the
 * consent condition added to their WHERE. Statements other than SELECT, INSERT, UPDATE and
 * DELETE that mention a mapped table, and every procedure call, are refused.
 *
 * <p>SQL that mentions no mapped table name at all, as a word anywhere in its text, is passed
 * through without parsing. Thread-safe: a rewrite keeps its state on the stack.
 */
public final class SqlRewriter {
  private static final Pattern CALL = Pattern.compile(
      "^\\s*(\\{\\s*(\\?\\s*=\\s*)?call\\b|call\\b|exec\\b|execute\\b|do\\b)", Pattern.CASE_INSENSITIVE);
  /**
   * Built-in functions and commands that run SQL given as text, dump or copy tables, or reach
   * files or other servers: each is a way around any rewriting, so a statement that uses one is
   * refused on a guarded connection whatever it mentions.
   */
  static final Set<String> DANGEROUS = Set.of(
      // H2
      "script", "runscript", "backup", "csvwrite", "csvread", "link_schema", "file_read", "file_write",
      // PostgreSQL
      "query_to_xml", "query_to_xml_and_xmlschema", "query_to_xmlschema", "table_to_xml",
      "table_to_xml_and_xmlschema", "table_to_xmlschema", "cursor_to_xml", "cursor_to_xmlschema",
      "schema_to_xml", "schema_to_xml_and_xmlschema", "database_to_xml", "database_to_xml_and_xmlschema",
      "dblink", "dblink_exec", "dblink_open", "dblink_fetch", "dblink_send_query", "lo_import", "lo_export",
      "pg_read_file", "pg_read_binary_file", "pg_ls_dir", "ts_stat", "ts_rewrite", "xpath_table", "crosstab",
      // MariaDB / MySQL
      "load_file", "outfile", "dumpfile", "sys_exec", "sys_eval");

  /**
   * Catalog relations that hold samples of every table's values (planner statistics) or other
   * sessions' statements with their literals: refused like the consent store's tables.
   */
  static final Set<String> REFUSED_RELATIONS = Set.of("pg_stats", "pg_statistic", "pg_stats_ext",
      "pg_stats_ext_exprs", "pg_statistic_ext_data", "pg_stat_statements", "pg_stat_activity", "column_stats",
      "table_stats", "index_stats", "innodb_table_stats", "innodb_index_stats", "events_statements_current",
      "events_statements_history", "events_statements_history_long", "processlist");

  /** Functions that fold many rows into one: their result belongs to no single subject. */
  static final Set<String> AGGREGATES = Set.of("count", "sum", "avg", "min", "max", "array_agg",
      "string_agg", "group_concat", "listagg", "json_agg", "jsonb_agg", "json_arrayagg", "json_objectagg",
      "bool_and", "bool_or", "every", "bit_and", "bit_or", "bit_xor", "stddev", "stddev_pop", "stddev_samp",
      "variance", "var_pop", "var_samp", "median", "mode", "percentile_cont", "percentile_disc", "any_value");

  private static final Pattern MARKERS = Pattern.compile(Pattern.quote(ConsentPredicates.NOW_SECOND) + "|"
      + Pattern.quote(ConsentPredicates.NOW_NANO) + "|" + MaskedWriteBack.FLAG.pattern());
  static final ClassValue<List<Field>> FIELDS = new ClassValue<>() {
    @Override
    protected List<Field> computeValue(Class<?> type) {
      List<Field> out = new ArrayList<>();
      for (Class<?> c = type; c != null && c.getName().startsWith("net.sf.jsqlparser."); c = c.getSuperclass()) {
        for (Field f : c.getDeclaredFields()) {
          int m = f.getModifiers();
          if (Modifier.isStatic(m) || Modifier.isTransient(m) || f.isSynthetic() || f.getType().isPrimitive()) {
            continue;
          }
          f.setAccessible(true);
          out.add(f);
        }
      }
      return List.copyOf(out);
    }
  };

  private final Map<String, List<ProtectedTable>> byName = new HashMap<>();
  /**
   * Which object a table reference names, and whether it is mapped or a second door to mapped rows
   * (a view, synonym, foreign table ... that reads one) the rewriter cannot see through.
   */
  private final TableResolver resolver;
  private final boolean subjectColumns;
  /** The consent store's own tables: never reachable through a guarded connection. */
  private final Set<String> storeTables = new HashSet<>();
  /** Functions that may read mapped tables. */
  private final Set<String> unsafeFunctions;
  /** Every name whose appearance in SQL makes it worth parsing: mapped tables and unsafe views. */
  private final Set<String> watched = new HashSet<>();
  private final ConsentPredicates predicates;
  private final Catalog catalog;
  private final Dialect dialect;

  /**
   * @param tables the mapped tables, joined with their live columns
   * @param consentTablePrefix the validated prefix of the consent store's tables
   */
  public SqlRewriter(Collection<ProtectedTable> tables, Catalog catalog, Dialect dialect, String consentTablePrefix) {
    this(tables, Set.of(), Set.of(), catalog, dialect, consentTablePrefix, false);
  }

  /**
   * @param tables the mapped tables, joined with their live columns
   * @param unsafeViews lower-case names of views that read mapped tables (see {@link LiveViews});
   *     statements naming them are refused
   * @param unsafeFunctions lower-case names of functions that may read mapped tables (see
   *     {@link LiveRoutines}); statements calling them are refused
   * @param consentTablePrefix the validated prefix of the consent store's tables
   * @param subjectColumns whether to add the subject ids of each row of a plain top-level query
   *     as hidden trailing columns, for subject-level auditing
   */
  public SqlRewriter(Collection<ProtectedTable> tables, Set<String> unsafeViews, Set<String> unsafeFunctions,
      Catalog catalog, Dialect dialect, String consentTablePrefix, boolean subjectColumns) {
    this(tables, DatabaseObjects.ofUnsafeNames(unsafeViews), unsafeFunctions, catalog, dialect,
        new org.consent4j.jdbc.internal.Schema(consentTablePrefix), subjectColumns);
  }

  /**
   * As {@link #SqlRewriter(Collection, Set, Set, Catalog, Dialect, String, boolean)}, for a consent
   * store whose tables may live in a named schema: the consent checks name them qualified.
   *
   * @param store the consent store's table names, qualified as the store writes them
   */
  public SqlRewriter(Collection<ProtectedTable> tables, Set<String> unsafeViews, Set<String> unsafeFunctions,
      Catalog catalog, Dialect dialect, org.consent4j.jdbc.internal.Schema store, boolean subjectColumns) {
    this(tables, DatabaseObjects.ofUnsafeNames(unsafeViews), unsafeFunctions, catalog, dialect, store,
        subjectColumns);
  }

  /**
   * As {@link #SqlRewriter(Collection, DatabaseObjects, Set, Catalog, Dialect,
   * org.consent4j.jdbc.internal.Schema, boolean)}, for a store in the connection's current schema
   * with the table prefix {@code consentTablePrefix}.
   */
  public SqlRewriter(Collection<ProtectedTable> tables, DatabaseObjects objects, Set<String> unsafeFunctions,
      Catalog catalog, Dialect dialect, String consentTablePrefix, boolean subjectColumns) {
    this(tables, objects, unsafeFunctions, catalog, dialect, new org.consent4j.jdbc.internal.Schema(consentTablePrefix),
        subjectColumns);
  }

  /**
   * @param tables the mapped tables, joined with their live columns
   * @param objects the database's relations by qualified name (see {@link DatabaseObjects}):
   *     references are resolved to them, and statements naming an unsafe one are refused
   * @param unsafeFunctions lower-case names of functions that may read mapped tables (see
   *     {@link LiveRoutines}); statements calling them are refused
   * @param store the consent store's table names, qualified as the store writes them
   * @param subjectColumns whether to add the subject ids of each row of a plain top-level query
   *     as hidden trailing columns, for subject-level auditing
   */
  public SqlRewriter(Collection<ProtectedTable> tables, DatabaseObjects objects, Set<String> unsafeFunctions,
      Catalog catalog, Dialect dialect, org.consent4j.jdbc.internal.Schema store, boolean subjectColumns) {
    this.subjectColumns = subjectColumns;
    for (ProtectedTable t : tables) {
      byName.computeIfAbsent(t.name(), k -> new ArrayList<>()).add(t);
    }
    this.resolver = new TableResolver(byName, Objects.requireNonNull(objects, "objects"));
    this.unsafeFunctions = Set.copyOf(unsafeFunctions);
    watched.addAll(byName.keySet());
    watched.addAll(objects.unsafeNames());
    watched.addAll(this.unsafeFunctions);
    // Bare names: a statement naming a store table, qualified by any schema or not at all, is
    // refused, so neither the qualified name nor an unqualified one the search path resolves to it
    // gets through (over-refusing a same-named table elsewhere, which is fail closed).
    for (String t : store.bareTables()) {
      storeTables.add(t.toLowerCase(Locale.ROOT));
    }
    watched.addAll(storeTables);
    watched.addAll(DANGEROUS);
    watched.addAll(REFUSED_RELATIONS);
    this.catalog = Objects.requireNonNull(catalog, "catalog");
    this.predicates = new ConsentPredicates(dialect, store.qualifier() + store.prefix(), catalog);
    this.dialect = Objects.requireNonNull(dialect, "dialect");
  }

  /**
   * Rewrites one SQL string (which may hold several statements) for {@code context}.
   *
   * @param context the processing context, or empty when none is bound
   * @throws RewriteRefusedException when the statement must not run
   */
  public RewrittenStatement rewrite(String sql, Optional<AccessContext> context) {
    return rewrite(sql, context, null);
  }

  /**
   * Whether rewriting {@code sql} depends on the session's search path: it names a table whose
   * objects in different schemas are treated differently (say a mapped {@code app.contact} and a
   * view {@code other.contact}). Then pass {@link #searchPath(java.sql.Connection)} to {@link
   * #rewrite(String, Optional, List)}, and key any cache on it. A word scan, no parse.
   */
  public boolean needsSearchPath(String sql) {
    Set<String> ambiguous = resolver.ambiguousNames();
    if (ambiguous.isEmpty()) {
      return false;
    }
    for (String word : LiveViews.words(fold(sql))) {
      if (ambiguous.contains(word)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Where the database looks up unqualified table names on {@code session} now: folded schema
   * names in lookup order, a {@code null} last element when more may follow that cannot be read.
   *
   * @throws java.sql.SQLException if the session cannot be asked
   */
  public List<String> searchPath(java.sql.Connection session) throws java.sql.SQLException {
    DatabaseObjects objects = resolver.objects();
    if (!objects.known()) {
      return null;
    }
    return objects.searchPath(Objects.requireNonNull(session, "session"));
  }

  /**
   * As {@link #rewrite(String, Optional)}, resolving unqualified table names along {@code
   * searchPath} (see {@link #searchPath(java.sql.Connection)}); null when it is not known, and
   * then an unqualified name that several schemas hold is given the most protective reading.
   *
   * @throws RewriteRefusedException when the statement must not run
   */
  public RewrittenStatement rewrite(String sql, Optional<AccessContext> context, List<String> searchPath) {
    Objects.requireNonNull(sql, "sql");
    Objects.requireNonNull(context, "context");
    if (CALL.matcher(stripLeadingComments(sql)).find()) {
      throw new RewriteRefusedException(RewriteRefusedException.Why.BYPASS_REFUSED,
          "stored procedure calls and anonymous blocks are refused: consent4j cannot see which personal data"
              + " they read; query the tables directly");
    }
    requireAllowedKind(sql);
    if (sql.contains("/*!") || sql.contains("/*M!") || sql.contains("/*m!")) {
      // MariaDB and MySQL run the text of these comments, which the parser skips.
      throw refused(RewriteRefusedException.Why.UNANALYSABLE_SQL, "executable comments (/*! ... */) are refused"
          + " on a consent-guarded connection: the database runs text the filter cannot see");
    }
    boolean several = severalStatements(sql);
    if (!several && !mentionsMappedName(sql)) {
      return RewrittenStatement.untouched(sql);
    }
    if (sql.toLowerCase(Locale.ROOT).contains(ConsentPredicates.MARKER)) {
      throw refused(RewriteRefusedException.Why.UNANALYSABLE_SQL, "the statement contains the reserved word "
          + ConsentPredicates.MARKER);
    }
    // What JSqlParser mishandles (blank lines, line breaks in quoted names, LOCK IN SHARE MODE)
    // made parseable, with the same meaning; see SqlText.
    SqlText.Normalised text = SqlText.normalise(sql, dialect, this::knownName);
    Statements statements;
    try {
      statements = CCJSqlParserUtil.parseStatements(text.text());
    } catch (JSQLParserException | RuntimeException | StackOverflowError e) {
      if (DELTA_TABLE.matcher(sql).find()) {
        // H2's (and DB2's) data change delta table: JSqlParser 5.1 has no grammar for it.
        throw refused(RewriteRefusedException.Why.UNANALYSABLE_SQL, "the statement mentions protected names "
            + mentionedNames(sql) + " and selects from a data change delta table (FROM FINAL|NEW|OLD TABLE (INSERT"
            + " ...)), which consent4j's SQL parser cannot read, so it cannot check the rows it writes; run the"
            + " INSERT on its own and ask for generated keys (Statement.RETURN_GENERATED_KEYS, or column names)");
      }
      throw refused(RewriteRefusedException.Why.UNANALYSABLE_SQL, "the statement mentions protected names "
          + mentionedNames(sql) + " (or spells a name with escapes) but cannot be parsed, so consent4j cannot"
          + " filter it; simplify it or split it");
    }
    if (statements.isEmpty()) {
      return RewrittenStatement.untouched(sql);
    }
    Rewrite r = new Rewrite(context, searchPath);
    r.single = statements.size() == 1;
    for (Statement s : statements) {
      requireAllowedKind(s.toString());
      r.statement(s);
    }
    if (r.tables.isEmpty()) {
      return RewrittenStatement.untouched(sql);
    }
    int hidden = r.returnedSubjects > 0 ? r.returnedSubjects
        : subjectColumns && statements.size() == 1 ? r.addSubjectColumns(statements.get(0)) : 0;
    boolean share = text.lockInShareMode() && statements.size() == 1 && statements.get(0) instanceof PlainSelect ps
        && ps.getForMode() == net.sf.jsqlparser.statement.select.ForMode.SHARE;
    if (share) {
      ((PlainSelect) statements.get(0)).setForMode(null); // printed back in MariaDB's words below
    }
    StringBuilder out = new StringBuilder(sql.length() * 4);
    for (int i = 0; i < statements.size(); i++) {
      out.append(i == 0 ? "" : ";\n").append(statements.get(i));
    }
    if (share) {
      out.append(" LOCK IN SHARE MODE");
    }
    if (!text.placeholders().isEmpty()) {
      String restored = text.restore(out.toString());
      out.setLength(0);
      out.append(restored);
    }
    List<String> parts = new ArrayList<>();
    List<Boolean> nanos = new ArrayList<>();
    List<Integer> nullFlags = new ArrayList<>();
    java.util.regex.Matcher m = MARKERS.matcher(out);
    int last = 0;
    while (m.find()) {
      parts.add(out.substring(last, m.start()));
      nanos.add(m.group().equals(ConsentPredicates.NOW_NANO));
      nullFlags.add(m.group(1) == null ? 0 : Integer.parseInt(m.group(1)));
      last = m.end();
    }
    parts.add(out.substring(last));
    return new RewrittenStatement(parts, nanos, true, r.tables, r.categories, StatementShape.fingerprint(sql),
        hidden, r.writesMappedRows, r.writeChecks, nullFlags);
  }

  /**
   * The checks for rows written into the mapped table {@code t}: one per row for the row itself
   * (its subjects, and the categories it stores), and one per foreign key to another mapped table
   * for the row it refers to. The reusable core of the INSERT analysis (an upsert's insert branch
   * writes rows the same way).
   *
   * @param names the written columns, lower-case, in the order of each row's values
   * @param rows the values of each row, as parsed
   * @param parametersAreJdbcIndexes whether the statement's {@code ?} indexes are the JDBC ones (a
   *     single statement), so that a parameter can be read when it runs
   * @param keysReadable whether the database's generated keys of the statement can be read (no
   *     {@code RETURNING} of its own), so that a generated subject can be checked after it runs
   * @throws RewriteRefusedException when a row's subject, or a reference, cannot be told
   */
  List<WriteCheck> rowChecks(ProtectedTable t, List<String> names, List<? extends List<?>> rows,
      boolean parametersAreJdbcIndexes, boolean keysReadable) {
    List<WriteCheck> out = new ArrayList<>();
    for (int r = 0; r < rows.size(); r++) {
      List<?> row = rows.get(r);
      if (row.size() != names.size()) {
        throw refused(RewriteRefusedException.Why.UNANALYSABLE_SQL, "INSERT into the mapped table " + t.name()
            + ": a VALUES row does not match the column list");
      }
      TreeSet<DataCategory> stored = new TreeSet<>();
      java.util.TreeMap<Integer, DataCategory> byParameter = new java.util.TreeMap<>();
      t.rowCategory().ifPresent(stored::add);
      for (int i = 0; i < names.size(); i++) {
        DataCategory cat = t.personal().get(names.get(i));
        Object v = row.get(i);
        if (cat == null || v instanceof net.sf.jsqlparser.expression.NullValue) {
          continue; // a NULL stores nothing
        }
        Integer index = parameterIndex(v, parametersAreJdbcIndexes);
        if (index != null) {
          byParameter.put(index, cat);
        } else {
          stored.add(cat);
        }
      }
      List<WriteCheck.Source> sources = new ArrayList<>();
      for (String subject : t.subjectColumns()) {
        int at = names.indexOf(subject);
        Object v = at < 0 ? null : row.get(at);
        WriteCheck.Source source = literalOrParameter(v, parametersAreJdbcIndexes);
        if (source == null) {
          source = generated(t, subject, v, at < 0, parametersAreJdbcIndexes && keysReadable);
        }
        if (source == null) {
          throw refused(RewriteRefusedException.Why.SUBJECT_UNKNOWN, "INSERT into the mapped table " + t.name()
              + " writes a row whose subject column " + subject + " is "
              + (at < 0 ? "left out, and the column has no default the database generates (identity,"
                  + " auto-increment or sequence)"
              : "not a literal, a single '?' parameter or a value the database generates")
              + ", so consent4j cannot check that subject's consent; write the subject id as a literal or a"
              + " parameter");
        }
        sources.add(source);
      }
      out.add(new WriteCheck(t.name(), sources, stored, byParameter, false, r));
      for (ProtectedTable.Reference ref : t.references()) {
        reference(t, ref, names, row, r, parametersAreJdbcIndexes).ifPresent(out::add);
      }
    }
    return out;
  }

  /**
   * The check of the row a foreign key of a written row refers to, when it refers to a mapped
   * table: that row must be one the context could see, since the database's reference check
   * would otherwise tell whether a hidden row exists. Empty when the key is not written or NULL.
   */
  private Optional<WriteCheck> reference(ProtectedTable t, ProtectedTable.Reference ref, List<String> names,
      List<?> row, int r, boolean parametersAreJdbcIndexes) {
    List<ProtectedTable> parents = byName.getOrDefault(ref.parent(), List.of());
    if (parents.isEmpty()) {
      return Optional.empty();
    }
    boolean written = false;
    for (String c : ref.columns()) {
      int at = names.indexOf(c);
      if (at >= 0 && !(row.get(at) instanceof net.sf.jsqlparser.expression.NullValue)) {
        written = true;
      }
    }
    if (!written) {
      return Optional.empty(); // NULL (or left out, so its default): a NULL reference is not checked
    }
    ProtectedTable parent = parents.get(0);
    if (parents.size() > 1 || !new java.util.HashSet<>(ref.parentColumns()).equals(
        new java.util.HashSet<>(parent.subjectColumns()))) {
      throw refused(RewriteRefusedException.Why.SUBJECT_UNKNOWN, "INSERT into the mapped table " + t.name()
          + " writes the foreign key " + ref.columns() + ", which refers to columns of the mapped table " + ref.parent()
          + " other than its subject columns: consent4j cannot tell whether the row it refers to is one this"
          + " context may see, and the database's reference check would tell; refer to the subject columns, or"
          + " write the key as NULL");
    }
    List<WriteCheck.Source> sources = new ArrayList<>();
    for (String subject : parent.subjectColumns()) {
      String child = ref.columns().get(ref.parentColumns().indexOf(subject));
      int at = names.indexOf(child);
      Object v = at < 0 ? null : row.get(at);
      WriteCheck.Source source = literalOrParameter(v, parametersAreJdbcIndexes);
      if (source == null) {
        throw refused(RewriteRefusedException.Why.SUBJECT_UNKNOWN, "INSERT into the mapped table " + t.name()
            + " writes the foreign key column " + child + ", which refers to the mapped table " + ref.parent()
            + ", as something other than a literal or a single '?' parameter (or leaves part of the key out), so"
            + " consent4j cannot check that the row it refers to is one this context may see");
      }
      sources.add(source);
    }
    TreeSet<DataCategory> rowCategory = new TreeSet<>();
    parent.rowCategory().ifPresent(rowCategory::add);
    return Optional.of(new WriteCheck(parent.name(), sources, rowCategory, new java.util.TreeMap<>(), true, r));
  }

  private static Integer parameterIndex(Object v, boolean parametersAreJdbcIndexes) {
    return v instanceof net.sf.jsqlparser.expression.JdbcParameter jp && parametersAreJdbcIndexes
        && jp.getIndex() != null && !jp.isUseFixedIndex() ? jp.getIndex() : null;
  }

  /** The subject source a written value is (a literal, or a single {@code ?}), or null when it is neither. */
  static WriteCheck.Source literalOrParameter(Object v, boolean parametersAreJdbcIndexes) {
    if (v instanceof net.sf.jsqlparser.expression.StringValue sv) {
      return WriteCheck.Source.literal(sv.getValue());
    } else if (v instanceof net.sf.jsqlparser.expression.LongValue lv) {
      return WriteCheck.Source.literal(lv.getStringValue());
    }
    Integer index = parameterIndex(v, parametersAreJdbcIndexes);
    return index == null ? null : WriteCheck.Source.parameter(index);
  }

  /**
   * A subject the database generates: the column left out or written as {@code DEFAULT} (an
   * identity, serial or auto-increment column, or one whose default takes a sequence's value), or
   * a sequence's next value ({@code nextval('s')}, {@code NEXT VALUE FOR s}). Known only from the
   * generated keys, so only for a single statement that returns no rows of its own.
   */
  private static WriteCheck.Source generated(ProtectedTable t, String subject, Object v, boolean leftOut,
      boolean keysReadable) {
    if (!keysReadable) {
      return null;
    }
    ProtectedTable.Column column = t.column(subject).orElseThrow();
    boolean byDefault = leftOut || (v instanceof Column c && c.getTable() == null
        && "DEFAULT".equalsIgnoreCase(c.getColumnName()));
    if (byDefault && column.defaulted()) {
      return WriteCheck.Source.generated(column.name(), column.autoIncrement());
    }
    boolean sequence = v instanceof net.sf.jsqlparser.expression.NextValExpression
        || (v instanceof net.sf.jsqlparser.expression.Function f && f.getName() != null
            && f.getName().equalsIgnoreCase("nextval") && f.getParameters() != null
            && f.getParameters().size() == 1
            && f.getParameters().get(0) instanceof net.sf.jsqlparser.expression.StringValue);
    return sequence ? WriteCheck.Source.generated(column.name(), false) : null;
  }

  /** Recognises H2's data change delta table, only to say why such a statement is unparsable. */
  private static final java.util.regex.Pattern DELTA_TABLE = java.util.regex.Pattern.compile(
      "(?i)\\bFROM\\s+(FINAL|NEW|OLD)\\s+TABLE\\s*\\(");

  private static RewriteRefusedException refused(RewriteRefusedException.Why why, String message) {
    return new RewriteRefusedException(why, message);
  }

  /** A word-level scan: does any identifier in the text equal a mapped table's name? */
  boolean mentionsMappedName(String sql) {
    if (watched.isEmpty()) {
      return false;
    }
    int n = sql.length();
    int i = 0;
    while (i < n) {
      char c = sql.charAt(i);
      if (Character.isLetterOrDigit(c) || c == '_' || c == '$') {
        int start = i;
        while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_' || sql.charAt(i) == '$')) {
          i++;
        }
        String word = fold(sql.substring(start, i));
        // U&"..." identifiers spell names with escapes, which a word scan cannot read: parse those.
        if (watched.contains(word) || (word.equals("u") && i < n && sql.charAt(i) == '&')) {
          return true;
        }
      } else {
        i++;
      }
    }
    return false;
  }

  /**
   * Whether a folded name is one the rewriter looks at: a watched name (mapped tables, views,
   * functions, the store's tables) or a column of a mapped table.
   */
  private boolean knownName(String folded) {
    if (watched.contains(folded)) {
      return true;
    }
    for (List<ProtectedTable> ts : byName.values()) {
      for (ProtectedTable t : ts) {
        if (t.column(folded).isPresent()) {
          return true;
        }
      }
    }
    return false;
  }

  private SortedSet<String> mentionedNames(String sql) {
    SortedSet<String> out = new TreeSet<>();
    for (String word : LiveViews.words(fold(sql))) {
      if (watched.contains(word)) {
        out.add(word);
      }
    }
    return out;
  }

  private static String stripLeadingComments(String sql) {
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (Character.isWhitespace(c) || c == '(') {
        i++;
      } else if (sql.startsWith("--", i)) {
        int nl = sql.indexOf('\n', i);
        i = nl < 0 ? n : nl + 1;
      } else if (sql.startsWith("/*", i)) {
        int end = sql.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
      } else if (c == '#') { // MariaDB/MySQL
        int nl = sql.indexOf('\n', i);
        i = nl < 0 ? n : nl + 1;
      } else {
        break;
      }
    }
    return sql.substring(i);
  }

  /**
   * Only these kinds of statement may run on a guarded connection, whatever they mention: reading
   * and writing data, transactions, session settings, and plain table DDL. Everything else -
   * creating functions, procedures, aliases, triggers, rules, events or views, PREPARE/EXECUTE,
   * ANALYZE, COPY, GRANT, LOAD, HANDLER, ... - could run SQL or read data the filter never sees.
   */
  /** {@code ENGINE [=] name} in table DDL (MariaDB/MySQL, and H2's {@code ENGINE "class"}). */
  /**
   * {@code ENGINE = name} in table DDL (MariaDB/MySQL), {@code ENGINE name} naming an engine that
   * reads rows from elsewhere (without {@code =}, {@code engine} may be a column's name), and H2's
   * {@code ENGINE "class"}.
   */
  private static final Pattern TABLE_ENGINE = Pattern.compile("\\bengine\\s*(?:=\\s*[`'\"]?([a-z0-9_.$]+)"
      + "|[`']?(federated|connect|spider|merge|mrg_myisam)\\b|\"([^\"]*)\")");
  /** Storage engines whose rows are the table's own. */
  static final Set<String> LOCAL_ENGINES = Set.of("innodb", "myisam", "aria", "memory", "heap", "archive",
      "blackhole", "csv");

  static void requireAllowedKind(String statement) {
    String text = stripLeadingComments(statement).toLowerCase(Locale.ROOT);
    String[] words = text.split("[^a-z0-9_@]+", 4);
    String first = words.length > 0 ? words[0] : "";
    String second = words.length > 1 ? words[1] : "";
    boolean allowed = switch (first) {
      case "", "select", "with", "insert", "update", "delete", "values", "show", "begin", "start", "commit",
          "rollback", "savepoint", "release", "end", "truncate", "comment", "merge", "lock" -> true;
      case "set" -> !second.startsWith("@") && !second.equals("role") && !text.contains("@")
          && !text.startsWith("set session authorization");
      case "create", "alter", "drop" -> Set.of("table", "index", "unique", "sequence", "temporary", "temp", "global",
          "local", "cached", "memory").contains(second);
      default -> false;
    };
    if (allowed && (first.equals("create") || first.equals("alter"))) {
      java.util.regex.Matcher engine = TABLE_ENGINE.matcher(text);
      while (engine.find()) {
        String name = engine.group(1) != null ? engine.group(1) : engine.group(2) != null ? engine.group(2)
            : engine.group(3);
        if (!LOCAL_ENGINES.contains(name)) {
          // FEDERATED, CONNECT, SPIDER, MERGE (MariaDB) and H2's table engine classes read rows
          // from elsewhere, such as a mapped table, under a name the filter does not know.
          throw new RewriteRefusedException(RewriteRefusedException.Why.BYPASS_REFUSED, "a table of the storage"
              + " engine " + name.toUpperCase(Locale.ROOT) + " cannot be created or altered on a"
              + " consent-guarded connection: its rows may come from another table, around consent4j's filter;"
              + " only " + String.join(", ", new java.util.TreeSet<>(LOCAL_ENGINES)).toUpperCase(Locale.ROOT)
              + " tables may be made here");
        }
      }
    }
    if (!allowed) {
      throw new RewriteRefusedException(RewriteRefusedException.Why.BYPASS_REFUSED, "a "
          + (first + " " + second).trim().toUpperCase(Locale.ROOT) + " statement is refused on a consent-guarded"
          + " connection: it could run SQL or read data around consent4j's filter; only queries, writes,"
          + " transactions, session settings and table DDL may run here");
    }
  }

  /** True when a statement separator is followed by more SQL (outside quotes and comments). */
  static boolean severalStatements(String sql) {
    String shape = StatementShape.of(sql);
    int semi = shape.indexOf(';');
    while (semi >= 0) {
      String rest = shape.substring(semi + 1).replace(";", "");
      if (!rest.isBlank()) {
        return true;
      }
      semi = shape.indexOf(';', semi + 1);
    }
    return false;
  }

  static String unquote(String identifier) {
    if (identifier == null) {
      return null;
    }
    String s = identifier;
    if (s.length() >= 2 && ((s.startsWith("\"") && s.endsWith("\"")) || (s.startsWith("`") && s.endsWith("`"))
        || (s.startsWith("[") && s.endsWith("]")))) {
      s = s.substring(1, s.length() - 1);
    }
    return fold(s);
  }

  /**
   * Lower case after upper case: H2 upper-cases unquoted names, which turns the dotless {@code ı}
   * into {@code I}, so {@code frıend} must match {@code friend}. Over-matching only over-protects.
   */
  static String fold(String name) {
    return org.consent4j.jdbc.mapping.internal.Identifiers.fold(name);
  }

  /**
   * The key under which a CTE name shadows a table reference: unquoted names compare folded,
   * quoted ones exactly. A quoted CTE never shadows an unquoted reference and vice versa: when
   * unsure, the reference is taken for the table, which can only over-filter.
   */
  static String cteKey(String identifier) {
    if (identifier.length() >= 2 && (identifier.startsWith("\"") || identifier.startsWith("`")
        || identifier.startsWith("["))) {
      return "q:" + identifier.substring(1, identifier.length() - 1);
    }
    return "u:" + fold(identifier);
  }

  /** The state of rewriting one SQL string. */
  private final class Rewrite {
    final Optional<AccessContext> context;
    final SortedSet<String> tables = new TreeSet<>();
    final SortedSet<DataCategory> categories = new TreeSet<>();
    final Set<Object> visited = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    PurposeDefinition definition;
    /** How many table references were replaced by filtered views. */
    int views;
    /** Set by columnsOf when the statement holds a subquery. */
    boolean subqueryFound;
    /** An UPDATE or DELETE of a mapped table. */
    boolean writesMappedRows;
    /** The rows INSERTs store into mapped tables, for the consent check at execution. */
    final List<WriteCheck> writeChecks = new ArrayList<>();
    /** True when the SQL string holds one statement, so parameter indexes are the JDBC ones. */
    boolean single;
    /**
     * How many generated subject columns were added at the end of an INSERT's own RETURNING list,
     * for the check after it ran (see {@link #returning}).
     */
    int returnedSubjects;
    /** The mapped table behind each view this rewrite made. */
    final Map<ViewFromItem, ProtectedTable> viewTables = new IdentityHashMap<>();
    /**
     * The statement being rewritten has a locking clause ({@code FOR UPDATE} and its kin): its
     * views must be ones the database can lock through (see {@link #lockVisibleRows}).
     */
    boolean locking;
    /** The table each view reads, as the statement named it (validated by the parser). */
    final Map<FromItem, String> viewSource = new IdentityHashMap<>();
    private PredicateGuards guards;

    /**
     * For a plain top-level query whose rows are rows of mapped tables (no DISTINCT, GROUP BY,
     * aggregate or window function, set operation or INTO), appends each top-level mapped table's
     * subject columns as {@code c4j_s0, c4j_s1, ...}: the audit then knows whose data was read.
     *
     * @return how many columns were added
     */
    int addSubjectColumns(Statement s) {
      if (!(s instanceof PlainSelect ps) || ps.getDistinct() != null || ps.getGroupBy() != null
          || ps.getHaving() != null || (ps.getIntoTables() != null && !ps.getIntoTables().isEmpty())
          || aggregates(ps.getSelectItems(), java.util.Collections.newSetFromMap(new IdentityHashMap<>()))) {
        return 0;
      }
      List<FromItem> top = new ArrayList<>();
      top.add(ps.getFromItem());
      if (ps.getJoins() != null) {
        ps.getJoins().forEach(j -> top.add(j.getFromItem()));
      }
      int added = 0;
      for (FromItem f : top) {
        ProtectedTable t = f instanceof ViewFromItem v ? viewTables.get(v) : null;
        if (t == null || f.getAlias() == null) {
          continue;
        }
        for (String subject : t.subjectColumns()) {
          String ref = f.getAlias().getName() + "." + predicates.quote(t.column(subject).orElseThrow().name());
          try {
            ps.addSelectItem(CCJSqlParserUtil.parseExpression(ref), new Alias("c4j_s" + added, true));
          } catch (JSQLParserException e) {
            return 0; // the audit then names no subjects for this statement; the data is filtered all the same
          }
          added++;
        }
      }
      return added;
    }

    private boolean aggregates(Object o, Set<Object> seen) {
      if (o == null || o instanceof Enum<?> || o instanceof String || !seen.add(o)) {
        return false;
      }
      if (o instanceof net.sf.jsqlparser.expression.AnalyticExpression) {
        return true;
      }
      if (o instanceof net.sf.jsqlparser.expression.Function fn && fn.getName() != null
          && AGGREGATES.contains(fn.getName().toLowerCase(Locale.ROOT))) {
        return true;
      }
      if (o instanceof ParenthesedSelect) {
        return false; // a subquery's aggregates do not merge the outer rows
      }
      if (o instanceof Collection<?> coll) {
        for (Object e : coll) {
          if (aggregates(e, seen)) {
            return true;
          }
        }
        return false;
      }
      if (!isParserNode(o)) {
        return false;
      }
      for (Field f : FIELDS.get(o.getClass())) {
        if (aggregates(get(f, o), seen)) {
          return true;
        }
      }
      return false;
    }

    Rewrite(Optional<AccessContext> context, List<String> searchPath) {
      this.context = context;
      this.searchPath = searchPath;
    }

    /** The session's search path (see {@link SqlRewriter#searchPath}), or null when not known. */
    final List<String> searchPath;
    /** What each table reference of this rewrite resolved to. */
    final Map<Table, TableResolver.Resolution> resolved = new IdentityHashMap<>();
    /** The unaliased mapped references replaced by views: columns qualified by their schema follow them. */
    final List<Table> replacedUnaliased = new ArrayList<>();

    /** The object {@code t} names, resolved once per reference. */
    TableResolver.Resolution resolve(Table t) {
      return resolved.computeIfAbsent(t, x -> resolver.resolve(unquote(x.getSchemaName()), unquote(x.getName()),
          searchPath));
    }

    /**
     * The mapped table a reference names.
     *
     * @throws RewriteRefusedException if it names a view, synonym or table that reads mapped tables
     */
    Optional<ProtectedTable> lookup(Table t) {
      TableResolver.Resolution r = resolve(t);
      if (r.refusal() != null) {
        throw refused(RewriteRefusedException.Why.BYPASS_REFUSED, r.refusal());
      }
      return r.table();
    }

    /** The guards that keep the statement's own conditions off hidden rows (see PredicateGuards). */
    PredicateGuards guards() {
      if (guards == null) {
        guards = new PredicateGuards(predicates.dialect(), viewTables,
            (t, alias) -> {
              AccessContext ctx = requireContext(t.name());
              return predicates.row(t, alias, definition, ctx);
            }, t -> lookup(t).isPresent());
      }
      return guards;
    }

    AccessContext requireContext(String table) {
      if (context.isEmpty()) {
        throw refused(RewriteRefusedException.Why.NO_CONTEXT, "the statement reads or writes the mapped table "
            + table + " but no processing context is bound to this thread: wrap the call in"
            + " try (var scope = engine.process(AccessContext.of(actor, purpose))) { ... }");
      }
      if (definition == null) {
        definition = catalog.require(context.get());
      }
      return context.get();
    }

    void statement(Statement s) {
      int before = views;
      locking = lockingClause(s, java.util.Collections.newSetFromMap(new IdentityHashMap<>()));
      if (s instanceof Select select) {
        walk(select, Set.of());
        guards().guard(select);
        if (select instanceof PlainSelect ps && ps.getIntoTables() != null && !ps.getIntoTables().isEmpty()
            && views > before) {
          throw refused(RewriteRefusedException.Why.BYPASS_REFUSED,
              "SELECT ... INTO copies mapped data around consent4j's filter; select the data instead");
        }
      } else if (s instanceof Insert insert) {
        insert(insert);
      } else if (s instanceof Update update) {
        noReturning(update.getReturningClause(), update.getTable());
        walk(update, Set.of());
        guards().guard(update);
        target(update.getTable()).ifPresent(t -> {
          writesMappedRows = true;
          List<Column> columns = columnsOf(update);
          List<MaskedWriteBack.Assignment> writeBacks = subqueryFound ? List.of()
              : MaskedWriteBack.find(update, t, targetNames(update.getTable()), single);
          // A written-back NULL does not restrict the rows by its column's consent (see MaskedWriteBack).
          writeBacks.forEach(a -> columns.removeIf(c -> c == a.column()));
          update.setWhere(restrict(update.getWhere(), update.getTable(), t, columns, subqueryFound));
          AccessContext ctx = requireContext(t.name());
          String q = targetQualifier(update.getTable());
          MaskedWriteBack.guard(writeBacks, cat -> predicates.column(t, q, cat, definition, ctx)).ifPresent(
              extra -> update.setWhere(new net.sf.jsqlparser.expression.operators.conditional.AndExpression(
                  update.getWhere(), extra)));
        });
      } else if (s instanceof Delete delete) {
        noReturning(delete.getReturningClause(), delete.getTable());
        walk(delete, Set.of());
        guards().guard(delete);
        target(delete.getTable()).ifPresent(t -> {
          writesMappedRows = true;
          delete.setWhere(restrict(delete.getWhere(), delete.getTable(), t, columnsOf(delete), subqueryFound));
        });
      } else if ((s instanceof net.sf.jsqlparser.statement.merge.Merge
          || s instanceof net.sf.jsqlparser.statement.upsert.Upsert) && mentionsMappedName(s.toString())) {
        throw refused(RewriteRefusedException.Why.BYPASS_REFUSED, "MERGE on the mapped table(s) "
            + mentionedNames(s.toString()) + " is refused: whether a row matched decides between its update and"
            + " insert branches, so a match with a row the context may not see would change it or show in the update"
            + " count, and consent4j cannot tell from an arbitrary ON condition that only visible rows match; use"
            + " INSERT ... ON CONFLICT (<subject column>) DO UPDATE (PostgreSQL), INSERT ... ON DUPLICATE KEY UPDATE"
            + " (MariaDB), or a plain INSERT and a filtered UPDATE");
      } else if (mentionsMappedName(s.toString())) {
        throw refused(RewriteRefusedException.Why.BYPASS_REFUSED, "a " + kind(s) + " statement on the mapped table(s) "
            + mentionedNames(s.toString()) + " is refused: only SELECT, INSERT, UPDATE and DELETE are filtered"
            + " (DDL, CREATE ... AS, EXPLAIN, COPY and the like would bypass the filter)");
      }
      if (!replacedUnaliased.isEmpty()) {
        followReplacedTables(s, java.util.Collections.newSetFromMap(new IdentityHashMap<>()));
      }
    }

    /**
     * A view replacing an unaliased table takes the table's bare name as its alias, so a column
     * qualified with the table's schema or catalog ({@code "public"."contact"."id"}, as jOOQ
     * renders it, or MariaDB's {@code test.contact.id}) would no longer resolve: such qualifiers
     * lose their schema and catalog. Only qualifiers naming a replaced table (same bare name, and
     * the schema it was written with or resolved to) change; in SQL a table exposes its bare name
     * once per FROM, so the shortened qualifier names the same table.
     */
    private void followReplacedTables(Object o, Set<Object> seen) {
      if (o == null || o instanceof String || o instanceof Number || o instanceof Boolean || o instanceof Enum<?>
          || !seen.add(o)) {
        return;
      }
      if (o instanceof Collection<?> coll) {
        for (Object e : coll) {
          followReplacedTables(e, seen);
        }
        return;
      }
      if (o instanceof Column c) {
        if (namesReplacedTable(c.getTable())) {
          c.setTable(new Table(c.getTable().getName()));
        }
        return;
      }
      if (o instanceof AllTableColumns a) {
        if (namesReplacedTable(a.getTable())) {
          a.setTable(new Table(a.getTable().getName()));
        }
        return;
      }
      if (o instanceof PredicateGuards.Guarded g) {
        followReplacedTables(g.inner(), seen); // the guard wraps the user's own condition
        return;
      }
      if (!isParserNode(o)) {
        return;
      }
      for (Field f : FIELDS.get(o.getClass())) {
        followReplacedTables(get(f, o), seen);
      }
    }

    private boolean namesReplacedTable(Table qualifier) {
      if (qualifier == null || qualifier.getName() == null || qualifier.getSchemaName() == null) {
        return false;
      }
      String name = unquote(qualifier.getName());
      String schema = unquote(qualifier.getSchemaName());
      for (Table r : replacedUnaliased) {
        if (!unquote(r.getName()).equals(name)) {
          continue;
        }
        String written = unquote(r.getSchemaName());
        Optional<DatabaseObjects.Obj> object = resolve(r).object();
        if (schema.equals(written) || object.map(x -> x.schemaKey().equals(schema)).orElse(written == null)) {
          return true;
        }
      }
      return false;
    }

    /** UPDATE/DELETE ... RETURNING on a mapped table would hand back the rows' masked values. */
    private void noReturning(Object returning, Table target) {
      if (returning != null && target != null && lookup(target).isPresent()) {
        throw refused(RewriteRefusedException.Why.BYPASS_REFUSED, "RETURNING on an UPDATE or DELETE of the mapped"
            + " table " + lookup(target).get().name() + " is refused: it would return values the context may not"
            + " see; select them afterwards instead");
      }
    }

    private void insert(Insert insert) {
      Optional<ProtectedTable> target = target(insert.getTable());
      int before = views;
      walk(insert, Set.of());
      guards().guard(insert);
      boolean readsMapped = views > before;
      if (target.isPresent()) {
        if (readsMapped) {
          throw refused(RewriteRefusedException.Why.MASKED_WRITE_REFUSED, "INSERT into the mapped table "
              + target.get().name() + " from a query on mapped tables would store masked values; refused");
        }
        boolean upsert = UpsertCheck.isUpsert(insert);
        if (upsert) {
          upsert(insert, target.get());
        }
        int first = writeChecks.size();
        collection(insert, target.get()); // checks each row's subject, for an upsert too
        if (upsert) {
          UpsertCheck.requireSubjectsKnownBeforeItRuns(writeChecks.subList(first, writeChecks.size()), target.get());
        }
      }
    }

    /**
     * An upsert (see {@link UpsertCheck}): it may conflict only with rows of the subjects it
     * inserts, which the INSERT check requires known and permitted before it runs, whether or not
     * the row stores personal data; its update branch reaches the existing row only when the
     * context may see the row and every personal column the branch reads or writes, as an UPDATE
     * does. The INSERT itself gets the plain INSERT's check (the caller's collection check).
     */
    private void upsert(Insert insert, ProtectedTable t) {
      UpsertCheck.requireConflictsOnSubjects(insert, t);
      if (!UpsertCheck.updates(insert)) {
        return;
      }
      if (insert.getReturningClause() != null) {
        throw refused(RewriteRefusedException.Why.BYPASS_REFUSED, "RETURNING on an upsert into the mapped table "
            + t.name() + " is refused: it would return the existing row's values, which the context may not see;"
            + " select them afterwards instead");
      }
      writesMappedRows = true; // generated keys would return the existing row's columns
      if (insert.getConflictAction() != null) {
        // PostgreSQL: the DO UPDATE's WHERE sees the existing row under the target's name
        net.sf.jsqlparser.statement.insert.InsertConflictAction action = insert.getConflictAction();
        List<Column> columns = columnsOf(action);
        action.setWhereExpression(restrict(action.getWhereExpression(), insert.getTable(), t, columns,
            subqueryFound));
        return;
      }
      // MariaDB's ON DUPLICATE KEY UPDATE has no WHERE: each assignment keeps the existing value
      // unless the existing row and the columns the branch reads or writes are consented.
      List<net.sf.jsqlparser.statement.update.UpdateSet> sets = insert.getDuplicateUpdateSets();
      String cond = restrict(null, insert.getTable(), t, columnsOf(sets), subqueryFound).toString();
      for (net.sf.jsqlparser.statement.update.UpdateSet set : sets) {
        if (set.getColumns().size() != 1 || set.getValues() == null || set.getValues().size() != 1) {
          throw refused(RewriteRefusedException.Why.UNANALYSABLE_SQL, "an ON DUPLICATE KEY UPDATE assignment of"
              + " several columns at once on the mapped table " + t.name() + " is not supported");
        }
        Expression value = set.getValue(0);
        net.sf.jsqlparser.expression.CaseExpression guarded;
        try {
          guarded = (net.sf.jsqlparser.expression.CaseExpression) CCJSqlParserUtil.parseExpression(
              "CASE WHEN " + cond + " THEN NULL ELSE " + set.getColumns().get(0) + " END");
        } catch (JSQLParserException e) {
          throw refused(RewriteRefusedException.Why.UNANALYSABLE_SQL, "an ON DUPLICATE KEY UPDATE assignment on"
              + " the mapped table " + t.name() + " could not be re-read after rewriting");
        }
        guarded.getWhenClauses().get(0).setThenExpression(value); // the node itself, so its parameters stay
        @SuppressWarnings("unchecked")
        List<Expression> values = (List<Expression>) set.getValues();
        values.set(0, guarded);
      }
    }

    /**
     * No passive collection (GDPR Art. 5(1)(b), 25), and no key conflict or reference that tells
     * of a hidden row: notes, for every row an INSERT writes into a mapped table, whose row it is
     * and which categories it stores, and, for each foreign key to another mapped table, whose row
     * it refers to, so that all of them are checked when it runs ({@link WriteCheck}). A row whose
     * subject is not a literal, a bound parameter or a value the database generates is refused.
     */
    private void collection(Insert insert, ProtectedTable t) {
      List<Column> cols = insert.getColumns();
      if (cols == null || cols.isEmpty()) {
        throw refused(RewriteRefusedException.Why.SUBJECT_UNKNOWN, "INSERT into the mapped table " + t.name()
            + " without a column list: name the columns, so that consent4j can tell whose row it stores");
      }
      List<String> names = new ArrayList<>();
      for (Column c : cols) {
        names.add(unquote(c.getColumnName()));
      }
      if (!(insert.getSelect() instanceof net.sf.jsqlparser.statement.select.Values values)) {
        throw refused(RewriteRefusedException.Why.SUBJECT_UNKNOWN, "INSERT ... SELECT into the mapped table " + t.name()
            + " stores rows of subjects consent4j cannot tell from the statement; insert VALUES with"
            + " the subject as a literal or a parameter");
      }
      List<WriteCheck> checks = rowChecks(t, names, valuesRows(t, values), single, true);
      if (insert.getReturningClause() != null) {
        checks = returning(insert, t, checks);
      }
      writeChecks.addAll(checks);
    }

    /**
     * An INSERT into a mapped table with a RETURNING list of its own. Its rows are the inserted
     * rows, which the application reads: each returned column must be a plain column, and a
     * returned personal column counts as stored by the row, so its category must be permitted for
     * the row's subject as for a written one (the context sees nothing it could not store). When a
     * subject is generated by the database, the subject columns are added at the end of the list
     * as hidden columns ({@code c4j_s0}, ...), in the order {@link WriteCheck#generated} sources
     * first appear, which the wrapper reads to check the rows after the INSERT ran and before the
     * application sees any of them.
     */
    private List<WriteCheck> returning(Insert insert, ProtectedTable t, List<WriteCheck> checks) {
      net.sf.jsqlparser.statement.ReturningClause returning = insert.getReturningClause();
      if (returning.getDataItems() != null && !returning.getDataItems().isEmpty()) {
        throw refused(RewriteRefusedException.Why.UNANALYSABLE_SQL, "RETURNING ... INTO on an INSERT into the mapped"
            + " table " + t.name() + " is not supported");
      }
      TreeSet<DataCategory> returned = new TreeSet<>();
      for (net.sf.jsqlparser.statement.select.SelectItem<?> item : returning) {
        if (!(item.getExpression() instanceof Column c) || c.getColumnName().equals("*")) {
          throw refused(RewriteRefusedException.Why.UNANALYSABLE_SQL, "RETURNING on an INSERT into the mapped table "
              + t.name() + " may only list the table's columns by name (no *, no expressions), so that consent4j"
              + " can tell which personal data it returns");
        }
        DataCategory cat = t.personal().get(unquote(c.getColumnName()));
        if (cat != null) {
          returned.add(cat);
        }
      }
      List<WriteCheck> out = new ArrayList<>();
      java.util.Set<String> generated = new java.util.LinkedHashSet<>();
      for (WriteCheck w : checks) {
        if (!w.reference()) {
          w.subjects().forEach(s -> s.generatedColumn().ifPresent(generated::add));
          TreeSet<DataCategory> stored = new TreeSet<>(w.categories());
          stored.addAll(returned);
          w = new WriteCheck(w.table(), w.subjects(), stored, w.parameterCategories(), false, w.row());
        }
        out.add(w);
      }
      for (String column : generated) {
        Expression ref;
        try {
          ref = CCJSqlParserUtil.parseExpression(predicates.quote(column));
        } catch (JSQLParserException e) {
          throw refused(RewriteRefusedException.Why.UNANALYSABLE_SQL, "the subject column " + column + " of the"
              + " mapped table " + t.name() + " could not be added to the INSERT's RETURNING list");
        }
        returning.add(new net.sf.jsqlparser.statement.select.SelectItem<>(ref, new Alias("c4j_s" + returnedSubjects, true)));
        returnedSubjects++;
      }
      return out;
    }

    private List<List<?>> valuesRows(ProtectedTable t, net.sf.jsqlparser.statement.select.Values values) {
      List<List<?>> rows = new ArrayList<>();
      if (values.getExpressions() instanceof net.sf.jsqlparser.expression.operators.relational.ParenthesedExpressionList<?> one) {
        rows.add(one);
      } else {
        for (Object row : values.getExpressions()) {
          if (!(row instanceof List<?> list)) {
            throw refused(RewriteRefusedException.Why.SUBJECT_UNKNOWN, "INSERT into the mapped table " + t.name()
                + ": a VALUES row could not be analysed");
          }
          rows.add(list);
        }
      }
      return rows;
    }
    private void refuseStoreTable(String name) {
      if (REFUSED_RELATIONS.contains(name)) {
        throw refused(RewriteRefusedException.Why.BYPASS_REFUSED, "the catalog relation " + name + " holds samples"
            + " of table values or other sessions' statements; it is refused on a consent-guarded connection");
      }
      if (storeTables.contains(name)) {
        throw refused(RewriteRefusedException.Why.BYPASS_REFUSED, "the consent store's table " + name
            + " cannot be read or written through a consent-guarded connection: the ledger is written by"
            + " the engine only, and who consented is itself personal data");
      }
    }

    /** A DML target: mapped tables count as touched, and need a context. */
    private Optional<ProtectedTable> target(Table t) {
      if (t == null) {
        return Optional.empty();
      }
      String name = unquote(t.getName());
      refuseStoreTable(name);
      TableResolver.Resolution r = resolve(t);
      if (r.refusal() != null) {
        throw refused(RewriteRefusedException.Why.BYPASS_REFUSED, "writing through " + name + " is refused: "
            + r.refusal());
      }
      Optional<ProtectedTable> m = r.table();
      m.ifPresent(p -> {
        requireContext(p.name());
        tables.add(p.name());
        categories.addAll(p.personal().values());
      });
      return m;
    }

    /** How a write's consent conditions refer to its target: by its alias, or by its name. */
    private String targetQualifier(Table target) {
      return target.getAlias() != null ? target.getAlias().getName() : target.getFullyQualifiedName();
    }

    /** The names by which a write's own columns may be qualified. */
    private Set<String> targetNames(Table target) {
      Set<String> names = new HashSet<>();
      names.add(unquote(targetQualifier(target)));
      names.add(unquote(target.getName()));
      return names;
    }

    private Expression restrict(Expression where, Table target, ProtectedTable t, List<Column> columns,
        boolean holdsSubquery) {
      AccessContext ctx = requireContext(t.name());
      String q = target.getAlias() != null ? target.getAlias().getName() : target.getFullyQualifiedName();
      if (PredicateGuards.isProbeAlias(unquote(q))) {
        // The write condition names the target by q inside the consent probes' subqueries, where
        // these aliases mean the consent tables: g.id would not be the target's column.
        throw refused(RewriteRefusedException.Why.UNANALYSABLE_SQL, "a write to the mapped table " + t.name()
            + " under the name " + unquote(q) + " is refused: consent4j's consent condition uses that alias (g, gx,"
            + " gt, o) for its own tables; give the table another alias");
      }
      Set<String> names = new HashSet<>();
      names.add(unquote(q));
      names.add(unquote(target.getName()));
      StringBuilder cond = new StringBuilder(predicates.row(t, q, definition, ctx));
      Set<DataCategory> needed = new TreeSet<>();
      if (holdsSubquery) {
        // A subquery may read the target's masked columns through correlation: protect them all.
        needed.addAll(t.personal().values());
      }
      for (Column c : columns) {
        String col = unquote(c.getColumnName());
        if (names.contains(col) || t.column(col).isEmpty()) {
          // a whole-row reference (PostgreSQL's x for the row x) or a name that is not a column of
          // the target: it may read any of them
          needed.addAll(t.personal().values());
        }
        DataCategory cat = t.personal().get(col);
        String qualifier = c.getTable() == null || c.getTable().getName() == null ? null : unquote(c.getTable().getName());
        if (cat != null && (qualifier == null || names.contains(qualifier))) {
          needed.add(cat);
        }
      }
      for (DataCategory cat : needed) {
        // A masked value must never be read back into, or compared in, a write.
        cond.append(" AND ").append(predicates.column(t, q, cat, definition, ctx));
      }
      // The user's condition runs only on rows that pass the consent check: evaluated first, it
      // could read a hidden row's values and leak them through an error (CAST(email AS INT)).
      String text;
      if (where == null) {
        text = cond.toString();
      } else {
        // Leading safe conjuncts ("id = ?": they cannot fail whatever a hidden row holds, see
        // PredicateGuards.safePrefix) may run before the consent check, so the database can find the
        // row by index; the rest runs only on rows that pass it.
        List<Expression> conjuncts = new ArrayList<>();
        flattenAnd(where, conjuncts);
        int keys = guards().safePrefix(conjuncts, names, t);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < keys; i++) {
          sb.append('(').append(conjuncts.get(i)).append(") AND ");
        }
        if (keys == conjuncts.size()) {
          sb.append('(').append(cond).append(')');
        } else {
          StringJoiner rest = new StringJoiner(" AND ");
          conjuncts.subList(keys, conjuncts.size()).forEach(e -> rest.add(e.toString()));
          sb.append("CASE WHEN ").append(cond).append(" THEN (").append(rest).append(") ELSE (1 = 0) END");
        }
        text = sb.toString();
      }
      try {
        return CCJSqlParserUtil.parseCondExpression(text);
      } catch (JSQLParserException e) {
        throw refused(RewriteRefusedException.Why.UNANALYSABLE_SQL,
            "the condition of a write on the mapped table " + t.name() + " could not be re-read after rewriting");
      }
    }

    /** The conjuncts of a chain of ANDs, left to right (the order of their placeholders). */
    private void flattenAnd(Expression e, List<Expression> out) {
      if (e instanceof net.sf.jsqlparser.expression.operators.conditional.AndExpression and) {
        flattenAnd(and.getLeftExpression(), out);
        flattenAnd(and.getRightExpression(), out);
      } else {
        out.add(e);
      }
    }

    private List<Column> columnsOf(Object statement) {
      List<Column> out = new ArrayList<>();
      collectColumns(statement, out, java.util.Collections.newSetFromMap(new IdentityHashMap<>()));
      return out;
    }

    private void collectColumns(Object o, List<Column> out, Set<Object> seen) {
      if (o == null || o instanceof Enum<?> || !seen.add(o)) {
        return;
      }
      if (o instanceof Column c) {
        out.add(c);
        return;
      }
      if (o instanceof Collection<?> coll) {
        for (Object e : coll) {
          collectColumns(e, out, seen);
        }
        return;
      }
      if (o instanceof ParenthesedSelect) {
        subqueryFound = true;
        return; // its columns are covered by adding every personal column's condition
      }
      if (!isParserNode(o)) {
        return;
      }
      for (Field f : FIELDS.get(o.getClass())) {
        collectColumns(get(f, o), out, seen);
      }
    }

    /** Walks every node below {@code o}, replacing mapped tables in FROM positions. */
    private void walk(Object o, Set<String> ctes) {
      if (o == null || o instanceof String || o instanceof Number || o instanceof Boolean || o instanceof Enum<?>
          || !visited.add(o)) {
        return;
      }
      if (o instanceof Collection<?> coll) {
        for (Object e : coll) {
          if (e instanceof Table t) {
            tableOutsideFrom(t, ctes, "a list of tables");
          } else {
            walk(e, ctes);
          }
        }
        return;
      }
      if (o instanceof Object[] array) {
        for (Object e : array) {
          walk(e, ctes);
        }
        return;
      }
      if (!isParserNode(o)) {
        return;
      }
      if (o instanceof net.sf.jsqlparser.expression.Function fn && fn.getName() != null) {
        String name = unquote(fn.getName().substring(fn.getName().lastIndexOf('.') + 1));
        if (DANGEROUS.contains(name)) {
          throw refused(RewriteRefusedException.Why.BYPASS_REFUSED, "the function " + name + " runs SQL text,"
              + " copies tables or reaches files or other servers, around consent4j's filter; it is refused on a"
              + " consent-guarded connection");
        }
        if (unsafeFunctions.contains(name)) {
          throw refused(RewriteRefusedException.Why.BYPASS_REFUSED, "the function " + name + " may read mapped"
              + " tables, and consent4j cannot filter inside a function: query the mapped tables directly");
        }
      }
      Set<String> scope = ctes;
      List<WithItem<?>> withs = withItems(o);
      if (!withs.isEmpty()) {
        // A body sees only the CTEs before it: a recursive self-reference named like a mapped
        // table is then filtered as the table (over-filtering at worst), and a database that
        // resolves such a name to the base table cannot be given unfiltered rows.
        Set<String> running = new HashSet<>(ctes);
        for (WithItem<?> w : withs) {
          String cte = unquote(w.getAlias().getName());
          if (byName.containsKey(cte) || storeTables.contains(cte) || resolver.objects().unsafeNames().contains(cte)) {
            // Databases disagree on what such a name means inside and after the WITH (H2 lets a
            // recursive CTE capture the table itself): refuse rather than guess which is read.
            throw refused(RewriteRefusedException.Why.UNANALYSABLE_SQL, "a CTE named " + cte + " shadows a"
                + " protected table; rename the CTE");
          }
          walk(w, Set.copyOf(running));
          running.add(cteKey(w.getAlias().getName()));
        }
        scope = running;
      }
      for (Field f : FIELDS.get(o.getClass())) {
        if (f.getName().equals("withItemsList")) {
          continue;
        }
        Object v = get(f, o);
        if (v instanceof Table t) {
          table(o, f, t, scope);
        } else {
          walk(v, scope);
        }
      }
      if (o instanceof PlainSelect ps && ps.getForMode() != null && dialect != Dialect.POSTGRESQL) {
        lockVisibleRows(ps);
      }
    }

    /** Whether a query block anywhere in {@code o} has a locking clause. */
    private boolean lockingClause(Object o, Set<Object> seen) {
      if (o == null || o instanceof Enum<?> || o instanceof String || !seen.add(o)) {
        return false;
      }
      if (o instanceof Select sel && sel.getForMode() != null) {
        return true;
      }
      if (o instanceof Collection<?> coll) {
        for (Object e : coll) {
          if (lockingClause(e, seen)) {
            return true;
          }
        }
        return false;
      }
      if (!isParserNode(o)) {
        return false;
      }
      for (Field f : FIELDS.get(o.getClass())) {
        if (lockingClause(get(f, o), seen)) {
          return true;
        }
      }
      return false;
    }

    /**
     * H2 and MariaDB do not lock through a derived table: a {@code FOR UPDATE} over the filtered
     * view of a mapped table locks nothing, and one on the table itself would lock what it scans,
     * hidden rows included (InnoDB locks every row it reads before the consent condition is
     * evaluated). So each view that stands directly in the FROM of the locking query block gets
     * a condition that locks its row in the base table, by primary key (on H2, without one, by its
     * subject columns; MariaDB refuses a table without one), with the block's own lock clause — evaluated only once the row's consent
     * condition holds, so a hidden row is never read by a locking read. A {@code NULL} key is a
     * row an outer join added, which locks nothing. The consent state is read by sub-selects, which
     * neither database locks.
     */
    private void lockVisibleRows(PlainSelect ps) {
      List<FromItem> direct = new ArrayList<>();
      direct.add(ps.getFromItem());
      if (ps.getJoins() != null) {
        ps.getJoins().forEach(j -> direct.add(j.getFromItem()));
      }
      StringBuilder guard = new StringBuilder();
      for (FromItem item : direct) {
        ProtectedTable t = item instanceof ViewFromItem v ? viewTables.get(v) : null;
        if (t == null) {
          if (item != null && holdsView(item, java.util.Collections.newSetFromMap(new IdentityHashMap<>()))) {
            throw refused(RewriteRefusedException.Why.UNANALYSABLE_SQL, "a locking read (FOR UPDATE, LOCK IN SHARE"
                + " MODE) reads a mapped table through a subquery in its FROM, which " + dialect.productName()
                + " does not lock: lock the mapped table in the query that reads it");
          }
          continue;
        }
        AccessContext ctx = requireContext(t.name());
        if (t.keyColumns().isEmpty() && dialect != Dialect.H2) {
          // InnoDB locks every row a locking read scans, and without a key the lookup is a scan.
          throw refused(RewriteRefusedException.Why.UNANALYSABLE_SQL, "a locking read (FOR UPDATE, LOCK IN SHARE"
              + " MODE) of the mapped table " + t.name() + ", which has no primary key: " + dialect.productName()
              + " would lock every row it scans to find the visible ones, hidden rows included; give the table a"
              + " primary key, or read it without a lock clause");
        }
        String alias = item.getAlias().getName();
        List<String> keys = t.keyColumns().isEmpty() ? t.subjectColumns() : t.keyColumns();
        StringBuilder match = new StringBuilder();
        for (String k : keys) {
          String col = predicates.quote(t.column(k).orElseThrow().name());
          match.append(match.length() == 0 ? "" : " AND ").append("c4j_l.").append(col).append(" = ").append(alias)
              .append('.').append(col);
        }
        String firstKey = alias + "." + predicates.quote(t.column(keys.get(0)).orElseThrow().name());
        guard.append(guard.length() == 0 ? "" : " AND ").append("(").append(firstKey).append(" IS NULL OR CASE WHEN ")
            .append(predicates.row(t, alias, definition, ctx)).append(" THEN EXISTS (SELECT 1 FROM ")
            .append(viewSource.get(item)).append(" c4j_l WHERE ").append(match).append(lockClause(ps))
            .append(") ELSE (1 = 0) END)");
      }
      if (guard.length() > 0) {
        SqlFragment lock = new SqlFragment(guard.toString());
        ps.setWhere(ps.getWhere() == null ? lock : new net.sf.jsqlparser.expression.operators.conditional.AndExpression(
            new net.sf.jsqlparser.expression.operators.relational.ParenthesedExpressionList<>(ps.getWhere()), lock));
      }
    }

    /** The locking clause of {@code ps} for the sub-select that locks a visible row, without OF. */
    private String lockClause(PlainSelect ps) {
      net.sf.jsqlparser.statement.select.ForMode mode = ps.getForMode();
      boolean share = mode == net.sf.jsqlparser.statement.select.ForMode.SHARE
          || mode == net.sf.jsqlparser.statement.select.ForMode.KEY_SHARE;
      StringBuilder sb = new StringBuilder(dialect != Dialect.H2 && share ? " LOCK IN SHARE MODE"
          : share ? " FOR SHARE" : " FOR UPDATE");
      if (ps.getWait() != null) {
        sb.append(ps.getWait());
      }
      if (ps.isNoWait()) {
        sb.append(" NOWAIT");
      }
      if (ps.isSkipLocked()) {
        sb.append(" SKIP LOCKED");
      }
      return sb.toString();
    }

    private boolean holdsView(Object o, Set<Object> seen) {
      if (o instanceof ViewFromItem) {
        return true;
      }
      if (o == null || o instanceof Enum<?> || o instanceof String || !seen.add(o)) {
        return false;
      }
      if (o instanceof Collection<?> coll) {
        for (Object e : coll) {
          if (holdsView(e, seen)) {
            return true;
          }
        }
        return false;
      }
      if (!isParserNode(o)) {
        return false;
      }
      for (Field f : FIELDS.get(o.getClass())) {
        if (holdsView(get(f, o), seen)) {
          return true;
        }
      }
      return false;
    }

    private void table(Object owner, Field f, Table t, Set<String> ctes) {
      if ((owner instanceof Column || owner instanceof AllTableColumns) && f.getName().equals("table")) {
        return; // a qualifier such as c in c.email, not a reference to a table
      }
      if ((owner instanceof Update || owner instanceof Delete || owner instanceof Insert)
          && f.getName().equals("table")) {
        return; // the target of a write, restricted by statement()
      }
      if (owner instanceof Select && f.getName().equals("forUpdateTable")) {
        // FOR UPDATE OF names a FROM item of its query block, which reads no table of its own: a
        // mapped table there stands as its filtered view, under its alias or its own name.
        return;
      }
      Optional<ProtectedTable> m = mapped(t, ctes);
      if (m.isEmpty()) {
        walk(t, ctes);
        return;
      }
      if (f.getType() != FromItem.class) {
        tableOutsideFrom(t, ctes, "a " + owner.getClass().getSimpleName() + " clause");
        return;
      }
      set(f, owner, view(t, m.get(), readsWholeTable(owner, f, t)));
    }

    private void tableOutsideFrom(Table t, Set<String> ctes, String where) {
      Optional<ProtectedTable> m = mapped(t, ctes);
      if (m.isPresent()) {
        throw refused(RewriteRefusedException.Why.UNANALYSABLE_SQL, "the mapped table " + m.get().name()
            + " appears in " + where + ", where consent4j cannot filter it (SELECT INTO, DELETE USING and multi-table"
            + " DELETE are not supported on mapped tables)");
      }
    }

    /**
     * The mapped table {@code t} refers to, unless it is the name of a CTE in scope.
     *
     * @throws RewriteRefusedException if {@code t} names a view that reads mapped tables
     */
    private Optional<ProtectedTable> mapped(Table t, Set<String> ctes) {
      String name = unquote(t.getName());
      refuseStoreTable(name);
      if (t.getSchemaName() == null && ctes.contains(cteKey(t.getName()))) {
        return Optional.empty();
      }
      return lookup(t);
    }

    /**
     * Whether {@code t} is the only FROM item of a query block without WHERE: the block reads the
     * whole table (an export, a count), so its view aggregates the consent state once instead of
     * probing it per row (see {@code ConsentPredicates.lateralView}). The answer only picks the
     * faster of two equivalent views.
     */
    private boolean readsWholeTable(Object owner, Field f, Table t) {
      return owner instanceof PlainSelect ps && f.getName().equals("fromItem") && ps.getFromItem() == t
          && ps.getWhere() == null && (ps.getJoins() == null || ps.getJoins().isEmpty());
    }

    private FromItem view(Table t, ProtectedTable m, boolean wholeTable) {
      AccessContext ctx = requireContext(m.name());
      if (t.getPivot() != null || t.getUnPivot() != null || t.getSampleClause() != null) {
        throw refused(RewriteRefusedException.Why.UNANALYSABLE_SQL,
            "PIVOT, UNPIVOT and TABLESAMPLE on the mapped table " + m.name() + " are not supported");
      }
      tables.add(m.name());
      views++;
      // PostgreSQL refuses FOR UPDATE over a view with aggregates (0A000); the EXISTS form it locks
      // through, and its EXISTS probes of the consent state are sub-selects, which it never locks.
      boolean lateral = !locking && predicates.lateralViewApplies(m, definition);
      List<Map.Entry<ProtectedTable.Column, DataCategory>> shape = new ArrayList<>();
      StringBuilder cols = new StringBuilder();
      for (ProtectedTable.Column c : m.columns()) {
        String ref = "c4j_t." + predicates.quote(c.name());
        DataCategory cat = m.personal().get(c.key());
        cols.append(cols.length() == 0 ? "" : ", ");
        if (cat == null || predicates.alwaysShown(cat, definition)) {
          cols.append(ref);
          shape.add(new AbstractMap.SimpleImmutableEntry<>(c, null));
        } else {
          if (!lateral) {
            cols.append("CASE WHEN ").append(predicates.column(m, "c4j_t", cat, definition, ctx)).append(" THEN ")
                .append(ref).append(" END AS ").append(predicates.quote(c.name()));
          }
          shape.add(new AbstractMap.SimpleImmutableEntry<>(c, cat));
        }
        // For the audit: what the statement may read. Under another legal basis that is what the
        // purpose declares; under consent, any personal column may be shown for some subject.
        if (cat != null && (definition.needsGrant() || definition.declaresCategory(cat))) {
          categories.add(cat);
        }
      }
      m.rowCategory().ifPresent(categories::add);
      // The view reads the very table the reference resolved to, by its qualified name: a temporary
      // object or an earlier schema on the path named like it cannot take its place.
      String from = resolve(t).object().map(o -> predicates.quote(o.schema()) + "." + predicates.quote(o.name()))
          .orElse(t.getFullyQualifiedName());
      // On PostgreSQL one lateral lookup per row gives the row's visibility and every column's mask.
      String select = lateral
          ? predicates.lateralView(m, shape, from, definition, ctx, wholeTable)
          : "SELECT " + cols + " FROM " + from + " c4j_t WHERE "
              + predicates.row(m, "c4j_t", definition, ctx);
      ViewFromItem view = new ViewFromItem(select, null);
      viewTables.put(view, m);
      viewSource.put(view, t.getFullyQualifiedName());
      if (t.getAlias() == null) {
        replacedUnaliased.add(t);
      }
      view.setAlias(t.getAlias() != null ? t.getAlias() : new Alias(t.getName(), false));
      return view;
    }
  }

  private static boolean isParserNode(Object o) {
    return o.getClass().getName().startsWith("net.sf.jsqlparser.");
  }

  @SuppressWarnings("unchecked")
  private static List<WithItem<?>> withItems(Object o) {
    if (o instanceof Select s) {
      return s.getWithItemsList() == null ? List.of() : s.getWithItemsList();
    }
    if (o instanceof Update u) {
      return u.getWithItemsList() == null ? List.of() : u.getWithItemsList();
    }
    if (o instanceof Delete d) {
      return d.getWithItemsList() == null ? List.of() : d.getWithItemsList();
    }
    if (o instanceof Insert i) {
      return i.getWithItemsList() == null ? List.of() : i.getWithItemsList();
    }
    return List.of();
  }

  private static Object get(Field f, Object o) {
    try {
      return f.get(o);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot read parser node field " + f, e);
    }
  }

  private static void set(Field f, Object o, Object v) {
    try {
      f.set(o, v);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot write parser node field " + f, e);
    }
  }

  private static String kind(Statement s) {
    return s.getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1 $2").toUpperCase(Locale.ROOT);
  }
}
