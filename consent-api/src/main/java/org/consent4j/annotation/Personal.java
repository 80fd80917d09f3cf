package org.consent4j.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a field or record component of a domain class as personal data of a data category. It
 * reads as {@code null} in copies handed to a context whose grant does not cover the category,
 * so it must have a reference type.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.RECORD_COMPONENT})
public @interface Personal {

  /** The data category, as a dotted name such as {@code contact.email}. */
  String value();
}
