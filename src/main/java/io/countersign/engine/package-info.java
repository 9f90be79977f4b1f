/**
 * Hardening of the embedded engine: what a deployed diagram may run. A deployment is code that the engine executes
 * (expressions, listeners, scripts), so diagrams reach only the beans that BPMN needs and nothing beyond them. And what
 * engine-rest serves: with {@code countersign.engine-rest.allow-list} on (the {@code prod} default), only the endpoints
 * of {@code docs/engine-rest.md}.
 */
package io.countersign.engine;
