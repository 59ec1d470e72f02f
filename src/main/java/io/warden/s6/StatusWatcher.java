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
 */
public final class StatusWatcher implements AutoCloseable {
    private final ServiceDirectory service;
    private final Consumer<SupervisorStatus> onChange;
    private final long waitingPollMillis;
    private final long safetyPollMillis;
    private final WatchService watch;
    private final Thread thread;
    private volatile boolean closed;
    private WatchKey serviceKey;
    private WatchKey superviseKey;
    private byte[] lastBytes;
    private boolean delivered;

    public StatusWatcher(ServiceDirectory service, long waitingPollMillis, long safetyPollMillis,
                         Consumer<SupervisorStatus> onChange) throws IOException {
        this.service = service;
        this.onChange = onChange;
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
        while (!closed) {
            try {
                register();
                check();
                long wait = serviceKey == null || superviseKey == null ? waitingPollMillis : safetyPollMillis;
                WatchKey key = watch.poll(wait, TimeUnit.MILLISECONDS);
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
