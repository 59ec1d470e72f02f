package io.warden.s6;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/** One s6 service directory in the scandir: its files, its {@code down} marker, its status and control FIFO. */
public final class ServiceDirectory {
    private final Path dir;
    private final java.util.function.BooleanSupplier swept;

    public ServiceDirectory(Path dir) {
        this(dir, () -> false);
    }

    /** {@code swept}: whether the scandir's leftovers were removed in one pass already this run. */
    ServiceDirectory(Path dir, java.util.function.BooleanSupplier swept) {
        this.dir = dir;
        this.swept = swept;
    }

    public Path path() {
        return dir;
    }

    public Path superviseDir() {
        return dir.resolve("supervise");
    }

    public boolean exists() {
        return Files.isDirectory(dir);
    }

    public boolean hasDownFile() {
        return Files.exists(dir.resolve("down"));
    }

    /** Creates or removes {@code ./down}, which decides the wanted state whenever s6-supervise (re)starts. */
    public void setDownFile(boolean down) throws IOException {
        Path f = dir.resolve("down");
        if (down) {
            try {
                Files.createFile(f);
            } catch (FileAlreadyExistsException e) {
                // already as wanted: nothing to make durable
                return;
            }
        } else if (!Files.deleteIfExists(f)) {
            return;
        }
        io.warden.state.DurableFile.syncDirectory(dir);
    }

    /** The supervisor's view, or null when no status file exists yet (not supervised, or just installed). */
    public SupervisorStatus readStatus() throws IOException {
        byte[] b = readStatusBytes();
        return b == null ? null : SupervisorStatus.parse(b);
    }

    /**
     * Whether s6 reports a run up now. A status that cannot be read, or is not s6's layout (another keeper's slot
     * may hold anything), counts as not up: the callers ask to decide whether to start something or report a copy
     * running, and such a status says neither.
     */
    public boolean up() {
        try {
            SupervisorStatus s = readStatus();
            return s != null && s.up();
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }

    /** The raw {@code supervise/status}, or null when it does not exist. */
    public byte[] readStatusBytes() throws IOException {
        try {
            return Files.readAllBytes(dir.resolve("supervise/status"));
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /**
     * The file warden (and its early start) puts in every directory it installs, holding the template's path: a
     * slot without it was put in the scandir by someone else (an s6-rc service, services.d, a script).
     */
    public static final String MARKER = "installed-by-warden";

    /** Whether this directory is one warden installed: a real directory (not s6-rc's link) holding {@link #MARKER}. */
    public boolean installedByWarden() {
        return Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                && Files.isRegularFile(dir.resolve(MARKER), java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    /** Whether an s6-supervise process serves this directory right now. */
    public boolean supervised(ProcessTable procs) {
        return procs.find("s6-supervise", dir) != 0;
    }

    /**
     * Waits up to {@code millis} for a supervisor to take a directory just put in the scandir: s6-supervise writes
     * {@code supervise/status} only once its control FIFO is open, and a directory warden installs holds no
     * {@code supervise/}, so the file appearing says letters sent now reach it. True when it appeared in time.
     * Woken by the file system's events (inotify) on the directory and then on {@code supervise/}, never a poll.
     */
    public boolean awaitSupervisor(long millis) throws IOException {
        Path supervise = dir.resolve("supervise");
        Path status = supervise.resolve("status");
        if (Files.exists(status)) return true;
        long deadline = System.nanoTime() + millis * 1_000_000L;
        try (java.nio.file.WatchService ws = dir.getFileSystem().newWatchService()) {
            dir.register(ws, java.nio.file.StandardWatchEventKinds.ENTRY_CREATE);
            boolean superviseWatched = false;
            while (true) {
                // registered first, looked at after: a file made in between is seen by the look
                if (!superviseWatched && Files.isDirectory(supervise)) {
                    supervise.register(ws, java.nio.file.StandardWatchEventKinds.ENTRY_CREATE);
                    superviseWatched = true;
                }
                if (Files.exists(status)) return true;
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                java.nio.file.WatchKey k = ws.poll(left, java.util.concurrent.TimeUnit.NANOSECONDS);
                if (k != null) {
                    k.pollEvents();
                    k.reset();
                }
            }
        } catch (NoSuchFileException e) {
            // the directory went away (removed while installing): no supervisor will take it
            return false;
        } catch (IOException e) {
            throw new IOException("cannot watch " + dir + " for its new supervisor: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Writes s6-svc command letters ({@code u}, {@code d}, {@code t}, ...) to {@code supervise/control} and says
     * what became of them; never throws and never blocks for long.
     */
    public ControlResult control(String commands, ProcessTable procs) {
        if (!exists()) return new ControlResult(ControlResult.Outcome.NO_DIRECTORY, dir + " is not in the scandir");
        try {
            new ControlFifo(dir, procs).send(commands);
            return ControlResult.SENT;
        } catch (ControlFifo.NotSupervisedException e) {
            return new ControlResult(ControlResult.Outcome.NOT_SUPERVISED, e.getMessage());
        } catch (IOException e) {
            return new ControlResult(ControlResult.Outcome.FAILED, e.getMessage());
        }
    }

    /**
     * Installs the directory from a template, atomically: copy under a dot-name (s6-svscan ignores those), add
     * {@code down} if wanted, then rename into place. A reader never sees a half-copied service.
     */
    public void installFrom(Path template, boolean down) throws IOException {
        installFrom(template, down, null);
    }

    /**
     * As {@link #installFrom(Path, boolean)}; an instance also gets {@code ./instance}, one line with its instance
     * name, which its run script reads (systemd's {@code %i}).
     */
    public void installFrom(Path template, boolean down, String instance) throws IOException {
        if (!Files.isDirectory(template)) {
            throw new NoSuchFileException(template.toString(), null, "service template directory is missing");
        }
        if (!Files.isRegularFile(template.resolve("run"))) {
            throw new NoSuchFileException(template.resolve("run").toString(), null, "service template has no run file");
        }
        Path parent = dir.getParent();
        Files.createDirectories(parent);
        Path staging = parent.resolve("." + dir.getFileName() + ".warden-" + ProcessHandle.current().pid());
        deleteTree(staging);
        try {
            copyInto(template, staging);
            Files.writeString(staging.resolve(MARKER), template + "\n", java.nio.charset.StandardCharsets.UTF_8);
            if (down) Files.createFile(staging.resolve("down"));
            if (instance != null) {
                Files.writeString(staging.resolve("instance"), instance + "\n", java.nio.charset.StandardCharsets.UTF_8);
            }
            io.warden.state.DurableFile.syncDirectory(staging);
            Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            // whatever failed, no half-built staging directory is left in the scandir
            try {
                deleteTree(staging);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private static void copyInto(Path template, Path staging) throws IOException {
        try (Stream<Path> walk = Files.walk(template)) {
            for (Path src : (Iterable<Path>) walk::iterator) {
                Path rel = template.relativize(src);
                if (rel.toString().equals("supervise") || rel.toString().startsWith("supervise/")
                        || rel.toString().equals("event") || rel.toString().startsWith("event/")
                        || rel.toString().equals("down")) {
                    continue;
                }
                if (Files.isSymbolicLink(src) && !Files.exists(src)) {
                    throw new NoSuchFileException(src.toString(), null, "the service template holds a dangling"
                            + " symlink (to " + Files.readSymbolicLink(src) + ")");
                }
                Path dst = staging.resolve(rel.toString());
                if (Files.isDirectory(src)) {
                    Files.createDirectories(dst);
                } else {
                    Files.copy(src, dst, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    /**
     * Takes the slot out of the scandir by renaming it to a dot-name, which s6-svscan ignores: the supervisor,
     * whose working directory follows the rename, finishes its run's end there and exits (it was sent {@code x}).
     * The renamed directory is deleted at warden's next boot ({@link Scandir#removeLeftovers}), when no supervisor
     * can still be writing into it; {@code /run/service} is emptied by every container boot anyway.
     */
    public void uninstall() throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        Path away = dir.getParent().resolve("." + dir.getFileName() + REMOVED_MARK + System.nanoTime());
        Files.move(dir, away, StandardCopyOption.ATOMIC_MOVE);
    }

    static final String REMOVED_MARK = ".warden-removed-";

    /** Removes dot-named staging directories a crashed warden left in the scandir (done already when swept). */
    public void removeStaleStaging() throws IOException {
        if (swept.getAsBoolean()) return;
        Path parent = dir.getParent();
        if (!Files.isDirectory(parent)) return;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent, "." + dir.getFileName() + ".warden-*")) {
            for (Path p : ds) deleteTree(p);
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path x : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) Files.delete(x);
        }
    }
}
