package org.consent4j.clients.mybatis;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import org.apache.ibatis.cache.Cache;
import org.apache.ibatis.mapping.MappedStatement;
import org.apache.ibatis.mapping.ResultMap;
import org.apache.ibatis.mapping.ResultMapping;
import org.apache.ibatis.session.Configuration;
import org.apache.ibatis.session.LocalCacheScope;
import org.consent4j.clients.ClientCacheException;

/** What a mapped statement's results may be served from, besides the database. */
final class Statements {
  private Statements() {}

  /**
   * @throws ClientCacheException if {@code ms}, or a nested select its result maps run, reads
   *     through a mapper cache not in {@code cacheable}, or loads a nested select lazily while the
   *     local cache lives as long as the session
   */
  static void refuseUnsafeCaches(MappedStatement ms, Set<String> cacheable) {
    Configuration configuration = ms.getConfiguration();
    Set<String> seenStatements = new HashSet<>();
    Deque<MappedStatement> statements = new ArrayDeque<>();
    statements.add(ms);
    while (!statements.isEmpty()) {
      MappedStatement s = statements.pop();
      if (!seenStatements.add(s.getId())) {
        continue;
      }
      Cache cache = s.getCache();
      if (configuration.isCacheEnabled() && cache != null && s.isUseCache() && !cacheable.contains(cache.getId())) {
        throw new ClientCacheException("MyBatis statement '" + s.getId() + "' reads through the mapper cache '"
            + cache.getId() + "' (<cache/>, @CacheNamespace or <cache-ref/>), which serves results read under one"
            + " processing context to every session and context, and after a consent is withdrawn, without"
            + " consent4j seeing the read: remove the cache from mappers over tables that consent4j maps (or set"
            + " useCache=\"false\" on the statement, or cacheEnabled=false), and list caches over unmapped tables"
            + " in ConsentMyBatis.install(configuration, engine, \"" + cache.getId() + "\")");
      }
      for (ResultMapping nested : nestedSelects(configuration, s)) {
        if (nested.isLazy() && configuration.getLocalCacheScope() == LocalCacheScope.SESSION) {
          throw new ClientCacheException("MyBatis statement '" + s.getId() + "' loads '" + nested.getNestedQueryId()
              + "' lazily, on the session's executor where consent4j's plugin cannot see a change of processing"
              + " context, and the session's local cache could answer it with rows read under another context: set"
              + " localCacheScope=STATEMENT, or fetchType=\"eager\" on the association");
        }
        statements.add(configuration.getMappedStatement(nested.getNestedQueryId()));
      }
    }
  }

  private static Set<ResultMapping> nestedSelects(Configuration configuration, MappedStatement ms) {
    Set<ResultMapping> found = new HashSet<>();
    Set<String> seen = new HashSet<>();
    Deque<ResultMap> maps = new ArrayDeque<>(ms.getResultMaps());
    while (!maps.isEmpty()) {
      ResultMap map = maps.pop();
      if (!seen.add(map.getId())) {
        continue;
      }
      for (ResultMapping m : map.getResultMappings()) {
        if (m.getNestedQueryId() != null) {
          found.add(m);
        }
        if (m.getNestedResultMapId() != null) {
          maps.add(configuration.getResultMap(m.getNestedResultMapId()));
        }
      }
      if (map.getDiscriminator() != null) {
        for (String id : map.getDiscriminator().getDiscriminatorMap().values()) {
          maps.add(configuration.getResultMap(id));
        }
      }
    }
    return found;
  }
}
