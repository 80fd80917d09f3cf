package org.consent4j.auditor;

import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.common.testing.NullPointerTester;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The public entry point rejects nulls, as every public method of the library does. */
final class AuditorNullHandlingTest {
  private static NullPointerTester tester() {
    return new NullPointerTester()
        .setDefault(PrintWriter.class, new PrintWriter(new StringWriter()))
        .setDefault(String[].class, new String[] {"--help"});
  }

  @Test
  void executeRejectsNulls() throws Exception {
    // fails with an AssertionError naming the parameter that was accepted
    tester().testMethod(null, Auditor.class.getMethod("execute", PrintWriter.class, PrintWriter.class, String[].class));
  }

  /** Accepts a null writer without complaint. */
  public static int acceptsNull(PrintWriter out, String[] args) {
    return out == null ? 0 : args.length;
  }

  @Test
  void theConfiguredTesterCatchesAMethodThatAcceptsNull() throws Exception {
    assertThrows(AssertionError.class, () -> tester().testMethod(null,
        AuditorNullHandlingTest.class.getMethod("acceptsNull", PrintWriter.class, String[].class)));
  }
}
