package io.countersign.api;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;

import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;

/**
 * Tomcat refuses some requests before any servlet sees them (an encoded NUL or a malformed path, a header it cannot
 * parse) and answers them with an HTML page of its own. This valve writes those as problem+json instead, with no server
 * details, so a client of the API never has to parse HTML. Public because Tomcat instantiates it by class name.
 */
public class ProblemErrorReportValve extends ErrorReportValve {

	@Override
	protected void report(Request request, Response response, Throwable throwable) {
		int status = response.getStatus();
		if (status < 400 || response.getContentWritten() > 0) {
			return;
		}
		HttpStatus known = HttpStatus.resolve(status);
		String title = known != null ? known.getReasonPhrase() : "Error";
		try {
			response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
			response.setCharacterEncoding(StandardCharsets.UTF_8.name());
			Writer writer = response.getReporter();
			if (writer != null) {
				writer.write("{\"type\":\"about:blank\",\"title\":\"" + title + "\",\"status\":" + status
						+ ",\"detail\":\"The server refused the request before reading it: " + title + "\"}");
				response.finishResponse();
			}
		}
		catch (IOException | IllegalStateException ex) {
			// The client is gone or the response was committed meanwhile: nothing left to tell it.
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class Registration {

		@Bean
		WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemErrorReports() {
			return factory -> factory.addContextCustomizers(context -> {
				if (context.getParent() instanceof StandardHost host) {
					host.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
				}
			});
		}

	}

}
