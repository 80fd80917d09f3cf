package org.consent4j.clients.mybatis;

import java.util.Arrays;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.consent4j.clients.ClientCacheException;
import org.consent4j.core.ConsentEngine;
import org.apache.ibatis.executor.Executor;
import org.apache.ibatis.mapping.MappedStatement;
import org.apache.ibatis.plugin.Interceptor;
import org.apache.ibatis.plugin.Invocation;
import org.apache.ibatis.session.Configuration;

/**
 * A MyBatis plugin that ties a {@code SqlSession}'s caches to the consent4j processing context.
 *
 * <pre>{@code
 * Configuration configuration = new Configuration(environment); // over the guarded DataSource
 * configuration.addMapper(ContactMapper.class);
 * ConsentMyBatis.install(configuration, engine);
 * SqlSessionFactory factory = new SqlSessionFactoryBuilder().build(configuration);
 * }</pre>
 *
 * (With Spring, pass {@link #plugin(ConsentEngine, String...)} to
 * {@code SqlSessionFactoryBean.setPlugins}.)
 *
 * <ul>
 *   <li><b>Local (session) cache</b>: each session's executor remembers the context of its last
 *       statement; a query, cursor or update under another context (another actor, purpose or
 *       recipient, or none) first clears the session's local cache, so the statement is run through
 *       consent4j again instead of being answered with rows read under the old context.
 *   <li><b>Mapper caches</b> ({@code <cache/>}, {@code @CacheNamespace}, {@code <cache-ref/>}) are
 *       shared by all sessions and outlive a withdrawal; their entries are stored when a session
 *       commits, not under the context that read them. consent4j cannot make them safe, so a
 *       statement that uses one is refused ({@link ClientCacheException}), unless its cache's id
 *       (the namespace) is listed as one over tables that consent4j does not map.
 *   <li><b>Lazy nested selects</b> run later, straight on the session's executor, where the plugin
 *       cannot see a context change: a statement whose result maps load a nested select lazily is
 *       refused unless {@code localCacheScope} is {@code STATEMENT}.
 * </ul>
 *
 * <p>Thread-safe: the plugin holds no per-session state (only the statements it found safe); each
 * session's executor wrapper is used by that session's thread.
 */
public final class ConsentMyBatis implements Interceptor {
  private final ConsentEngine engine;
  private final Set<String> cacheableNamespaces;
  /** Statements found safe: a statement's caches and result maps do not change once it runs. */
  private final Set<MappedStatement> checked = ConcurrentHashMap.newKeySet();

  private ConsentMyBatis(ConsentEngine engine, Set<String> cacheableNamespaces) {
    this.engine = engine;
    this.cacheableNamespaces = cacheableNamespaces;
  }

  /**
   * The plugin for {@code engine}.
   *
   * @param cacheableNamespaces the ids of mapper caches (namespaces) that hold only data of tables
   *     consent4j does not map, and may therefore be used
   * @throws NullPointerException if an argument is null
   */
  public static ConsentMyBatis plugin(ConsentEngine engine, String... cacheableNamespaces) {
    Objects.requireNonNull(engine, "engine");
    Arrays.stream(Objects.requireNonNull(cacheableNamespaces, "cacheableNamespaces"))
        .forEach(n -> Objects.requireNonNull(n, "cacheableNamespaces[]"));
    return new ConsentMyBatis(engine, Set.of(cacheableNamespaces));
  }

  /**
   * Adds the plugin to {@code configuration}, first checking every statement already mapped, so
   * that a mapper cache or lazy nested select fails at start rather than at its first use
   * (statements mapped later are checked when they run).
   *
   * @throws ClientCacheException if a mapped statement uses a mapper cache that is not listed, or a
   *     lazy nested select with a session-scoped local cache
   * @throws NullPointerException if an argument is null
   */
  public static ConsentMyBatis install(Configuration configuration, ConsentEngine engine,
      String... cacheableNamespaces) {
    Objects.requireNonNull(configuration, "configuration");
    ConsentMyBatis plugin = plugin(engine, cacheableNamespaces);
    for (Object o : configuration.getMappedStatements()) {
      // the map holds ambiguity markers besides the statements
      if (o instanceof MappedStatement ms) {
        plugin.check(ms);
      }
    }
    configuration.addInterceptor(plugin);
    return plugin;
  }

  /** Wraps each session's executor; other plugin targets are returned unchanged. */
  @Override
  public Object plugin(Object target) {
    return target instanceof Executor executor ? new ContextBoundExecutor(executor, this) : target;
  }

  /** Not called: this plugin wraps the executor itself instead of intercepting single methods. */
  @Override
  public Object intercept(Invocation invocation) throws Throwable {
    return invocation.proceed();
  }

  /** No properties: the plugin is configured in code, since it needs the engine. */
  @Override
  public void setProperties(Properties properties) {}

  ConsentEngine engine() {
    return engine;
  }

  /** Refuses a statement whose results a cache outside the session's control could serve. */
  void check(MappedStatement ms) {
    if (!checked.contains(ms)) {
      Statements.refuseUnsafeCaches(ms, cacheableNamespaces);
      checked.add(ms);
    }
  }
}
