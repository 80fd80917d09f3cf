/**
 * Consent enforcement around repository interfaces: {@link
 * org.consent4j.core.repository.ConsentRepositories#wrap ConsentRepositories.wrap} returns a proxy
 * that checks, filters and masks every call.
 *
 * <h2>Declaring</h2>
 *
 * <ul>
 *   <li>{@link org.consent4j.annotation.Processing} on a method (or on the interface, for all its
 *       methods) names the purposes the method serves and the data categories it may return.
 *       Every purpose and category must be declared in the engine's catalog. A method without
 *       one is refused when wrapped (fail closed), except default methods, which run on the
 *       proxy so that the methods they call are enforced, and {@code equals}, {@code hashCode}
 *       and {@code toString}, which the proxy answers itself without reaching the repository.
 *   <li>{@link org.consent4j.annotation.Subject} on at most one parameter names the subject a
 *       call is about, as a {@code SubjectId}, a {@code CharSequence} or a number.
 *   <li>An <em>entity</em> is a record or class with exactly one {@code @Subject} field or
 *       component and any number of {@link org.consent4j.annotation.Personal} ones, each of a
 *       reference type. A record is copied through its canonical constructor; any other class
 *       needs a no-argument constructor (of any visibility) and is copied field by field up its
 *       hierarchy. The copy is shallow, and an entity may not hold other entities.
 * </ul>
 *
 * <h2>Results</h2>
 *
 * <p>A method may return an entity {@code T}, {@code Optional<T>}, {@code List<T>},
 * {@code Set<T>}, {@code Collection<T>}, {@code Iterable<T>}, {@code Stream<T>}, {@code T[]} or
 * nothing. The subjects of all returned entities are decided on in one
 * {@code ConsentEngine.checkAll} (one consent-store round trip, audited under the operation
 * {@code repository Iface.method}); an entity whose subject is not permitted, or whose subject
 * id is null or invalid, is left out (a single entity reads as {@code null}, an optional as
 * empty); every kept entity is a copy in which a {@code @Personal} field is null unless its
 * category is permitted for its own subject and covered by the method's declared categories (a
 * method never returns more than it declares; no declared categories means those of the
 * entities). Collections come back unmodifiable, sets in the repository's order. A
 * {@code Stream} is read to the end and closed before the check, since one decision needs every
 * subject, and the filtered elements are streamed from memory: such a method suits bounded
 * results only.
 *
 * <p>A method returning anything else (a count, a string, a list of strings) must have a
 * {@code @Subject} parameter and declare the categories its value reveals; the value is
 * released only when every one of them is permitted for that subject, and is refused at run
 * time if it turns out to hold entities.
 *
 * <h2>Audit</h2>
 *
 * <p>Decisions are audited by the engine. A call refused before any decision is audited here
 * with outcome {@code DENY} and reason {@code PURPOSE_NOT_SERVED} (the method does not serve the
 * context's purpose) or {@code NO_SUBJECT} (the {@code @Subject} argument is null or invalid). A
 * call without a processing context cannot be attributed and throws
 * {@link org.consent4j.NoProcessingContextException} without an event.
 *
 * <p>Everything here is thread-safe; wrapped repositories keep no per-call state.
 */
package org.consent4j.core.repository;
