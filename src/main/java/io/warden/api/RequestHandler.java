package io.warden.api;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** The daemon's side of the protocol. Must not block: slow work completes the future later. */
public interface RequestHandler {
    CompletableFuture<Map<String, Object>> handle(Request request, Peer peer);
}
