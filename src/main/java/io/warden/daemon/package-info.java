/**
 * The daemon: its composition root ({@link io.warden.daemon.Daemon}) and the outside effects it is given
 * ({@code Outside}: file system root, process table, peer identity, stop witness, stop signals, clock, s6-rc), the
 * boot sequence, the decision loop, the edge of each service's life (it feeds the service's
 * {@link io.warden.lifecycle.Lifecycle} and carries out the effects it decides: state file, s6 control, event
 * spine), the boot plan, the container stop, the s6-rc services it keeps, the copy scan, and what it publishes
 * (status, metrics, watch).
 */
package io.warden.daemon;
