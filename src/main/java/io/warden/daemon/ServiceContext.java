package io.warden.daemon;

import io.warden.s6.ProcessTable;
import io.warden.s6.Scandir;
import io.warden.state.GatewayRun;
import io.warden.state.StateStore;

/**
 * What every {@link ServiceController} shares with the daemon: the volume, the ledger, s6's scandir and the
 * settings of the rules. Built once, in the daemon's composition.
 *
 * @param events where each controller's events go (the journal, the live stream, the metrics)
 * @param runs where a controller reports the run it now sees up (null: none), for the run record
 * @param loop hands work back to the decision loop (from another thread, e.g. a process's exit)
 */
record ServiceContext(StateStore store, Ledger ledger, io.warden.event.EventSpine events, Scandir scandir, ProcessTable procs, TimeSource time,
                      long signalWindowNanos, long backoffMaxMillis, RunBook runs,
                      java.util.function.Consumer<Runnable> loop) {

    /** The daemon's run record, kept per service. */
    interface RunBook {
        void seen(String service, GatewayRun run);
    }
}
