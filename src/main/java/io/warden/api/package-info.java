/**
 * The unix socket: the protocol (one JSON request line, one answer line), the server's loop and its connections
 * (each in an explicit {@code ConnectionPhase}), admission (connection quotas, privileged reserves, watcher and
 * streamed-answer slots), a watcher's bounded buffer, the idle sweep, peer identity from SO_PEERCRED and the
 * access policy, and the socket's file and folder (used only when no other user can change them).
 */
package io.warden.api;
