package org.consent4j.clients.hibernate;

import java.util.Map;
import org.consent4j.clients.ClientCrm;
import org.hibernate.SessionFactory;
import org.hibernate.boot.model.naming.Identifier;
import org.hibernate.boot.model.naming.PhysicalNamingStrategyStandardImpl;
import org.hibernate.cfg.Configuration;
import org.hibernate.engine.jdbc.env.spi.JdbcEnvironment;

/** Session factories over the CRM's guarded data source, as an application configures one. */
final class Hibernates {
  private Hibernates() {}

  /**
   * A session factory for {@code entities} over {@code crm}'s guarded data source, with the
   * integration installed when {@code integrated}, and {@code settings} on top.
   */
  static SessionFactory factory(ClientCrm crm, boolean integrated, Map<String, Object> settings,
      Class<?>... entities) {
    Configuration cfg = new Configuration();
    for (Class<?> e : entities) {
      cfg.addAnnotatedClass(e);
    }
    cfg.setPhysicalNamingStrategy(new Prefixed(crm.p));
    cfg.getProperties().put("hibernate.connection.datasource", crm.guarded);
    cfg.getProperties().put("hibernate.generate_statistics", "true");
    if (integrated) {
      cfg.getProperties().putAll(ConsentHibernate.settings(crm.engine));
    }
    cfg.getProperties().putAll(settings);
    return cfg.buildSessionFactory();
  }

  /** Table names under the test's prefix. */
  private static final class Prefixed extends PhysicalNamingStrategyStandardImpl {
    private static final long serialVersionUID = 1L;
    private final String prefix;

    Prefixed(String prefix) {
      this.prefix = prefix;
    }

    @Override
    public Identifier toPhysicalTableName(Identifier name, JdbcEnvironment context) {
      return Identifier.toIdentifier(prefix + name.getText());
    }
  }
}
