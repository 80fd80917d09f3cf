package org.consent4j.clients.hibernate;

import java.util.Map;
import java.util.Objects;
import org.consent4j.core.ConsentEngine;

/**
 * Hibernate settings that tie the persistence context (the first-level cache) to the consent4j
 * processing context. Put the engine under {@link #ENGINE} in the settings of the
 * {@code SessionFactory} (or JPA persistence unit, or Spring's {@code jpaPropertyMap}); the
 * {@link ConsentHibernateIntegrator}, which Hibernate finds on the class path, then does the rest:
 *
 * <pre>{@code
 * Map<String, Object> settings = new HashMap<>(ConsentHibernate.settings(engine));
 * settings.put("hibernate.connection.datasource", guardedDataSource);
 * EntityManagerFactory emf = Persistence.createEntityManagerFactory("crm", settings);
 * }</pre>
 *
 * <p>What the integration does, per session: it remembers the processing context under which the
 * entities in the persistence context were read. When a later operation of the session runs under
 * another context (another actor, purpose or recipient, or none), it clears the persistence
 * context first, so that what the operation returns is read again through consent4j under the new
 * context; when clearing would lose work or break an operation in progress (unflushed changes, a
 * lazy association being loaded, a refresh, lock or remove of an entity read under the old
 * context) it refuses with a {@link org.consent4j.clients.ClientCacheException} that says what to
 * do. A {@code SessionFactory} that caches entities in the second-level cache, or results in the
 * query cache, fails to start, unless {@link #CACHEABLE_ENTITIES} names every cached entity (as
 * one over tables that consent4j does not map).
 *
 * <p>This class only holds constants; it is thread-safe.
 */
public final class ConsentHibernate {
  /** The setting that holds the {@link ConsentEngine} whose processing context the sessions follow. */
  public static final String ENGINE = "consent4j.engine";

  /**
   * The setting that lists, comma-separated, the entity names (fully qualified class names, as
   * Hibernate names them) and collection roles ({@code com.example.Owner.items}) that may be kept
   * in the second-level cache because they map tables that consent4j does not protect. Any other
   * cached entity, natural id or collection, and the query cache, make the {@code SessionFactory}
   * fail to start.
   */
  public static final String CACHEABLE_ENTITIES = "consent4j.cacheable_entities";

  private ConsentHibernate() {}

  /**
   * The settings that install the integration for {@code engine}: a map with {@link #ENGINE}.
   *
   * @throws NullPointerException if {@code engine} is null
   */
  public static Map<String, Object> settings(ConsentEngine engine) {
    return Map.of(ENGINE, Objects.requireNonNull(engine, "engine"));
  }
}
