package io.warden.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on the state directory, held for the daemon's life. The kernel drops it when the process
 * dies however it dies, so a stale lock can never keep a restarted warden out.
 */
public final class StateLock implements AutoCloseable {
    public static final String FILE = "lock";

    private final FileChannel channel;
    private final FileLock lock;

    private StateLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock or throws {@link StateLockedException} naming the holder. */
    public static StateLock acquire(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                // held by this very process (only tests open two daemons in one JVM): as good as another holder
                lock = null;
            }
            if (lock == null) {
                ByteBuffer buf = ByteBuffer.allocate(64);
                ch.read(buf, 0);
                String holder = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).trim();
                throw new StateLockedException("another warden daemon" + (holder.isEmpty() ? "" : " (pid " + holder
                        + ")") + " holds the state directory " + dir + "; refusing to start a second one on the same volume");
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            return new StateLock(ch, lock);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
    }

    /** The state directory is held by another live daemon. */
    public static final class StateLockedException extends IOException {
        public StateLockedException(String message) {
            super(message);
        }
    }
}
