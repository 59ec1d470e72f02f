package io.warden.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * An exclusive lock on the state directory, held for the daemon's life. The kernel drops it when the process
 * dies however it dies, so a stale lock can never keep a restarted warden out.
 *
 * <p>Any process with the file open can block a lock (an fcntl read lock needs only read access), so the file is
 * mode 0600, created so, and only root's processes can open it. A lock file from an older warden was 0644: any
 * local user may still hold it open. When such an inode is locked by a process that is not a warden daemon of
 * warden's own user, warden does not trust the inode and moves a fresh 0600 one into its place; only another
 * warden daemon ever blocks a start, and only a verified warden is named as the holder.
 */
public final class StateLock implements AutoCloseable {
    public static final String FILE = "lock";
    static final Set<PosixFilePermission> MODE = PosixFilePermissions.fromString("rw-------");

    private final FileChannel channel;
    private final FileLock lock;

    private StateLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock or throws {@link StateLockedException} naming the warden that holds it. */
    public static StateLock acquire(Path dir) throws IOException {
        return acquire(dir, LockHolders.system());
    }

    static StateLock acquire(Path dir, LockHolders holders) throws IOException {
        Path file = dir.resolve(FILE);
        // two rounds at most: the file in place, then the fresh inode that replaced an untrusted one
        for (int round = 0; ; round++) {
            if (round > 3) throw new IOException(file + " keeps being replaced while warden locks it; refusing to start");
            FileChannel ch = open(file);
            try {
                Object key = Files.readAttributes(file, "unix:ino,dev", LinkOption.NOFOLLOW_LINKS).get("ino");
                FileLock lock = tryLock(ch);
                if (lock != null) {
                    if (!trusted(file)) {
                        // free now, but a local user may hold the legacy readable inode open for later
                        try {
                            replaceInode(file);
                        } catch (IOException e) {
                            // a full or read-only volume: keep this inode, which is ours now, and close it to others
                            org.tinylog.Logger.warn("cannot replace {} ({}); keeping it, mode 0600", file, e.getMessage());
                            Files.setPosixFilePermissions(file, MODE);
                            return hold(ch, lock);
                        }
                        lock.release();
                        ch.close();
                        continue;
                    }
                    if (!sameInode(file, key)) {
                        // another warden replaced the file meanwhile: lock the one now in place
                        lock.release();
                        ch.close();
                        continue;
                    }
                    return hold(ch, lock);
                }
                List<LockHolders.Holder> who = holders.of((Long) key);
                List<Long> wardens = new ArrayList<>();
                for (LockHolders.Holder h : who) {
                    if (holders.isWardenDaemon(h.pid())) wardens.add(h.pid());
                }
                if (!wardens.isEmpty() || who.isEmpty() || round > 0) {
                    // who.isEmpty(): the lock vanished or /proc/locks is unreadable; a warden is the safe guess
                    throw new StateLockedException("another warden daemon" + (wardens.isEmpty() ? ""
                            : " (pid " + wardens.get(0) + ")") + " holds the state directory " + dir
                            + "; refusing to start a second one on the same volume");
                }
                org.tinylog.Logger.warn("{} is locked by pid {} (uid {}), which is not a warden daemon: replacing the"
                        + " lock file with a fresh one only root can open", file, who.get(0).pid(), holders.uidOf(who.get(0).pid()));
                replaceInode(file);
                ch.close();
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        }
    }

    /** The pid inside is for a person reading the volume; warden itself trusts only /proc/locks. */
    private static StateLock hold(FileChannel ch, FileLock lock) throws IOException {
        try {
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            ch.force(true);
        } catch (IOException e) {
            // a full volume: the lock holds without the pid, which nothing depends on
            org.tinylog.Logger.warn("cannot write the pid into the lock file: {}", e.getMessage());
        }
        return new StateLock(ch, lock);
    }

    private static FileChannel open(Path file) throws IOException {
        // created 0600 (the umask can only take bits away); an existing file keeps its mode, checked by trusted()
        return FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(MODE));
    }

    private static FileLock tryLock(FileChannel ch) throws IOException {
        try {
            return ch.tryLock();
        } catch (OverlappingFileLockException e) {
            // held by this very process (only tests open two daemons in one JVM): as good as another holder
            return null;
        }
    }

    /** Only a 0600 file of warden's own user can never have been opened by anyone else. */
    private static boolean trusted(Path file) throws IOException {
        if (!Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS).equals(MODE)) return false;
        Object owner = Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        return owner.equals(LockHolders.ownUid());
    }

    private static boolean sameInode(Path file, Object ino) throws IOException {
        return ino.equals(Files.getAttribute(file, "unix:ino", LinkOption.NOFOLLOW_LINKS));
    }

    /** A fresh 0600 inode renamed over the file: whoever holds the old one open holds nothing warden uses. */
    private static void replaceInode(Path file) throws IOException {
        Path fresh = file.resolveSibling(DurableFile.TEMP_PREFIX + FILE + "-" + ProcessHandle.current().pid());
        Files.deleteIfExists(fresh);
        Files.createFile(fresh, PosixFilePermissions.asFileAttribute(MODE));
        Files.setPosixFilePermissions(fresh, MODE);
        Files.move(fresh, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        DurableFile.syncDirectory(file.getParent());
    }

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
    }

    /** The state directory is held by another live daemon. */
    public static final class StateLockedException extends IOException {
        private static final long serialVersionUID = 1L;

        public StateLockedException(String message) {
            super(message);
        }
    }
}
