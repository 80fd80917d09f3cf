/** Annotations that mark subjects and personal fields of domain classes, and the purposes of repository methods. */
package org.consent4j.annotation;
