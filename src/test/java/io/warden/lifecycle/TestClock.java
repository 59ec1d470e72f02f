package io.warden.lifecycle;

import java.time.Duration;
import java.time.Instant;

/** A clock the test moves: {@link #advance} moves both clocks, {@link #stepWall} only the wall clock (an NTP step). */
final class TestClock {
    private long nanos = 1_000_000_000_000L;
    private Instant wall = Instant.parse("2030-01-01T00:00:00Z");

    long nanos() {
        return nanos;
    }

    Instant wall() {
        return wall;
    }

    Now now() {
        return new Now(nanos, wall);
    }

    void advance(Duration d) {
        nanos += d.toNanos();
        wall = wall.plus(d);
    }

    void stepWall(Duration d) {
        wall = wall.plus(d);
    }
}
