/**
 * The approval gate. Enforcement lives in the engine: a task listener refuses any completion
 * that breaks a rule, whichever channel completed the task (Tasklist, engine-rest, our API),
 * and an execution guard re-checks the approval against the staged action right before apply.
 */
package io.countersign.gate;
