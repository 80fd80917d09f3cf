package org.consent4j.auditor;

import com.google.common.testing.NullPointerTester;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The public entry point rejects nulls, as every public method of the library does. */
final class AuditorNullHandlingTest {
  @Test
  void executeRejectsNulls() throws Exception {
    NullPointerTester tester = new NullPointerTester()
        .setDefault(PrintWriter.class, new PrintWriter(new StringWriter()))
        .setDefault(String[].class, new String[] {"--help"});
    tester.testMethod(null, Auditor.class.getMethod("execute", PrintWriter.class, PrintWriter.class, String[].class));
  }
}
