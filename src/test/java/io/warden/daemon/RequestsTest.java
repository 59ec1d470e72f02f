package io.warden.daemon;

import io.warden.api.AccessPolicy;
import io.warden.api.Answer;
import io.warden.api.Peer;
import io.warden.api.Request;
import io.warden.s6.SupervisorKind;
import io.warden.state.Intent;
import io.warden.state.IntentState;
import io.warden.state.Journal;
import io.warden.state.ServiceState;
import io.warden.state.Versions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A change request handed to the decision loop is answered, also when it comes after the loop's last drain. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RequestsTest {
    private static final Peer ROOT = new Peer(0, "root", "root", 4242L, true);

    @TempDir
    Path dir;

    @Test
    void a_stop_that_comes_after_the_loop_s_last_drain_is_answered_shutting_down() throws Exception {
        LoopQueue loop = new LoopQueue();
        Journal journal = new Journal(dir, Journal.DEFAULT_MAX_BYTES);
        Requests requests = new Requests(new AccessPolicy(null, FileSystems.getDefault().getUserPrincipalLookupService(),
                (g, u) -> false), journal, loop::add, (op, service, peer, reason) -> {
                    throw new AssertionError("the loop has ended: nothing may decide this request");
                }, "gateway", new Watchers(), new MetricsBook(new Versions(null, null), journal));
        ServiceState st = new ServiceState("gateway", Intent.byDefault(IntentState.UP, Instant.now()), null);
        requests.publish(List.of(new Snapshot(st, null, Statuses.up(100), SupervisorKind.S6, 1, Instant.now(),
                List.of(), false)), List.of());
        // the daemon's end: the loop has drained for the last time, and only then does the request come in
        assertTrue(loop.close().isEmpty());
        Answer a = requests.handle(Request.parse("{\"v\":1,\"op\":\"stop\"}"), ROOT).get(5, TimeUnit.SECONDS);
        assertTrue(a.toString().contains("\"shutting-down\""), a.toString());
        requests.close();
    }
}
