package org.consent4j.spring;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.aopalliance.aop.Advice;
import org.consent4j.Catalog;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.audit.AuditTrail;
import org.consent4j.core.audit.JsonLinesAuditSink;
import org.consent4j.jdbc.JdbcConsentStore;
import org.consent4j.jdbc.LazyConsentStore;
import org.consent4j.jdbc.SchemaMapping;
import org.consent4j.jdbc.audit.JdbcAuditSink;
import org.consent4j.jdbc.revocation.ConsentChangeFeed;
import org.consent4j.jdbc.wrapper.ConsentDataSource;
import org.consent4j.spi.AuditSink;
import org.consent4j.spi.ConsentStore;
import org.springframework.aop.Advisor;
import org.springframework.aop.config.AopConfigUtils;
import org.springframework.aop.support.AbstractPointcutAdvisor;
import org.springframework.aop.support.StaticMethodMatcherPointcut;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.context.annotation.Role;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.type.AnnotationMetadata;

/**
 * Auto-configuration of consent4j (docs/SPRING-BOOT.md): from the {@code consent4j.*} properties it
 * builds the JDBC consent store, the audit trail and the change feed on the application's own
 * database, the {@link ConsentEngine}, and guards the application's {@code DataSource} bean with a
 * {@link ConsentDataSource} ({@link GuardedDataSource}); binds {@code @Processing} on Spring beans;
 * and, where their libraries are present, ties Hibernate's caches to the context, adds a health
 * indicator and the {@code consent4j.*} meters. Every bean except the guarded data source can be
 * replaced by one of the application's own.
 */
@AutoConfiguration(
    afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
    beforeName = {"org.springframework.boot.jdbc.autoconfigure.DataSourceInitializationAutoConfiguration",
        "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration",
        "org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration"})
@ConditionalOnClass(DataSource.class)
@ConditionalOnProperty(prefix = "consent4j", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(ConsentProperties.class)
@Import(ConsentAutoConfiguration.AutoProxyRegistrar.class)
public class ConsentAutoConfiguration {

  /** Creates the auto-configuration; Spring does. */
  public ConsentAutoConfiguration() {}

  /** Guards the application's data source bean; static so that it is registered before any data source. */
  @Bean
  static GuardingPostProcessor consentDataSourceGuard(Environment environment) {
    return new GuardingPostProcessor(environment.getProperty("consent4j.data-source-bean"));
  }

  /**
   * The catalog from {@code consent4j.catalog}.
   *
   * @throws IllegalStateException if the resource is missing or not a valid catalog
   */
  @Bean
  @ConditionalOnMissingBean
  public Catalog consentCatalog(ConsentProperties properties, ResourceLoader resources) {
    String location = properties.getCatalog();
    try (InputStream in = open(resources, location, "consent4j.catalog", "catalog")) {
      return org.consent4j.core.CatalogJson.read(in, location);
    } catch (IOException e) {
      throw new IllegalStateException("consent4j could not read its catalog " + location + ": " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(e.getMessage() + " (consent4j.catalog; format: docs/SPRING-BOOT.md)", e);
    }
  }

  /**
   * The schema mapping from {@code consent4j.mapping}.
   *
   * @throws IllegalStateException if the resource is missing or not a valid mapping
   */
  @Bean
  @ConditionalOnMissingBean
  public SchemaMapping consentSchemaMapping(ConsentProperties properties, ResourceLoader resources) {
    String location = properties.getMapping();
    try (InputStream in = open(resources, location, "consent4j.mapping", "schema mapping")) {
      return SchemaMapping.fromJson(in);
    } catch (IOException e) {
      throw new IllegalStateException("consent4j could not read its schema mapping " + location + ": "
          + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new IllegalStateException("the consent4j schema mapping " + location + " (consent4j.mapping) is not"
          + " valid: " + e.getMessage() + " (format: docs/MAPPING.md)", e);
    }
  }

  /** The counts behind the meters; kept even without Micrometer. */
  @Bean
  @ConditionalOnMissingBean
  public ConsentMetrics consentMetrics() {
    return new ConsentMetrics();
  }

  /** The consent ledger, in the guarded database (raw connections). */
  @Bean
  @ConditionalOnMissingBean
  public ConsentStore consentStore(ConsentProperties properties, ListableBeanFactory beans) {
    ConsentProperties.Store p = properties.getStore();
    JdbcConsentStore.Builder b = JdbcConsentStore.builder(rawDataSource(beans, properties)).tablePrefix(p.getTablePrefix());
    if (p.getSchema() != null) {
      b.schema(p.getSchema());
    }
    return p.isLazy() ? LazyConsentStore.of(b) : b.build();
  }

  /** The audit trail over {@code consent4j.audit.sink}, counted for the meters. */
  @Bean
  @ConditionalOnMissingBean
  public AuditTrail consentAuditTrail(ConsentProperties properties, ListableBeanFactory beans, ConsentMetrics metrics) {
    ConsentProperties.Audit a = properties.getAudit();
    AuditSink sink;
    if (a.getSink() == ConsentProperties.AuditSinkKind.JSON_LINES) {
      if (a.getFile() == null || a.getFile().isBlank()) {
        throw new IllegalStateException("consent4j.audit.sink is json-lines but consent4j.audit.file is not set:"
            + " name the file the audit records are appended to");
      }
      sink = new JsonLinesAuditSink(Path.of(a.getFile()));
    } else {
      ConsentProperties.Store s = properties.getStore();
      JdbcAuditSink.Builder b = JdbcAuditSink.builder(rawDataSource(beans, properties)).tablePrefix(s.getTablePrefix());
      if (s.getSchema() != null) {
        b.schema(s.getSchema());
      }
      sink = s.isLazy() ? b.buildLazily() : b.build();
    }
    AuditTrail.Builder t = AuditTrail.builder(CountingAuditSinks.counting(sink, metrics));
    if (a.getMode() == ConsentProperties.AuditMode.ASYNCHRONOUS) {
      t.asynchronous(a.getQueueCapacity(), a.getMaxBatchSize(), a.getOfferTimeout());
    }
    return t.build();
  }

  /**
   * The engine: catalog, store, audit trail, and a cache trusted only while the change feed is
   * fresh; starts the feed.
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public ConsentEngine consentEngine(Catalog catalog, ConsentStore store, AuditTrail audit, FeedHolder feed) {
    ConsentEngine.Builder b = ConsentEngine.builder().catalog(catalog).store(store).auditTrail(audit);
    feed.feed().ifPresent(f -> b.cacheTrustedWhile(f::isFresh));
    ConsentEngine engine = b.build();
    feed.feed().ifPresent(f -> f.start(engine));
    return engine;
  }

  /** The actor of {@code @Processing} contexts: Spring Security's principal when it is present. */
  @Bean
  @ConditionalOnMissingBean
  public ActorResolver consentActorResolver() {
    boolean security = isPresent("org.springframework.security.core.context.SecurityContextHolder");
    return security ? new SpringSecurityActorResolver() : Optional::empty;
  }

  /** Binds {@code @Processing} on Spring beans; ordered before the transaction advisor. */
  @Bean
  @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
  static Advisor consentProcessingAdvisor(ObjectProvider<ConsentEngine> engine, ObjectProvider<ActorResolver> actors,
      Environment environment) {
    String actor = environment.getProperty("consent4j.actor",
        environment.getProperty("spring.application.name", "application"));
    int order = environment.getProperty("consent4j.processing.order", Integer.class,
        Ordered.HIGHEST_PRECEDENCE + 1000);
    ProcessingInterceptor interceptor = new ProcessingInterceptor(engine::getObject, actors::getObject, actor);
    return new ProcessingAdvisor(interceptor, order);
  }

  /** Carries the caller's context into tasks of Boot's executor (and so {@code @Async} methods). */
  @Bean
  @ConditionalOnMissingBean(TaskDecorator.class)
  @ConditionalOnProperty(prefix = "consent4j.processing", name = "propagate-to-tasks", havingValue = "true",
      matchIfMissing = true)
  public ContextPropagatingTaskDecorator consentTaskDecorator(ConsentEngine engine) {
    return new ContextPropagatingTaskDecorator(engine);
  }

  // ------------------------------------------------------------------ optional parts

  /** Hibernate (and so Spring Data JPA): the persistence context is tied to the processing context. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {"org.springframework.boot.hibernate.autoconfigure.HibernatePropertiesCustomizer",
      "org.hibernate.SessionFactory"})
  static class HibernateConfiguration {
    @Bean
    org.springframework.boot.hibernate.autoconfigure.HibernatePropertiesCustomizer consentHibernateProperties(
        ObjectProvider<ConsentEngine> engine) {
      return properties -> properties.putAll(
          org.consent4j.clients.hibernate.ConsentHibernate.settings(engine.getObject()));
    }
  }

  /**
   * {@code spring.sql.init} scripts run on the raw data source: they create and fill mapped tables,
   * which the guarded one refuses without a processing context (and DDL on them always).
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {"org.springframework.boot.jdbc.autoconfigure.ApplicationDataSourceScriptDatabaseInitializer",
      "org.springframework.jdbc.datasource.init.DatabasePopulator"})
  @ConditionalOnMissingBean(type = "org.springframework.boot.sql.autoconfigure.init.ApplicationScriptDatabaseInitializer")
  @org.springframework.boot.sql.autoconfigure.init.ConditionalOnSqlInitialization
  @Import(org.springframework.boot.sql.init.dependency.DatabaseInitializationDependencyConfigurer.class)
  @EnableConfigurationProperties(org.springframework.boot.sql.autoconfigure.init.SqlInitializationProperties.class)
  static class RawSqlInitialization {
    @Bean
    org.springframework.boot.jdbc.autoconfigure.ApplicationDataSourceScriptDatabaseInitializer
        dataSourceScriptDatabaseInitializer(ListableBeanFactory beans, ConsentProperties properties,
            org.springframework.boot.sql.autoconfigure.init.SqlInitializationProperties sql) {
      return new org.springframework.boot.jdbc.autoconfigure.ApplicationDataSourceScriptDatabaseInitializer(
          rawDataSource(beans, properties), sql);
    }
  }

  /** Actuator health indicator {@code consent4j}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.AbstractHealthIndicator")
  static class HealthConfiguration {
    @Bean
    @ConditionalOnMissingBean(name = "consent4jHealthIndicator")
    @org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator("consent4j")
    ConsentHealthIndicator consent4jHealthIndicator(ConsentEngine engine, FeedHolder feed, ListableBeanFactory beans,
        ConsentProperties properties) {
      return new ConsentHealthIndicator(engine, rawDataSource(beans, properties), feed.feed(),
          properties.getAudit().getQueueCapacity());
    }
  }

  /** Micrometer meters {@code consent4j.*}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
  static class MetricsConfiguration {
    @Bean
    ConsentMeterBinder consentMeterBinder(ConsentMetrics metrics, ConsentEngine engine, FeedHolder feed) {
      return new ConsentMeterBinder(metrics, engine.audit(), feed.feed(), engine.clock());
    }
  }

  // ------------------------------------------------------------------ plumbing

  /** The change feed, or none; a holder because a bean cannot be absent and injected at once. */
  static final class FeedHolder implements AutoCloseable {
    private final Optional<ConsentChangeFeed> feed;

    FeedHolder(Optional<ConsentChangeFeed> feed) {
      this.feed = feed;
    }

    Optional<ConsentChangeFeed> feed() {
      return feed;
    }

    @Override
    public void close() {
      feed.ifPresent(ConsentChangeFeed::close);
    }
  }

  /** The change feed of {@code consent4j.change-feed.*}, or none when its mode is {@code off}. */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  FeedHolder consentChangeFeed(ConsentProperties properties, ListableBeanFactory beans) {
    ConsentProperties.ChangeFeed f = properties.getChangeFeed();
    if (f.getMode() == ConsentProperties.FeedMode.OFF) {
      return new FeedHolder(Optional.empty());
    }
    ConsentProperties.Store s = properties.getStore();
    ConsentChangeFeed.Builder b = ConsentChangeFeed.builder(rawDataSource(beans, properties))
        .tablePrefix(s.getTablePrefix())
        .mode(f.getMode() == ConsentProperties.FeedMode.POLLING ? ConsentChangeFeed.Mode.POLLING
            : ConsentChangeFeed.Mode.AUTO)
        .stalenessBound(f.getStalenessBound()).pollInterval(f.getPollInterval())
        .heartbeatInterval(f.getHeartbeatInterval());
    if (s.getSchema() != null) {
      b.schema(s.getSchema());
    }
    return new FeedHolder(Optional.of(s.isLazy() ? b.buildLazily() : b.build()));
  }

  private static InputStream open(ResourceLoader resources, String location, String property, String what)
      throws IOException {
    if (location == null || location.isBlank()) {
      throw new IllegalStateException(property + " is empty: set it to the location of the consent4j " + what
          + " JSON (for example classpath:consent4j/" + (what.equals("catalog") ? "catalog" : "mapping") + ".json)");
    }
    Resource r = resources.getResource(location);
    if (!r.exists()) {
      throw new IllegalStateException("consent4j's " + what + " " + location + " does not exist: put the "
          + what + " JSON there or point " + property + " at it (docs/SPRING-BOOT.md)");
    }
    return r.getInputStream();
  }

  /** The data source bean the starter guards, as it was before guarding. */
  static DataSource rawDataSource(ListableBeanFactory beans, ConsentProperties properties) {
    DataSource ds = beans.getBean(GuardingPostProcessor.chooseName(beans, properties.getDataSourceBean()),
        DataSource.class);
    return ds instanceof GuardedDataSource g ? g.raw() : ds;
  }

  private static boolean isPresent(String className) {
    return org.springframework.util.ClassUtils.isPresent(className, ConsentAutoConfiguration.class.getClassLoader());
  }

  /** Wraps the chosen data source bean; forces the wrapping once all singletons exist. */
  static final class GuardingPostProcessor implements BeanPostProcessor, BeanFactoryAware, SmartInitializingSingleton {
    private final String configuredName;
    private ListableBeanFactory beans;
    private final List<GuardedDataSource> guarded = new ArrayList<>();

    GuardingPostProcessor(String configuredName) {
      this.configuredName = configuredName;
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
      this.beans = (ListableBeanFactory) beanFactory;
    }

    static String chooseName(ListableBeanFactory beans, String configured) {
      String[] names = beans.getBeanNamesForType(DataSource.class, true, false);
      if (configured != null && !configured.isBlank()) {
        if (!Arrays.asList(names).contains(configured)) {
          throw new IllegalStateException("consent4j.data-source-bean is '" + configured + "', but the DataSource"
              + " beans are " + Arrays.toString(names));
        }
        return configured;
      }
      if (names.length != 1) {
        throw new IllegalStateException("consent4j guards one DataSource bean, and there are " + names.length
            + " " + Arrays.toString(names) + ": set consent4j.data-source-bean to the one holding the mapped tables"
            + (names.length == 0 ? " (or define a DataSource / spring.datasource.url)" : ""));
      }
      return names[0];
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
      if (!(bean instanceof DataSource raw) || bean instanceof GuardedDataSource || bean instanceof ConsentDataSource) {
        return bean;
      }
      if (!beanName.equals(chooseName(beans, configuredName))) {
        return bean;
      }
      GuardedDataSource g = new GuardedDataSource(raw, beanName, r -> {
        ConsentDataSource cds;
        try {
          ConsentProperties props = beans.getBean(ConsentProperties.class);
          cds = ConsentDataSource.wrap(r, beans.getBean(ConsentEngine.class), beans.getBean(SchemaMapping.class),
              props.getAudit().getLevel(), props.getJdbc().getReadForm());
        } catch (org.consent4j.jdbc.MappingException | IllegalArgumentException e) {
          throw new IllegalStateException("consent4j cannot guard the data source bean '" + beanName + "': "
              + e.getMessage(), e);
        }
        cds.observe(beans.getBean(ConsentMetrics.class));
        return cds;
      });
      synchronized (guarded) {
        guarded.add(g);
      }
      return g;
    }

    @Override
    public void afterSingletonsInstantiated() {
      List<GuardedDataSource> all;
      synchronized (guarded) {
        all = List.copyOf(guarded);
      }
      for (GuardedDataSource g : all) {
        try {
          g.consentDataSource();
        } catch (SQLException e) {
          boolean lazy = beans.getBean(ConsentProperties.class).getStore().isLazy();
          if (!lazy) {
            throw new IllegalStateException(e.getMessage(), e);
          }
        }
      }
    }
  }

  /** The advisor of {@code @Processing}. */
  static final class ProcessingAdvisor extends AbstractPointcutAdvisor {
    private static final long serialVersionUID = 1L;
    private final transient ProcessingInterceptor interceptor;

    ProcessingAdvisor(ProcessingInterceptor interceptor, int order) {
      this.interceptor = interceptor;
      setOrder(order);
    }

    @Override
    public org.springframework.aop.Pointcut getPointcut() {
      return new StaticMethodMatcherPointcut() {
        @Override
        public boolean matches(java.lang.reflect.Method method, Class<?> targetClass) {
          return ProcessingInterceptor.find(method, targetClass) != null;
        }
      };
    }

    @Override
    public Advice getAdvice() {
      return interceptor;
    }
  }

  /** Makes sure an auto-proxy creator exists, as {@code @EnableTransactionManagement} does. */
  static final class AutoProxyRegistrar implements ImportBeanDefinitionRegistrar {
    @Override
    public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
      AopConfigUtils.registerAutoProxyCreatorIfNecessary(registry);
    }
  }
}
