package io.warden.lifecycle;

import io.warden.s6.SupervisorStatus;
import io.warden.state.LastShutdown;
import io.warden.state.ShutdownCause;
import org.junit.jupiter.api.Test;

import static io.warden.lifecycle.Statuses.exited;
import static io.warden.lifecycle.Statuses.killed;
import static io.warden.lifecycle.Statuses.status;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PendingEndTest {

    private static final Instant AT = Instant.parse("2026-03-01T10:15:30Z");

    private static PendingEnd end(SupervisorStatus s) {
        return new PendingEnd(s, 7325, AT, 0, 0);
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
        LastShutdown l = end(killed(15, false)).asSignal("SIGTERM", 1_200_000_000L);
        assertEquals(ShutdownCause.SIGNAL, l.cause());
        assertEquals("SIGTERM", l.signal());
        assertEquals(AT, l.at());
        assertNull(l.exitCode());
        assertTrue(l.detail().contains("1200 ms"), l.detail());

        assertEquals("SIGINT", end(exited(0, true)).asSignal("SIGINT", 0).signal());
    }

    @Test
    void the_signal_window_is_due_after_its_length_on_the_monotonic_clock_only() {
        TestClock time = new TestClock();
        PendingEnd p = PendingEnd.open(exited(1, true), 7325, time.now(), 5_000_000_000L);
        assertEquals(time.wall(), p.at());
        time.stepWall(java.time.Duration.ofHours(2)); // an NTP step forward must not end the window
        assertFalse(p.due(time.nanos()));
        time.advance(java.time.Duration.ofMillis(4999));
        assertFalse(p.due(time.nanos()));
        assertEquals(1_000_000L, p.remainingNanos(time.nanos()));
        time.advance(java.time.Duration.ofMillis(1));
        assertTrue(p.due(time.nanos()));
        assertEquals(0, p.remainingNanos(time.nanos()));
    }

    @Test
    void a_wall_clock_step_back_neither_freezes_the_window_nor_skews_the_signal_delay() {
        TestClock time = new TestClock();
        PendingEnd p = PendingEnd.open(killed(15, false), 7325, time.now(), 5_000_000_000L);
        time.stepWall(java.time.Duration.ofHours(-1));
        time.advance(java.time.Duration.ofMillis(300));
        assertTrue(p.asSignal("SIGTERM", time.nanos()).detail().contains("300 ms"));
        // a cause's detail is shown for every service: it names the run's pid, not "gateway"
        assertFalse(p.asSignal("SIGTERM", time.nanos()).detail().contains("gateway"));
        assertFalse(p.classify(null).detail().contains("gateway"), p.classify(null).detail());
        time.advance(java.time.Duration.ofSeconds(5));
        assertTrue(p.due(time.nanos()));
    }
}
