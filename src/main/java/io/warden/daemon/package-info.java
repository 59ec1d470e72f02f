/**
 * The daemon: its composition root ({@link io.warden.daemon.Daemon}), the decision loop, each service's rules at
 * the edges (causes, the signal window, back-off, held services), the boot plan, the container stop, the s6-rc
 * services it keeps, and what it publishes (status, metrics, watch).
 */
package io.warden.daemon;
