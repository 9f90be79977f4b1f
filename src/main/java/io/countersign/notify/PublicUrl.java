package io.countersign.notify;

import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.stereotype.Component;

/**
 * The address people reach Countersign at, for every link that leaves the server (chat, e-mail, the API's Tasklist
 * link). {@code countersign.public-url} ({@code COUNTERSIGN_PUBLIC_URL}) when set; otherwise derived from the running
 * server: http or https as {@code server.ssl.enabled} says, this machine's host name, the port the server actually
 * listens on and {@code server.servlet.context-path}. Never from a request's Host header: the first caller would
 * choose where every later link points.
 */
@Component
public class PublicUrl implements ApplicationListener<WebServerInitializedEvent> {

	private static final Logger log = LoggerFactory.getLogger(PublicUrl.class);

	private final String configured;

	private final String tasklistOverride;

	private final String webappPath;

	private final String engineName;

	private final String scheme;

	private final String contextPath;

	/** The port for the derived base: the configured one until the server reports the one it listens on. */
	private volatile int port;

	/** Derived on first use: looking up the host name is pointless when the public URL is configured. */
	private volatile String derived;

	PublicUrl(@Value("${countersign.public-url:}") String configured,
			@Value("${countersign.tasklist.base-url:}") String tasklistOverride,
			@Value("${camunda.bpm.webapp.application-path:/camunda}") String webappPath,
			@Value("${camunda.bpm.process-engine-name:default}") String engineName,
			@Value("${server.ssl.enabled:false}") boolean ssl, @Value("${server.port:8080}") int port,
			@Value("${server.servlet.context-path:}") String contextPath) {
		this.configured = configured.isBlank() ? null : base("countersign.public-url", configured);
		this.tasklistOverride = tasklistOverride.isBlank() ? null
				: base("countersign.tasklist.base-url", tasklistOverride) + "/";
		this.webappPath = path(webappPath);
		this.engineName = engineName;
		this.scheme = ssl ? "https" : "http";
		this.contextPath = path(contextPath);
		this.port = port;
	}

	/** The base URL without a trailing slash, e.g. {@code https://countersign.example.com}. */
	public String base() {
		if (this.configured != null) {
			return this.configured;
		}
		String base = this.derived;
		if (base == null) {
			base = derive(this.port);
			this.derived = base;
		}
		return base;
	}

	/** Tasklist's start page, with a trailing slash. */
	public String tasklist() {
		if (this.tasklistOverride != null) {
			return this.tasklistOverride;
		}
		return base() + this.webappPath + "/app/tasklist/" + this.engineName + "/";
	}

	/** The Tasklist deep link that opens one task. */
	public String task(String taskId) {
		return tasklist() + "#/?task=" + URLEncoder.encode(taskId, StandardCharsets.UTF_8);
	}

	/** A response in the API. */
	public String response(String responseId) {
		return base() + "/api/v1/responses/" + URLEncoder.encode(responseId, StandardCharsets.UTF_8);
	}

	@Override
	public void onApplicationEvent(WebServerInitializedEvent event) {
		String namespace = event.getApplicationContext().getServerNamespace();
		if (namespace != null && !namespace.isEmpty()) {
			// The management server on a port of its own: nobody opens a task there.
			return;
		}
		this.port = event.getWebServer().getPort();
		if (this.configured == null) {
			this.derived = derive(this.port);
			log.info("countersign.public-url is not set; links in notifications point to {} (set COUNTERSIGN_PUBLIC_URL"
					+ " to the address people reach Countersign at)", this.derived);
		}
	}

	private String derive(int port) {
		return this.scheme + "://" + hostName() + (port > 0 ? ":" + port : "") + this.contextPath;
	}

	private static String hostName() {
		try {
			String name = InetAddress.getLocalHost().getHostName();
			return name == null || name.isBlank() ? "localhost" : name;
		}
		catch (UnknownHostException ex) {
			return "localhost";
		}
	}

	/** An absolute http(s) URL without query or fragment, trailing slashes removed; anything else fails the start. */
	static String base(String property, String url) {
		URI uri;
		try {
			uri = URI.create(url.strip());
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalStateException(property + " is not a URL: '" + url + "'");
		}
		if (!uri.isAbsolute() || uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null
				|| !("https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme()))) {
			throw new IllegalStateException(property + " must be an absolute http(s) URL without query or fragment,"
					+ " not '" + url + "'");
		}
		String text = uri.toString();
		while (text.endsWith("/")) {
			text = text.substring(0, text.length() - 1);
		}
		return text;
	}

	private static String path(String path) {
		String stripped = path == null ? "" : path.strip();
		while (stripped.endsWith("/")) {
			stripped = stripped.substring(0, stripped.length() - 1);
		}
		return stripped.isEmpty() || stripped.startsWith("/") ? stripped : "/" + stripped;
	}

}
