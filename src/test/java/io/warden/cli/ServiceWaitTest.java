package io.warden.cli;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.warden.cli.ServiceWait.SETTLE_NANOS;
import static io.warden.cli.ServiceWait.Verdict.FAILED;
import static io.warden.cli.ServiceWait.Verdict.REACHED;
import static io.warden.cli.ServiceWait.Verdict.WAITING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServiceWaitTest {
    private static Map<String, Object> status(String observed, Long pid) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("service", "gateway");
        m.put("observed", observed);
        m.put("pid", pid);
        m.put("drift", false);
        return m;
    }

    private static Map<String, Object> event(String name, Long pid, Long exitCode) {
        Map<String, Object> m = new HashMap<>();
        m.put("event", name);
        m.put("service", "gateway");
        m.put("pid", pid);
        m.put("exitCode", exitCode);
        return m;
    }

    @Test
    void nothing_is_known_before_a_status() {
        ServiceWait w = new ServiceWait("stop", null);
        w.event(event("gateway-exit", 7L, 0L), 0);
        assertEquals(WAITING, w.verdict(0));
        assertNull(w.last());
    }

    @Test
    void stop_is_reached_by_the_end_of_the_run_it_found_up() {
        ServiceWait w = new ServiceWait("stop", 7L);
        w.status(status("up", 7L), 0);
        assertEquals(WAITING, w.verdict(0));
        w.event(event("gateway-exit", 8L, 0L), 1);
        assertEquals(WAITING, w.verdict(1), "the end of another run is older news");
        assertFalse(w.needsStatus());
        w.event(event("gateway-exit", 7L, 0L), 2);
        assertEquals(WAITING, w.verdict(2), "s6 runs the finish script after the run's end");
        assertEquals("stopping", w.last().get("observed"));
        assertNull(w.last().get("pid"));
        assertTrue(w.needsStatus(), "no event tells when the finish script is over: a status does");
        w.status(status("down", null), 3);
        assertEquals(REACHED, w.verdict(3));
        assertFalse(w.needsStatus());
    }

    @Test
    void stop_of_a_service_without_a_run_is_reached_at_once_but_not_while_one_stops() {
        for (String observed : new String[] {"down", "failed", "starting", "backoff"}) {
            ServiceWait w = new ServiceWait("stop", null);
            w.status(status(observed, null), 0);
            assertEquals(REACHED, w.verdict(0), observed);
        }
        ServiceWait stopping = new ServiceWait("stop", 7L);
        stopping.status(status("stopping", null), 0);
        assertEquals(WAITING, stopping.verdict(0), "its run may still be alive");
        ServiceWait unknown = new ServiceWait("stop", 7L);
        unknown.status(status("unknown", null), 0);
        assertEquals(WAITING, unknown.verdict(0));
    }

    @Test
    void start_counts_once_the_same_run_has_lasted_the_settle_time() {
        ServiceWait w = new ServiceWait("start", null);
        w.status(status("starting", null), 0);
        assertEquals(Long.MAX_VALUE, w.decidesAt());
        w.event(event("gateway-up", 9L, null), 10);
        assertEquals(10 + SETTLE_NANOS, w.decidesAt());
        assertEquals(WAITING, w.verdict(10 + SETTLE_NANOS - 1));
        assertEquals(REACHED, w.verdict(10 + SETTLE_NANOS));
        assertEquals(9L, w.last().get("pid"));
    }

    @Test
    void a_run_that_dies_while_settling_starts_the_settle_time_again_with_the_next() {
        ServiceWait w = new ServiceWait("start", null);
        w.status(status("up", 9L), 0);
        w.event(event("gateway-exit", 9L, 1L), 100);
        assertEquals(WAITING, w.verdict(SETTLE_NANOS));
        assertEquals("starting", w.last().get("observed"));
        w.event(event("gateway-up", 10L, null), SETTLE_NANOS + 1);
        assertEquals(WAITING, w.verdict(2 * SETTLE_NANOS));
        assertEquals(REACHED, w.verdict(2 * SETTLE_NANOS + 1));
    }

    @Test
    void exit_78_fails_a_start_and_says_so_at_once() {
        ServiceWait w = new ServiceWait("start", null);
        w.status(status("up", 9L), 0);
        w.event(event("gateway-exit", 9L, 78L), 5);
        assertEquals(FAILED, w.verdict(5));
        assertEquals(true, w.last().get("drift"));
        ServiceWait already = new ServiceWait("start", null);
        already.status(status("failed", null), 0);
        assertEquals(FAILED, already.verdict(0));
    }

    @Test
    void restart_waits_for_a_run_other_than_the_one_before() {
        ServiceWait w = new ServiceWait("restart", 7L);
        w.status(status("up", 7L), 0);
        assertEquals(WAITING, w.verdict(2 * SETTLE_NANOS));
        w.event(event("gateway-exit", 7L, 0L), 1);
        w.event(event("gateway-up", 8L, null), 2);
        assertEquals(REACHED, w.verdict(2 + SETTLE_NANOS));
    }

    @Test
    void a_held_restart_is_back_off_and_not_drift() {
        ServiceWait w = new ServiceWait("start", null);
        w.status(status("up", 9L), 0);
        w.event(event("gateway-exit", 9L, 1L), 1);
        w.event(event("backoff", null, null), 2);
        assertEquals("backoff", w.last().get("observed"));
        assertEquals(false, w.last().get("drift"));
        assertEquals(WAITING, w.verdict(10 * SETTLE_NANOS));
    }
}
