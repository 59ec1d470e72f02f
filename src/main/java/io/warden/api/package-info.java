/**
 * The unix socket: the protocol (one JSON request line, one answer line), the server and its connections,
 * admission (connection quotas, privileged reserves), peer identity from SO_PEERCRED and the access policy.
 */
package io.warden.api;
