package io.warden.cli;

import io.warden.daemon.Snapshot;
import io.warden.json.Json;
import io.warden.s6.SupervisorKind;
import io.warden.s6.SupervisorStatus;
import io.warden.state.ImportOrigin;
import io.warden.state.Intent;
import io.warden.state.IntentState;
import io.warden.state.ServiceState;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The human status text, from the status document the daemon sends (built by the real {@link Snapshot}). */
class StatusViewTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:15:30Z");
    private static final SupervisorStatus UP = new SupervisorStatus(T0, "@400000006b09f7fd3889c4fe", T0, 7325, 0, 0,
            false, false, true, false);

    /** The document as the client receives it: encoded and parsed again. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> wire(Snapshot s) throws Exception {
        return (Map<String, Object>) Json.parse(Json.write(s.toJson()));
    }

    private static Snapshot snapshot(Intent intent, boolean stateUnusable) {
        ServiceState st = new ServiceState("dashboard", intent, null);
        return new Snapshot(st, null, UP, SupervisorKind.S6_OVERLAY, 99, T0,
                stateUnusable ? List.of("state directory /state is not writable") : List.of(), false, false, UP,
                false, stateUnusable);
    }

    @Test
    void an_imported_intent_names_the_file_it_came_from_not_a_null_uid() throws Exception {
        Intent imported = Intent.imported(IntentState.UP, T0, "hermes desired_state running",
                new ImportOrigin("hermes", "/opt/data/gateway_state.json", Map.of("desired_state", "\"running\"")));
        String out = StatusView.render(wire(snapshot(imported, false)));
        assertFalse(out.contains("null"), out);
        assertTrue(out.contains("intent: up, set by import from /opt/data/gateway_state.json at "), out);
    }

    @Test
    void a_user_intent_names_its_uid_and_pid() throws Exception {
        String out = StatusView.render(wire(snapshot(Intent.byUser(IntentState.UP, T0, 1000, 4242L, null), false)));
        assertTrue(out.contains("set by user uid 1000 pid 4242 at "), out);
    }

    @Test
    void a_service_up_as_wanted_on_a_volume_warden_cannot_write_is_not_converging() throws Exception {
        String out = StatusView.render(wire(snapshot(Intent.byUser(IntentState.UP, T0, 0, 1L, null), true)));
        assertTrue(out.startsWith("dashboard: up (desired up)  UNHEALTHY: warden cannot record intents"), out);
        assertFalse(out.contains("converging"), out);
    }

    @Test
    void a_service_whose_intent_cannot_be_read_is_not_converging() throws Exception {
        ServiceState st = new ServiceState("dashboard", Intent.byUser(IntentState.UP, T0, 0, 1L, null), null);
        Snapshot s = new Snapshot(st, null, UP, SupervisorKind.S6_OVERLAY, 99, T0, List.of(), false, false, UP, false,
                false, new io.warden.state.Versions(null, null),
                new Snapshot.Placement(null, List.of(), "permission denied: /state/dashboard.json"));
        String out = StatusView.render(wire(s));
        assertTrue(out.startsWith("dashboard: up (desired unknown)  UNHEALTHY: its intent cannot be read"), out);
    }

    @Test
    void a_healthy_service_has_nothing_after_its_header() throws Exception {
        String out = StatusView.render(wire(snapshot(Intent.byUser(IntentState.UP, T0, 0, 1L, null), false)));
        assertTrue(out.startsWith("dashboard: up (desired up)\n"), out);
    }
}
