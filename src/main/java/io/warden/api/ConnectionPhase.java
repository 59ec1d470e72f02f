package io.warden.api;

/**
 * Where one connection is in its life, in the manner of s6-supervise's state table: each event of the selector
 * (readable, writable, an answer or a fill come back, the idle sweep) is handled by what the phase allows.
 * <pre>
 * IDENTIFYING  accepted; its peer is looked up on a worker     -> READING (admitted) | CLOSED (refused, unknown)
 * READING      admitted; bytes of a request are gathered       -> HANDLING | ANSWERING | CLOSING | CLOSED
 * HANDLING     a request is with the daemon; reading pauses    -> ANSWERING | WATCHING
 * ANSWERING    the answer (or its blocks) goes out              -> READING | CLOSED
 * WATCHING     a subscription: the feed's lines go out          -> CLOSING (the stream ended) | CLOSED
 * CLOSING      a last answer goes out, then output half-closes -> DRAINING | CLOSED
 * DRAINING     answered; input is discarded until the peer ends -> CLOSED
 * CLOSED       every slot it held is given back
 * </pre>
 * One request is served at a time: no new one is read while an answer waits to be taken, so a client that sends
 * without reading stalls itself, not the daemon's memory.
 */
enum ConnectionPhase {
    IDENTIFYING, READING, HANDLING, ANSWERING, WATCHING, CLOSING, DRAINING, CLOSED;

    /** Whether a new request may be taken from what was read. */
    boolean takesRequests() {
        return this == READING;
    }

    /** Whether what the peer sends is only read to learn that it went away. */
    boolean discardsInput() {
        return this == WATCHING || this == DRAINING;
    }
}
