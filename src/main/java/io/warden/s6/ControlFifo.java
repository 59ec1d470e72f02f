package io.warden.s6;

import jnr.constants.platform.Errno;
import jnr.constants.platform.OpenFlags;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes command bytes into an s6 control FIFO. The JDK can only open a FIFO for writing in blocking mode, which
 * hangs forever when no supervisor reads it; {@code open(O_WRONLY|O_NONBLOCK)} instead fails at once with ENXIO.
 * jnr-posix is loaded on first use only: it costs a few hundred milliseconds and megabytes that a warden which
 * never has to act (the common boot) does not pay.
 */
public final class ControlFifo {
    private final Path fifo;
    private POSIX posix;

    public ControlFifo(Path fifo) {
        this.fifo = fifo;
    }

    /** Sends {@code commands}; throws {@link NotSupervisedException} when no supervisor listens. */
    public void send(String commands) throws IOException {
        POSIX p = posix();
        int fd = p.open(fifo.toString(), OpenFlags.O_WRONLY.intValue() | OpenFlags.O_NONBLOCK.intValue(), 0);
        if (fd < 0) {
            int errno = p.errno();
            if (errno == Errno.ENXIO.intValue() || errno == Errno.ENOENT.intValue()) {
                throw new NotSupervisedException("no supervisor listens on " + fifo + " ("
                        + Errno.valueOf(errno).description() + ")");
            }
            throw new IOException("cannot open " + fifo + ": " + Errno.valueOf(errno).description());
        }
        try {
            byte[] bytes = commands.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            int n = p.write(fd, bytes, bytes.length);
            if (n != bytes.length) {
                throw new IOException("short write to " + fifo + ": " + n + " of " + bytes.length + " bytes ("
                        + Errno.valueOf(p.errno()).description() + ")");
            }
        } finally {
            p.close(fd);
        }
    }

    private synchronized POSIX posix() {
        if (posix == null) posix = POSIXFactory.getNativePOSIX();
        return posix;
    }

    /** The FIFO exists but no s6-supervise (or s6-svscan) has it open. */
    public static final class NotSupervisedException extends IOException {
        public NotSupervisedException(String message) {
            super(message);
        }
    }
}
