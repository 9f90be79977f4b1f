package io.countersign.support;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through its chromedriver, with the flags the browser tests use, a throwaway
 * profile, and evidence (screenshot, page source) under {@code target/browser/}. {@link Required} skips a test class
 * without Chromium locally and fails it in CI ({@code CI=true}).
 */
public final class HeadlessChromium implements AutoCloseable {

	public static final Path CHROMIUM = Path.of("/usr/bin/chromium");

	public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

	public static final Path EVIDENCE = Path.of("target", "browser");

	/** Selenium warns when it has no DevTools binding for this Chromium; WebDriver alone is used here. */
	private static final List<Logger> QUIET = Stream
		.of("org.openqa.selenium.devtools.CdpVersionFinder", "org.openqa.selenium.chromium.ChromiumDriver")
		.map(Logger::getLogger)
		.peek(logger -> logger.setLevel(Level.SEVERE))
		.toList();

	private final WebDriver driver;

	private final Path profile;

	private HeadlessChromium(WebDriver driver, Path profile) {
		this.driver = driver;
		this.profile = profile;
	}

	public static HeadlessChromium start() {
		try {
			Files.createDirectories(EVIDENCE);
			Path profile = Files.createTempDirectory("countersign-chromium-");
			ChromeOptions options = new ChromeOptions();
			options.setBinary(CHROMIUM.toFile());
			options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
					"--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
					"--disable-sync", "--window-size=1400,1100", "--user-data-dir=" + profile);
			// An explicit driver: Selenium Manager must never try to download one.
			ChromeDriverService service = new ChromeDriverService.Builder()
				.usingDriverExecutable(new File(CHROMEDRIVER.toString()))
				.usingAnyFreePort()
				.build();
			return new HeadlessChromium(new ChromeDriver(service, options), profile);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	public WebDriver driver() {
		return this.driver;
	}

	/** A wait that polls every 100 ms and ignores AngularJS re-rendering an element under it. */
	public WebDriverWait waiting(Duration timeout) {
		WebDriverWait wait = new WebDriverWait(this.driver, timeout, Duration.ofMillis(100));
		wait.ignoring(StaleElementReferenceException.class);
		return wait;
	}

	/** A screenshot and the page source under {@code target/browser/<name>.*}; best effort. */
	public void saveEvidence(String name) {
		try {
			Files.write(EVIDENCE.resolve(name + ".png"), ((TakesScreenshot) this.driver).getScreenshotAs(OutputType.BYTES));
			Files.writeString(EVIDENCE.resolve(name + ".html"),
					"<!-- " + this.driver.getCurrentUrl() + " -->\n" + this.driver.getPageSource());
		}
		catch (IOException | RuntimeException ex) {
			System.err.println("Could not save evidence " + name + ": " + ex);
		}
	}

	@Override
	public void close() {
		try {
			this.driver.quit();
		}
		finally {
			try (Stream<Path> paths = Files.walk(this.profile)) {
				for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
					Files.deleteIfExists(path);
				}
			}
			catch (IOException | RuntimeException ex) {
				System.err.println("Could not delete " + this.profile + ": " + ex);
			}
		}
	}

	/** Decided before Spring starts: skipped without Chromium, except in CI, where that fails. */
	public static final class Required implements ExecutionCondition {

		@Override
		public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
			if (Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) {
				return ConditionEvaluationResult.enabled(CHROMIUM + " and " + CHROMEDRIVER + " are present");
			}
			String missing = CHROMIUM + " or " + CHROMEDRIVER
					+ " is missing: install Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)";
			if ("true".equalsIgnoreCase(System.getenv("CI"))) {
				throw new IllegalStateException("CI=true but " + missing);
			}
			return ConditionEvaluationResult.disabled("Browser test skipped: " + missing);
		}

	}

}
