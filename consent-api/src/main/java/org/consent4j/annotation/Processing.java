package org.consent4j.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares, on a repository interface method (or on the interface, for all its methods), the
 * purposes it serves and the data categories it reads. A call is refused unless the current
 * access context's purpose is one of {@link #purposes()} or a descendant of one.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Processing {

  /** The purposes this method serves, as dotted names. */
  String[] purposes();

  /**
   * The data categories this method reads. Empty means: the categories of the
   * {@link Personal} fields of the returned entities.
   */
  String[] categories() default {};
}
