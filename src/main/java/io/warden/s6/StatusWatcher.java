package io.warden.s6;

import org.tinylog.Logger;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Learns of gateway state changes by watching {@code supervise/} with inotify (the JDK's WatchService):
 * s6-supervise rewrites {@code supervise/status} on every transition, so each change arrives as a file event
 * within milliseconds, with the full status (pid, wait status, flags) to read. This replaces an {@code event/}
 * fifodir subscription, which would need a FIFO and a native open for the same information. While the
 * directories to watch do not exist yet it looks again every {@code waitingPoll}; once both are watched it
 * sleeps until an event, re-reading every {@code safetyPoll} (a minute) only as a safety net, so an idle
 * warden does no periodic work to speak of.
 *
 * <p>The scandir itself is watched too, and each watched directory is remembered by its inode: a service
 * directory moved away and reinstalled (or replaced by anyone) is a new inode at the same path, and inotify
 * would keep reporting the old one; the watcher then drops its keys and watches the new directory. An
 * {@link Error} in the thread is never swallowed: {@code onFailure} hears of it, and the daemon ends so that s6
 * restarts it.
 */
public final class StatusWatcher implements AutoCloseable {
    private final ServiceDirectory service;
    private final Consumer<SupervisorStatus> onChange;
    private final Consumer<Throwable> onFailure;
    private final long waitingPollMillis;
    private final long safetyPollMillis;
    private final WatchService watch;
    private final Thread thread;
    private volatile boolean closed;
    private WatchKey scandirKey;
    private WatchKey serviceKey;
    private WatchKey superviseKey;
    /** The inodes the service and supervise keys were registered on. */
    private Object serviceInode;
    private Object superviseInode;
    private byte[] lastBytes;
    private boolean delivered;

    public StatusWatcher(ServiceDirectory service, long waitingPollMillis, long safetyPollMillis,
                         Consumer<SupervisorStatus> onChange, Consumer<Throwable> onFailure) throws IOException {
        this.service = service;
        this.onChange = onChange;
        this.onFailure = onFailure;
        this.waitingPollMillis = waitingPollMillis;
        this.safetyPollMillis = safetyPollMillis;
        this.watch = FileSystems.getDefault().newWatchService();
        this.thread = new Thread(this::loop, "warden-status-watch");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    private void loop() {
        try {
            watchLoop();
        } catch (Error e) {
            // an Error leaves this thread in an unknown state: the daemon must not live on blind
            Logger.error(e, "status watch of {} failed: {}", service.path(), e);
            onFailure.accept(e);
        }
    }

    private void watchLoop() {
        while (!closed) {
            try {
                register();
                check();
                long wait = scandirKey == null || serviceKey == null || superviseKey == null
                        ? waitingPollMillis : safetyPollMillis;
                WatchKey key = watch.poll(wait, TimeUnit.MILLISECONDS);
                if (key != null) {
                    key.pollEvents();
                    if (!key.reset()) {
                        if (key == superviseKey) superviseKey = null;
                        if (key == serviceKey) serviceKey = null;
                        if (key == scandirKey) scandirKey = null;
                    }
                }
            } catch (ClosedWatchServiceException | InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                Logger.warn("status watch of {}: {}; retrying", service.path(), e.getMessage());
                sleepQuietly();
            }
        }
    }

    private void register() throws IOException {
        Path scandir = service.path().getParent();
        if (scandirKey == null && Files.isDirectory(scandir)) {
            // the service directory's own name appearing, vanishing or being renamed over
            scandirKey = scandir.register(watch, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_DELETE);
        }
        if (serviceKey != null && !java.util.Objects.equals(serviceInode, inode(service.path()))) {
            Logger.info("{} was replaced: watching the new directory", service.path());
            forget();
        }
        if (superviseKey != null && !java.util.Objects.equals(superviseInode, inode(service.superviseDir()))) {
            superviseKey.cancel();
            superviseKey = null;
        }
        if (serviceKey == null && Files.isDirectory(service.path())) {
            serviceInode = inode(service.path());
            serviceKey = service.path().register(watch, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_DELETE);
        }
        Path sup = service.superviseDir();
        if (superviseKey == null && Files.isDirectory(sup)) {
            superviseInode = inode(sup);
            superviseKey = sup.register(watch, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
        }
    }

    private void forget() {
        if (serviceKey != null) serviceKey.cancel();
        if (superviseKey != null) superviseKey.cancel();
        serviceKey = null;
        superviseKey = null;
    }

    /** The directory's identity (device and inode), or null when it is not there. */
    private static Object inode(Path dir) {
        try {
            return Files.readAttributes(dir, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            // not there (moved away, not yet installed): no identity
            return null;
        }
    }

    private void check() {
        SupervisorStatus now;
        byte[] bytes;
        try {
            bytes = service.readStatusBytes();
            // most checks are the safety poll finding nothing new: compare bytes, parse only a change
            if (delivered && Arrays.equals(bytes, lastBytes)) return;
            now = bytes == null ? null : SupervisorStatus.parse(bytes);
        } catch (IOException | IllegalArgumentException e) {
            // a status file caught mid-rewrite or briefly missing: the next event or poll reads it again
            return;
        }
        delivered = true;
        lastBytes = bytes;
        onChange.accept(now);
    }

    private void sleepQuietly() {
        try {
            Thread.sleep(waitingPollMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        watch.close();
        thread.interrupt();
    }
}
