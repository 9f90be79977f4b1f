/**
 * Cross-cutting pieces of the HTTP API: RFC 9457 problem details for every error, and the
 * request-size limit. Feature packages own their controllers.
 */
package io.countersign.api;
