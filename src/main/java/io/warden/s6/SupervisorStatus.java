package io.warden.s6;

import java.time.Instant;

/**
 * One reading of {@code supervise/status}. s6 2.11, 2.12, 2.14 and 2.15 write 35 bytes; 2.13 writes 43 (a pgid
 * after the pid). The layout is chosen by length: reading a 43-byte file with the 35-byte layout is silently wrong.
 */
public record SupervisorStatus(Instant stamp, String stampLabel, Instant readyStamp, long pid, long pgid, int wstat,
                               boolean paused, boolean finishing, boolean wantUp, boolean ready) {
    public static final int LENGTH_STANDARD = 35;
    public static final int LENGTH_WITH_PGID = 43;

    /* Offsets as s6-supervise writes them (s6's s6_svstatus_pack): two TAI64N stamps, then the pid, then (2.13 only)
       the pgid, then the wait status big-endian and one byte of flags. */
    private static final int STAMP_AT = 0;
    private static final int READY_STAMP_AT = 12;
    private static final int PID_AT = 24;
    private static final int PGID_AT = 32;
    private static final int WSTAT_AT = 32;
    private static final int WSTAT_AT_WITH_PGID = 40;
    private static final int FLAGS_FROM_WSTAT = 2;
    private static final int FLAG_PAUSED = 1;
    private static final int FLAG_FINISHING = 2;
    private static final int FLAG_WANT_UP = 4;
    private static final int FLAG_READY = 8;
    /* The POSIX wait status as Linux encodes it (WTERMSIG, WEXITSTATUS). */
    private static final int TERM_SIGNAL_MASK = 0x7f;
    private static final int EXIT_CODE_SHIFT = 8;

    public static SupervisorStatus parse(byte[] b) {
        if (b.length != LENGTH_STANDARD && b.length != LENGTH_WITH_PGID) {
            throw new IllegalArgumentException("supervise/status has " + b.length + " bytes; expected "
                    + LENGTH_STANDARD + " or " + LENGTH_WITH_PGID);
        }
        boolean withPgid = b.length == LENGTH_WITH_PGID;
        long pid = Tai64n.readLong(b, PID_AT);
        long pgid = withPgid ? Tai64n.readLong(b, PGID_AT) : 0;
        int w = withPgid ? WSTAT_AT_WITH_PGID : WSTAT_AT;
        int wstat = ((b[w] & 0xff) << 8) | (b[w + 1] & 0xff);
        int flags = b[w + FLAGS_FROM_WSTAT] & 0xff;
        return new SupervisorStatus(Tai64n.toInstant(b, STAMP_AT), Tai64n.label(b, STAMP_AT),
                Tai64n.toInstant(b, READY_STAMP_AT), pid, pgid, wstat, (flags & FLAG_PAUSED) != 0,
                (flags & FLAG_FINISHING) != 0, (flags & FLAG_WANT_UP) != 0, (flags & FLAG_READY) != 0);
    }

    /** s6-svstat's definition: a process runs and it is not the finish script. */
    public boolean up() {
        return pid != 0 && !finishing;
    }

    /** Whether the last death was an exit (as opposed to a signal). Meaningful only when down. */
    public boolean exited() {
        return termSignal() == 0;
    }

    public int exitCode() {
        return (wstat >> EXIT_CODE_SHIFT) & 0xff;
    }

    public int termSignal() {
        return wstat & TERM_SIGNAL_MASK;
    }
}
