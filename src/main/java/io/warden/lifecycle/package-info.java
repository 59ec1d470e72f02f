/**
 * One service's life as warden keeps it, as a pure state machine in the manner of s6-supervise's state table:
 * the {@link io.warden.lifecycle.Phase} a service is in, the {@link io.warden.lifecycle.Input}s that move it (what
 * s6 shows, the clock, a user's request, warden's own end), and the {@link io.warden.lifecycle.Effect}s a move asks
 * for, as values. {@link io.warden.lifecycle.Lifecycle#step} does no I/O and reads no clock: the daemon feeds it and
 * carries the effects out.
 */
package io.warden.lifecycle;
