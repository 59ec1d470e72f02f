package io.warden.state;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The one effect that makes a write durable: an fsync, of a file's data or of a directory's entries. Every durable
 * write on the volume goes through it, so a test can count the fsyncs a step costs or make one fail (a disk that
 * reports EIO) without a real faulty disk.
 */
interface FileSync {
    /**
     * fsync(2) of an open file ({@code metadata} false: fdatasync, enough for an append whose size the next read
     * finds anyway); {@code path} names it, for a test that fails one file.
     */
    void file(FileChannel ch, Path path, boolean metadata) throws IOException;

    /** fsync(2) of a directory: makes a rename or a new entry in it durable. */
    void directory(Path dir) throws IOException;

    /** The real thing (Linux allows fsync on a directory opened read-only). */
    FileSync SYSTEM = new FileSync() {
        @Override
        public void file(FileChannel ch, Path path, boolean metadata) throws IOException {
            ch.force(metadata);
        }

        @Override
        public void directory(Path dir) throws IOException {
            try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
                ch.force(true);
            }
        }
    };
}
