package io.warden.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Another keeper of the same services (Hermes's own reconciler left in the image, making {@code gateway-<P>} slots
 * for what warden keeps as {@code gateway@P}; a services.d copy running the same program), with real s6: reported
 * when it appears (degraded, journal), the health check unhealthy while both copies run, and healthy again once the
 * other keeper's slot is gone.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SecondKeeperIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path root;

    @SuppressWarnings("unchecked")
    private static List<Object> degraded(Map<String, Object> s) {
        return (List<Object>) s.get("degraded");
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Map<String, Object> awaitInstance(S6Sandbox box, String what,
                                                     java.util.function.Predicate<Map<String, Object>> ok)
            throws InterruptedException {
        Map<String, Object>[] seen = new Map[1];
        S6Sandbox.await(what, WAIT, () -> {
            try {
                seen[0] = box.list().get("gateway@work");
                return seen[0] != null && ok.test(seen[0]);
            } catch (java.io.IOException | InterruptedException | IllegalStateException e) {
                return false;
            }
        });
        return seen[0];
    }

    @Test
    void aReconcilersSlotBesideWardensInstanceIsReportedAndUnhealthyWhileBothRun() throws Exception {
        TemplatesFolder templates = new TemplatesFolder(root.resolve("templates"));
        templates.add("gateway");
        templates.add("gateway@");
        try (S6Sandbox box = templates.sandbox(root.resolve("box"))) {
            box.boot();
            box.awaitObserved("gateway", "up");
            assertEquals(0, box.cli("start", "gateway@work", "--timeout", "20").exit());
            box.awaitObserved("gateway@work", "up");
            assertEquals(0, box.cli("check").exit(), "one keeper: healthy");

            // what Hermes's reconciler does for the profile "work": a slot of its own, renamed in, then a rescan
            Path tmp = box.scandir().resolve(".gateway-work.tmp");
            Files.createDirectories(tmp);
            TemplatesFolder.copy("it/gateway-run", tmp.resolve("run"));
            Files.move(tmp, box.scandir().resolve("gateway-work"));
            box.s6("s6-svscanctl", "-a", box.scandir().toString());

            Map<String, Object> s = awaitInstance(box, "the second keeper reported", st ->
                    degraded(st).stream().anyMatch(p -> String.valueOf(p).contains("second keeper"))
                            && !Boolean.TRUE.equals(st.get("healthy")));
            assertTrue(String.valueOf(s.get("secondCopy")).endsWith("gateway-work"), "the copy is named: " + s);
            S6Sandbox.Cli check = box.cli("check");
            assertEquals(1, check.exit(), "two copies of one gateway run: unhealthy: " + check);
            assertTrue(box.cli("history", "--json", "-n", "200").out().contains("second-keeper"), "journaled");

            // the other keeper's slot taken out, the s6 way
            box.s6("s6-svc", "-dx", box.scandir().resolve("gateway-work").toString());
            S6Sandbox.run("s6-svwait", "-D", "-t", "10000", box.scandir().resolve("gateway-work").toString());
            S6Sandbox.run("mv", box.scandir().resolve("gateway-work").toString(), box.scandir().resolve(".gone").toString());
            box.s6("s6-svscanctl", "-an", box.scandir().toString());
            Map<String, Object> after = awaitInstance(box, "healthy again", st -> Boolean.TRUE.equals(st.get("healthy")));
            assertNull(after.get("secondCopy"));
            assertEquals(0, box.cli("check").exit());
        }
    }
}
