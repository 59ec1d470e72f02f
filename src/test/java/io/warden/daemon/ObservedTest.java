package io.warden.daemon;

import io.warden.s6.SupervisorStatus;
import io.warden.state.IntentState;
import org.junit.jupiter.api.Test;

import static io.warden.daemon.Statuses.status;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ObservedTest {
    @Test
    void no_status_is_unknown() {
        assertEquals(Observed.UNKNOWN, Observed.derive(null));
    }

    @Test
    void running_and_wanted_is_up() {
        assertEquals(Observed.UP, Observed.derive(status(7325, 0, false, true)));
        // s6 keeps the previous death's wstat while the new run is up
        assertEquals(Observed.UP, Observed.derive(status(7325, 78 << 8, false, true)));
    }

    @Test
    void finish_running_while_wanted_up_is_starting() {
        assertEquals(Observed.STARTING, Observed.derive(status(7400, 1 << 8, true, true)));
    }

    @Test
    void finish_running_after_a_down_is_stopping() {
        assertEquals(Observed.STOPPING, Observed.derive(status(7400, 15, true, false)));
    }

    @Test
    void running_but_no_longer_wanted_is_stopping_when_the_intent_is_down() {
        assertEquals(Observed.STOPPING, Observed.derive(status(7325, 0, false, false), IntentState.DOWN));
    }

    @Test
    void running_but_not_wanted_up_is_still_up_when_the_intent_is_up() {
        // s6-svc -o, or a stop behind warden's back that has not ended the process yet: s6 itself says "up"
        assertEquals(Observed.UP, Observed.derive(status(7325, 0, false, false), IntentState.UP));
    }

    @Test
    void down_and_wanted_up_is_starting() {
        assertEquals(Observed.STARTING, Observed.derive(status(0, 1 << 8, false, true)));
        assertEquals(Observed.STARTING, Observed.derive(status(0, 78 << 8, false, true)));
    }

    @Test
    void exit_78_with_want_up_cleared_is_failed() {
        SupervisorStatus s = status(0, 78 << 8, false, false);
        assertEquals(Observed.FAILED, Observed.derive(s));
        assertTrue(Observed.isFatalConfig(s));
    }

    @Test
    void other_ends_with_want_up_cleared_are_down() {
        assertEquals(Observed.DOWN, Observed.derive(status(0, 15, false, false)));
        assertEquals(Observed.DOWN, Observed.derive(status(0, 0, false, false)));
        assertEquals(Observed.DOWN, Observed.derive(status(0, 3 << 8, false, false)));
        // signal 78 is not an exit code 78
        assertFalse(Observed.isFatalConfig(status(0, 78, false, false)));
    }

    @Test
    void wire_words_are_the_contract_s() {
        assertEquals("up", Observed.UP.wire());
        assertEquals("down", Observed.DOWN.wire());
        assertEquals("starting", Observed.STARTING.wire());
        assertEquals("stopping", Observed.STOPPING.wire());
        assertEquals("backoff", Observed.BACKOFF.wire());
        assertEquals("failed", Observed.FAILED.wire());
        assertEquals("unknown", Observed.UNKNOWN.wire());
    }
}
