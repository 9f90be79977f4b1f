/**
 * Who may approve is itself governed: every change to users, groups, memberships, authorizations and deployments is
 * a ledger entry with its actor, and memberships carry when and by whom they were granted, so the gate can refuse an
 * approval by someone put into the approving group after the request, or by the requester.
 */
package io.countersign.governance;
