package io.warden.api;

import org.junit.jupiter.api.Test;

import static io.warden.api.IdleSweep.Action.CLOSE;
import static io.warden.api.IdleSweep.Action.KEEP;
import static io.warden.api.IdleSweep.Action.TIME_OUT;
import static org.junit.jupiter.api.Assertions.assertEquals;

class IdleSweepTest {
    private static final long IDLE = 5_000_000_000L;
    private final IdleSweep sweep = new IdleSweep(5000);

    @Test
    void a_quiet_reader_is_answered_timeout_only_once_the_whole_idle_time_has_passed() {
        assertEquals(KEEP, sweep.judge(ConnectionPhase.READING, IDLE, false, false, false));
        assertEquals(TIME_OUT, sweep.judge(ConnectionPhase.READING, IDLE + 1, false, false, false));
    }

    @Test
    void an_open_watch_is_never_timed_out_and_an_ended_one_is_as_any_other() {
        assertEquals(KEEP, sweep.judge(ConnectionPhase.WATCHING, 10 * IDLE, true, true, false));
        assertEquals(CLOSE, sweep.judge(ConnectionPhase.WATCHING, IDLE + 1, false, true, false));
        assertEquals(CLOSE, sweep.judge(ConnectionPhase.DRAINING, IDLE + 1, false, false, false));
    }

    @Test
    void an_answer_being_produced_waits_for_the_daemon_or_the_worker() {
        assertEquals(KEEP, sweep.judge(ConnectionPhase.HANDLING, 10 * IDLE, false, false, true));
        assertEquals(KEEP, sweep.judge(ConnectionPhase.ANSWERING, 10 * IDLE, false, true, true));
    }

    @Test
    void an_answer_left_unread_or_a_last_answer_given_ends_the_connection_without_another_line() {
        assertEquals(CLOSE, sweep.judge(ConnectionPhase.ANSWERING, IDLE + 1, false, true, false));
        assertEquals(CLOSE, sweep.judge(ConnectionPhase.CLOSING, IDLE + 1, false, true, false));
        assertEquals(CLOSE, sweep.judge(ConnectionPhase.CLOSING, IDLE + 1, false, false, false));
    }
}
