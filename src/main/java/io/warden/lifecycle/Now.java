package io.warden.lifecycle;

import java.time.Instant;

/**
 * The time a step happens at, handed in by the caller: {@code nanos} is monotonic (durations: the signal window,
 * the back-off), {@code wall} only stamps what a person reads.
 */
public record Now(long nanos, Instant wall) {
}
