package io.warden.api;

import java.util.concurrent.CompletableFuture;

/** The daemon's side of the protocol. Must not block: slow work completes the future later. */
public interface RequestHandler {
    CompletableFuture<Answer> handle(Request request, Peer peer);
}
