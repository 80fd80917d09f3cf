/**
 * How a {@link org.consent4j.jdbc.SchemaMapping} folds SQL identifiers, reads and writes its JSON
 * form, and checks itself against a live database's metadata. Implementation detail, not API: it
 * may change in any release.
 */
package org.consent4j.jdbc.mapping.internal;
