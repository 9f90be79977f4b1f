/**
 * What a tool server (a service an AI agent calls) needs to check a Countersign approval receipt before it executes
 * a tool call: {@link io.countersign.toolserver.ToolCallVerifier}, built on the JDK alone so that it can be copied into
 * a tool server without bringing this service's dependencies along. The server computes argument fingerprints with
 * the same class, so both sides agree byte for byte.
 *
 * <pre>{@code
 * ToolCallVerifier verifier = ToolCallVerifier.builder(URI.create("https://countersign.example.com"))
 *     .credentials("payments-api", System.getenv("COUNTERSIGN_SECRET"))
 *     .build();
 * try {
 *     verifier.verify(receiptHeader, "payments.refund", argumentsJson, ToolCallVerifier.Use.SINGLE, "payments:refund");
 *     return refunds.execute(argumentsJson);
 * }
 * catch (ToolCallVerifier.Refused ex) {
 *     return forbidden(ex.reason());
 * }
 * }</pre>
 */
package io.countersign.toolserver;
