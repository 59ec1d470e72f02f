package io.warden.it;

import org.junit.jupiter.api.Timeout;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static io.warden.it.S6Sandbox.object;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The image's early start (run by warden's service before the JVM): the gateway starts at once when the recorded
 * intent is plainly up, and warden adopts it untouched; anything else is left to warden.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EarlyStartIT {
    static final Path SCRIPT = Path.of("s6-rootfs/warden/usr/local/lib/warden/early-start").toAbsolutePath();

    @TempDir
    Path tmp;
    S6Sandbox box;

    @AfterEach
    void tearDown() throws Exception {
        if (box != null) box.close();
    }

    private S6Sandbox.Cli earlyStart() throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("sh", SCRIPT.toString());
        pb.environment().putAll(box.environment());
        Process p = pb.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        return new S6Sandbox.Cli(p.waitFor(), out, "");
    }

    @Test
    void upIntentStartsTheGatewayBeforeWardenWhichAdoptsIt() throws Exception {
        box = new S6Sandbox(tmp).boot();
        box.awaitGatewayUp();
        box.containerStop(false);

        box.startSupervisor();
        S6Sandbox.Cli es = earlyStart();
        assertEquals(0, es.exit(), es.toString());
        assertTrue(es.out().contains("installed"), es.out());
        S6Sandbox.await("gateway started by s6 alone", Duration.ofSeconds(10),
                () -> {
                    try {
                        return box.s6("s6-svstat", "-o", "up").out().trim().equals("true");
                    } catch (Exception e) {
                        return false;
                    }
                });
        String pidBefore = box.s6("s6-svstat", "-o", "pid").out().trim();

        box.startWarden();
        Map<String, Object> s = box.status();
        assertEquals("up", s.get("observed"));
        assertEquals(Long.parseLong(pidBefore), s.get("pid"), "warden adopted the early gateway untouched");
        assertEquals("signal", object(s, "lastShutdown").get("cause"));
        assertTrue(box.log().contains("adopted untouched"), box.log());
    }

    @Test
    void downIntentIsLeftToWarden() throws Exception {
        box = new S6Sandbox(tmp).boot();
        box.awaitGatewayUp();
        assertEquals(0, box.cli("stop").exit());
        box.containerStop(false);

        box.startSupervisor();
        S6Sandbox.Cli es = earlyStart();
        assertEquals(0, es.exit(), es.toString());
        assertFalse(Files.exists(box.serviceDir()), "no service directory for an intent that is down");
        box.startWarden();
        // s6 has read the ./down warden installed: a wrong start would show as starting or up from here on
        Map<String, Object> s = box.awaitStatus("s6 settled", java.time.Duration.ofSeconds(15),
                st -> !"unknown".equals(st.get("observed")));
        assertEquals("down", s.get("observed"));
        assertFalse(box.cli("history", "--json", "-n", "3").out().contains("gateway-up"));
    }

    @Test
    void damagedStateIsLeftToWarden() throws Exception {
        box = new S6Sandbox(tmp);
        Files.writeString(box.stateDir().resolve("gateway.json"), "{\"format\": 1, \"intent\": {\"state\": \"up\"");
        box.startSupervisor();
        earlyStart();
        assertFalse(Files.exists(box.serviceDir()), "only a state file warden wrote is read");
    }
}
