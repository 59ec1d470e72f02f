package io.warden.s6;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ServiceDirectoryTest {
    @TempDir
    Path root;

    @Test
    void the_wait_for_a_new_supervisor_ends_when_its_status_appears() throws Exception {
        Path dir = Files.createDirectories(root.resolve("svc"));
        ServiceDirectory sd = new ServiceDirectory(dir);
        CompletableFuture<Void> supervisor = CompletableFuture.runAsync(() -> {
            try {
                Thread.sleep(200);
                Files.createDirectories(dir.resolve("supervise"));
                Thread.sleep(100);
                // as s6-supervise writes it: a temporary file renamed into place
                Files.write(dir.resolve("supervise/status.new"), new byte[SupervisorStatus.LENGTH_STANDARD]);
                Files.move(dir.resolve("supervise/status.new"), dir.resolve("supervise/status"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long t0 = System.nanoTime();
        assertTrue(sd.awaitSupervisor(10_000));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        supervisor.get();
        assertTrue(ms < 5_000, "woken by the file's arrival, not at the bound: " + ms + " ms");
        assertTrue(sd.awaitSupervisor(0), "already there");
    }

    @Test
    void no_supervisor_is_waited_for_until_the_bound_only() throws Exception {
        ServiceDirectory sd = new ServiceDirectory(Files.createDirectories(root.resolve("svc")));
        long t0 = System.nanoTime();
        assertFalse(sd.awaitSupervisor(300));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms >= 290 && ms < 5_000, ms + " ms");
    }

    @Test
    void up_is_what_s6_reports_and_no_status_is_not_up() throws Exception {
        Path dir = Files.createDirectories(root.resolve("svc/supervise"));
        ServiceDirectory sd = new ServiceDirectory(root.resolve("svc"));
        assertFalse(sd.up(), "no status file");
        byte[] b = new byte[SupervisorStatus.LENGTH_STANDARD];
        b[0] = 0x40;
        b[12] = 0x40;
        b[31] = 42;
        Files.write(dir.resolve("status"), b);
        assertTrue(sd.up(), "pid 42, not finishing");
        Files.write(dir.resolve("status"), new byte[3]);
        assertFalse(sd.up(), "a status that cannot be read is not up");
    }
}
