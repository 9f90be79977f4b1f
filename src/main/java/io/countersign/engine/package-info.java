/**
 * Hardening of the embedded engine: what a deployed diagram may run. A deployment is code that the engine executes
 * (expressions, listeners, scripts), so diagrams reach only the beans that BPMN needs and nothing beyond them.
 */
package io.countersign.engine;
