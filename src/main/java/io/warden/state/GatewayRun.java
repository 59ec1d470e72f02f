package io.warden.state;

/**
 * One run of the gateway as s6 reports it: its pid and the TAI64N stamp of the moment it went up. The pair
 * identifies a run across warden restarts (a pid alone is reused by a new container's pid namespace).
 */
public record GatewayRun(long pid, String upSince) {
}
