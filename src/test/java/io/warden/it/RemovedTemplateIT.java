package io.warden.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An instance template removed while its instances run (warden restarted on a changed templates folder, s6 and the
 * instance running on): the instance's last stop is judged on the run that is still there, and it can be stopped.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RemovedTemplateIT {
    @TempDir
    Path root;

    @Test
    void aRunningInstanceWhoseTemplateWentIsNotForcedAndCanBeStopped() throws Exception {
        TemplatesFolder templates = new TemplatesFolder(root.resolve("templates"));
        templates.add("gateway");
        Path worker = templates.add("worker@");
        try (S6Sandbox box = templates.sandbox(root.resolve("box"))) {
            box.boot();
            assertEquals(0, box.cli("start", "worker@a", "--timeout", "20").exit());
            long pid = (Long) box.awaitObserved("worker@a", "up").get("pid");
            for (String f : List.of("run", "finish")) Files.delete(worker.resolve(f));
            Files.delete(worker);

            // warden alone is stopped and started again: s6 and worker@a run on
            S6Sandbox.signal(box.warden().pid(), "TERM");
            S6Sandbox.waitGone(box.warden());
            box.startWarden();
            Map<String, Object> booted = box.list().get("worker@a");
            Map<String, Object> last = S6Sandbox.object(booted, "lastShutdown");
            assertEquals("signal", last.get("cause"), booted.toString());
            assertNotEquals(Boolean.TRUE, last.get("forcedKill"), "it was not killed, it still runs: " + booted);
            assertFalse(box.log().contains("worker@a: last shutdown was forced"), box.log());
            Map<String, Object> w = box.awaitObserved("worker@a", "up");
            assertEquals("missing", w.get("template"), w.toString());
            assertEquals(pid, w.get("pid"), "the same run, seen through s6");

            S6Sandbox.Cli stop = box.cli("stop", "worker@a", "--reason", "template gone", "--timeout", "20");
            assertEquals(0, stop.exit(), "stopping needs no template: " + stop);
            Map<String, Object> down = box.awaitObserved("worker@a", "down");
            assertEquals("down", S6Sandbox.object(down, "intent").get("state"));
            assertEquals("user", S6Sandbox.object(down, "lastShutdown").get("cause"), down.toString());
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the run ended");
            S6Sandbox.Cli start = box.cli("start", "worker@a", "--timeout", "5");
            assertEquals(5, start.exit(), "starting still needs the template: " + start);
            assertTrue(start.err().contains("template"), start.toString());
        }
    }
}
