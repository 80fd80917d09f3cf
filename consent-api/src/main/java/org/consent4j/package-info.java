/**
 * The concepts of consent4j: {@link org.consent4j.Purpose purposes}, {@link org.consent4j.DataCategory
 * data categories}, {@link org.consent4j.Recipient recipients}, {@link org.consent4j.Grant grants},
 * {@link org.consent4j.AccessContext access contexts}, {@link org.consent4j.Decision decisions} and
 * {@link org.consent4j.AuditEvent audit events}, declared in a {@link org.consent4j.Catalog}. All
 * value types are immutable, validated when built, and reject nulls.
 */
package org.consent4j;
