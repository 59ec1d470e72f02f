/**
 * The daemon: its composition root ({@link io.warden.daemon.Daemon}), the decision loop, the edge of each service's
 * life (feeding its {@link io.warden.lifecycle.Lifecycle} and carrying out the effects it decides), the boot plan, the container stop, the s6-rc
 * services it keeps, and what it publishes (status, metrics, watch).
 */
package io.warden.daemon;
