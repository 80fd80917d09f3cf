/**
 * What integrators implement for {@code consent-jdbc}: the listener that tells recipients about
 * withdrawals and erasures (GDPR Art. 19). May evolve faster than the public API.
 */
package org.consent4j.jdbc.spi;
