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

    public static SupervisorStatus parse(byte[] b) {
        if (b.length != LENGTH_STANDARD && b.length != LENGTH_WITH_PGID) {
            throw new IllegalArgumentException("supervise/status has " + b.length + " bytes; expected "
                    + LENGTH_STANDARD + " or " + LENGTH_WITH_PGID);
        }
        boolean withPgid = b.length == LENGTH_WITH_PGID;
        long pid = Tai64n.readLong(b, 24);
        long pgid = withPgid ? Tai64n.readLong(b, 32) : 0;
        int w = withPgid ? 40 : 32;
        int wstat = ((b[w] & 0xff) << 8) | (b[w + 1] & 0xff);
        int flags = b[w + 2] & 0xff;
        return new SupervisorStatus(Tai64n.toInstant(b, 0), Tai64n.label(b, 0), Tai64n.toInstant(b, 12), pid, pgid,
                wstat, (flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0, (flags & 8) != 0);
    }

    /** s6-svstat's definition: a process runs and it is not the finish script. */
    public boolean up() {
        return pid != 0 && !finishing;
    }

    /** Whether the last death was an exit (as opposed to a signal). Meaningful only when down. */
    public boolean exited() {
        return (wstat & 0x7f) == 0;
    }

    public int exitCode() {
        return (wstat >> 8) & 0xff;
    }

    public int termSignal() {
        return wstat & 0x7f;
    }
}
