/** The change feed's database side: ledger polling and PostgreSQL notifications. Not API. */
package org.consent4j.jdbc.revocation.internal;
