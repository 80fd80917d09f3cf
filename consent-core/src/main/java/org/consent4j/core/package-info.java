/**
 * The consent engine ({@link org.consent4j.core.ConsentEngine}), processing scopes and subject
 * access exports. Enforcement around repositories is in {@code org.consent4j.core.repository}; the
 * audit trail in {@code org.consent4j.core.audit}. Packages named {@code internal} are not API.
 */
package org.consent4j.core;
