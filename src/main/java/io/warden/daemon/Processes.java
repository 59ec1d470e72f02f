package io.warden.daemon;

import io.warden.s6.ProcessTable;

/**
 * The process table as the daemon sees it: what runs where (an s6-svscan serving the scandir, a supervisor in a
 * service directory) and when a process it follows ends.
 */
interface Processes {
    /** Who serves which directory: read from /proc in production. */
    ProcessTable table();

    /** Runs {@code then} (on some thread) once process {@code pid} has ended; at once when it is not running. */
    void onExit(long pid, Runnable then);

    /** The system's: /proc, and the JVM's process handles. */
    static Processes system() {
        ProcessTable table = ProcessTable.system();
        return new Processes() {
            @Override
            public ProcessTable table() {
                return table;
            }

            @Override
            public void onExit(long pid, Runnable then) {
                ProcessHandle.of(pid).ifPresentOrElse(h -> h.onExit().thenRun(then), then);
            }
        };
    }
}
