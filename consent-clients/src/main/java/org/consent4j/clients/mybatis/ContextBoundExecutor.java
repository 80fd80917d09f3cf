package org.consent4j.clients.mybatis;

import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.apache.ibatis.cache.CacheKey;
import org.apache.ibatis.cursor.Cursor;
import org.apache.ibatis.executor.BatchResult;
import org.apache.ibatis.executor.Executor;
import org.apache.ibatis.mapping.BoundSql;
import org.apache.ibatis.mapping.MappedStatement;
import org.apache.ibatis.reflection.MetaObject;
import org.apache.ibatis.session.ResultHandler;
import org.apache.ibatis.session.RowBounds;
import org.apache.ibatis.transaction.Transaction;
import org.consent4j.AccessContext;

/**
 * One session's executor, wrapped: before each statement it compares the processing context with
 * the one of the session's previous statement and clears the local cache when they differ. Used by
 * the session's thread only, like the executor it wraps.
 */
final class ContextBoundExecutor implements Executor {
  private final Executor delegate;
  private final ConsentMyBatis plugin;
  /** The context of the previous statement; {@code null} before the first. */
  private Optional<AccessContext> last;

  ContextBoundExecutor(Executor delegate, ConsentMyBatis plugin) {
    this.delegate = delegate;
    this.plugin = plugin;
  }

  private void follow(MappedStatement ms) {
    plugin.check(ms);
    Optional<AccessContext> now = plugin.engine().currentContext();
    if (last != null && !last.equals(now)) {
      delegate.clearLocalCache();
    }
    last = now;
  }

  @Override
  public int update(MappedStatement ms, Object parameter) throws SQLException {
    follow(ms);
    return delegate.update(ms, parameter);
  }

  @Override
  @SuppressWarnings("rawtypes") // as Executor declares it
  public <E> List<E> query(MappedStatement ms, Object parameter, RowBounds rowBounds, ResultHandler resultHandler,
      CacheKey cacheKey, BoundSql boundSql) throws SQLException {
    follow(ms);
    return delegate.query(ms, parameter, rowBounds, resultHandler, cacheKey, boundSql);
  }

  @Override
  @SuppressWarnings("rawtypes") // as Executor declares it
  public <E> List<E> query(MappedStatement ms, Object parameter, RowBounds rowBounds, ResultHandler resultHandler)
      throws SQLException {
    follow(ms);
    return delegate.query(ms, parameter, rowBounds, resultHandler);
  }

  @Override
  public <E> Cursor<E> queryCursor(MappedStatement ms, Object parameter, RowBounds rowBounds) throws SQLException {
    follow(ms);
    return delegate.queryCursor(ms, parameter, rowBounds);
  }

  @Override
  public List<BatchResult> flushStatements() throws SQLException {
    return delegate.flushStatements();
  }

  @Override
  public void commit(boolean required) throws SQLException {
    delegate.commit(required);
  }

  @Override
  public void rollback(boolean required) throws SQLException {
    delegate.rollback(required);
  }

  @Override
  public CacheKey createCacheKey(MappedStatement ms, Object parameterObject, RowBounds rowBounds, BoundSql boundSql) {
    return delegate.createCacheKey(ms, parameterObject, rowBounds, boundSql);
  }

  @Override
  public boolean isCached(MappedStatement ms, CacheKey key) {
    return delegate.isCached(ms, key);
  }

  @Override
  public void clearLocalCache() {
    delegate.clearLocalCache();
  }

  @Override
  public void deferLoad(MappedStatement ms, MetaObject resultObject, String property, CacheKey key,
      Class<?> targetType) {
    delegate.deferLoad(ms, resultObject, property, key, targetType);
  }

  @Override
  public Transaction getTransaction() {
    return delegate.getTransaction();
  }

  @Override
  public void close(boolean forceRollback) {
    delegate.close(forceRollback);
  }

  @Override
  public boolean isClosed() {
    return delegate.isClosed();
  }

  @Override
  public void setExecutorWrapper(Executor executor) {
    delegate.setExecutorWrapper(executor);
  }
}
