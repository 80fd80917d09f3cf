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
   * the method, else on its interface), its {@code @Subject} parameter, the parameters that may
   * carry entities, and its result type. A method that cannot be enforced is refused here rather
   * than passed through at call time: a result must be an entity shape or a whitelisted value
   * ({@code Object}, wildcards, type variables and other classes are refused, since they could
   * carry another subject's entity). Methods of {@code Object} are answered by the proxy and never
   * reach {@code target}. A default method is enforced like any other, and its interface body
   * runs on the proxy, so the methods it calls are enforced as well; an override of it in
   * {@code target} is never called.
   *
   * <p>Each call to the proxy then:
   *
   * <ol>
   *   <li>takes the access context bound to the thread ({@link ConsentEngine#process}), and
   *       throws {@link NoProcessingContextException} if there is none;
   *   <li>throws {@link ConsentDeniedException} (audited) unless a declared purpose covers the
   *       context's purpose;
   *   <li>decides (audited) for the {@code @Subject} argument and for the subject of every entity
   *       among the arguments, and throws {@link ConsentDeniedException} without calling
   *       {@code target} if any is not permitted, the subject argument or an entity's subject id
   *       is null, a written entity carries a non-null {@code @Personal} field whose category its
   *       subject did not grant or the method does not declare, or — for a result that is not an
   *       entity — a declared category is not permitted;
   *   <li>calls {@code target} (or the default body), rethrowing whatever it throws unchanged;
   *   <li>decides for the subjects of all returned entities at once (audited), drops the entities
   *       of subjects not permitted, and returns copies in which each {@code @Personal} field is
   *       null unless its category is both permitted for its subject and covered by the declared
   *       categories; a value that is not an entity is checked, all the way down, to be of its
   *       declared whitelisted kind and returned as an unmodifiable copy. The repository's own
   *       objects are never changed. A call that concerned no subject is audited as
   *       {@code PERMIT NO_SUBJECT_DATA}.
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
   * @throws NullPointerException if an argument is null
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
