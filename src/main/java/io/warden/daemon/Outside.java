package io.warden.daemon;

import io.warden.api.PeerIdentity;
import io.warden.config.Settings;
import io.warden.s6.S6RcControl;

/**
 * Every outside effect the daemon acts on, injected: the file system root its paths resolve under, the process
 * table, the peers' identity (SO_PEERCRED), the stop witness, the stop signals, the clock and s6-rc's program. A
 * test gives its own, and the whole daemon runs in-process.
 *
 * @param s6rc s6-rc's program, or null when there is none (plain s6)
 */
record Outside(FileSystemRoot files, Processes processes, PeerIdentity peers, Witness.Launcher witness,
               SignalSource signals, TimeSource time, S6RcControl s6rc) {

    /** The production wiring, from the settings. */
    static Outside production(Settings settings) {
        return new Outside(FileSystemRoot.of(settings), Processes.system(),
                PeerIdentity.system(settings.controlGroup()), StopWitness::start, ShutdownSignals::install,
                TimeSource.system(), S6RcControl.system());
    }
}
