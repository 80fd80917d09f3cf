package org.consent4j.spring;

import java.util.Optional;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * The actor is the name of the authenticated principal in Spring Security's context of this
 * thread; none (so the fallback) when nobody is authenticated or the authentication is anonymous.
 */
final class SpringSecurityActorResolver implements ActorResolver {
  @Override
  public Optional<String> currentActor() {
    Authentication a = SecurityContextHolder.getContext().getAuthentication();
    if (a == null || !a.isAuthenticated() || a instanceof AnonymousAuthenticationToken) {
      return Optional.empty();
    }
    String name = a.getName();
    return name == null || name.isBlank() ? Optional.empty() : Optional.of(name);
  }
}
