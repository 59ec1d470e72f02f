package io.warden.daemon;

import io.warden.json.Json;
import io.warden.s6.SupervisorKind;
import io.warden.s6.SupervisorStatus;
import io.warden.state.Intent;
import io.warden.state.IntentState;
import io.warden.state.LastShutdown;
import io.warden.state.ServiceState;
import io.warden.state.ShutdownCause;
import org.junit.jupiter.api.Test;

import static io.warden.daemon.Statuses.status;
import static io.warden.daemon.Statuses.STAMP;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnapshotTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:15:30Z");

    private static final SupervisorStatus UP = status(7325, 0, false, true);
    private static final SupervisorStatus DOWN = status(0, 15, false, false);
    private static final SupervisorStatus STARTING = status(0, 1 << 8, false, true);
    private static final SupervisorStatus FINISHING = status(7400, 15, true, false);

    private static Snapshot snap(IntentState desired, SupervisorStatus s, LastShutdown last, boolean backoff) {
        ServiceState st = new ServiceState("gateway", Intent.byUser(desired, T0, 1000, 4242L, "because"), last);
        return new Snapshot(st, last, s, SupervisorKind.S6_OVERLAY, 99, T0, List.of(), backoff);
    }

    private static Snapshot snap(IntentState desired, SupervisorStatus s) {
        return snap(desired, s, null, false);
    }

    @Test
    void healthy_iff_observed_matches_desired() {
        assertTrue(snap(IntentState.UP, UP).healthy());
        assertFalse(snap(IntentState.UP, DOWN).healthy());
        assertFalse(snap(IntentState.UP, STARTING).healthy());
        assertFalse(snap(IntentState.UP, null).healthy());
        assertTrue(snap(IntentState.DOWN, DOWN).healthy());
        assertFalse(snap(IntentState.DOWN, UP).healthy());
        assertFalse(snap(IntentState.DOWN, FINISHING).healthy());
        assertFalse(snap(IntentState.DOWN, null).healthy());
    }

    @Test
    void backoff_replaces_any_observed_state_but_up() {
        assertEquals(Observed.BACKOFF, snap(IntentState.UP, STARTING, null, true).observed());
        assertFalse(snap(IntentState.UP, STARTING, null, true).healthy());
        assertEquals(Observed.UP, snap(IntentState.UP, UP, null, true).observed());
    }

    @Test
    void pid_is_a_number_only_when_up() {
        assertEquals(7325L, snap(IntentState.UP, UP).toJson().get("pid"));
        // while finish runs s6 reports finish's pid: not the gateway's
        assertNull(snap(IntentState.DOWN, FINISHING).toJson().get("pid"));
        assertNull(snap(IntentState.UP, DOWN).toJson().get("pid"));
        assertNull(snap(IntentState.UP, null).toJson().get("pid"));
        assertNull(snap(IntentState.DOWN, status(7325, 0, false, false)).toJson().get("pid"), "stopping");
    }

    @Test
    @SuppressWarnings("unchecked")
    void json_has_the_contract_s_keys_and_words() throws Exception {
        LastShutdown last = new LastShutdown(ShutdownCause.SIGNAL, "SIGTERM", T0, null, "container stop");
        Map<String, Object> m = snap(IntentState.UP, UP, last, false).toJson();
        // what a client sees: through the writer and back
        Map<String, Object> j = Json.parseObject(Json.write(m));
        for (String k : List.of("service", "desired", "observed", "pid", "intent", "lastShutdown", "supervisor")) {
            assertTrue(j.containsKey(k), "key " + k + " in " + j.keySet());
        }
        assertEquals("gateway", j.get("service"));
        assertEquals("up", j.get("desired"));
        assertEquals("up", j.get("observed"));
        assertEquals(7325L, j.get("pid"));
        assertEquals("s6-overlay", j.get("supervisor"));
        Map<String, Object> intent = (Map<String, Object>) j.get("intent");
        for (String k : List.of("state", "source", "at", "uid", "reason")) {
            assertTrue(intent.containsKey(k), "intent." + k + " in " + intent.keySet());
        }
        assertEquals("up", intent.get("state"));
        assertEquals("user", intent.get("source"));
        assertEquals("2026-03-01T10:15:30Z", intent.get("at"));
        assertEquals(1000L, intent.get("uid"));
        assertEquals("because", intent.get("reason"));
        Map<String, Object> ls = (Map<String, Object>) j.get("lastShutdown");
        assertEquals("signal", ls.get("cause"));
        assertEquals("SIGTERM", ls.get("signal"));
        assertEquals("2026-03-01T10:15:30Z", ls.get("at"));
        assertEquals(Boolean.TRUE, j.get("healthy"));
    }

    @Test
    void json_with_nothing_recorded_and_no_status() throws Exception {
        Map<String, Object> j = Json.parseObject(Json.write(snap(IntentState.DOWN, null).toJson()));
        assertTrue(j.containsKey("lastShutdown"));
        assertNull(j.get("lastShutdown"));
        assertTrue(j.containsKey("pid"));
        assertNull(j.get("pid"));
        assertEquals("unknown", j.get("observed"));
        assertEquals("down", j.get("desired"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void down_gateway_reports_its_last_exit() {
        Map<String, Object> m = snap(IntentState.DOWN, DOWN).toJson();
        Map<String, Object> exit = (Map<String, Object>) m.get("lastExit");
        assertEquals("SIGTERM", exit.get("signal"));
        assertNull(exit.get("exitCode"));
        assertEquals(STAMP.toString(), exit.get("at"));
        assertEquals(Boolean.FALSE, m.get("drift"));
        assertEquals(Boolean.TRUE, snap(IntentState.UP, DOWN).toJson().get("drift"));
        assertEquals(Boolean.FALSE, snap(IntentState.UP, STARTING).toJson().get("drift"), "converging, no drift");
    }

    @Test
    void a_service_that_never_ran_has_no_last_exit() {
        // s6-supervise started with ./down: pid 0, wait status 0, "down and ready"; no run ever ended
        SupervisorStatus neverRan = Statuses.status(0, 0, false, false);
        Snapshot snap = new Snapshot(snap(IntentState.DOWN, null).state(), null, neverRan, SupervisorKind.S6, 99, T0,
                List.of(), false, false, null, false, false);
        assertNull(snap.toJson().get("lastExit"));
        assertFalse(snap.toJson().containsKey("lastExit"));
    }

    @Test
    void a_state_volume_warden_cannot_write_makes_the_check_unhealthy_but_is_no_drift() {
        Snapshot matching = new Snapshot(snap(IntentState.UP, null).state(), null, Statuses.up(7), SupervisorKind.S6, 99,
                T0, List.of("state directory /v is not writable"), false, false, null, false, true);
        assertEquals(false, matching.healthy(), "intents can be neither read nor recorded: unhealthy");
        assertEquals(true, matching.matchesIntent());
        assertEquals(false, matching.toJson().get("drift"), "s6 does what the (default) intent says");
        assertEquals(false, matching.toJson().get("healthy"));
    }
    private static Snapshot placed(IntentState desired, SupervisorStatus s, Snapshot.Placement placement) {
        return new Snapshot(snap(desired, null).state(), null, s, SupervisorKind.S6_OVERLAY, 99, T0, List.of(), false,
                false, null, false, false, new io.warden.state.Versions(null, null), placement);
    }

    @Test
    void a_held_service_is_down_healthy_and_no_drift_its_own_intent_unchanged() {
        Snapshot held = placed(IntentState.UP, DOWN, new Snapshot.Placement("s6-rc", List.of("counter"), null));
        Map<String, Object> j = held.toJson();
        assertEquals(true, held.healthy(), "down because what it depends on is stopped: healthy");
        assertEquals("up", j.get("desired"), "its own intent stays up");
        assertEquals(List.of("counter"), j.get("heldBy"));
        assertEquals(false, j.get("drift"));
        assertEquals("s6-rc", j.get("definedBy"));
        Snapshot runningWhileHeld = placed(IntentState.UP, UP, new Snapshot.Placement("s6-rc", List.of("counter"), null));
        assertEquals(false, runningWhileHeld.healthy(), "running while held is not what is asked");
    }

    @Test
    void an_intent_that_cannot_be_read_is_unknown_and_unhealthy_whatever_s6_shows() {
        for (SupervisorStatus s : new SupervisorStatus[] {UP, DOWN}) {
            Snapshot unknown = placed(IntentState.DOWN, s,
                    new Snapshot.Placement("template", List.of(), "/v/gateway.json: permission denied"));
            Map<String, Object> j = unknown.toJson();
            assertEquals("unknown", j.get("desired"));
            assertEquals(false, j.get("healthy"));
            assertEquals(false, j.get("drift"), "no intent, so no drift from it");
            @SuppressWarnings("unchecked")
            Map<String, Object> intent = (Map<String, Object>) j.get("intent");
            assertEquals("unknown", intent.get("state"));
            assertEquals("/v/gateway.json: permission denied", intent.get("reason"));
        }
    }
}
