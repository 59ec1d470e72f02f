package io.warden.daemon;

import java.nio.file.Path;
import java.util.Map;

/**
 * What sees, after warden's signal, how the runs still up end ({@link StopWitness} in production: a process that
 * outlives warden). Armed once, at the signal.
 */
interface Witness {
    /** The runs still up (service name to pid), stamped {@code at}: the witness takes over. */
    void arm(String at, Map<String, Long> runs);

    /** Starts a witness at boot; null when none can run (only a later "forced" detail is lost, never a cause). */
    interface Launcher {
        Witness start(Path stateDir, Path scandir, Path fifoDir);
    }
}
