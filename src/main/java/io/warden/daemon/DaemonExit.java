package io.warden.daemon;

/** Exit codes of {@code warden daemon} (the command line's own are in {@code io.warden.cli.ExitCode}). */
final class DaemonExit {
    /** Stopped by SIGTERM/SIGINT with the cause recorded. */
    public static final int CLEAN = 0;
    /** Configuration that cannot be used (a bad environment variable or flag). */
    public static final int CONFIG = 2;
    /** Another daemon holds the state directory or answers on the socket. */
    public static final int ALREADY_RUNNING = 6;
    /** Could not start: template missing, scandir unusable, socket cannot be bound. */
    public static final int STARTUP_FAILED = 7;
    /** The socket server failed while running; s6 restarts warden, which adopts the gateway untouched. */
    public static final int SERVER_FAILED = 8;
    /** The thread that watches s6's status failed (an Error); s6 restarts warden rather than leave it blind. */
    public static final int WATCHER_FAILED = 10;

    private DaemonExit() {
    }
}
