/**
 * The unix socket: the protocol (one JSON request line, one answer line), the server and its connections,
 * admission (connection quotas, privileged reserves), peer identity from SO_PEERCRED and the access policy, and
 * the socket's file and folder (used only when no other user can change them).
 */
package io.warden.api;
