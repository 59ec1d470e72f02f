package io.warden.s6;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Finds s6 processes through /proc. s6-svscan and s6-supervise both chdir into the directory they serve, so a
 * process's name plus its working directory says which scandir or servicedir it supervises. Needs no FIFO and
 * never disturbs the supervisor (taking its lock to probe it would).
 */
public final class ProcessTable {
    private final Path proc;

    public ProcessTable(Path proc) {
        this.proc = proc;
    }

    public static ProcessTable system() {
        return new ProcessTable(Path.of("/proc"));
    }

    /**
     * Where each process of the names looked for was found by the last full walk of /proc ({@code comm NUL cwd} to
     * pid): with 5,000 services there are 10,000 processes, and a walk per service made a boot quadratic (a restart
     * on 500 services took 15 s before the socket answered). A remembered pid is used only after its {@code comm}
     * and {@code cwd} are read again, so an answer is never older than the lookup; a directory not found in it is
     * looked for by a full walk, which replaces it.
     */
    private volatile Map<String, Long> found = Map.of();

    /** The pid of a process named {@code comm} whose working directory is {@code dir}, or 0. */
    public long find(String comm, Path dir) {
        Path want;
        try {
            want = dir.toRealPath();
        } catch (IOException e) {
            // a directory that does not exist has no supervisor
            return 0;
        }
        String key = comm + "\0" + want;
        Long known = found.get(key);
        if (known != null && is(known, comm, want)) return known;
        Map<String, Long> now = new HashMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(proc)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (!isNumeric(name)) continue;
                try {
                    String c = Files.readString(p.resolve("comm"), StandardCharsets.UTF_8).trim();
                    // only the names looked for are remembered: their cwd is worth a readlink, others' is not
                    if (!c.equals(comm) && !found.containsKey(c + "\0")) continue;
                    now.put(c + "\0" + Files.readSymbolicLink(p.resolve("cwd")), Long.parseLong(name));
                } catch (IOException e) {
                    // the process ended while we looked, or is not ours to inspect: not the one we want
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + proc + ": " + e.getMessage(), e);
        }
        // the names looked for so far, so a walk for one name also refreshes the others
        for (String k : found.keySet()) if (k.endsWith("\0")) now.put(k, 0L);
        now.put(comm + "\0", 0L);
        found = now;
        Long pid = now.get(key);
        return pid == null ? 0 : pid;
    }

    /** Whether {@code pid} is still a process named {@code comm} working in {@code dir}. */
    private boolean is(long pid, String comm, Path dir) {
        Path p = proc.resolve(Long.toString(pid));
        try {
            return comm.equals(Files.readString(p.resolve("comm"), StandardCharsets.UTF_8).trim())
                    && dir.equals(Files.readSymbolicLink(p.resolve("cwd")));
        } catch (IOException e) {
            // it ended, or its pid is another user's now: not the one remembered
            return false;
        }
    }

    /** The arguments a process was started with (argv, argv[0] first); empty when it is gone or not readable. */
    public java.util.List<String> commandLine(long pid) {
        try {
            String raw = new String(Files.readAllBytes(proc.resolve(pid + "/cmdline")), StandardCharsets.UTF_8);
            if (raw.isEmpty()) return java.util.List.of();
            if (raw.endsWith("\0")) raw = raw.substring(0, raw.length() - 1);
            return java.util.List.of(raw.split("\0", -1));
        } catch (IOException e) {
            // ended, or another user's process in a hardened /proc: nothing is known of its options
            return java.util.List.of();
        }
    }

    /** The file a process runs (where its version may show, as in s6-overlay's /package/admin/s6-2.15.0.0), or "". */
    public String executable(long pid) {
        try {
            return Files.readSymbolicLink(proc.resolve(pid + "/exe")).toString();
        } catch (IOException e) {
            // another user's process: its executable cannot be read, its version stays unknown
            return "";
        }
    }

    /** The command name of pid 1 in this pid namespace, or "" when unreadable. */
    public String initName() {
        try {
            return Files.readString(proc.resolve("1/comm"), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            // no readable pid 1 (another pid namespace's /proc): then it is not s6-overlay
            return "";
        }
    }

    private static boolean isNumeric(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isDigit(s.charAt(i))) return false;
        }
        return !s.isEmpty();
    }
}
