/**
 * Where new secret material goes: a rotation creates it, the target keeps it, consumers receive it through a secret
 * sink, and Countersign keeps only its fingerprint. Material never reaches our database, process variables, logs,
 * ledger, receipts, API answers or exception messages.
 */
package io.countersign.secret;
