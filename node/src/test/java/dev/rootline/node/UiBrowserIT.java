package dev.rootline.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rootline.persistence.TestCassandra;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web UI in a real browser (Debian's headless Chromium through its chromedriver) against a
 * real node (eBPF capture, Cassandra, the demo services with a failing cart): sign in with an
 * admin token, the issue list, live updates over the WebSocket, an issue's ranked root causes and
 * chart, a confirm recorded as feedback, a trace's waterfall with payload excerpts, a policy
 * changed and reverted, the cluster view. One node start for all of it; screenshots of every page
 * go to docs/ui/.
 */
class UiBrowserIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final Path SCREENSHOTS = Path.of("..", "docs", "ui").toAbsolutePath().normalize();
  private static final String CHROMIUM = "/usr/bin/chromium";
  private static final String CHROMEDRIVER = "/usr/bin/chromedriver";

  private static final String TOKEN = HexFormat.of().formatHex(new SecureRandom().generateSeed(24));
  private static DemoServices services;
  private static RootlineNode node;
  private static String cart;

  @BeforeAll
  static void start() throws Exception {
    Config config =
        ConfigFactory.parseString(
                String.join(
                    "\n",
                    TestNodeConfig.IN_PROCESS,
                    // Schema set-up on a loaded machine took longer than the default 10 s once.
                    "datastax-java-driver.basic.request.timeout = 30s",
                    // The auth contract: the UI signs in with this admin token.
                    "rootline.api.auth.tokens = [ { name = \"ui-admin\", role = admin, token = \"" + TOKEN + "\" } ]"))
            .withFallback(TestCassandra.config(TestCassandra.uniqueKeyspace("ui_it")))
            .withFallback(ConfigFactory.load())
            .resolve();
    services = new DemoServices(0.5);
    cart = "python3:" + services.cartPort;
    node = RootlineNode.start(config);
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
    if (services != null) {
      services.close();
    }
  }

  @Test
  void anAdminWalksFromTheIssueListToARootCauseConfirmsItAndReadsTheTrace() throws Exception {
    long started = System.nanoTime();
    checkouts(24);
    JsonNode issue = await(UiBrowserIT::ourIssue, i -> i != null && i.get("occurrences").asLong() >= 3,
        "an issue of the cart's failing checkouts");
    String issueId = issue.get("issueId").asText();
    await(() -> getJson("/api/v1/issues/" + issueId), d -> d.get("rootCauses").size() >= 2
        && d.get("exampleTraces").size() >= 1, "ranked root causes and an example trace");
    Files.createDirectories(SCREENSHOTS);
    System.out.printf("UiBrowserIT: issue ready after %d s%n", elapsedSeconds(started));

    try (Browser browser = Browser.start()) {
      try {
        walk(browser, issue, issueId);
      } catch (Throwable failed) {
        browser.dumpForDiagnosis();
        throw failed;
      }
    }
    System.out.printf("UiBrowserIT: whole walk %d s%n", elapsedSeconds(started));
  }

  private static void walk(Browser browser, JsonNode issue, String issueId) throws Exception {
    {
      WebDriver driver = browser.driver;
      WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));
      wait.ignoring(StaleElementReferenceException.class);
      String base = "http://127.0.0.1:" + node.apiPort();

      // Sign in ("/" redirects to the UI): a wrong token is refused, the admin token accepted.
      driver.get(base + "/");
      wait.until(d -> !d.findElements(By.id("token")).isEmpty());
      assertThat(driver.getCurrentUrl()).contains("/ui/");
      {
        driver.findElement(By.id("token")).sendKeys("not-a-token");
        driver.findElement(By.id("sign-in")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("login-status"), "not accepted"));
        driver.findElement(By.id("token")).clear();
        driver.findElement(By.id("token")).sendKeys(TOKEN);
        screenshot(driver, "login.png");
        driver.findElement(By.id("sign-in")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("who-role"), "admin"));
        assertThat(driver.findElement(By.id("who-name")).getText()).isEqualTo("ui-admin");
      }

      // The prioritised list, with our issue's line.
      By ourRow = By.cssSelector("tr.issue-row[data-issue-id='" + issueId + "']");
      wait.until(ExpectedConditions.visibilityOfElementLocated(ourRow));
      // The table is redrawn on every stream message: read a line in one script call, never
      // through element handles that a redraw makes stale.
      Map<String, Object> line = issueLine(driver, issueId);
      assertThat((String) line.get("text")).contains(issue.get("service").asText()).contains(issue.get("endpoint").asText());
      assertThat((String) line.get("probability")).matches("\\d+(\\.\\d)?%");
      wait.until(ExpectedConditions.attributeToBe(By.id("live-state"), "data-state", "live"));
      long shownCount = count(issueLine(driver, issueId));
      // Live: more failing checkouts update the line over the WebSocket, without a reload.
      checkouts(6);
      new WebDriverWait(driver, WAIT).until(d -> {
        Map<String, Object> now = issueLine(d, issueId);
        return now != null && count(now) > shownCount;
      });
      assertThat(driver.findElement(By.id("live-state")).getText()).startsWith("live");
      screenshot(driver, "issues.png");

      // The issue: root causes with probabilities and evidence, the chart, example traces.
      // The line may be redrawn between finding its link and clicking it: find and click at once,
      // again until a click lands on a link that is still in the page.
      By ourLink = By.cssSelector("tr.issue-row[data-issue-id='" + issueId + "'] a.issue-link");
      wait.until(d -> {
        try {
          d.findElement(ourLink).click();
          return true;
        } catch (StaleElementReferenceException | org.openqa.selenium.NoSuchElementException redrawn) {
          return false;
        }
      });
      wait.until(d -> d.findElements(By.cssSelector("#root-causes li.cause")).size() >= 2);
      List<WebElement> causes = driver.findElements(By.cssSelector("#root-causes li.cause"));
      for (WebElement cause : causes) {
        assertThat(cause.findElement(By.cssSelector(".prob-text")).getText()).matches("\\d+(\\.\\d)?%");
      }
      assertThat(causes.get(0).findElements(By.cssSelector("ul.evidence li"))).isNotEmpty();
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("series-chart")));
      assertThat(driver.findElements(By.cssSelector("#series-chart path.line-p95"))).isNotEmpty();
      assertThat(driver.findElements(By.cssSelector("#series-chart rect.err-bar"))).isNotEmpty();
      screenshot(driver, "issue.png");

      // Confirm the top candidate: the feedback is recorded and listed.
      String level = causes.get(0).getAttribute("data-level");
      String subject = causes.get(0).getAttribute("data-subject");
      driver.findElement(By.id("feedback-comment")).sendKeys("seen in the cart's logs");
      causes.get(0).findElement(By.cssSelector("button.confirm")).click();
      wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("feedback-status"), "Feedback recorded"));
      WebElement recorded = wait.until(
          ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#feedback-list tr.feedback-row[data-kind='confirm']")));
      assertThat(recorded.getText()).contains(level + " " + subject).contains("seen in the cart's logs");
      // The issue's read side follows the entity a moment later (the UI shows the POST's answer at once).
      JsonNode said = await(() -> getJson("/api/v1/issues/" + issueId).get("feedback"), f -> f.size() >= 1,
          "the confirm on the issue's read side");
      assertThat(said.size()).isEqualTo(1);
      assertThat(said.at("/0/kind").asText()).isEqualTo("confirm");
      assertThat(said.at("/0/subject").asText()).isEqualTo(subject);
      screenshot(driver, "issue-feedback.png", By.id("feedback"));

      // An example trace's waterfall; a span's masked payload excerpt shows as text.
      String traceId = driver.findElement(By.cssSelector("#example-traces a.trace-link")).getText();
      driver.findElement(By.cssSelector("#example-traces a.trace-link")).click();
      wait.until(d -> d.findElements(By.cssSelector("#waterfall .wf-span")).size() >= 2);
      JsonNode trace = getJson("/api/v1/traces/" + traceId);
      assertThat(driver.findElements(By.cssSelector("#waterfall .wf-span"))).hasSize(countSpans(trace.get("spans")));
      assertThat(driver.findElement(By.id("waterfall")).getText()).contains(cart);
      WebElement first = driver.findElement(By.cssSelector("#waterfall .wf-span"));
      first.findElement(By.cssSelector("button.wf-label")).click();
      WebElement excerpt = first.findElement(By.cssSelector("pre.excerpt"));
      wait.until(ExpectedConditions.visibilityOf(excerpt));
      String requestLine = trace.at("/spans/0/requestExcerpt").asText().split("\r?\n")[0];
      assertThat(excerpt.getText()).startsWith(requestLine);
      screenshot(driver, "trace.png");

      // Policies: change the cart's payload size from the form, see it in the history, revert it.
      String scope = "service:" + cart;
      driver.get(base + "/ui/#/policies/" + java.net.URLEncoder.encode(scope, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20"));
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("policy-form")));
      driver.findElement(By.id("f-payloadBytes")).sendKeys("512");
      driver.findElement(By.id("f-reason")).sendKeys("more context for the cart");
      driver.findElement(By.cssSelector("#policy-form button[type='submit']")).click();
      wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("policy-status"), "Saved as revision"));
      wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("policy-history"), "more context for the cart"));
      assertThat(getJson("/api/v1/policies/" + encode(scope)).at("/policy/payloadBytes").asInt()).isEqualTo(512);
      // Revert our change (the tuner may have changed the same scope after the confirm).
      By ourChange = By.xpath("//table[@id='policy-history']//tr[contains(., 'more context for the cart')]//button");
      wait.until(ExpectedConditions.elementToBeClickable(ourChange)).click();
      wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("policy-status"), "Reverted"));
      wait.until(d -> d.findElements(By.cssSelector("#policy-history tr.change-row")).size() >= 2);
      assertThat(getJson("/api/v1/policies/" + encode(scope)).at("/policy/payloadBytes").isMissingNode()).isTrue();
      screenshot(driver, "policy-scope.png");
      driver.findElement(By.cssSelector(".crumbs a")).click();
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("scopes")));
      assertThat(driver.findElement(By.id("scopes")).getText()).contains(scope);
      screenshot(driver, "policies.png");

      // The cluster: this one node, up, with its roles.
      driver.findElement(By.cssSelector("a[data-nav='cluster']")).click();
      wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("cluster-health"), "1 of 1 members up"));
      assertThat(driver.findElement(By.id("members")).getText()).contains("Up").contains("api");
      screenshot(driver, "cluster.png");

      // Sign out returns to the login page and forgets the token.
      {
        driver.findElement(By.id("logout")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
        assertThat(((JavascriptExecutor) driver).executeScript("return sessionStorage.getItem('rootline.token')")).isNull();
      }

      List<String> problems = browser.consoleProblems();
      assertThat(problems).as("script errors or refused resources in the browser console").isEmpty();
    }
  }

  // --- the browser

  /** Chromium and its driver, both ours: quit, then their processes stopped by pid, profile deleted. */
  private static final class Browser implements AutoCloseable {
    final ChromeDriverService service;
    final ChromeDriver driver;
    final Path profile;
    final List<ProcessHandle> driverProcesses;

    private Browser(ChromeDriverService service, ChromeDriver driver, Path profile, List<ProcessHandle> driverProcesses) {
      this.service = service;
      this.driver = driver;
      this.profile = profile;
      this.driverProcesses = driverProcesses;
    }

    static Browser start() throws Exception {
      // Both paths given: Selenium Manager has nothing to find or download.
      System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
      Path profile = Files.createTempDirectory("rootline-ui-chromium");
      ChromeDriverService service =
          new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
      ChromeOptions options = new ChromeOptions();
      options.setBinary(CHROMIUM);
      options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
          "--window-size=1400,1000", "--user-data-dir=" + profile, "--no-first-run", "--disable-extensions",
          "--disable-background-networking", "--disable-sync", "--disable-component-update");
      LoggingPreferences logs = new LoggingPreferences();
      logs.enable(LogType.BROWSER, Level.ALL);
      options.setCapability("goog:loggingPrefs", logs);
      ChromeDriver driver;
      try {
        service.start();
        driver = new ChromeDriver(service, options);
      } catch (RuntimeException e) {
        List<ProcessHandle> started = ProcessHandle.current().children().filter(Browser::isDriver).toList();
        service.stop();
        stopAll(started);
        TestCassandra.deleteRecursively(profile);
        throw e;
      }
      List<ProcessHandle> driverProcesses = ProcessHandle.current().children().filter(Browser::isDriver).toList();
      return new Browser(service, driver, profile, driverProcesses);
    }

    private static boolean isDriver(ProcessHandle p) {
      return p.info().command().map(c -> c.endsWith("chromedriver")).orElse(false);
    }

    /** What the page showed when a step failed: its URL, text, console and a screenshot under target/. */
    void dumpForDiagnosis() {
      try {
        System.err.println("UiBrowserIT: failed at " + driver.getCurrentUrl());
        String text = driver.findElement(By.tagName("body")).getText();
        System.err.println("UiBrowserIT: page text: " + text.substring(0, Math.min(3000, text.length())));
        driver.manage().logs().get(LogType.BROWSER).getAll().forEach(e -> System.err.println("UiBrowserIT: console: " + e));
        Files.write(Path.of("target", "ui-failure.png"), driver.getScreenshotAs(OutputType.BYTES));
      } catch (RuntimeException | java.io.IOException e) {
        System.err.println("UiBrowserIT: no diagnosis: " + e);
      }
    }

    List<String> consoleProblems() {
      return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
          .map(LogEntry::getMessage)
          .filter(m -> m.contains("Uncaught") || m.contains("Refused to") || m.contains("SyntaxError"))
          .toList();
    }

    @Override
    public void close() {
      // Chromium's processes are the driver's descendants: note them before the driver goes.
      List<ProcessHandle> all = new java.util.ArrayList<>();
      for (ProcessHandle p : driverProcesses) {
        p.descendants().forEach(all::add);
        all.add(p);
      }
      try {
        driver.quit();
      } catch (RuntimeException e) {
        System.err.println("UiBrowserIT: driver.quit failed: " + e);
      } finally {
        service.stop();
        stopAll(all);
        TestCassandra.deleteRecursively(profile);
      }
    }

    private static void stopAll(List<ProcessHandle> processes) {
      for (ProcessHandle p : processes) {
        if (p.isAlive()) {
          p.destroyForcibly();
        }
      }
      for (ProcessHandle p : processes) {
        try {
          p.onExit().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          System.err.println("UiBrowserIT: process " + p.pid() + " did not exit: " + e);
        }
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> issueLine(WebDriver driver, String issueId) {
    return (Map<String, Object>) ((JavascriptExecutor) driver).executeScript(
        "const r = document.querySelector(\"tr.issue-row[data-issue-id='\" + arguments[0] + \"']\");"
            + "if (!r) return null;"
            + "const p = r.querySelector('.top-cause .prob-text');"
            + "return {text: r.innerText, probability: p ? p.textContent : '', count: r.querySelectorAll('td.num')[1].textContent};",
        issueId);
  }

  private static long count(Map<String, Object> line) {
    return Long.parseLong(((String) line.get("count")).replace(",", ""));
  }

  /** A PNG of the page (the window made as tall as the page, within reason), or of one element. */
  private static void screenshot(WebDriver driver, String name, By... element) throws Exception {
    Dimension before = driver.manage().window().getSize();
    Object height = ((JavascriptExecutor) driver).executeScript("return document.documentElement.scrollHeight");
    int tall = Math.min(2400, Math.max(before.getHeight(), ((Number) height).intValue() + 140));
    driver.manage().window().setSize(new Dimension(before.getWidth(), tall));
    try {
      byte[] png = element.length == 0
          ? ((ChromeDriver) driver).getScreenshotAs(OutputType.BYTES)
          : driver.findElement(element[0]).getScreenshotAs(OutputType.BYTES);
      Files.write(SCREENSHOTS.resolve(name), png);
    } finally {
      driver.manage().window().setSize(before);
    }
  }

  // --- the API and traffic

  private static int countSpans(JsonNode spans) {
    int n = 0;
    for (JsonNode span : spans) {
      n += 1 + countSpans(span.get("children"));
    }
    return n;
  }

  private static void checkouts(int n) throws Exception {
    for (int i = 0; i < n; i++) {
      Curl.get("http://127.0.0.1:" + services.frontendPort + "/checkout");
    }
  }

  private static JsonNode ourIssue() throws Exception {
    for (JsonNode i : getJson("/api/v1/issues?limit=100").get("issues")) {
      if (i.get("title").asText().contains(cart) && i.get("kind").asText().equals("failure")) {
        return i;
      }
    }
    return null;
  }

  private static String encode(String scope) {
    return java.net.URLEncoder.encode(scope, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static <T> T await(Await.Probe<T> probe, Predicate<T> done, String what) throws Exception {
    return Await.until(probe, done, what, WAIT);
  }

  private static JsonNode getJson(String path) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.apiPort() + path))
                .header("Authorization", "Bearer " + TOKEN)
                .timeout(Duration.ofSeconds(30))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    Await.notReadyOn503(r.statusCode(), path, r.body());
    assertThat(r.statusCode()).as(path + " -> " + r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private static long elapsedSeconds(long startedNanos) {
    return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startedNanos);
  }
}
