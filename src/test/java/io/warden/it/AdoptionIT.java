package io.warden.it;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Adopting warden beside what an image already has, with real s6: the one-time import of a Hermes volume's
 * intents (WARDEN_IMPORT), and the warning when a service warden keeps is also defined elsewhere.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AdoptionIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path root;
    Path templates;
    Path hermes;

    @BeforeEach
    void setUp() throws IOException {
        templates = Files.createDirectories(root.resolve("templates"));
        template("gateway");
        template("gateway@");
        hermes = Files.createDirectories(root.resolve("hermes"));
    }

    private void template(String name) throws IOException {
        new TemplatesFolder(templates).add(name);
    }

    /** One field of {@code s6-svstat -o FIELD} for the gateway; empty when it cannot be read. */
    private static String sv(S6Sandbox box, String field) {
        try {
            return box.s6("s6-svstat", "-o", field).out().trim();
        } catch (IOException | InterruptedException e) {
            return "";
        }
    }

    private S6Sandbox sandbox() throws IOException {
        return sandbox("box");
    }

    private S6Sandbox sandbox(String dir) throws IOException {
        return new TemplatesFolder(templates).sandbox(root.resolve(dir));
    }

    private void hermesFile(String profile, String text) throws IOException {
        Path dir = profile == null ? hermes : Files.createDirectories(hermes.resolve("profiles").resolve(profile));
        // a named profile is a folder holding SOUL.md, for Hermes and so for the import
        if (profile != null && !Files.exists(dir.resolve("SOUL.md"))) Files.writeString(dir.resolve("SOUL.md"), "soul");
        Files.writeString(dir.resolve("gateway_state.json"), text);
    }

    private static Map<String, Object> intent(Map<String, Object> status) {
        return S6Sandbox.object(status, "intent");
    }

    /** Every file under the Hermes home with its bytes' hash and mtime: what "never write Hermes's files" means. */
    private Map<String, String> hermesSnapshot() throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(hermes)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                String v = Files.isDirectory(p) ? "dir" : java.util.Arrays.hashCode(Files.readAllBytes(p)) + "@"
                        + Files.getLastModifiedTime(p);
                m.put(hermes.relativize(p).toString(), v);
            }
        }
        return m;
    }

    @Test
    void a_hermes_volume_gives_each_profile_its_first_intent_once() throws Exception {
        // the root profile: stopped on purpose (hermes gateway stop), the gateway kept running state
        hermesFile(null, "{\"pid\":12,\"kind\":\"hermes-gateway\",\"gateway_state\":\"running\",\"desired_state\":\"stopped\",\"updated_at\":1781085600}");
        hermesFile("work", "{\"gateway_state\":\"draining\",\"updated_at\":\"2026-06-10T10:00:00Z\"}"); // killed mid-drain: up
        hermesFile("lab", "{\"gateway_state\":\"startup_failed\"}");                                   // crash loop: down
        hermesFile("broken", "{\"gateway_state\":\"run");                                               // corrupt: no instance
        Files.writeString(Files.createDirectories(hermes.resolve("profiles/empty")).resolve("SOUL.md"), "x"); // no file: no instance
        hermesFile("default", "{\"desired_state\":\"running\"}");                                      // skipped, as Hermes does
        for (Path p : List.of(hermes.resolve("gateway_state.json"))) {
            Files.setLastModifiedTime(p, FileTime.from(Instant.parse("2026-06-10T10:00:00Z")));
        }
        Map<String, String> before = hermesSnapshot();

        try (S6Sandbox box = sandbox().env("WARDEN_IMPORT", "hermes:" + hermes)) {
            box.boot();
            Map<String, Map<String, Object>> all = box.list();
            assertEquals(List.of("gateway", "gateway@lab", "gateway@work"), List.copyOf(all.keySet()),
                    "profiles with a usable file become instances; broken, empty and default do not");
            Map<String, Object> gw = box.awaitObserved("gateway", "down");
            assertEquals("down", intent(gw).get("state"), "desired_state stopped wins over gateway_state running");
            assertEquals("imported", intent(gw).get("source"));
            @SuppressWarnings("unchecked") Map<String, Object> from = (Map<String, Object>) intent(gw).get("importedFrom");
            assertEquals(hermes.resolve("gateway_state.json").toString(), from.get("file"));
            assertEquals(Map.of("desired_state", "stopped"), from.get("keys"));
            Map<String, Object> work = box.awaitObserved("gateway@work", "up");
            assertEquals("imported", intent(work).get("source"));
            assertEquals("up", intent(work).get("state"), "draining reads as running");
            assertEquals("work\n", Files.readString(box.scandir().resolve("gateway@work/instance")));
            Map<String, Object> lab = box.awaitObserved("gateway@lab", "down");
            assertEquals("down", intent(lab).get("state"), "startup_failed stays down");
            assertEquals(0, box.cli("check").exit(), "imported intents are kept: healthy");

            String history = box.cli("history", "--json", "-n", "100").out();
            assertTrue(history.contains("\"source\":\"imported\"") && history.contains("\"importedFrom\""),
                    "the imports are journaled: " + history);
            assertTrue(history.contains("\"event\":\"instance-created\""), history);
            assertTrue(box.log().contains("gateway@broken: ") && box.log().contains("is not a JSON object"),
                    "the corrupt profile is named in the log: " + box.log());
            assertTrue(box.log().contains("gateway@empty") && box.log().contains("does not exist"), box.log());
            String fileText = Files.readString(box.stateDir().resolve("gateway.json"));
            assertTrue(fileText.contains("\"source\": \"user\"") && fileText.contains("\"importedFrom\""),
                    "on the volume, readable by an older warden: " + fileText);

            // a user start is warden's own intent; the next boot must never import over it (Hermes says stopped)
            assertEquals(0, box.cli("start", "gateway", "--timeout", "20").exit());
            box.containerStop(false);
            hermesFile("work", "{\"desired_state\":\"stopped\"}");
            hermesFile("late", "{\"gateway_state\":\"running\"}");
            box.boot();
            Map<String, Map<String, Object>> after = box.list();
            assertEquals("user", intent(after.get("gateway")).get("source"));
            assertEquals("up", intent(after.get("gateway")).get("state"), "never imported over warden's intent");
            assertEquals("imported", intent(after.get("gateway@work")).get("source"));
            assertEquals("up", intent(after.get("gateway@work")).get("state"), "imported once: the new file is not read");
            assertTrue(after.containsKey("gateway@late"), "a profile added later is imported at the next boot");
            assertEquals("up", intent(after.get("gateway@late")).get("state"));
            box.awaitObserved("gateway", "up");
        }
        hermesFile("work", "{\"gateway_state\":\"draining\",\"updated_at\":\"2026-06-10T10:00:00Z\"}");
        Files.delete(hermes.resolve("profiles/late/gateway_state.json"));
        Files.delete(hermes.resolve("profiles/late/SOUL.md"));
        Files.delete(hermes.resolve("profiles/late"));
        Map<String, String> after = hermesSnapshot();
        after.remove("profiles/work/gateway_state.json");
        before.remove("profiles/work/gateway_state.json");
        assertEquals(before, after, "warden wrote nothing under HERMES_HOME");
    }

    @Test
    void a_missing_root_file_starts_the_gateway_as_any_new_service_and_no_instance_template_skips_profiles() throws Exception {
        hermesFile("work", "{\"desired_state\":\"running\"}");
        Files.walk(templates.resolve("gateway@")).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        try (S6Sandbox box = sandbox().env("WARDEN_IMPORT", "hermes:" + hermes)) {
            box.boot();
            Map<String, Object> gw = box.awaitObserved("gateway", "up");
            assertEquals("default", intent(gw).get("source"), "no root file: nothing imported");
            assertEquals(List.of("gateway"), List.copyOf(box.list().keySet()));
            assertTrue(box.log().contains("profile gateway@work skipped: no instance template gateway@"), box.log());
        }
    }

    @Test
    void a_service_also_defined_by_s6rc_or_services_d_or_a_foreign_slot_is_reported() throws Exception {
        template("worker");
        try (S6Sandbox box = sandbox()) {
            Files.createDirectories(box.root().resolve("etc/s6-overlay/s6-rc.d/gateway"));
            Files.createDirectories(box.root().resolve("etc/services.d/worker"));
            box.startSupervisor();
            // a slot someone else put in the scandir before warden's boot
            Path foreign = Files.createDirectories(box.scandir().resolve("gateway"));
            TemplatesFolder.copy("it/gateway-run", foreign.resolve("run"));
            box.startWarden();
            Map<String, Map<String, Object>> all = box.list();
            String gwProblems = String.valueOf(all.get("gateway").get("degraded"));
            assertTrue(gwProblems.contains("gateway is also defined outside warden: an s6-rc service")
                    && gwProblems.contains("that warden did not install"), gwProblems);
            assertTrue(String.valueOf(all.get("worker").get("degraded")).contains("a services.d directory"),
                    String.valueOf(all.get("worker")));
            // one line per service defined twice, not a WARN and an ERROR of the same sentence
            assertEquals(2, box.log().split("Two definitions fight", -1).length - 1, box.log());
            assertTrue(box.cli("history", "--json").out().contains("\"event\":\"defined-elsewhere\""));
        }
        // warden's own slots (installed at a boot, re-found by a restarted warden) are never reported
        try (S6Sandbox box = sandbox("clean")) {
            box.boot();
            box.awaitObserved("gateway", "up");
            box.warden().destroy();
            S6Sandbox.waitGone(box.warden());
            box.startWarden();
            Map<String, Object> gw = box.list().get("gateway");
            Object degraded = gw.get("degraded");
            assertTrue(degraded == null || !String.valueOf(degraded).contains("defined outside"), String.valueOf(gw));
            assertFalse(box.log().contains("Two definitions fight"), box.log());
        }
    }

    /** A gateway that ignores SIGTERM (its shell traps it away), so only SIGKILL ends it. */
    private void stubbornTemplate() throws IOException {
        Path dir = templates.resolve("gateway");
        Files.writeString(dir.resolve("run"), "#!/bin/sh\nexec 2>&1\ntrap '' TERM\necho \"stubborn $$ up\"\n"
                + "while :; do sleep 1; done\n");
        Files.writeString(dir.resolve("timeout-kill"), "1000\n");
    }

    private static void killWitnesses(Path stateDir) {
        ProcessHandle.allProcesses()
                .filter(h -> h.info().arguments().map(a -> java.util.Arrays.asList(a).contains(
                        stateDir.resolve("stop-witness").toString())).orElse(false))
                .forEach(ProcessHandle::destroyForcibly);
    }

    @Test
    void a_gateway_that_ignores_sigterm_and_is_sigkilled_is_reported_as_forced() throws Exception {
        stubbornTemplate();
        try (S6Sandbox box = sandbox()) {
            box.boot();
            box.awaitObserved("gateway", "up");
            // a user stop: s6 sends SIGTERM, then SIGKILL after the template's timeout-kill (1 s)
            S6Sandbox.Cli stop = box.cli("stop", "gateway", "--timeout", "20");
            assertEquals(0, stop.exit(), stop.toString());
            Map<String, Object>[] st = new Map[1];
            S6Sandbox.await("forcedKill after the user stop", WAIT, () -> {
                try {
                    st[0] = box.list().get("gateway");
                    return Boolean.TRUE.equals(S6Sandbox.object(st[0], "lastShutdown").get("forcedKill"));
                } catch (Exception e) {
                    return false;
                }
            });
            Map<String, Object> last = S6Sandbox.object(st[0], "lastShutdown");
            assertEquals("user", last.get("cause"), "still the user's stop: " + last);
            assertTrue(String.valueOf(last.get("detail")).contains("ignored SIGTERM and was killed by SIGKILL"), last.toString());

            // a container stop: warden first (signal cause, the witness armed), then the slot's SIGTERM, which the
            // gateway ignores, then the end of the grace: SIGKILL to every process, the witness included
            assertEquals(0, box.cli("start", "gateway", "--timeout", "20").exit());
            long pid = (Long) box.awaitObserved("gateway", "up").get("pid");
            box.warden().destroy();
            S6Sandbox.waitGone(box.warden());
            S6Sandbox.await("the witness armed", WAIT, () -> {
                try {
                    return Files.readString(box.stateDir().resolve("stop-witness")).contains("armed ");
                } catch (IOException e) {
                    return false;
                }
            });
            assertEquals(0, box.s6("s6-svc", "-d").exit());
            // s6 has sent its SIGTERM (want-up cleared, the run still there): the gateway ignores it
            S6Sandbox.await("s6 no longer wants the gateway up", WAIT,
                    () -> sv(box, "wantedup").equals("false") && sv(box, "pid").equals(Long.toString(pid)));
            assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "still running after SIGTERM");
            killWitnesses(box.stateDir());
            box.killEverything();
            box.boot();
            Map<String, Object> after = box.list().get("gateway");
            Map<String, Object> ls = S6Sandbox.object(after, "lastShutdown");
            assertEquals("signal", ls.get("cause"), after.toString());
            assertEquals(Boolean.TRUE, ls.get("forcedKill"), "the run outlived its SIGTERM and was killed: " + ls);
            assertTrue(String.valueOf(ls.get("detail")).contains("still running when the container stop killed"), ls.toString());
            assertFalse(Files.exists(box.stateDir().resolve("stop-witness")), "the boot used the witness's file");
            box.awaitObserved("gateway", "up");
        }
    }

    @Test
    void a_gateway_that_stops_on_sigterm_is_not_forced() throws Exception {
        try (S6Sandbox box = sandbox()) {
            box.boot();
            box.awaitObserved("gateway", "up");
            box.containerStop(false);
            box.boot();
            Map<String, Object> ls = S6Sandbox.object(box.list().get("gateway"), "lastShutdown");
            assertEquals("signal", ls.get("cause"));
            assertNull(ls.get("forcedKill"), ls.toString());
        }
    }
}
