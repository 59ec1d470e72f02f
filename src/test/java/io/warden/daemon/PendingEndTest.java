package io.warden.daemon;

import io.warden.s6.SupervisorStatus;
import io.warden.state.LastShutdown;
import io.warden.state.ShutdownCause;
import org.junit.jupiter.api.Test;

import static io.warden.daemon.Statuses.exited;
import static io.warden.daemon.Statuses.killed;
import static io.warden.daemon.Statuses.status;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PendingEndTest {

    private static final Instant AT = Instant.parse("2026-03-01T10:15:30Z");

    private static PendingEnd end(SupervisorStatus s) {
        return new PendingEnd(s, 7325, AT, 0);
    }

    @Test
    void exit_1_with_want_up_still_set_is_a_crash_with_the_exit_code() {
        SupervisorStatus died = exited(1, true);
        LastShutdown l = end(died).classify(died);
        assertEquals(ShutdownCause.CRASH, l.cause());
        assertEquals(1, l.exitCode());
        assertNull(l.signal());
        assertEquals(AT, l.at());
        assertTrue(l.detail().contains("7325") && l.detail().contains("code 1"), l.detail());
    }

    @Test
    void crash_is_classified_from_the_death_even_after_s6_restarted_it() {
        SupervisorStatus died = exited(1, true);
        // s6 keeps the old wait status while the new run is up
        SupervisorStatus restarted = status(7400, 1 << 8, false, true);
        LastShutdown l = end(died).classify(restarted);
        assertEquals(ShutdownCause.CRASH, l.cause());
        assertEquals(1, l.exitCode());
    }

    @Test
    void sigkill_is_a_crash_with_the_signal_name() {
        SupervisorStatus died = killed(9, true);
        LastShutdown l = end(died).classify(died);
        assertEquals(ShutdownCause.CRASH, l.cause());
        assertEquals("SIGKILL", l.signal());
        assertNull(l.exitCode());
        assertTrue(l.detail().contains("SIGKILL"), l.detail());
    }

    @Test
    void want_up_cleared_and_sigterm_is_external() {
        SupervisorStatus died = killed(15, true);
        SupervisorStatus latest = killed(15, false);
        LastShutdown l = end(died).classify(latest);
        assertEquals(ShutdownCause.EXTERNAL, l.cause());
        assertEquals("SIGTERM", l.signal());
        assertNull(l.exitCode());
    }

    @Test
    void without_a_fresher_status_the_end_status_decides() {
        LastShutdown l = end(killed(15, false)).classify(null);
        assertEquals(ShutdownCause.EXTERNAL, l.cause());
        assertEquals("SIGTERM", l.signal());
    }

    @Test
    void fatal_configuration_is_a_crash_not_external() {
        // exit 78, finish exits 125: s6 clears want-up itself
        SupervisorStatus died = exited(78, false);
        LastShutdown l = end(died).classify(died);
        assertEquals(ShutdownCause.CRASH, l.cause());
        assertEquals(78, l.exitCode());
        assertTrue(l.detail().contains("fatal configuration"), l.detail());
    }

    @Test
    void as_signal_carries_the_signal_and_the_time_of_the_gateway_end() {
        LastShutdown l = end(killed(15, false)).asSignal("SIGTERM", AT.plusMillis(1200));
        assertEquals(ShutdownCause.SIGNAL, l.cause());
        assertEquals("SIGTERM", l.signal());
        assertEquals(AT, l.at());
        assertNull(l.exitCode());
        assertTrue(l.detail().contains("1200 ms"), l.detail());

        assertEquals("SIGINT", end(exited(0, true)).asSignal("SIGINT", AT).signal());
    }
}
