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

    /** A named profile as Hermes leaves it: its folder, SOUL.md, and its state file when {@code state} is given. */
    private Path profile(String name, String state) throws IOException {
        Path d = Files.createDirectories(hermes.resolve("profiles").resolve(name));
        Files.writeString(d.resolve("SOUL.md"), "# " + name + "\n");
        if (state != null) Files.writeString(d.resolve("gateway_state.json"), state);
        return d;
    }

    /** A gateway_state.json as Hermes's gateway writes it, with its other keys. */
    private static String gatewayState(String members) {
        return "{\"pid\":4242,\"kind\":\"hermes-gateway\",\"argv\":[\"hermes\",\"gateway\",\"run\",\"--replace\"],"
                + "\"start_time\":123456,\"exit_reason\":null,\"active_agents\":0,\"platforms\":{\"telegram\":"
                + "{\"state\":\"connected\"}},\"updated_at\":\"2026-06-10T10:00:00Z\"," + members + "}";
    }

    /** The Hermes volume of the scenario; returns the secret a link out of it points at. */
    private String hermesVolume(Path outside) throws Exception {
        // the root gateway, stopped by the user with hermes gateway stop (desired_state merged by the CLI)
        Files.writeString(hermes.resolve("gateway_state.json"),
                gatewayState("\"gateway_state\":\"stopped\",\"desired_state\":\"stopped\""));
        Files.createDirectories(hermes.resolve("state"));
        Files.writeString(hermes.resolve("state/gateway.lifecycle.json"), "{\"phase\":\"exited\",\"exit_code\":0}");
        Files.createDirectories(hermes.resolve("logs/gateways/default"));
        Files.writeString(hermes.resolve("logs/container-boot.log"), "profile=default prior_state=stopped action=registered\n");
        Files.writeString(hermes.resolve("gateway-starts.log"), "1781085600\n");
        // a running profile, and one whose gateway a container stop's SIGTERM ended (#42675: running persisted)
        profile("work", gatewayState("\"gateway_state\":\"running\",\"desired_state\":\"running\""));
        profile("sig", gatewayState("\"gateway_state\":\"running\""));
        // a folder without SOUL.md is no profile for Hermes
        Path nosoul = Files.createDirectories(hermes.resolve("profiles/nosoul"));
        Files.writeString(nosoul.resolve("gateway_state.json"), gatewayState("\"desired_state\":\"running\""));
        // profiles/default is the root profile's name: skipped
        profile("default", gatewayState("\"desired_state\":\"running\""));
        // a FIFO where the state file should be: opening it would block for ever
        Path fifo = profile("fifo", null).resolve("gateway_state.json");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        // links out of the home: a profile folder, and a state file pointing at a root-only file
        String secret = "S3CRET-" + System.nanoTime();
        Path target = Files.createDirectories(outside.resolve("profile"));
        Files.writeString(target.resolve("SOUL.md"), "x");
        Files.writeString(target.resolve("gateway_state.json"), "{\"desired_state\":\"running\"}");
        Files.createSymbolicLink(hermes.resolve("profiles/linkout"), target);
        Path secretFile = outside.resolve("root-only");
        Files.writeString(secretFile, secret + "\n");
        Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-------"));
        Files.createSymbolicLink(profile("fileout", null).resolve("gateway_state.json"), secretFile);
        // many profiles, past the bound: stopped ones, so the boot starts no process for them
        for (int i = 0; i < 70; i++) {
            profile(String.format("zz-%02d", i), gatewayState("\"gateway_state\":\"stopped\""));
        }
        return secret;
    }

    /** Every entry under the Hermes home (links and FIFOs as themselves): type, bytes' hash, mode and mtime. */
    private Map<String, String> hermesSnapshot() throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(hermes)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                java.nio.file.attribute.PosixFileAttributes a = Files.readAttributes(p,
                        java.nio.file.attribute.PosixFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                String v = a.isSymbolicLink() ? "link->" + Files.readSymbolicLink(p)
                        : a.isRegularFile() ? "file " + java.util.Arrays.hashCode(Files.readAllBytes(p))
                        : a.isDirectory() ? "dir" : "other";
                m.put(hermes.relativize(p).toString(), v + " " + PosixFilePermissions.toString(a.permissions()) + " "
                        + a.lastModifiedTime() + " " + a.owner().getName());
            }
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> intent(Map<String, Object> st) {
        return (Map<String, Object>) st.get("intent");
    }

    @Test
    void a_hermes_volume_is_imported_once_by_its_own_markers_and_never_written(@TempDir Path outside) throws Exception {
        String secret = hermesVolume(outside);
        Map<String, String> before = hermesSnapshot();
        try (S6Sandbox box = importing()) {
            box.boot();
            Map<String, Map<String, Object>> all = box.list();
            List<String> zz = all.keySet().stream().filter(n -> n.startsWith("gateway@zz-")).toList();
            assertEquals(62, zz.size(), "64 instances at most: work, sig and 62 of the 70 others: " + all.keySet());
            assertEquals("gateway@zz-61", zz.get(zz.size() - 1), "the first in name order");
            for (String absent : List.of("gateway@nosoul", "gateway@default", "gateway@fifo", "gateway@linkout",
                    "gateway@fileout")) {
                assertFalse(all.containsKey(absent), absent + " is no profile to import: " + all.keySet());
            }
            String log = box.log();
            assertTrue(log.contains("8 profile(s) refused: at most 64 instances are imported per volume"), log);
            assertTrue(String.valueOf(all.get("gateway").get("degraded")).contains("8 profile(s) refused"),
                    "the refusal is a problem under degraded: " + all.get("gateway"));
            assertTrue(log.contains("nosoul holds no SOUL.md"), log);
            assertTrue(log.contains("fifo/gateway_state.json is a FIFO, socket or device, not a regular file"), log);
            assertTrue(log.contains("linkout is a symbolic link: not followed"), log);
            assertTrue(log.contains("fileout/gateway_state.json is a symbolic link, not a regular file"), log);
            assertFalse(log.contains(secret.substring(0, 3)), "nothing of the root-only file reaches the log: " + log);

            // the root gateway Hermes's user had stopped: imported down, never started
            Map<String, Object> gw = box.awaitObserved("gateway", "down");
            assertEquals("imported", intent(gw).get("source"));
            assertEquals("down", intent(gw).get("state"));
            assertEquals(0, startCount("default"), "the stopped gateway never ran");
            assertTrue(log.contains("boot: gateway intent down (nothing recorded: first intent imported from "
                    + hermes.resolve("gateway_state.json")), log);
            assertEquals("up", intent(box.awaitObserved("gateway@work", "up")).get("state"));
            assertEquals("up", intent(box.awaitObserved("gateway@sig", "up")).get("state"), "#42675: running persisted");
            assertEquals("down", intent(all.get("gateway@zz-00")).get("state"));
            assertEquals(1, startCount("work"));

            // a removal sticks across boots with WARDEN_IMPORT still set
            assertEquals(0, box.cli("remove", "gateway@work").exit());
            box.containerStop(false);
            box.boot();
            all = box.list();
            assertFalse(all.containsKey("gateway@work"), "removed stays removed: " + all.keySet());
            assertTrue(all.containsKey("gateway@sig"));
            assertTrue(box.log().contains("boot: gateway intent down (recorded on the volume, set by imported)"),
                    box.log());
            assertFalse(box.log().contains("first intent imported"), "nothing imported twice: " + box.log());
            assertEquals(0, startCount("default"), "still never ran");
            String record = Files.readString(box.stateDir().resolve("hermes-import.record"));
            assertTrue(record.contains("\"gateway@work\": {") && record.contains("\"how\": \"imported\""), record);

            // started by hand, it is created again
            S6Sandbox.Cli start = box.cli("start", "gateway@work", "--timeout", "20");
            assertEquals(0, start.exit(), start.toString());
            assertEquals("user", intent(box.awaitObserved("gateway@work", "up")).get("source"));
            // and restart works with Hermes's finish (clean exit 0 is 125, s6's permanent failure)
            int sigStarts = startCount("sig");
            assertEquals(0, box.cli("restart", "gateway@sig", "--timeout", "20").exit());
            assertEquals(sigStarts + 1, startCount("sig"));
        }
        assertEquals(before, hermesSnapshot(), "warden wrote nothing under HERMES_HOME");
    }
}
