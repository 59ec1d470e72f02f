package io.warden.lifecycle;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The back-off's holds and its 30 s reset, on a fake clock: no real time passes. */
class CrashBackoffTest {
    private static final Rules RULES = new Rules(0, 2, 1000, 60_000, 30_000);
    private final TestClock time = new TestClock();
    /** The value under test, replaced by each change as the service's life replaces it. */
    private CrashBackoff backoff = CrashBackoff.FRESH;

    private long runFor(Duration d) {
        backoff = backoff.runStarted(time.nanos());
        time.advance(d);
        return onDeath();
    }

    private long onDeath() {
        CrashBackoff.Death death = backoff.onDeath(time.nanos(), RULES);
        backoff = death.next();
        return death.holdMillis();
    }

    @Test
    void two_free_restarts_then_doubling_up_to_the_cap() {
        assertEquals(0, runFor(Duration.ofMillis(100)));
        assertEquals(0, runFor(Duration.ofMillis(100)));
        assertEquals(1000, runFor(Duration.ofMillis(100)));
        assertEquals(2000, runFor(Duration.ofMillis(100)));
        assertEquals(4000, runFor(Duration.ofMillis(100)));
        for (int i = 0; i < 40; i++) runFor(Duration.ofMillis(100));
        assertEquals(60_000, runFor(Duration.ofMillis(100)));
    }

    @Test
    void a_run_of_thirty_seconds_clears_the_count() {
        for (int i = 0; i < 5; i++) runFor(Duration.ofSeconds(1));
        assertEquals(5, backoff.consecutive());
        assertEquals(0, runFor(Duration.ofSeconds(30)), "a healthy run is followed by a free restart");
        assertEquals(1, backoff.consecutive());
    }

    @Test
    void a_run_just_short_of_thirty_seconds_does_not() {
        for (int i = 0; i < 3; i++) runFor(Duration.ofSeconds(1));
        assertEquals(2000, runFor(Duration.ofMillis(29_999)));
    }

    @Test
    void a_wall_clock_step_forward_does_not_clear_the_count() {
        for (int i = 0; i < 3; i++) runFor(Duration.ofSeconds(1));
        backoff = backoff.runStarted(time.nanos());
        time.advance(Duration.ofMillis(500));
        time.stepWall(Duration.ofHours(1)); // NTP jumps ahead while the run is up
        assertEquals(2000, onDeath());
        assertEquals(4, backoff.consecutive());
    }

    @Test
    void a_wall_clock_step_back_does_not_pin_the_count() {
        for (int i = 0; i < 3; i++) runFor(Duration.ofSeconds(1));
        backoff = backoff.runStarted(time.nanos());
        time.stepWall(Duration.ofHours(-1));
        time.advance(Duration.ofSeconds(31));
        assertEquals(0, onDeath(), "31 s of real uptime is healthy whatever the wall clock says");
    }

    @Test
    void an_adopted_run_counts_from_its_age_at_boot() {
        for (int i = 0; i < 3; i++) runFor(Duration.ofSeconds(1));
        backoff = backoff.runAdopted(time.nanos(), 29_000);
        time.advance(Duration.ofSeconds(2));
        assertEquals(0, onDeath());
        backoff = backoff.runAdopted(time.nanos(), -3_600_000); // s6's stamp in the future (clock set back): counts as just started
        time.advance(Duration.ofSeconds(1));
        assertEquals(0, onDeath());
        assertEquals(2, backoff.consecutive());
    }

    @Test
    void an_explicit_start_wipes_the_slate() {
        for (int i = 0; i < 6; i++) runFor(Duration.ofSeconds(1));
        backoff = backoff.reset();
        assertEquals(0, runFor(Duration.ofSeconds(1)));
    }
}
