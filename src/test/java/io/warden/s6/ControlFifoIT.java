package io.warden.s6;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The control FIFO in plain Java against a real s6-supervise (Debian's s6): a write reaches a listening supervisor,
 * a directory nobody supervises fails at once with {@link ControlFifo.NotSupervisedException}, and a supervisor that
 * stops reading cannot hold the writer. Each case has its own timeout: a write that blocks fails the test.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ControlFifoIT {
    @TempDir
    Path tmp;
    Process supervisor;

    @AfterEach
    void stopSupervisor() throws Exception {
        if (supervisor == null) return;
        // the run (a child of s6-supervise) first, then the supervisor; a stopped one is continued so it can die
        supervisor.descendants().forEach(ProcessHandle::destroyForcibly);
        new ProcessBuilder("kill", "-CONT", String.valueOf(supervisor.pid())).start().waitFor();
        supervisor.destroyForcibly();
        assertTrue(supervisor.waitFor(10, TimeUnit.SECONDS), "s6-supervise ended");
    }

    private Path serviceDir(String name) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Path run = dir.resolve("run");
        Files.writeString(run, "#!/bin/sh\nexec sleep 1000\n");
        assertTrue(run.toFile().setExecutable(true));
        return dir;
    }

    private ServiceDirectory supervised(String name) throws Exception {
        Path dir = serviceDir(name);
        supervisor = new ProcessBuilder("s6-supervise", dir.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve(name + ".log").toFile()).start();
        ServiceDirectory sd = new ServiceDirectory(dir);
        awaitStatus(sd, SupervisorStatus::up, "the run is up");
        return sd;
    }

    /** Polls supervise/status, which s6-supervise rewrites at every transition, until it shows {@code what}. */
    private static SupervisorStatus awaitStatus(ServiceDirectory sd, Predicate<SupervisorStatus> what, String label)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            SupervisorStatus s = sd.readStatus();
            if (s != null && what.test(s)) return s;
            if (System.nanoTime() > deadline) throw new AssertionError("supervise/status never showed: " + label + "; last " + s);
            Thread.sleep(20);
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void aDirectoryNoSupervisorServesFailsFastAndNeverBlocks() throws Exception {
        // what a dead supervisor leaves behind: supervise/ with its control FIFO and nobody reading it
        Path dir = serviceDir("orphan");
        Path control = Files.createDirectories(dir.resolve("supervise")).resolve("control");
        assertEquals(0, new ProcessBuilder("mkfifo", control.toString()).start().waitFor());
        ControlFifo fifo = new ControlFifo(dir, ProcessTable.system());
        ControlFifo.NotSupervisedException e = assertThrows(ControlFifo.NotSupervisedException.class, () -> fifo.send("d"));
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
        // and a directory that was never supervised at all
        Path never = serviceDir("never");
        assertEquals(ControlResult.Outcome.NOT_SUPERVISED,
                new ServiceDirectory(never).control("u", ProcessTable.system()).outcome());
    }

    @Test
    void aWriteReachesTheListeningSupervisor() throws Exception {
        ServiceDirectory sd = supervised("gateway");
        long firstPid = sd.readStatus().pid();
        assertTrue(sd.control("d", ProcessTable.system()).sent());
        SupervisorStatus down = awaitStatus(sd, s -> !s.up(), "down after d");
        assertFalse(down.wantUp(), "s6 took the d: it no longer wants the service up");
        assertTrue(sd.control("u", ProcessTable.system()).sent());
        SupervisorStatus up = awaitStatus(sd, s -> s.up() && s.wantUp(), "up again after u");
        assertNotEquals(firstPid, up.pid(), "a new run was started");
    }

    @Test
    void aSupervisorThatReadsNothingCannotHoldTheWriter() throws Exception {
        ServiceDirectory sd = supervised("stuck");
        assertEquals(0, new ProcessBuilder("kill", "-STOP", String.valueOf(supervisor.pid())).start().waitFor());
        // one byte more than a pipe holds, of a letter s6 ignores: the write can only finish if someone reads
        String flood = "z".repeat(64 * 1024 + 1);
        ControlResult r = sd.control(flood, ProcessTable.system());
        assertEquals(ControlResult.Outcome.FAILED, r.outcome(), "a supervisor exists; it is stuck: " + r);
        assertTrue(r.detail().contains("within " + ControlFifo.WRITE_BOUND_MILLIS + " ms"), r.detail());
        // once it reads again it drains what piled up, and the next command goes through
        assertEquals(0, new ProcessBuilder("kill", "-CONT", String.valueOf(supervisor.pid())).start().waitFor());
        assertTrue(sd.control("d", ProcessTable.system()).sent());
        assertFalse(awaitStatus(sd, s -> !s.up(), "down after d").wantUp());
    }
}
