package org.consent4j.clients.hibernate;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.WeakHashMap;
import org.consent4j.AccessContext;
import org.consent4j.clients.ClientCacheException;
import org.consent4j.core.ConsentEngine;
import org.hibernate.HibernateException;
import org.hibernate.SessionEventListener;
import org.hibernate.engine.spi.PersistenceContext;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.event.spi.AutoFlushEvent;
import org.hibernate.event.spi.AutoFlushEventListener;
import org.hibernate.event.spi.ClearEvent;
import org.hibernate.event.spi.ClearEventListener;
import org.hibernate.event.spi.DeleteContext;
import org.hibernate.event.spi.DeleteEvent;
import org.hibernate.event.spi.DeleteEventListener;
import org.hibernate.event.spi.EventSource;
import org.hibernate.event.spi.FlushEvent;
import org.hibernate.event.spi.FlushEventListener;
import org.hibernate.event.spi.InitializeCollectionEvent;
import org.hibernate.event.spi.InitializeCollectionEventListener;
import org.hibernate.event.spi.LoadEvent;
import org.hibernate.event.spi.LoadEventListener;
import org.hibernate.event.spi.LockEvent;
import org.hibernate.event.spi.LockEventListener;
import org.hibernate.event.spi.MergeContext;
import org.hibernate.event.spi.MergeEvent;
import org.hibernate.event.spi.MergeEventListener;
import org.hibernate.event.spi.PersistContext;
import org.hibernate.event.spi.PersistEvent;
import org.hibernate.event.spi.PersistEventListener;
import org.hibernate.event.spi.PostLoadEvent;
import org.hibernate.event.spi.PostLoadEventListener;
import org.hibernate.event.spi.RefreshContext;
import org.hibernate.event.spi.RefreshEvent;
import org.hibernate.event.spi.RefreshEventListener;

/**
 * Remembers, per session, the processing context the persistence context was filled under, and
 * clears it (or refuses) when an operation runs under another.
 *
 * <p>Where it looks: every {@code find}/{@code getReference} fires a load event, even one that the
 * persistence context answers without SQL; queries run SQL, which a per-session
 * {@link SessionEventListener} hears just before execution (queries outside a transaction fire no
 * other event), and inside a transaction the auto-flush event comes first. An operation on an
 * entity the application already holds (refresh, lock, remove, a lazy association's load) cannot
 * be answered by clearing, which would detach that entity mid-operation, so it is refused.
 *
 * <p>A session is used by one thread at a time; the map of sessions is synchronized because
 * sessions of one factory run on many threads.
 */
final class PersistenceContextGuard implements LoadEventListener, AutoFlushEventListener, FlushEventListener,
    InitializeCollectionEventListener, RefreshEventListener, LockEventListener, DeleteEventListener,
    PersistEventListener, MergeEventListener, PostLoadEventListener, ClearEventListener {
  private static final long serialVersionUID = 1L;

  /** What an operation may do when the context changed and the persistence context is not empty. */
  private enum OnChange {
    /** Clear it if nothing would be lost, else refuse: a top-level read or write of new state. */
    CLEAR,
    /** Refuse: the operation works on state read under the old context. */
    REFUSE,
    /** A flush: refuse if there are changes to write (made under the old context), else nothing. */
    FLUSH
  }

  private final transient ConsentEngine engine;
  private final transient Map<SharedSessionContractImplementor, Tracked> sessions =
      Collections.synchronizedMap(new WeakHashMap<>());

  PersistenceContextGuard(ConsentEngine engine) {
    this.engine = Objects.requireNonNull(engine, "engine");
  }

  /** The context a session's persistence context holds entities of, and its JDBC listener. */
  private final class Tracked implements SessionEventListener {
    private static final long serialVersionUID = 1L;
    private final transient EventSource session;
    /** {@code null} while nothing was read since the session opened or was last cleared. */
    private transient Optional<AccessContext> filledUnder;

    Tracked(EventSource session) {
      this.session = session;
    }

    @Override
    public void jdbcExecuteStatementStart() {
      PersistenceContext pc = session.getPersistenceContextInternal();
      // a statement inside a load (a lazy association, a batch fetch) or a flush cannot clear
      // what is being loaded or written; a top-level query can, before it reads a row
      check(session, pc.isLoadFinished() && !pc.isFlushing() ? OnChange.CLEAR : OnChange.REFUSE, "a query");
    }

    @Override
    public void end() {
      sessions.remove(session);
    }
  }

  private Tracked tracked(EventSource session) {
    synchronized (sessions) {
      Tracked t = sessions.get(session);
      if (t == null) {
        t = new Tracked(session);
        sessions.put(session, t);
        session.addEventListeners(t);
      }
      return t;
    }
  }

  private void check(EventSource session, OnChange onChange, String operation) {
    Tracked t = tracked(session);
    Optional<AccessContext> now = engine.currentContext();
    if (t.filledUnder == null || t.filledUnder.equals(now)) {
      if (onChange != OnChange.FLUSH) {
        t.filledUnder = now;
      }
      return;
    }
    PersistenceContext pc = session.getPersistenceContextInternal();
    if (pc.getNumberOfManagedEntities() == 0 && pc.getCollectionEntriesSize() == 0) {
      t.filledUnder = now;
      return;
    }
    boolean pending = session.getActionQueue().hasAnyQueuedActions() || session.isDirty();
    if (onChange == OnChange.FLUSH) {
      if (pending) {
        throw refused(t.filledUnder, now, "flush changes made to entities read under it", true);
      }
      return;
    }
    if (onChange == OnChange.REFUSE || pending) {
      throw refused(t.filledUnder, now, operation, pending);
    }
    session.clear(); // the clear listener forgets the old context
    t.filledUnder = now;
  }

  private static ClientCacheException refused(Optional<AccessContext> before, Optional<AccessContext> now,
      String operation, boolean pending) {
    return new ClientCacheException("the Hibernate session holds entities read under " + describe(before)
        + " and is asked to " + operation + " under " + describe(now) + ": the persistence context would serve"
        + " them without consent4j seeing the read. "
        + (pending
            ? "It also holds unflushed changes: flush (or commit) before leaving the processing scope they were"
                + " made in, or clear() to discard them."
            : "Read the entity again under the new context (clear() the session first), or use one session per"
                + " processing context."));
  }

  private static String describe(Optional<AccessContext> context) {
    return context.map(c -> "purpose '" + c.purpose() + "' (actor '" + c.actor() + "', recipient '"
        + c.recipient() + "')").orElse("no processing context");
  }

  // ------------------------------------------------------------------ events

  @Override
  public void onLoad(LoadEvent event, LoadType loadType) throws HibernateException {
    // find/getReference are the application's reads; the other kinds load on Hibernate's behalf
    // while the application walks an entity it already holds
    boolean topLevel = loadType == LoadEventListener.GET || loadType == LoadEventListener.LOAD;
    check(event.getSession(), topLevel ? OnChange.CLEAR : OnChange.REFUSE, "load " + event.getEntityClassName());
  }

  @Override
  public void onAutoFlush(AutoFlushEvent event) throws HibernateException {
    check(event.getSession(), OnChange.CLEAR, "run a query");
  }

  @Override
  public void onFlush(FlushEvent event) throws HibernateException {
    check(event.getSession(), OnChange.FLUSH, "flush");
  }

  @Override
  public void onInitializeCollection(InitializeCollectionEvent event) throws HibernateException {
    check(event.getSession(), OnChange.REFUSE, "load a lazy collection of " + event.getAffectedOwnerEntityName());
  }

  @Override
  public void onRefresh(RefreshEvent event) throws HibernateException {
    check(event.getSession(), OnChange.REFUSE, "refresh " + entityName(event.getEntityName(), event.getObject()));
  }

  @Override
  public void onRefresh(RefreshEvent event, RefreshContext refreshedAlready) throws HibernateException {
    // a cascade of a refresh already checked
  }

  @Override
  public void onLock(LockEvent event) throws HibernateException {
    check(event.getSession(), OnChange.REFUSE, "lock " + entityName(event.getEntityName(), event.getObject()));
  }

  @Override
  public void onDelete(DeleteEvent event) throws HibernateException {
    check(event.getSession(), OnChange.REFUSE, "remove " + entityName(event.getEntityName(), event.getObject()));
  }

  @Override
  public void onDelete(DeleteEvent event, DeleteContext transientEntities) throws HibernateException {
    // a cascade of a remove already checked
  }

  @Override
  public void onPersist(PersistEvent event) throws HibernateException {
    check(event.getSession(), OnChange.CLEAR, "persist " + entityName(event.getEntityName(), event.getObject()));
  }

  @Override
  public void onPersist(PersistEvent event, PersistContext createdAlready) throws HibernateException {
    // a cascade of a persist already checked
  }

  @Override
  public void onMerge(MergeEvent event) throws HibernateException {
    check(event.getSession(), OnChange.CLEAR, "merge " + entityName(event.getEntityName(), event.getOriginal()));
  }

  @Override
  public void onMerge(MergeEvent event, MergeContext copiedAlready) throws HibernateException {
    // a cascade of a merge already checked
  }

  @Override
  public void onPostLoad(PostLoadEvent event) {
    // the first entity a new (or cleared) session reads records the context it was read under
    EventSource session = event.getSession();
    if (!session.isStateless()) {
      Tracked t = tracked(session);
      if (t.filledUnder == null) {
        t.filledUnder = engine.currentContext();
      }
    }
  }

  @Override
  public void onClear(ClearEvent event) {
    Tracked t = sessions.get(event.getSession());
    if (t != null) {
      t.filledUnder = null;
    }
  }

  private static String entityName(String name, Object entity) {
    return name != null ? name : entity == null ? "an entity" : entity.getClass().getName();
  }
}
