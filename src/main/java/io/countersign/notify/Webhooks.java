package io.countersign.notify;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Posts a JSON payload to a chat incoming webhook (Slack, Microsoft Teams). Any 2xx is accepted. Failures are
 * reported in words of our own: the HTTP client's messages may contain the URL, and the URL is the credential.
 */
final class Webhooks {

	private final HttpClient http;

	private final NotifyProperties.Delivery limits;

	private final ObjectMapper objectMapper;

	Webhooks(NotifyProperties.Delivery limits, ObjectMapper objectMapper) {
		this.limits = limits;
		this.objectMapper = objectMapper;
		// Redirects are not followed: the payload goes to the configured host or nowhere.
		this.http = HttpClient.newBuilder()
			.connectTimeout(limits.connectTimeout())
			.followRedirects(HttpClient.Redirect.NEVER)
			.build();
	}

	void post(URI webhook, JsonNode payload) throws WebhookException {
		byte[] body;
		try {
			body = this.objectMapper.writeValueAsBytes(payload);
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException("payload is not serializable", ex);
		}
		HttpRequest request = HttpRequest.newBuilder(webhook)
			.timeout(this.limits.readTimeout())
			.header("Content-Type", "application/json; charset=utf-8")
			.POST(HttpRequest.BodyPublishers.ofByteArray(body))
			.build();
		HttpResponse<String> response;
		try {
			response = this.http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
		}
		catch (HttpConnectTimeoutException ex) {
			throw new WebhookException("connect timed out after " + this.limits.connectTimeout());
		}
		catch (HttpTimeoutException ex) {
			throw new WebhookException("no answer within " + this.limits.readTimeout());
		}
		catch (IOException ex) {
			throw new WebhookException("I/O error (" + ex.getClass().getSimpleName() + ")");
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new WebhookException("interrupted");
		}
		if (response.statusCode() / 100 != 2) {
			throw new WebhookException("answered HTTP " + response.statusCode());
		}
	}

	/** Why a webhook did not take a message; the message never contains the URL. */
	static final class WebhookException extends Exception {

		WebhookException(String message) {
			super(message);
		}

	}

}
