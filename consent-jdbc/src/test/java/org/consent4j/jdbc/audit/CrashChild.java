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
 * The child JVM of {@link SynchronousAuditCrashTest}: serves accesses through an engine with a
 * synchronous JDBC audit trail, printing {@code SERVED <subject>} for each access only after the
 * engine returned its decision, until it is killed. Arguments: JDBC URL, table prefix, run id.
 */
public final class CrashChild {
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
    JdbcAuditSink sink = JdbcAuditSink.builder(pool(url)).tablePrefix(prefix).build();
    ConsentEngine engine = ConsentEngine.builder().catalog(JdbcAuditSinkTest.CATALOG)
        .store(new InMemoryConsentStore()).auditTrail(AuditTrail.builder(sink).build()).build();
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
