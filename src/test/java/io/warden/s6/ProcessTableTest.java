package io.warden.s6;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A fake /proc: what find answers is what /proc says at the lookup, whatever it remembered from an earlier walk. */
class ProcessTableTest {
    @TempDir
    Path root;

    private Path proc;

    private void process(long pid, String comm, Path cwd) throws IOException {
        Path p = Files.createDirectories(proc.resolve(Long.toString(pid)));
        Files.writeString(p.resolve("comm"), comm + "\n");
        Files.deleteIfExists(p.resolve("cwd"));
        Files.createSymbolicLink(p.resolve("cwd"), cwd);
    }

    private void gone(long pid) throws IOException {
        Path p = proc.resolve(Long.toString(pid));
        Files.delete(p.resolve("comm"));
        Files.delete(p.resolve("cwd"));
        Files.delete(p);
    }

    @Test
    void findsTheProcessServingADirectoryAsItIsNow() throws IOException {
        proc = Files.createDirectories(root.resolve("proc"));
        Path a = Files.createDirectories(root.resolve("scan/a")).toRealPath();
        Path b = Files.createDirectories(root.resolve("scan/b")).toRealPath();
        Path c = Files.createDirectories(root.resolve("scan/c")).toRealPath();
        process(10, "s6-supervise", a);
        process(11, "s6-supervise", b);
        process(12, "sleep", c);
        ProcessTable t = new ProcessTable(proc);
        assertEquals(10, t.find("s6-supervise", a));
        assertEquals(11, t.find("s6-supervise", b));
        assertEquals(0, t.find("s6-supervise", c), "a process of another name in c is no supervisor");
        assertEquals(12, t.find("sleep", c));

        gone(10);
        assertEquals(0, t.find("s6-supervise", a), "a supervisor that ended is not found from memory");
        process(20, "s6-supervise", a);
        assertEquals(20, t.find("s6-supervise", a), "a new supervisor is found");
        process(11, "s6-log", b);
        assertEquals(0, t.find("s6-supervise", b), "a pid now another program's is not taken for the supervisor");
        process(30, "s6-supervise", c);
        assertEquals(30, t.find("s6-supervise", c));
        assertEquals(0, t.find("s6-supervise", root.resolve("absent")));
    }
}
