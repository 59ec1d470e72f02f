package io.warden.s6;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writes command bytes into a service's {@code supervise/control} FIFO, in plain Java, and never blocks for long.
 *
 * <p>s6-svc opens the FIFO {@code O_WRONLY|O_NONBLOCK}, which fails with ENXIO when no supervisor reads it. The JDK
 * cannot ask for that open: its write-only open of a FIFO blocks until a reader comes, forever when none does.
 * So the two questions are answered apart:
 * <ul>
 * <li><b>Does a supervisor listen?</b> An s6-supervise process whose working directory is the service directory
 * ({@link ProcessTable}, the rule warden's boot plan uses too). Not the supervisor's lock: s6-supervise takes
 * {@code supervise/lock} (an fcntl lock, which a {@code FileChannel.tryLock} does see) <em>non-blocking</em> and
 * exits when it is held, so even a shared-lock probe could make a starting supervisor die.</li>
 * <li><b>The write.</b> The FIFO is opened read-write, which Linux never blocks on (fifo(7)); then the write of a
 * few bytes returns at once while the pipe has room. A supervisor that is stopped or hung and has let 64 KiB pile
 * up would block it: a watchdog closes the channel after {@link #WRITE_BOUND_MILLIS}, which ends the write with an
 * error (the JDK signals the blocked thread), so no path waits forever.</li>
 * </ul>
 *
 * <p>The race: a supervisor that dies between the check and the write takes the bytes with it (they are dropped
 * when the last descriptor of the FIFO closes, ours), and one that is starting may not have opened the FIFO yet.
 * Both are harmless for the intent: warden writes {@code ./down} (or removes it) before it sends {@code d} or
 * {@code u}, and a new s6-supervise reads {@code ./down} after opening its FIFO, so the next supervisor starts
 * where the intent says. A signal letter sent into that window is lost, as it would be with s6-svc.
 */
final class ControlFifo {
    /** How long a write may wait for room in the FIFO before it is abandoned. */
    public static final long WRITE_BOUND_MILLIS = 1_000;

    private final Path serviceDir;
    private final Path fifo;
    private final ProcessTable procs;

    public ControlFifo(Path serviceDir, ProcessTable procs) {
        this.serviceDir = serviceDir;
        this.fifo = serviceDir.resolve("supervise/control");
        this.procs = procs;
    }

    /** Sends {@code commands}; throws {@link NotSupervisedException} when no supervisor listens. */
    public void send(String commands) throws IOException {
        if (procs.find("s6-supervise", serviceDir) == 0) {
            throw new NotSupervisedException("no s6-supervise serves " + serviceDir);
        }
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(fifo, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new NotSupervisedException("no supervisor listens on " + fifo + " (it does not exist)");
        }
        if (!attrs.isOther()) throw new IOException(fifo + " is not a FIFO: nothing was sent");
        byte[] bytes = commands.getBytes(StandardCharsets.US_ASCII);
        try (FileChannel ch = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            AtomicBoolean done = new AtomicBoolean();
            CompletableFuture.delayedExecutor(WRITE_BOUND_MILLIS, TimeUnit.MILLISECONDS, Runnable::run).execute(() -> {
                if (!done.get()) closeToUnblock(ch);
            });
            try {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) ch.write(buf);
            } catch (ClosedByInterruptException e) {
                throw new IOException("interrupted while writing to " + fifo + "; the command may be lost", e);
            } catch (ClosedChannelException e) {
                // closed by the watchdog: in the blocked write (AsynchronousCloseException), or between the
                // partial writes of a command longer than the room left. s6 letters are far shorter than
                // PIPE_BUF (4096), which Linux writes to a FIFO whole or not at all: nothing of them was sent
                throw new IOException("s6-supervise took no command from " + fifo + " within " + WRITE_BOUND_MILLIS
                        + " ms (its FIFO is full: a stopped or hung supervisor?); the command was not sent", e);
            } finally {
                done.set(true);
            }
        } catch (NoSuchFileException e) {
            throw new NotSupervisedException("no supervisor listens on " + fifo + " (it was removed)");
        }
    }

    private static void closeToUnblock(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // closing is how the blocked write is ended; the writer reports the failure, nothing more to say here
            org.tinylog.Logger.debug("closing a blocked control FIFO: {}", e.toString());
        }
    }

    /** No s6-supervise serves the service directory (or its FIFO is gone): the bytes were not sent. */
    public static final class NotSupervisedException extends IOException {
        private static final long serialVersionUID = 1L;

        public NotSupervisedException(String message) {
            super(message);
        }
    }
}
