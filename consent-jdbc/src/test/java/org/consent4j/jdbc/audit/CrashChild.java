package org.consent4j.jdbc.audit;

import java.io.PrintStream;
import java.util.Set;
import org.consent4j.AccessContext;
import org.consent4j.Decision;
import org.consent4j.SubjectId;
import org.consent4j.core.ConsentEngine;
import org.consent4j.core.InMemoryConsentStore;
import org.consent4j.core.audit.AuditTrail;

/**
 * The child JVM of {@link AuditCrashTest}: serves accesses through an engine with a
 * synchronous JDBC audit trail, printing {@code SERVED <subject>} for each access only after the
 * engine returned its decision, until it is killed. Arguments: JDBC URL, table prefix, run id, and
 * {@code async} for an asynchronous trail.
 */
public final class CrashChild {
  /** The asynchronous trail's queue capacity: at most this many accepted events may be lost. */
  static final int QUEUE_CAPACITY = 50;

  private CrashChild() {}

  private static javax.sql.DataSource pool(String url) {
    com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
    config.setJdbcUrl(url);
    config.setMaximumPoolSize(2);
    return new com.zaxxer.hikari.HikariDataSource(config);
  }

  public static void main(String[] args) throws Exception {
    String url = args[0];
    String prefix = args[1];
    String run = args[2];
    boolean async = args.length > 3 && args[3].equals("async");
    JdbcAuditSink sink = JdbcAuditSink.builder(pool(url)).tablePrefix(prefix).build();
    AuditTrail trail = async
        ? AuditTrail.builder(sink).asynchronous(QUEUE_CAPACITY, 10, java.time.Duration.ofSeconds(5)).build()
        : AuditTrail.builder(sink).build();
    ConsentEngine engine = ConsentEngine.builder().catalog(JdbcAuditSinkTest.CATALOG)
        .store(new InMemoryConsentStore()).auditTrail(trail).build();
    PrintStream out = System.out;
    out.println("READY");
    out.flush();
    AccessContext context = AccessContext.of("crash-child", "marketing.email");
    for (long i = 0; ; i++) {
      SubjectId subject = SubjectId.of("r" + run + "-" + i);
      Decision d = engine.check(subject, context, Set.of(JdbcAuditSinkTest.EMAIL));
      // The decision (a deny: no grants) is what would be handed out; it is reported only now.
      out.println("SERVED " + subject.value() + " " + d.outcome());
      out.flush();
    }
  }
}
