/**
 * The agent tool-call gate: an AI agent asks before a sensitive tool call, a reviewer approves that exact call (or
 * a standing grant does), and the tool server checks the signed receipt with
 * {@link io.countersign.toolserver.ToolCallVerifier}.
 */
package io.countersign.agent;
