package io.warden.state;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The real fsyncs, counted, and a disk that fails some of them (a mock of a failing disk, which cannot be had
 * here): an fsync of a path {@link #failing} accepts throws EIO as the kernel reports it, after doing nothing.
 */
public final class CountingSync implements FileSync {
    private final AtomicInteger files = new AtomicInteger();
    private final AtomicInteger directories = new AtomicInteger();
    private volatile Predicate<Path> failing = p -> false;

    /** Makes the fsync of every path whose file name starts with {@code prefix} fail from now on. */
    public CountingSync failFilesStartingWith(String prefix) {
        failing = p -> p.getFileName().toString().startsWith(prefix);
        return this;
    }

    public CountingSync healed() {
        failing = p -> false;
        return this;
    }

    public void reset() {
        files.set(0);
        directories.set(0);
    }

    public int files() {
        return files.get();
    }

    public int directories() {
        return directories.get();
    }

    public int total() {
        return files() + directories();
    }

    @Override
    public void file(FileChannel ch, Path path, boolean metadata) throws IOException {
        files.incrementAndGet();
        if (failing.test(path)) throw new IOException("Input/output error (injected) syncing " + path);
        SYSTEM.file(ch, path, metadata);
    }

    @Override
    public void directory(Path dir) throws IOException {
        directories.incrementAndGet();
        if (failing.test(dir)) throw new IOException("Input/output error (injected) syncing " + dir);
        SYSTEM.directory(dir);
    }
}
