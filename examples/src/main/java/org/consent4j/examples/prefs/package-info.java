/**
 * A contact's preference centre as a tiny local web page on the JDK's HTTP server: consents with
 * Withdraw buttons, the consent ledger, and the access history from the audit trail. Run
 * {@link org.consent4j.examples.prefs.PreferenceCentre#main}.
 */
package org.consent4j.examples.prefs;
