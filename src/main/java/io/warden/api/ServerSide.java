package io.warden.api;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * What a connection uses of its server: the threads, the slots, the counters, the daemon's handler, who peers
 * are, the clock, and the table it leaves when it closes.
 */
record ServerSide(ServerThreads threads, Admission admission, ServerCounters counters, RequestHandler handler,
                  PeerIdentity identity, LongSupplier nanos, Consumer<Connection> closed) {

    /** Hands a request to the daemon; the answer may come later (on any thread). */
    CompletableFuture<Answer> handle(Request req, Peer peer) {
        if (!req.op().changesIntent()) return handler.handle(req, peer);
        // the uid number and the claimed pid only matter where they are recorded, and finding them reads the user
        // database and /proc: on a worker
        CompletableFuture<Answer> result = new CompletableFuture<>();
        threads.offload(() -> handler.handle(req, identity.forControl(peer, req.claimedPid()))
                .whenComplete((a, err) -> {
                    if (err != null) result.completeExceptionally(err);
                    else result.complete(a);
                }));
        return result;
    }
}
