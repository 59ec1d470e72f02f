package io.warden.state;

import io.warden.json.JsonException;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The state volume: the service's intent and last shutdown ({@code <service>.json}), the record of warden's
 * current run ({@code run.json}) and the journal. Damaged files are renamed aside, never overwritten or deleted.
 */
public final class StateStore {
    public static final String RUN_FILE = "run.json";
    public static final String CORRUPT_SUFFIX = ".corrupt-";
    /**
     * Names a service may not take: {@code <name>.json} or the name itself would be, or look like, one of warden's
     * own files here (the run record, the journal and its rotation, the lock). In this order, always: a message that
     * lists them must read the same at every run (a {@code Set.of} iterates in an order that changes per JVM).
     */
    public static final java.util.Set<String> RESERVED_NAMES = java.util.Collections.unmodifiableSet(
            new java.util.LinkedHashSet<>(java.util.List.of(
                    RUN_FILE.substring(0, RUN_FILE.length() - ".json".length()),
                    Journal.FILE.substring(0, Journal.FILE.indexOf('.')),
                    Journal.ROTATED.substring(0, Journal.ROTATED.lastIndexOf('.')),
                    StateLock.FILE)));

    private final Path dir;
    /** The default service ({@code WARDEN_SERVICE}): the one the no-name methods mean, as in round 1. */
    private final String service;
    private final DurableFile runFile;
    private final Journal journal;
    private final FileSync sync;

    public StateStore(Path dir, String service) {
        this(dir, service, Journal.DEFAULT_MAX_BYTES);
    }

    public StateStore(Path dir, String service, long journalMaxBytes) {
        this(dir, service, journalMaxBytes, FileSync.SYSTEM);
    }

    /** {@code sync}: every fsync of this store's writes (a test counts or fails them). */
    public StateStore(Path dir, String service, long journalMaxBytes, FileSync sync) {
        this.dir = dir;
        this.service = service;
        this.sync = sync;
        this.runFile = new DurableFile(dir.resolve(RUN_FILE), sync);
        this.journal = new Journal(dir, journalMaxBytes, sync);
    }

    public static String serviceFileName(String service) {
        return service + ".json";
    }

    public Path dir() {
        return dir;
    }

    public Path serviceFile() {
        return serviceFile(service);
    }

    public Path serviceFile(String name) {
        return dir.resolve(serviceFileName(name));
    }

    DurableFile durable(String name) {
        return new DurableFile(serviceFile(name), sync);
    }

    DurableFile runFile() {
        return runFile;
    }

    FileSync sync() {
        return sync;
    }

    /**
     * The services with a state file on the volume, sorted: every service warden has kept here, also those whose
     * template an upgrade removed. Files of other shapes (the run record, damaged files set aside) are not names.
     */
    public List<String> recordedServices() throws IOException {
        List<String> names = new ArrayList<>();
        if (!Files.isDirectory(dir)) return names;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.json")) {
            for (Path p : ds) {
                String f = p.getFileName().toString();
                String name = f.substring(0, f.length() - ".json".length());
                if (io.warden.state.ServiceName.problem(name) == null && Files.isRegularFile(p)) names.add(name);
            }
        }
        java.util.Collections.sort(names);
        return names;
    }

    /** Forgets a service (a removed instance): its state file goes, durably. */
    public void forgetService(String name) throws IOException {
        if (Files.deleteIfExists(serviceFile(name))) sync.directory(dir);
    }

    public Journal journal() {
        return journal;
    }

    /** Creates the directory when missing (mode 0755 parents, as for any volume mount point). */
    public void ensureDirectory() throws IOException {
        Files.createDirectories(dir);
    }

    /** Removes temporary files left by writes that a crash interrupted; returns their names. */
    public List<String> removeTornWrites() throws IOException {
        List<String> removed = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, DurableFile.TEMP_PREFIX + "*")) {
            for (Path p : ds) {
                Files.deleteIfExists(p);
                removed.add(p.getFileName().toString());
            }
        }
        return removed;
    }

    public Loaded<ServiceState> loadService() {
        return loadService(service);
    }

    public Loaded<ServiceState> loadService(String name) {
        return load(durable(name), text -> {
            ServiceState s = ServiceState.fromFileText(text);
            if (!s.service().equals(name)) {
                throw new JsonException("file is for service '" + s.service() + "', not '" + name + "'");
            }
            return s;
        });
    }

    public Loaded<RunRecord> loadRun() {
        return load(runFile, RunRecord::fromFileText);
    }

    /** Reads without moving anything aside: for the command line, which must never change the volume. */
    public Loaded<ServiceState> peekService() {
        return peekService(service);
    }

    /** Reads one service's state without moving anything aside. */
    public Loaded<ServiceState> peekService(String name) {
        DurableFile serviceFile = durable(name);
        try {
            String text = serviceFile.read();
            if (text == null) return Loaded.absent();
            ServiceState s = ServiceState.fromFileText(text);
            if (!s.service().equals(name)) {
                return Loaded.damaged(serviceFile.path() + ": file is for service '" + s.service() + "'", null);
            }
            return Loaded.of(s);
        } catch (IOException | JsonException e) {
            return Loaded.damaged(serviceFile.path() + ": " + e.getMessage(), null);
        }
    }

    /** Writes the state file of {@code s.service()}. */
    public void saveService(ServiceState s) throws IOException {
        durable(s.service()).write(s.toFileText());
    }

    public void saveRun(RunRecord r) throws IOException {
        runFile.write(r.toFileText());
    }

    public void appendJournal(Map<String, Object> record) throws IOException {
        journal.append(record);
    }

    private interface Parser<T> {
        T parse(String text) throws JsonException;
    }

    private <T> Loaded<T> load(DurableFile file, Parser<T> parser) {
        String text;
        try {
            text = file.read();
        } catch (DurableFile.BadContentException e) {
            return keepAside(file, "not valid UTF-8 text");
        } catch (AccessDeniedException e) {
            // the intent is there and may be read later (a volume's permissions repaired): never moved, never guessed
            return Loaded.unreadable(file.path() + ": permission denied");
        } catch (IOException e) {
            // a directory in the file's place is no intent and is in the way of a new file; an I/O error may pass
            if (Files.isDirectory(file.path(), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                return keepAside(file, "cannot read (" + e.getMessage() + ")");
            }
            return Loaded.unreadable(file.path() + ": cannot read (" + e.getMessage() + ")");
        }
        if (text == null) return Loaded.absent();
        try {
            if (text.isBlank()) throw new JsonException("file is empty");
            return Loaded.of(parser.parse(text));
        } catch (JsonException e) {
            return keepAside(file, e.getMessage());
        }
    }

    /** Renames a damaged file aside under a name no other file has; it is never overwritten or deleted. */
    private <T> Loaded<T> keepAside(DurableFile file, String why) {
        String base = file.path().getFileName() + CORRUPT_SUFFIX + Instant.now().toString().replace(':', '-');
        Path aside = file.path().resolveSibling(base);
        for (int i = 1; Files.exists(aside, java.nio.file.LinkOption.NOFOLLOW_LINKS); i++) {
            aside = file.path().resolveSibling(base + "-" + i);
        }
        String where;
        try {
            Files.move(file.path(), aside);
            sync.directory(dir);
            where = "kept aside as " + aside.getFileName();
        } catch (IOException moveFailed) {
            where = "could not be moved aside (" + moveFailed.getMessage() + "), left in place";
            aside = null;
        }
        return Loaded.damaged(file.path() + ": " + why + "; " + where, aside);
    }

    /** The outcome of reading one state file: a value, nothing (first boot), or a documented problem. */
    /**
     * The outcome of reading one state file: a value, nothing (first boot), or a documented problem: damaged (the
     * bytes are no intent: kept aside) or unreadable (the intent may be there: left in place, read again later).
     */
    public record Loaded<T>(T value, String problem, Path keptAside, boolean unreadable) {
        static <T> Loaded<T> of(T v) {
            return new Loaded<>(v, null, null, false);
        }

        static <T> Loaded<T> absent() {
            return new Loaded<>(null, null, null, false);
        }

        static <T> Loaded<T> damaged(String problem, Path aside) {
            return new Loaded<>(null, problem, aside, false);
        }

        public static <T> Loaded<T> unreadable(String problem) {
            return new Loaded<>(null, problem, null, true);
        }

        /** Damaged or unreadable: no value and a problem to report. */
        public boolean damaged() {
            return problem != null;
        }
    }
}
