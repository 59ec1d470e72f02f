package io.warden.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A small file replaced as a whole and durable once {@link #write} returns: temporary file, fsync, atomic rename,
 * fsync of the directory. A crash at any point leaves either the old or the new content, plus at worst a
 * temporary file that {@link StateStore} removes at the next start.
 */
public final class DurableFile {
    /** Prefix of temporary files; anything starting with it in the state directory is a torn write. */
    public static final String TEMP_PREFIX = ".tmp-";

    private final Path path;
    private final FileSync sync;

    public DurableFile(Path path) {
        this(path, FileSync.SYSTEM);
    }

    public DurableFile(Path path, FileSync sync) {
        this.path = path;
        this.sync = sync;
    }

    public Path path() {
        return path;
    }

    /** The content, or null when the file does not exist; bytes that are not UTF-8 are a {@link BadContentException}. */
    public String read() throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new BadContentException(path + " is not valid UTF-8 text");
        }
    }

    /** The file was read but its bytes are not text warden wrote. */
    public static final class BadContentException extends IOException {
        private static final long serialVersionUID = 1L;

        public BadContentException(String message) {
            super(message);
        }
    }

    public void write(String content) throws IOException {
        // before the rename: the old content is in place and the temporary file goes, nothing was changed
        stage(content).commit();
        Path dir = path.toAbsolutePath().getParent();
        try {
            sync.directory(dir);
        } catch (IOException e) {
            // after the rename the new content is what every reader sees; only its survival of a power loss is
            // in doubt, so this must not be reported as "nothing was changed"
            throw new NotDurableException(path + " now holds the new content, but the fsync of " + dir
                    + " failed (" + e.getMessage() + "): it may not survive a power loss", e);
        }
    }

    /**
     * The first half of a write: the content in a temporary file beside this one, fsynced. {@link Staged#commit}
     * renames it into place; the rename is durable once the directory is synced, so many files staged in parallel
     * share one directory fsync (a container stop records every service's cause at once).
     */
    public Staged stage(String content) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        // a fresh name from the file system itself: no counter shared between writers
        Path tmp = Files.createTempFile(dir, TEMP_PREFIX + path.getFileName() + "-", "");
        try {
            // readable like any state file (status reads it when the daemon is down); temp files start at 0600
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) ch.write(buf);
                sync.file(ch, tmp, true);
            }
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        return new Staged(tmp);
    }

    /** A temporary file holding the new content, durable, not yet in place. */
    public final class Staged {
        private final Path tmp;

        private Staged(Path tmp) {
            this.tmp = tmp;
        }

        /** Renames the new content into place (atomic); durable once the directory is synced. */
        public void commit() throws IOException {
            try {
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                Files.deleteIfExists(tmp);
                throw e;
            }
        }

        /** Drops the new content: the file keeps its old one (a transaction that did not commit). */
        public void abandon() throws IOException {
            Files.deleteIfExists(tmp);
        }
    }

    /** The new content replaced the old one, but the directory entry could not be made durable. */
    public static final class NotDurableException extends IOException {
        private static final long serialVersionUID = 1L;

        public NotDurableException(String message, IOException cause) {
            super(message, cause);
        }
    }

    /** Makes a rename or a new directory entry durable (Linux allows fsync on a directory opened read-only). */
    public static void syncDirectory(Path dir) throws IOException {
        FileSync.SYSTEM.directory(dir);
    }
}
