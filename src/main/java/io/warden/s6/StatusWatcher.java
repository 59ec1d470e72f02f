package io.warden.s6;

import org.tinylog.Logger;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * Learns of service state changes by watching each service's {@code supervise/} with inotify (the JDK's
 * WatchService): s6-supervise rewrites {@code supervise/status} on every transition, so each change arrives as a
 * file event within milliseconds, with the full status (pid, wait status, flags) to read. This replaces an
 * {@code event/} fifodir subscription, which would need a FIFO and a native open for the same information.
 * <p>
 * One thread and one inotify instance serve every service. The scandir itself is watched too: a slot moved away
 * and installed again is a new directory, whose watches are set up afresh (a watch follows the old directory's
 * inode wherever it was moved). While a directory to watch does not exist yet it looks again every
 * {@code waitingPoll}; once all are watched it sleeps until an event, re-reading every {@code safetyPoll} (a
 * minute) only as a safety net, so an idle warden does no periodic work to speak of. Each watched directory is
 * also remembered by its inode, so a replacement the scandir's events did not show is caught at the next event or
 * poll. An {@link Error} in the thread is never swallowed: {@code onFailure} hears of it, and the daemon ends so
 * that s6 restarts it rather than run on blind.
 */
public final class StatusWatcher implements AutoCloseable {
    /** Receives each service's status when it changes (null: no status file). Called on the watcher's thread. */
    public interface Listener {
        void changed(ServiceDirectory service, SupervisorStatus status);
    }

    private static final class Entry {
        final ServiceDirectory dir;
        WatchKey serviceKey;
        WatchKey superviseKey;
        Object serviceInode;
        Object superviseInode;
        byte[] lastBytes;
        boolean delivered;
        boolean dirty = true;

        Entry(ServiceDirectory dir) {
            this.dir = dir;
        }
    }

    private final Path scandir;
    private final Listener listener;
    private final java.util.function.Consumer<Throwable> onFailure;
    private final long waitingPollMillis;
    private final long safetyPollMillis;
    private final WatchService watch;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> changes = new ConcurrentLinkedQueue<>();
    // owned by the watcher thread
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final Map<WatchKey, Entry> byKey = new HashMap<>();
    private WatchKey scandirKey;
    private volatile boolean closed;

    public StatusWatcher(Path scandir, long waitingPollMillis, long safetyPollMillis, Listener listener,
                         java.util.function.Consumer<Throwable> onFailure) throws IOException {
        this.scandir = scandir;
        this.listener = listener;
        this.onFailure = onFailure;
        this.waitingPollMillis = waitingPollMillis;
        this.safetyPollMillis = safetyPollMillis;
        this.watch = FileSystems.getDefault().newWatchService();
        this.thread = new Thread(this::guardedLoop, "warden-status-watch");
        this.thread.setDaemon(true);
    }

    /** Starts watching {@code service} (at boot, or for an instance created at run time). */
    public void add(ServiceDirectory service) {
        changes.add(() -> entries.computeIfAbsent(service.path().getFileName().toString(), n -> new Entry(service)));
        thread.interrupt();
    }

    /** Stops watching {@code service} (a removed instance). */
    public void remove(ServiceDirectory service) {
        changes.add(() -> {
            Entry e = entries.remove(service.path().getFileName().toString());
            if (e != null) forget(e);
        });
        thread.interrupt();
    }

    public void start() {
        thread.start();
    }

    private void guardedLoop() {
        try {
            loop();
        } catch (Error e) {
            Logger.error(e, "status watcher failed: {}", e.toString());
            onFailure.accept(e);
        }
    }

    private void loop() {
        while (!closed) {
            try {
                Runnable c;
                while ((c = changes.poll()) != null) c.run();
                boolean waiting = register();
                for (Entry e : entries.values()) {
                    if (e.dirty) check(e);
                }
                WatchKey key = watch.poll(waiting ? waitingPollMillis : safetyPollMillis, TimeUnit.MILLISECONDS);
                if (key == null) {
                    for (Entry e : entries.values()) e.dirty = true;
                }
                while (key != null) {
                    take(key);
                    key = watch.poll();
                }
            } catch (ClosedWatchServiceException e) {
                return;
            } catch (InterruptedException e) {
                // add() and remove() wake the thread; close() ends it
                if (closed) return;
            } catch (IOException | RuntimeException e) {
                Logger.warn("status watch of {}: {}; retrying", scandir, e.getMessage());
                for (Entry x : entries.values()) x.dirty = true;
                sleepQuietly();
            }
        }
    }

    private void take(WatchKey key) {
        List<WatchEvent<?>> events = key.pollEvents();
        if (key == scandirKey) {
            for (WatchEvent<?> ev : events) {
                if (ev.kind() == StandardWatchEventKinds.OVERFLOW) {
                    for (Entry e : entries.values()) forget(e);
                    continue;
                }
                Entry e = entries.get(ev.context().toString());
                // a slot created, moved in or away: whatever is there now is watched afresh
                if (e != null) forget(e);
            }
            if (!key.reset()) scandirKey = null;
            return;
        }
        Entry e = byKey.get(key);
        if (e == null) {
            key.cancel();
            return;
        }
        e.dirty = true;
        if (!key.reset()) {
            byKey.remove(key);
            if (key == e.superviseKey) e.superviseKey = null;
            if (key == e.serviceKey) e.serviceKey = null;
        }
    }

    private void forget(Entry e) {
        for (WatchKey k : new WatchKey[] {e.serviceKey, e.superviseKey}) {
            if (k != null) {
                k.cancel();
                byKey.remove(k);
            }
        }
        e.serviceKey = null;
        e.superviseKey = null;
        e.dirty = true;
    }

    /** Sets up the watches that are missing; true while some directory to watch does not exist yet. */
    private boolean register() throws IOException {
        boolean waiting = false;
        if (scandirKey == null) {
            if (Files.isDirectory(scandir)) {
                scandirKey = scandir.register(watch, StandardWatchEventKinds.ENTRY_CREATE,
                        StandardWatchEventKinds.ENTRY_DELETE);
            } else {
                waiting = true;
            }
        }
        for (Entry e : entries.values()) {
            Path sup = e.dir.superviseDir();
            // a watch follows its inode wherever it was moved: a new directory at the same path is watched anew
            if ((e.serviceKey != null && !java.util.Objects.equals(e.serviceInode, inode(e.dir.path())))
                    || (e.superviseKey != null && !java.util.Objects.equals(e.superviseInode, inode(sup)))) {
                forget(e);
            }
            if (e.serviceKey == null && Files.isDirectory(e.dir.path())) {
                e.serviceInode = inode(e.dir.path());
                e.serviceKey = e.dir.path().register(watch, StandardWatchEventKinds.ENTRY_CREATE,
                        StandardWatchEventKinds.ENTRY_DELETE);
                byKey.put(e.serviceKey, e);
                e.dirty = true;
            }
            if (e.superviseKey == null && Files.isDirectory(sup)) {
                e.superviseInode = inode(sup);
                e.superviseKey = sup.register(watch, StandardWatchEventKinds.ENTRY_CREATE,
                        StandardWatchEventKinds.ENTRY_MODIFY);
                byKey.put(e.superviseKey, e);
                e.dirty = true;
            }
            if (e.serviceKey == null || e.superviseKey == null) waiting = true;
        }
        return waiting;
    }

    /** The directory's identity (device and inode), or null when it is not there. */
    private static Object inode(Path dir) {
        try {
            return Files.readAttributes(dir, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            // gone (or unreadable): no identity, so any watch on it is dropped and set up again when it is back
            return null;
        }
    }

    private void check(Entry e) {
        e.dirty = false;
        SupervisorStatus now;
        byte[] bytes;
        try {
            bytes = e.dir.readStatusBytes();
            // most checks are the safety poll finding nothing new: compare bytes, parse only a change
            if (e.delivered && Arrays.equals(bytes, e.lastBytes)) return;
            now = bytes == null ? null : SupervisorStatus.parse(bytes);
        } catch (IOException | IllegalArgumentException x) {
            // a status file caught mid-rewrite or briefly missing: the next event or poll reads it again
            return;
        }
        e.delivered = true;
        e.lastBytes = bytes;
        listener.changed(e.dir, now);
    }

    private void sleepQuietly() {
        try {
            Thread.sleep(waitingPollMillis);
        } catch (InterruptedException e) {
            // woken by add() or remove(): the loop picks the change up
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        watch.close();
        thread.interrupt();
    }
}
