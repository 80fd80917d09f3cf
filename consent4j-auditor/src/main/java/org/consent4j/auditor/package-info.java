/**
 * The auditor's command line: {@code verify} an audit trail (in a database or a JSON-lines file)
 * against its checkpoints, {@code export} one subject's record (GDPR Art. 15), and print the
 * record of processing activities ({@code processing-records}, Art. 30). Run it with
 * {@code java -jar consent4j-auditor-<version>-all.jar --help}; {@link org.consent4j.auditor.Auditor}
 * is the entry point. See docs/AUDIT-JDBC.md, "Auditor command line".
 *
 * <p>The tool only reads: it never creates, migrates or writes a table, and refuses a table
 * prefix or schema under which no consent4j tables exist.
 */
package org.consent4j.auditor;
