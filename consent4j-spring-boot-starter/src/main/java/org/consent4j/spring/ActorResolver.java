package org.consent4j.spring;

import java.util.Optional;

/**
 * Names the actor of a processing context that {@code @Processing} binds on a Spring bean: who is
 * processing (a user, a service). Define a bean of this type to replace the starter's, which takes
 * the name of Spring Security's authenticated principal when Spring Security is on the class path
 * and falls back to {@code consent4j.actor}. Called on the thread of the annotated call; must be
 * thread-safe.
 */
@FunctionalInterface
public interface ActorResolver {

  /** The actor of the call now starting on this thread, if this resolver can tell; empty: the fallback. */
  Optional<String> currentActor();
}
