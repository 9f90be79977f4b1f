package io.countersign.api;

import java.util.Map;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springdoc.core.customizers.OpenApiCustomizer;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;

/**
 * The OpenAPI document at {@code /v3/api-docs}, written for client generators: stable operation ids (on the
 * controllers), both ways to authenticate, and every error an operation can answer with its problem+json body. The
 * errors every operation shares (401, 403, 406, 500, 503, and for a body 400, 413, 415) are added here rather than
 * repeated on each controller; a controller declares only the errors of its own.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

	static final String BASIC = "basicAuth";

	static final String BEARER = "bearerAuth";

	static final String PROBLEM = "Problem";

	static final String PROBLEM_JSON = org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON_VALUE;

	private static final String API_PREFIX = "/api/";

	private static final Map<String, String> SHARED_ERRORS = Map.of(
			"401", "No credentials, or wrong ones: HTTP Basic, or a bearer JWT of the configured identity provider",
			"403", "None of the caller's groups may call this operation",
			"406", "The Accept header admits none of the operation's media types",
			"500", "Internal error; the server log has the details",
			"503", "The database is unreachable and nothing was stored; retry after Retry-After seconds");

	private static final Map<String, String> BODY_ERRORS = Map.of(
			"400", "The request is malformed or a field is invalid; field (or fields) names it by its JSON name",
			"413", "The request body is larger than the limit", "415",
			"The request body is not application/json");

	@Bean
	OpenAPI countersignOpenApi(ObjectProvider<BuildProperties> build) {
		BuildProperties properties = build.getIfAvailable();
		String version = properties != null ? properties.getVersion() : "unknown";
		return new OpenAPI()
			.info(new Info().title("Countersign")
				.version(version)
				.description("A human approval between automation and high-impact security actions on non-human "
						+ "identities and AI agents. Every error is RFC 9457 application/problem+json.")
				.license(new License().name("Apache-2.0").url("https://www.apache.org/licenses/LICENSE-2.0")))
			.components(new Components()
				.addSecuritySchemes(BASIC,
						new SecurityScheme().type(SecurityScheme.Type.HTTP)
							.scheme("basic")
							.description("A Countersign user (the embedded default's identity service)"))
				.addSecuritySchemes(BEARER,
						new SecurityScheme().type(SecurityScheme.Type.HTTP)
							.scheme("bearer")
							.bearerFormat("JWT")
							.description("An access token of the configured OpenID Connect provider (profile keycloak)")))
			// Two requirements: either scheme is enough.
			.addSecurityItem(new SecurityRequirement().addList(BASIC))
			.addSecurityItem(new SecurityRequirement().addList(BEARER));
	}

	@Bean
	OpenApiCustomizer problemResponses() {
		return openApi -> {
			// Here rather than on the OpenAPI bean: springdoc replaces the schemas with those it generates.
			if (openApi.getComponents() == null) {
				openApi.setComponents(new Components());
			}
			openApi.getComponents().addSchemas(PROBLEM, problemSchema());
			if (openApi.getPaths() == null) {
				return;
			}
			openApi.getPaths().forEach((path, item) -> {
				if (path.startsWith(API_PREFIX)) {
					item.readOperationsMap().forEach((method, operation) -> describeErrors(item, method, operation));
				}
			});
		};
	}

	private static void describeErrors(PathItem item, PathItem.HttpMethod method, Operation operation) {
		ApiResponses responses = operation.getResponses() == null ? new ApiResponses() : operation.getResponses();
		operation.setResponses(responses);
		SHARED_ERRORS.forEach((code, description) -> {
			if (!code.equals("406") || negotiated(responses)) {
				addIfAbsent(responses, code, description);
			}
		});
		boolean hasInput = operation.getRequestBody() != null
				|| (operation.getParameters() != null && !operation.getParameters().isEmpty())
				|| (item.getParameters() != null && !item.getParameters().isEmpty());
		if (operation.getRequestBody() != null) {
			BODY_ERRORS.forEach((code, description) -> addIfAbsent(responses, code, description));
		}
		else if (hasInput) {
			addIfAbsent(responses, "400", "A parameter is invalid; field names it");
		}
		responses.forEach((code, response) -> {
			if (code.length() == 3 && (code.charAt(0) == '4' || code.charAt(0) == '5')) {
				response.setContent(new Content().addMediaType(PROBLEM_JSON,
						new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + PROBLEM))));
				if (response.getDescription() == null || response.getDescription().isBlank()) {
					HttpStatus status = HttpStatus.resolve(Integer.parseInt(code));
					response.setDescription(status != null ? status.getReasonPhrase() : "Error");
				}
			}
		});
		ApiResponse unauthorized = responses.get("401");
		if (unauthorized != null) {
			unauthorized.addHeaderObject("WWW-Authenticate", new Header().schema(new StringSchema())
				.description("The scheme to authenticate with"));
		}
		ApiResponse unavailable = responses.get("503");
		if (unavailable != null) {
			unavailable.addHeaderObject("Retry-After", new Header().schema(new IntegerSchema())
				.description("Seconds to wait before retrying"));
		}
	}

	/**
	 * Whether Spring chooses the answer's media type from Accept (JSON bodies), so that a request accepting none of
	 * them gets 406; the audit export writes its JSON lines whatever was asked.
	 */
	private static boolean negotiated(ApiResponses responses) {
		return responses.entrySet()
			.stream()
			.filter(response -> response.getKey().startsWith("2"))
			.anyMatch(response -> response.getValue().getContent() != null
					&& response.getValue().getContent().containsKey(
							org.springframework.http.MediaType.APPLICATION_JSON_VALUE));
	}

	private static void addIfAbsent(ApiResponses responses, String code, String description) {
		if (!responses.containsKey(code)) {
			responses.addApiResponse(code, new ApiResponse().description(description));
		}
	}

	/** RFC 9457, with the members our API adds. */
	private static Schema<?> problemSchema() {
		return new ObjectSchema().description("RFC 9457 problem details")
			.addProperty("type", new StringSchema().format("uri-reference").example("about:blank"))
			.addProperty("title", new StringSchema().example("Bad Request"))
			.addProperty("status", new IntegerSchema().example(400))
			.addProperty("detail", new StringSchema().description("What is wrong, for a person to read"))
			.addProperty("instance", new StringSchema().format("uri-reference").description("The request path"))
			.addProperty("field",
					new StringSchema().description("The field, header or query parameter at fault, by its API name"))
			.addProperty("fields", new ArraySchema().items(new StringSchema())
				.description("Every field at fault, when validation found several"))
			.addProperty("rule", new StringSchema().description("The gate's rule that refused the request"))
			.addProperty("reason", new StringSchema().description("Why a tool-call use was refused"))
			.additionalProperties(Boolean.TRUE);
	}

}
