package org.consent4j.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks where the data subject's id is: the field or record component of a domain class that
 * holds the id of the subject the object is about, or the repository method parameter naming
 * the subject whose data is asked for. The value may be a {@code SubjectId}, a
 * {@code CharSequence}, a {@code UUID} or an integral number ({@code int}, {@code long},
 * {@code BigInteger}, ...); decimal numbers are refused, since their text form is ambiguous.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.RECORD_COMPONENT, ElementType.PARAMETER})
public @interface Subject {}
