/**
 * Consent enforcement around repository interfaces: {@link
 * org.consent4j.core.repository.ConsentRepositories#wrap ConsentRepositories.wrap} returns a proxy
 * that checks, filters and masks every call, and refuses at wrap time what it could not enforce.
 *
 * <h2>Declaring</h2>
 *
 * <ul>
 *   <li>{@link org.consent4j.annotation.Processing} on a method (or on the interface, for all its
 *       methods) names the purposes the method serves and the data categories it may return or
 *       write. Every purpose and category must be declared in the engine's catalog. A method
 *       without one is refused when wrapped (fail closed), default methods included;
 *       {@code equals}, {@code hashCode} and {@code toString} are answered by the proxy itself
 *       without reaching the repository.
 *   <li>{@link org.consent4j.annotation.Subject} on at most one parameter names the subject a
 *       call is about, as a {@code SubjectId}, a {@code CharSequence}, a {@code UUID} or an
 *       integral number ({@code long}, {@code int}, {@code short}, {@code byte}, their wrappers,
 *       {@code BigInteger}). Floating-point and decimal types are refused: {@code 1.0} and
 *       {@code 1} would name different subjects.
 *   <li>An <em>entity</em> is a record or class with exactly one {@code @Subject} field or
 *       component and any number of {@link org.consent4j.annotation.Personal} ones, each of a
 *       reference type. A record is copied through its canonical constructor; any other class
 *       needs a no-argument constructor (of any visibility) and is copied field by field up its
 *       hierarchy. The copy is shallow, so an entity may not hold other entities, nor fields whose
 *       declared type could ({@code Object}, interfaces, wildcards, type variables, raw generic
 *       types, or classes with such fields).
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
 * results only. An entity of a class generated at run time (a Hibernate or Byte Buddy proxy) is
 * refused with {@code IllegalStateException}: reading it could load data that was never checked.
 *
 * <p>Any other result is released whole, so it must be a value that cannot carry an object: a
 * primitive or its wrapper, {@code String}, {@code CharSequence}, a {@code java.lang} or
 * {@code java.math} number, an enum, a {@code java.time} type, {@code UUID}, {@code byte[]}, or
 * an {@code Optional}, {@code List}, {@code Set}, {@code Collection} or {@code Map} of those with
 * concrete type arguments. {@code Object}, wildcards, type variables and other types are refused
 * at wrap time. Such a method must have a {@code @Subject} parameter and declare the categories
 * its value reveals; the value is released only when every one of them is permitted for that
 * subject. At run time the value is walked along its declared type, and refused with
 * {@code IllegalStateException} if any part of it is not of the declared kind (a raw cast in the
 * repository); containers come back as unmodifiable copies.
 *
 * <h2>Writes</h2>
 *
 * <p>The arguments are looked into for entities (directly, or in collections, maps, optionals
 * and arrays; a stream or iterator passed where an entity could be is refused). Every entity's
 * subject must be permitted, with every category of its non-null {@code @Personal} fields — which
 * the method must also declare — before the repository is called; an entity without a valid
 * subject id is refused. One refused entity refuses the whole call.
 *
 * <h2>Default methods</h2>
 *
 * <p>A default method is analysed, checked, filtered and audited like any other, and its
 * interface body runs on the proxy, so the repository methods it calls are enforced as well. An
 * override of the default method in the wrapped repository is never called: that keeps every
 * read inside the body under enforcement. A default method of a non-public interface is refused.
 *
 * <h2>Audit</h2>
 *
 * <p>Decisions are audited by the engine. A call refused before any decision is audited here
 * with outcome {@code DENY} and reason {@code PURPOSE_NOT_SERVED} (the method does not serve the
 * context's purpose), {@code NO_SUBJECT} (the {@code @Subject} argument, or a written entity's
 * subject id, is null or invalid) or {@code CATEGORY_NOT_DECLARED} (a written entity carries a
 * category the method does not declare). A call refused after the engine permitted some of its
 * subjects (a value needing a category one of them did not grant, a batch with one refused
 * entity) gets a further {@code DENY} event with the refusing reason and the detail
 * {@code refused=true}, so that the engine's {@code PERMIT} or {@code PARTIAL} events are not
 * read as a release. A call that reaches the repository without concerning any subject is
 * audited as {@code PERMIT} with reason {@code NO_SUBJECT_DATA} and no subjects (with the
 * detail {@code failed} naming the exception class if the repository threw). A call without a
 * processing context cannot be attributed and throws
 * {@link org.consent4j.NoProcessingContextException} without an event.
 *
 * <p>Everything here is thread-safe; wrapped repositories keep no per-call state.
 */
package org.consent4j.core.repository;
