package org.consent4j.jdbc.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.common.testing.NullPointerTester;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.consent4j.Catalog;
import org.consent4j.DataCategory;
import org.consent4j.LegalBasis;
import org.consent4j.jdbc.MappingException;
import org.consent4j.jdbc.SchemaMapping;
import org.consent4j.jdbc.TableMapping;
import org.junit.jupiter.api.Test;

/** Every public method of the mapping API rejects nulls at once (the schema of find aside). */
final class MappingNullHandlingTest {
  private static NullPointerTester tester() {
    Consumer<TableMapping.Builder> spec = t -> t.subject("id");
    return new NullPointerTester()
        .setDefault(String.class, "contact")
        .setDefault(String[].class, new String[] {"id"})
        .setDefault(DataCategory.class, DataCategory.of("contact.email"))
        .setDefault(Consumer.class, spec)
        .setDefault(TableMapping.class, TableMapping.builder("contact").subject("id").build())
        .setDefault(Catalog.class, Catalog.builder().purpose("support", LegalBasis.CONSENT).build())
        .setDefault(InputStream.class, new ByteArrayInputStream("{\"tables\": []}".getBytes()))
        .setDefault(Path.class, Path.of("mapping.json"))
        .setDefault(List.class, List.of("a problem"));
  }

  @Test
  void mappingTypesRejectNulls() throws Exception {
    NullPointerTester t = tester();
    t.ignore(SchemaMapping.class.getMethod("find", String.class, String.class));
    for (Class<?> c : List.of(SchemaMapping.class, TableMapping.class, MappingException.class)) {
      t.testAllPublicStaticMethods(c);
      t.testAllPublicConstructors(c);
    }
    t.testAllPublicInstanceMethods(Mappings.crm());
    t.testAllPublicInstanceMethods(SchemaMapping.builder());
    t.testAllPublicInstanceMethods(TableMapping.builder("contact"));
    t.testAllPublicInstanceMethods(Mappings.crm().tables().iterator().next());
  }

  @Test
  void findAcceptsANullSchemaButNotANullTable() {
    SchemaMapping m = Mappings.crm();
    assertEquals(m.find("friend"), m.find(null, "friend"));
    assertThrows(NullPointerException.class, () -> m.find("public", null));
    assertThrows(NullPointerException.class, () -> m.find(null, null));
  }
}
