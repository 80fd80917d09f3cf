package org.consent4j.clients.hibernate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.consent4j.clients.ClientCacheException;
import org.consent4j.core.ConsentEngine;
import org.hibernate.boot.Metadata;
import org.hibernate.boot.spi.BootstrapContext;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.event.service.spi.EventListenerRegistry;
import org.hibernate.event.spi.EventType;
import org.hibernate.integrator.spi.Integrator;
import org.hibernate.mapping.PersistentClass;

/**
 * Installs the persistence-context guard described in {@link ConsentHibernate} into every
 * {@code SessionFactory} whose settings hold a {@link ConsentEngine} under
 * {@link ConsentHibernate#ENGINE}. Hibernate finds it through {@link java.util.ServiceLoader}; a
 * factory without that setting is left alone.
 *
 * <p>Instances are stateless and thread-safe.
 */
public final class ConsentHibernateIntegrator implements Integrator {

  /** Used by {@link java.util.ServiceLoader}. */
  public ConsentHibernateIntegrator() {}

  /**
   * Registers the guard's listeners, after refusing a shared cache that consent4j cannot see into.
   *
   * @throws ClientCacheException if {@link ConsentHibernate#ENGINE} holds something other than a
   *     {@link ConsentEngine}, if the query cache is on, or if an entity (or its natural id) or a
   *     collection that is not listed in {@link ConsentHibernate#CACHEABLE_ENTITIES} is kept in the
   *     second-level cache
   */
  @Override
  public void integrate(Metadata metadata, BootstrapContext bootstrapContext, SessionFactoryImplementor factory) {
    Map<String, Object> settings = factory.getProperties();
    Object configured = settings.get(ConsentHibernate.ENGINE);
    if (configured == null) {
      return;
    }
    if (!(configured instanceof ConsentEngine engine)) {
      throw new ClientCacheException("the Hibernate setting " + ConsentHibernate.ENGINE
          + " must hold the ConsentEngine instance itself, not a " + configured.getClass().getName());
    }
    refuseSharedCaches(metadata, factory, settings);
    PersistenceContextGuard guard = new PersistenceContextGuard(engine);
    EventListenerRegistry listeners = factory.getEventListenerRegistry();
    // prepended: the guard must decide before Hibernate's own listener answers from the
    // persistence context (a find that hits it runs no SQL that consent4j could see)
    listeners.prependListeners(EventType.LOAD, guard);
    listeners.prependListeners(EventType.AUTO_FLUSH, guard);
    listeners.prependListeners(EventType.FLUSH, guard);
    listeners.prependListeners(EventType.INIT_COLLECTION, guard);
    listeners.prependListeners(EventType.REFRESH, guard);
    listeners.prependListeners(EventType.LOCK, guard);
    listeners.prependListeners(EventType.DELETE, guard);
    listeners.prependListeners(EventType.PERSIST, guard);
    listeners.prependListeners(EventType.MERGE, guard);
    listeners.appendListeners(EventType.POST_LOAD, guard);
    listeners.appendListeners(EventType.CLEAR, guard);
  }

  private static void refuseSharedCaches(Metadata metadata, SessionFactoryImplementor factory,
      Map<String, Object> settings) {
    var options = factory.getSessionFactoryOptions();
    if (options.isQueryCacheEnabled()) {
      throw new ClientCacheException("the Hibernate query cache is on (hibernate.cache.use_query_cache):"
          + " it serves results read under one processing context to every other, and after a consent is"
          + " withdrawn, without consent4j seeing the read; turn it off for a session factory over a guarded"
          + " DataSource");
    }
    if (!options.isSecondLevelCacheEnabled()) {
      return;
    }
    Object listed = settings.get(ConsentHibernate.CACHEABLE_ENTITIES);
    Set<String> allowed = listed == null ? Set.of() : Arrays.stream(listed.toString().split(","))
        .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
    List<String> refused = new ArrayList<>();
    for (PersistentClass entity : metadata.getEntityBindings()) {
      boolean cached = entity.isCached() || entity.getNaturalIdCacheRegionName() != null;
      if (cached && !allowed.contains(entity.getEntityName())) {
        refused.add(entity.getEntityName());
      }
    }
    // a cached collection holds the ids of its elements: which rows exist, read under one context
    for (org.hibernate.mapping.Collection collection : metadata.getCollectionBindings()) {
      if (collection.getCacheConcurrencyStrategy() != null && !allowed.contains(collection.getRole())) {
        refused.add(collection.getRole());
      }
    }
    if (!refused.isEmpty()) {
      throw new ClientCacheException("entities or collections " + new TreeSet<>(refused) + " are kept in Hibernate's"
          + " second-level cache, which serves rows read under one processing context to every other, and"
          + " after a consent is withdrawn, without consent4j seeing the read: remove @Cache/@Cacheable from"
          + " entities over tables that consent4j maps (or set hibernate.cache.use_second_level_cache=false),"
          + " and list the cached entities over unmapped tables in " + ConsentHibernate.CACHEABLE_ENTITIES);
    }
  }
}
