/**
 * The daemon: its composition root ({@link io.warden.daemon.Daemon}) and the outside effects it is given
 * ({@code Outside}: file system root, process table, peer identity, stop witness, stop signals, clock, s6-rc), the
 * boot sequence, the decision loop, each service's rules at the edges (causes, the signal window, back-off, held
 * services), the boot plan, the container stop, the s6-rc services it keeps, the copy scan, and what it publishes
 * (status, metrics, watch).
 */
package io.warden.daemon;
