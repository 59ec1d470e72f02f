package io.warden.daemon;

/**
 * What a problem under {@code degraded} is about, as an identifier: its kind and the one thing it concerns (a
 * service, a slot, a pid, a file). The words shown to a user change with what happened (the error, the file); the
 * key does not, so the problem is ended by what it is, never by matching the start of a sentence.
 */
record Problem(Kind kind, String subject) {
    enum Kind {
        /** A service's state file could not be written: its value is kept in memory. */
        SERVICE_WRITE,
        /** The run record could not be written. */
        RUN_WRITE,
        /** The journal could not be appended to. */
        JOURNAL_WRITE,
        /** A service's state file was damaged: its first intent stands in until a user sets one. */
        DAMAGED_STATE,
        /** A service's recorded intent cannot be read (permission, I/O): it is not started. */
        UNREADABLE_INTENT,
        /** s6-rc could not bring a kept service up. */
        S6RC_BRING_UP,
        /** A service's directory is gone from the scandir: s6 supervises nothing of it. */
        MISSING_SLOT,
        /** No s6-svscan serves the scandir. */
        NO_SUPERVISOR,
        /** A run whose s6-supervise was killed still runs, unsupervised. */
        ORPHAN,
        /** Another keeper's slot runs a kept service's program. */
        SECOND_KEEPER,
        /** A problem that lasts as long as the daemon (a boot finding): it is its own subject. */
        STANDING
    }

    static Problem of(Kind kind, Object subject) {
        return new Problem(kind, String.valueOf(subject));
    }
}
