package org.consent4j.spring;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code consent4j.*} properties; every one is listed with its default in docs/SPRING-BOOT.md.
 * Bound by Spring Boot; read once, at start-up.
 */
@ConfigurationProperties("consent4j")
public class ConsentProperties {
  /** The defaults; Spring Boot binds the properties onto them. */
  public ConsentProperties() {}


  /** Whether the starter configures anything at all. */
  private boolean enabled = true;
  /** The catalog (purposes, categories, recipients, notices) as JSON: a Spring resource location. */
  private String catalog = "classpath:consent4j/catalog.json";
  /** The schema mapping (which tables and columns hold personal data) as JSON: a resource location. */
  private String mapping = "classpath:consent4j/mapping.json";
  /**
   * The actor of contexts bound by {@code @Processing} when no {@code ActorResolver} names one (no
   * authenticated principal): by default {@code spring.application.name}, else {@code application}.
   */
  private String actor;
  /** The name of the DataSource bean to guard, when the application has several. */
  private String dataSourceBean;
  private final Store store = new Store();
  private final Audit audit = new Audit();
  private final ChangeFeed changeFeed = new ChangeFeed();
  private final Processing processing = new Processing();
  private final Jdbc jdbc = new Jdbc();

  /** Returns {@code enabled}, described at its field. */
  public boolean isEnabled() {
    return enabled;
  }

  /** Sets {@code enabled}, described at its field. */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /** Returns {@code catalog}, described at its field. */
  public String getCatalog() {
    return catalog;
  }

  /** Sets {@code catalog}, described at its field. */
  public void setCatalog(String catalog) {
    this.catalog = catalog;
  }

  /** Returns {@code mapping}, described at its field. */
  public String getMapping() {
    return mapping;
  }

  /** Sets {@code mapping}, described at its field. */
  public void setMapping(String mapping) {
    this.mapping = mapping;
  }

  /** Returns {@code actor}, described at its field. */
  public String getActor() {
    return actor;
  }

  /** Sets {@code actor}, described at its field. */
  public void setActor(String actor) {
    this.actor = actor;
  }

  /** Returns {@code data-source-bean}, described at its field. */
  public String getDataSourceBean() {
    return dataSourceBean;
  }

  /** Sets {@code data-source-bean}, described at its field. */
  public void setDataSourceBean(String dataSourceBean) {
    this.dataSourceBean = dataSourceBean;
  }

  /** Returns {@code store}, described at its field. */
  public Store getStore() {
    return store;
  }

  /** Returns {@code audit}, described at its field. */
  public Audit getAudit() {
    return audit;
  }

  /** Returns {@code change-feed}, described at its field. */
  public ChangeFeed getChangeFeed() {
    return changeFeed;
  }

  /** Returns {@code processing}, described at its field. */
  public Processing getProcessing() {
    return processing;
  }

  /** Returns {@code jdbc}, described at its field. */
  public Jdbc getJdbc() {
    return jdbc;
  }

  /** {@code consent4j.jdbc.*}: how the guarded data source runs statements. */
  public static class Jdbc {
    /** The defaults; Spring Boot binds the properties onto them. */
    public Jdbc() {}

    /**
     * Where SELECTs check consent: {@code auto} (post-filter the eligible ones while the engine's
     * consent index is in use, which it is while the change feed is fresh, else push down),
     * {@code pushdown} or {@code post-filter}; see {@code org.consent4j.jdbc.ReadForm}.
     */
    private org.consent4j.jdbc.ReadForm readForm = org.consent4j.jdbc.ReadForm.AUTO;

    /** Returns {@code read-form}, described at its field. */
    public org.consent4j.jdbc.ReadForm getReadForm() {
      return readForm;
    }

    /** Sets {@code read-form}, described at its field. */
    public void setReadForm(org.consent4j.jdbc.ReadForm readForm) {
      this.readForm = java.util.Objects.requireNonNull(readForm, "readForm");
    }
  }

  /** {@code consent4j.store.*}: where the consent ledger lives, in the guarded database. */
  public static class Store {
    /** The defaults; Spring Boot binds the properties onto them. */
    public Store() {}

    /** The schema of the consent tables; none: the connections' default schema. */
    private String schema;
    /** The prefix of the consent tables. */
    private String tablePrefix = "consent4j_";
    /**
     * Whether the store, audit sink and change feed set their tables up on first use, so that the
     * application starts while the database is down (everything is denied until it answers).
     */
    private boolean lazy;

    /** Returns {@code schema}, described at its field. */
    public String getSchema() {
      return schema;
    }

    /** Sets {@code schema}, described at its field. */
    public void setSchema(String schema) {
      this.schema = schema;
    }

    /** Returns {@code table-prefix}, described at its field. */
    public String getTablePrefix() {
      return tablePrefix;
    }

    /** Sets {@code table-prefix}, described at its field. */
    public void setTablePrefix(String tablePrefix) {
      this.tablePrefix = tablePrefix;
    }

    /** Returns {@code lazy}, described at its field. */
    public boolean isLazy() {
      return lazy;
    }

    /** Sets {@code lazy}, described at its field. */
    public void setLazy(boolean lazy) {
      this.lazy = lazy;
    }
  }

  /** {@code consent4j.audit.*}: the audit trail. */
  public static class Audit {
    /** The defaults; Spring Boot binds the properties onto them. */
    public Audit() {}

    /** Where records go: the database ({@code jdbc}) or a JSON-lines file ({@code json-lines}). */
    private AuditSinkKind sink = AuditSinkKind.JDBC;
    /** The file of the {@code json-lines} sink. */
    private String file;
    /** {@code synchronous}: no access without a durable record; {@code asynchronous}: a bounded queue. */
    private AuditMode mode = AuditMode.SYNCHRONOUS;
    /** Asynchronous mode: how many records may wait (lost with the process if it crashes). */
    private int queueCapacity = 1000;
    /** Asynchronous mode: how many records one write carries at most. */
    private int maxBatchSize = 100;
    /** Asynchronous mode: how long a caller waits for room in a full queue before it is refused. */
    private Duration offerTimeout = Duration.ofSeconds(1);
    /** {@code statement}, or {@code subject} to record whose rows each statement read. */
    private org.consent4j.jdbc.AuditLevel level = org.consent4j.jdbc.AuditLevel.STATEMENT;

    /** Returns {@code sink}, described at its field. */
    public AuditSinkKind getSink() {
      return sink;
    }

    /** Sets {@code sink}, described at its field. */
    public void setSink(AuditSinkKind sink) {
      this.sink = sink;
    }

    /** Returns {@code file}, described at its field. */
    public String getFile() {
      return file;
    }

    /** Sets {@code file}, described at its field. */
    public void setFile(String file) {
      this.file = file;
    }

    /** Returns {@code mode}, described at its field. */
    public AuditMode getMode() {
      return mode;
    }

    /** Sets {@code mode}, described at its field. */
    public void setMode(AuditMode mode) {
      this.mode = mode;
    }

    /** Returns {@code queue-capacity}, described at its field. */
    public int getQueueCapacity() {
      return queueCapacity;
    }

    /** Sets {@code queue-capacity}, described at its field. */
    public void setQueueCapacity(int queueCapacity) {
      this.queueCapacity = queueCapacity;
    }

    /** Returns {@code max-batch-size}, described at its field. */
    public int getMaxBatchSize() {
      return maxBatchSize;
    }

    /** Sets {@code max-batch-size}, described at its field. */
    public void setMaxBatchSize(int maxBatchSize) {
      this.maxBatchSize = maxBatchSize;
    }

    /** Returns {@code offer-timeout}, described at its field. */
    public Duration getOfferTimeout() {
      return offerTimeout;
    }

    /** Sets {@code offer-timeout}, described at its field. */
    public void setOfferTimeout(Duration offerTimeout) {
      this.offerTimeout = offerTimeout;
    }

    /** Returns {@code level}, described at its field. */
    public org.consent4j.jdbc.AuditLevel getLevel() {
      return level;
    }

    /** Sets {@code level}, described at its field. */
    public void setLevel(org.consent4j.jdbc.AuditLevel level) {
      this.level = level;
    }
  }

  /** Where audit records are written. */
  public enum AuditSinkKind {
    /** {@code JdbcAuditSink} on the guarded database (same migrations as the store). */
    JDBC,
    /** {@code JsonLinesAuditSink} on {@code consent4j.audit.file}. */
    JSON_LINES
  }

  /** The audit trail's mode. */
  public enum AuditMode {
    /** {@code record} returns once the record is durable. */
    SYNCHRONOUS,
    /** A bounded queue and one writer thread. */
    ASYNCHRONOUS
  }

  /** {@code consent4j.change-feed.*}: other nodes' grants and withdrawals. */
  public static class ChangeFeed {
    /** The defaults; Spring Boot binds the properties onto them. */
    public ChangeFeed() {}

    /** {@code auto} (LISTEN/NOTIFY on PostgreSQL, polling elsewhere), {@code polling}, or {@code off}. */
    private FeedMode mode = FeedMode.AUTO;
    /** The engine trusts its cache only while the feed proved itself up to date this recently. */
    private Duration stalenessBound = Duration.ofSeconds(2);
    /** How often the poller reads the ledger. */
    private Duration pollInterval = Duration.ofMillis(500);
    /** How often the PostgreSQL listener sends itself a heartbeat. */
    private Duration heartbeatInterval = Duration.ofMillis(250);

    /** Returns {@code mode}, described at its field. */
    public FeedMode getMode() {
      return mode;
    }

    /** Sets {@code mode}, described at its field. */
    public void setMode(FeedMode mode) {
      this.mode = mode;
    }

    /** Returns {@code staleness-bound}, described at its field. */
    public Duration getStalenessBound() {
      return stalenessBound;
    }

    /** Sets {@code staleness-bound}, described at its field. */
    public void setStalenessBound(Duration stalenessBound) {
      this.stalenessBound = stalenessBound;
    }

    /** Returns {@code poll-interval}, described at its field. */
    public Duration getPollInterval() {
      return pollInterval;
    }

    /** Sets {@code poll-interval}, described at its field. */
    public void setPollInterval(Duration pollInterval) {
      this.pollInterval = pollInterval;
    }

    /** Returns {@code heartbeat-interval}, described at its field. */
    public Duration getHeartbeatInterval() {
      return heartbeatInterval;
    }

    /** Sets {@code heartbeat-interval}, described at its field. */
    public void setHeartbeatInterval(Duration heartbeatInterval) {
      this.heartbeatInterval = heartbeatInterval;
    }
  }

  /** The change feed's mode. */
  public enum FeedMode {
    /** LISTEN/NOTIFY on PostgreSQL, polling elsewhere. */
    AUTO,
    /** Polling on every database. */
    POLLING,
    /** No feed: for a single node only (the engine's cache then hears only its own changes). */
    OFF
  }

  /** {@code consent4j.processing.*}: {@code @Processing} on Spring beans. */
  public static class Processing {
    /** The defaults; Spring Boot binds the properties onto them. */
    public Processing() {}

    /** The order of the advisor; before the transaction advisor, so a transaction commits inside the scope. */
    private int order = org.springframework.core.Ordered.HIGHEST_PRECEDENCE + 1000;
    /** Whether the starter's TaskDecorator carries the caller's context to tasks of Boot's executor (and @Async). */
    private boolean propagateToTasks = true;

    /** Returns {@code order}, described at its field. */
    public int getOrder() {
      return order;
    }

    /** Sets {@code order}, described at its field. */
    public void setOrder(int order) {
      this.order = order;
    }

    /** Returns {@code propagate-to-tasks}, described at its field. */
    public boolean isPropagateToTasks() {
      return propagateToTasks;
    }

    /** Sets {@code propagate-to-tasks}, described at its field. */
    public void setPropagateToTasks(boolean propagateToTasks) {
      this.propagateToTasks = propagateToTasks;
    }
  }
}
