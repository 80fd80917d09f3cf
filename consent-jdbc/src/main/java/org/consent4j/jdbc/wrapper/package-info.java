/**
 * The JDBC layer that leaves no way around consent enforcement. {@link
 * org.consent4j.jdbc.wrapper.ConsentDataSource} wraps any {@code DataSource}; everything its
 * connections hand out is a wrapper, and every SQL string goes through a {@link
 * org.consent4j.jdbc.wrapper.StatementInterceptor} first.
 *
 * <p>{@code StatementInterceptor}, {@code Interception}, {@code StatementListener} and {@code
 * SqlKind} are the interception point through which consent4j plugs in SQL rewriting and auditing.
 * They are internal-facing: applications use {@code ConsentDataSource} as consent4j configures it,
 * and these types may evolve faster than the rest of the API. The wrapper classes themselves are
 * package-private; see {@code docs/JDBC-WRAPPER.md} for what is wrapped and what is refused.
 */
package org.consent4j.jdbc.wrapper;
