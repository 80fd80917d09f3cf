package org.consent4j.core.repository;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.consent4j.ConsentDeniedException;
import org.consent4j.NoProcessingContextException;
import org.consent4j.core.ConsentEngine;

/**
 * Wraps repository interfaces so that every call is checked against the data subjects' consent,
 * and what it returns is filtered to the subjects who consented and masked to the categories
 * they consented to.
 *
 * <pre>{@code
 * @Processing(purposes = "marketing")
 * interface FriendsRepository {
 *   List<Contact> friendsOf(@Subject String userId);
 * }
 *
 * record Contact(@Subject String id, String country,
 *     @Personal("contact.email") String email, @Personal("contact.phone") String phone) {}
 *
 * FriendsRepository friends = ConsentRepositories.wrap(FriendsRepository.class, jdbcFriends, engine);
 * try (var scope = engine.process(AccessContext.of("campaign-service", "marketing"))) {
 *   List<Contact> visible = friends.friendsOf("u-1");
 *   // only friends who consented themselves; phone is null for a friend who granted e-mail only
 * }
 * }</pre>
 *
 * <p>Consent is the subject's own: the user who asks for their friends opens the call (their
 * {@code @Subject} argument must be permitted), but each friend in the result is released only
 * by that friend's own grant. See the {@linkplain org.consent4j.core.repository package
 * documentation} for the full rules.
 */
public final class ConsentRepositories {
  private ConsentRepositories() {}

  /**
   * Returns a proxy of {@code repositoryInterface} that enforces consent around every call to
   * {@code target}.
   *
   * <p>Every method is analysed now, once: its purposes and categories ({@code @Processing} on
   * the method, else on its interface), its {@code @Subject} parameter and its result type. A
   * method that cannot be enforced is refused here rather than passed through at call time.
   * Methods of {@code Object} are answered by the proxy and never reach {@code target}; default
   * methods run on the proxy, so the methods they call are enforced.
   *
   * <p>Each call to the proxy then:
   *
   * <ol>
   *   <li>takes the access context bound to the thread ({@link ConsentEngine#process}), and
   *       throws {@link NoProcessingContextException} if there is none;
   *   <li>throws {@link ConsentDeniedException} (audited) unless a declared purpose covers the
   *       context's purpose;
   *   <li>for a {@code @Subject} parameter, decides for that subject (audited), and throws
   *       {@link ConsentDeniedException} without calling {@code target} if the subject is not
   *       permitted, the argument is null, or — for a result that is not an entity — a declared
   *       category is not permitted;
   *   <li>calls {@code target}, rethrowing whatever it throws unchanged;
   *   <li>decides for the subjects of all returned entities at once (audited), drops the entities
   *       of subjects not permitted, and returns copies in which each {@code @Personal} field is
   *       null unless its category is both permitted for its subject and covered by the declared
   *       categories. The repository's own objects are never changed.
   * </ol>
   *
   * <p>The proxy is thread-safe if {@code target} is, and keeps no state between calls.
   *
   * @param repositoryInterface the interface to wrap; {@code target} must implement it
   * @param target the repository that reads the data
   * @param engine the consent engine that decides and audits
   * @param <T> the repository type
   * @return the enforcing proxy
   * @throws IllegalArgumentException if {@code repositoryInterface} is not an interface,
   *     {@code target} does not implement it, or a method cannot be enforced (the message names
   *     every such method and says how to fix it)
   */
  public static <T> T wrap(Class<T> repositoryInterface, T target, ConsentEngine engine) {
    Objects.requireNonNull(repositoryInterface, "repositoryInterface");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(engine, "engine");
    if (!repositoryInterface.isInterface() || repositoryInterface.isAnnotation()) {
      throw new IllegalArgumentException(repositoryInterface.getName() + " is not an interface: consent4j wraps"
          + " repository interfaces");
    }
    if (!repositoryInterface.isInstance(target)) {
      throw new IllegalArgumentException("the target, a " + target.getClass().getName() + ", does not implement "
          + repositoryInterface.getName());
    }
    Map<Method, MethodPlan> plans = new HashMap<>();
    List<String> problems = new ArrayList<>();
    Method[] methods = repositoryInterface.getMethods();
    // Sorted so that the message lists problems in the same order every time.
    Arrays.sort(methods, Comparator.comparing(Method::toGenericString));
    for (Method m : methods) {
      if (Modifier.isStatic(m.getModifiers()) || isObjectMethod(m)) {
        continue;
      }
      try {
        plans.put(m, MethodPlan.analyse(repositoryInterface, m, engine.catalog()));
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
      }
      if (!Modifier.isPublic(m.getDeclaringClass().getModifiers()) && !m.trySetAccessible()) {
        problems.add(m + " cannot be called by consent4j: open its package to org.consent4j.core");
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("cannot wrap " + repositoryInterface.getName() + ":\n  "
          + String.join("\n  ", problems));
    }
    Object proxy = Proxy.newProxyInstance(repositoryInterface.getClassLoader(), new Class<?>[] {repositoryInterface},
        new RepositoryHandler(repositoryInterface, target, engine, plans));
    return repositoryInterface.cast(proxy);
  }

  /**
   * A method with the signature of {@code equals}, {@code hashCode} or {@code toString}: a proxy
   * dispatches those as {@code Object}'s methods, whichever interface redeclares them.
   */
  private static boolean isObjectMethod(Method m) {
    try {
      Object.class.getMethod(m.getName(), m.getParameterTypes());
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }
}
