package io.warden.it;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Hermes Agent volume migrated to warden, on the host with real s6: Hermes's own gateway slot files (its
 * {@code finish}, which maps a clean exit 0 to s6's permanent failure 125), a stub in place of the Python gateway,
 * and a {@code HERMES_HOME} laid out as Hermes leaves it (HERMES-NOTES §1.4 to §1.7), plus what a broken or hostile
 * volume holds: a FIFO where a state file should be, a symlink out of the home, thousands of profiles.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class HermesMigrationIT {
    @TempDir
    Path root;
    Path templates;
    Path hermes;
    /** Each start of a stub gateway appends its pid to {@code <starts>-<profile>}. */
    Path starts;

    @BeforeEach
    void setUp() throws IOException {
        templates = Files.createDirectories(root.resolve("templates"));
        hermes = Files.createDirectories(root.resolve("opt-data"));
        starts = Files.createDirectories(root.resolve("starts")).resolve("gateway");
        hermesTemplate("gateway");
        hermesTemplate("gateway@");
    }

    /** A warden template made of Hermes's slot: its run (the stub gateway) and its finish. */
    private void hermesTemplate(String name) throws IOException {
        Path t = Files.createDirectories(templates.resolve(name));
        copy("it/hermes/run", t.resolve("run"));
        copy("it/hermes/finish", t.resolve("finish"));
        Files.writeString(t.resolve("starts"), starts + "\n");
        Files.writeString(t.resolve("timeout-kill"), "5000\n");
    }

    private static void copy(String resource, Path to) throws IOException {
        try (InputStream in = HermesMigrationIT.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) throw new IOException("missing test resource " + resource);
            Files.copy(in, to);
        }
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private S6Sandbox sandbox() throws IOException {
        return new TemplatesFolder(templates).sandbox(root.resolve("box"));
    }

    private S6Sandbox importing() throws IOException {
        return sandbox().env("WARDEN_IMPORT", "hermes:" + hermes);
    }

    /** How often the stub gateway of {@code profile} was started ({@code default} for the root profile). */
    private int startCount(String profile) throws IOException {
        Path f = Path.of(starts + "-" + profile);
        return Files.exists(f) ? Files.readAllLines(f).size() : 0;
    }

    @Test
    void restart_works_with_hermes_finish_that_maps_a_clean_exit_to_125() throws Exception {
        try (S6Sandbox box = sandbox()) {
            box.boot();
            long first = (Long) box.awaitObserved("gateway", "up").get("pid");
            S6Sandbox.Cli restart = box.cli("restart", "gateway", "--timeout", "20");
            assertEquals(0, restart.exit(), "restart is down, then up, whatever the finish does: " + restart);
            Map<String, Object> st = box.awaitObserved("gateway", "up");
            assertNotEquals(first, st.get("pid"), "a new run");
            assertEquals(2, startCount("default"));
            assertEquals("up", S6Sandbox.object(st, "intent").get("state"));
            // and again: the second restart works as the first did
            assertEquals(0, box.cli("restart", "gateway", "--timeout", "20").exit());
            assertEquals(3, startCount("default"));
            // a stop is a clean exit too (125): it stays down, and a start brings it back
            assertEquals(0, box.cli("stop", "gateway", "--timeout", "20").exit());
            assertEquals(0, box.cli("start", "gateway", "--timeout", "20").exit());
            assertEquals(4, startCount("default"));
        }
    }

    @Test
    void a_start_that_does_not_converge_says_what_s6_does() throws Exception {
        try (S6Sandbox box = sandbox()) {
            box.boot();
            box.awaitObserved("gateway", "up");
            // the gateway ends cleanly behind warden's back: Hermes's finish makes that s6's permanent failure,
            // so s6 settles down while warden's intent is up, and a start whose u s6 drops cannot converge
            Files.writeString(box.scandir().resolve("gateway/run"), "#!/bin/sh\nexit 0\n");
            S6Sandbox.Cli start = box.cli("restart", "gateway", "--timeout", "6");
            assertEquals(1, start.exit(), start.toString());
            assertFalse(start.err().contains("did not answer"), "the daemon did answer: " + start);
            assertFalse(start.err().contains("s6 is still at it"), "s6 settled down: " + start);
            assertTrue(start.err().contains("s6 has settled at 'down'"), start.toString());
        }
    }
}
