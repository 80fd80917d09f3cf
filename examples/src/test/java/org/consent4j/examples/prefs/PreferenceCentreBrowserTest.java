package org.consent4j.examples.prefs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.consent4j.examples.crm.CrmDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The preference centre in headless Chromium: a contact clicks Withdraw for marketing, and the
 * next marketing export no longer includes them.
 *
 * <p>Uses Debian's {@code chromium} and {@code chromium-driver} packages ({@code /usr/bin/chromium},
 * {@code /usr/bin/chromedriver}; other paths through the system properties
 * {@code consent4j.chromium} and {@code consent4j.chromedriver}) and never downloads a driver.
 * Skipped when either is missing, unless {@code CONSENT4J_REQUIRE_BROWSER=true} (as CI sets it),
 * which makes it fail instead; {@link PreferenceCentreTest} covers the same flow over plain HTTP.
 */
class PreferenceCentreBrowserTest {
  private static final Path CHROMIUM = Path.of(System.getProperty("consent4j.chromium", "/usr/bin/chromium"));
  private static final Path CHROMEDRIVER =
      Path.of(System.getProperty("consent4j.chromedriver", "/usr/bin/chromedriver"));

  // Debian's Chromium is newer than the DevTools (CDP) versions Selenium bundles, which it warns
  // about at every start; this test drives the browser through WebDriver alone and needs none.
  private static final Logger SELENIUM_LOG = Logger.getLogger("org.openqa.selenium");

  static {
    SELENIUM_LOG.setLevel(Level.SEVERE);
  }

  private CrmDatabase crm;
  private PreferenceCentre centre;
  private ChromeDriverService service;
  private WebDriver browser;

  @BeforeEach
  void start(@TempDir Path profile) throws Exception {
    String missing = !Files.isExecutable(CHROMIUM) ? "no Chromium at " + CHROMIUM + " (apt-get install chromium)"
        : !Files.isExecutable(CHROMEDRIVER) ? "no chromedriver at " + CHROMEDRIVER + " (apt-get install chromium-driver)"
        : null;
    if (missing != null && "true".equalsIgnoreCase(System.getenv("CONSENT4J_REQUIRE_BROWSER"))) {
      fail(missing + " (CONSENT4J_REQUIRE_BROWSER=true requires the browser test to run)");
    }
    assumeTrue(missing == null, missing);

    crm = CrmDatabase.start("jdbc:h2:mem:prefs-browser;DB_CLOSE_DELAY=-1");
    centre = PreferenceCentre.start(crm, 0);

    // The driver and the browser are named explicitly, so Selenium Manager never looks for (or
    // downloads) either: the machine may have no internet.
    System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER.toString());
    service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort()
        .withLogOutput(java.io.OutputStream.nullOutputStream())
        .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--user-data-dir=" + profile.resolve("chromium-profile").toAbsolutePath());
    browser = new ChromeDriver(service, options);
    browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
  }

  @AfterEach
  void stop() {
    try {
      if (browser != null) {
        browser.quit();
      }
    } finally {
      if (service != null) {
        service.stop();
      }
      if (centre != null) {
        centre.close();
      }
      if (crm != null) {
        crm.close();
      }
    }
  }

  @Test
  void clickingWithdrawForMarketingRemovesTheContactFromTheNextExport() {
    String ada = crm.storyContact().value();
    String exportPage = centre.uri().resolve("export?purpose=marketing.email").toString();
    By inExport = By.cssSelector("#ids li[data-subject='" + ada + "']");

    browser.get(exportPage);
    assertEquals(1, browser.findElements(inExport).size(), "the story contact is in the marketing export");
    int before = Integer.parseInt(browser.findElement(By.id("count")).getText());

    // from the export to the contact's preference centre, by the link
    browser.findElement(By.cssSelector("#ids li[data-subject='" + ada + "'] a")).click();
    new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.urlToBe(
        centre.uri().resolve("contact/" + ada).toString()));
    assertEquals(ada, browser.findElement(By.id("subject")).getText());
    By marketingRow = By.cssSelector("#consents tr[data-purpose='marketing.email'][data-recipient='self']");
    assertEquals("given", browser.findElement(marketingRow).findElement(By.cssSelector("td.state")).getText());
    assertFalse(browser.findElements(By.cssSelector("#accesses tr")).isEmpty(), "the access history is shown");

    WebElement withdraw = browser.findElement(
        By.cssSelector("form.withdraw[data-purpose='marketing.email'][data-recipient='self'] button"));
    assertEquals("Withdraw", withdraw.getText());
    withdraw.click();
    // the form posts, the server redirects back to the page, which now shows the withdrawal
    new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.stalenessOf(withdraw));
    assertEquals(centre.uri().resolve("contact/" + ada).toString(), browser.getCurrentUrl(), browser.getPageSource());
    assertEquals("withdrawn", browser.findElement(marketingRow).findElement(By.cssSelector("td.state")).getText());
    assertTrue(browser.findElements(
        By.cssSelector("form.withdraw[data-purpose='marketing.email'][data-recipient='self']")).isEmpty());
    List<WebElement> ledgerRows = browser.findElements(By.cssSelector("#ledger tr"));
    assertTrue(ledgerRows.get(ledgerRows.size() - 1).getText().contains("withdrawal marketing.email"),
        ledgerRows.get(ledgerRows.size() - 1).getText());

    browser.get(exportPage);
    assertTrue(browser.findElements(inExport).isEmpty(), "the next export excludes the contact");
    assertEquals(before - 1, Integer.parseInt(browser.findElement(By.id("count")).getText()));
  }
}
