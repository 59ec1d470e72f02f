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
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Learns of gateway state changes by watching {@code supervise/} with inotify (the JDK's WatchService):
 * s6-supervise rewrites {@code supervise/status} on every transition, so each change arrives as a file event
 * within milliseconds, with the full status (pid, wait status, flags) to read. This replaces an {@code event/}
 * fifodir subscription, which would need a FIFO and a native open for the same information. A re-read every
 * {@code safetyPoll} catches anything inotify could miss (the directory replaced under it).
 */
public final class StatusWatcher implements AutoCloseable {
    private final ServiceDirectory service;
    private final Consumer<SupervisorStatus> onChange;
    private final long safetyPollMillis;
    private final WatchService watch;
    private final Thread thread;
    private volatile boolean closed;
    private WatchKey serviceKey;
    private WatchKey superviseKey;
    private SupervisorStatus last;
    private boolean delivered;

    public StatusWatcher(ServiceDirectory service, long safetyPollMillis, Consumer<SupervisorStatus> onChange)
            throws IOException {
        this.service = service;
        this.onChange = onChange;
        this.safetyPollMillis = safetyPollMillis;
        this.watch = FileSystems.getDefault().newWatchService();
        this.thread = new Thread(this::loop, "warden-status-watch");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    private void loop() {
        while (!closed) {
            try {
                register();
                check();
                WatchKey key = watch.poll(safetyPollMillis, TimeUnit.MILLISECONDS);
                if (key != null) {
                    key.pollEvents();
                    if (!key.reset()) {
                        if (key == superviseKey) superviseKey = null;
                        if (key == serviceKey) serviceKey = null;
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
        if (serviceKey == null && Files.isDirectory(service.path())) {
            serviceKey = service.path().register(watch, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_DELETE);
        }
        Path sup = service.superviseDir();
        if (superviseKey == null && Files.isDirectory(sup)) {
            superviseKey = sup.register(watch, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
        }
    }

    private void check() {
        SupervisorStatus now;
        try {
            now = service.readStatus();
        } catch (IOException | IllegalArgumentException e) {
            // a status file caught mid-rewrite or briefly missing: the next event or poll reads it again
            return;
        }
        if (!delivered || !Objects.equals(now, last)) {
            delivered = true;
            last = now;
            onChange.accept(now);
        }
    }

    private void sleepQuietly() {
        try {
            Thread.sleep(safetyPollMillis);
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
