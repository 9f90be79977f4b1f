/**
 * The approval gate every playbook calls ({@code bpmn/approval-gate.bpmn}). The DMN policy decides who approves,
 * how many distinct people and by when; a task listener refuses any completion that breaks a rule, whichever
 * channel completed the task (Tasklist, engine-rest, our API); the quorum is counted from the append-only decision
 * store, never from process variables; and the execution guard counts it again for the exact action right before
 * apply. A reached quorum gets a signed receipt that the connector spends.
 */
package io.countersign.gate;
