/**
 * The evidence a data protection officer or a subject asks for beyond the audit trail: signed
 * consent receipts ({@link org.consent4j.core.evidence.ConsentReceipts}) and the record of
 * processing activities of GDPR Art. 30 ({@link org.consent4j.core.evidence.ProcessingRecords}).
 */
package org.consent4j.core.evidence;
