/** Not API: may change in any release. */
package org.consent4j.core.internal;
