/**
 * What integrators implement: the consent store and the audit sink. These interfaces may evolve
 * faster than the rest of the API. Time comes from an injected {@link java.time.Clock}.
 */
package org.consent4j.spi;
