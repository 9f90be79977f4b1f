/**
 * Playbook {@code model-change}: BPMN, DMN and forms reach the engine as change requests. An admin submits files;
 * Countersign stages them as a complete model set with a diff against what runs now (rules changed, quorums or groups
 * lowered, elements added); a member of the configured group who did not ask approves that exact set by its
 * fingerprint through the approval gate; only then is it deployed, with the approvers and the diff in the ledger.
 */
package io.countersign.modelchange;
