package io.warden.it;

import io.warden.json.Json;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several services from a templates folder, with real s6: plain services, a template holding {@code down}, instances
 * made from {@code NAME@}, removal, a template an upgrade removed, names refused, and a round-1 volume.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ServicesIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path root;
    Path templates;

    @BeforeEach
    void templates() throws IOException {
        templates = Files.createDirectories(root.resolve("templates"));
        template("gateway");
        template("dashboard");
        Files.createFile(templates.resolve("dashboard/down"));
        template("worker@");
    }

    private void template(String name) throws IOException {
        new TemplatesFolder(templates).add(name);
    }

    private S6Sandbox sandbox() throws IOException {
        return sandbox("box");
    }

    private S6Sandbox sandbox(String dir) throws IOException {
        return new TemplatesFolder(templates).sandbox(root.resolve(dir));
    }

    private static String intentOf(Map<String, Object> status) {
        return (String) S6Sandbox.object(status, "intent").get("state");
    }

    @Test
    void each_service_keeps_its_own_intent_and_instances_come_back_after_a_restart() throws Exception {
        try (S6Sandbox box = sandbox()) {
            box.boot();
            box.awaitObserved("gateway", "up");
            Map<String, Object> dash = box.awaitObserved("dashboard", "down");
            assertEquals("down", intentOf(dash), "a template holding ./down starts with intent down");
            assertEquals("default", S6Sandbox.object(dash, "intent").get("source"));
            assertEquals(0, box.cli("check").exit(), "every service matches its intent");

            S6Sandbox.Cli started = box.cli("start", "worker@alpha", "--timeout", "20");
            assertEquals(0, started.exit(), "start of a new instance: " + started);
            box.awaitObserved("worker@alpha", "up");
            assertEquals("alpha\n", Files.readString(box.scandir().resolve("worker@alpha/instance")),
                    "the run script gets its instance name in ./instance");
            assertTrue(Files.isRegularFile(box.stateDir().resolve("worker@alpha.json")), "the instance is on the volume");
            assertEquals(0, box.cli("stop", "gateway", "--timeout", "20").exit());
            assertEquals(0, box.cli("check").exit(), "a stop on purpose is healthy");
            assertEquals(3, box.cli("status", "gateway").exit(), "status NAME: not up");
            assertEquals(0, box.cli("status", "worker@alpha").exit(), "status NAME: up");

            box.containerStop(false);
            box.boot();
            Map<String, Map<String, Object>> after = box.list();
            assertEquals(List.of("dashboard", "gateway", "worker@alpha"), List.copyOf(after.keySet()));
            box.awaitObserved("worker@alpha", "up");
            assertEquals("down", intentOf(after.get("gateway")), "the user's stop holds across the restart");
            assertEquals("user", S6Sandbox.object(after.get("gateway"), "intent").get("source"));
            assertEquals("down", after.get("gateway").get("observed"));
            assertEquals("down", after.get("dashboard").get("observed"));
            assertTrue(Files.exists(box.scandir().resolve("gateway/down")));
            assertEquals("signal", S6Sandbox.object(after.get("worker@alpha"), "lastShutdown").get("cause"),
                    "the container stop ended the instance's run by signal: " + after.get("worker@alpha"));

            S6Sandbox.Cli history = box.cli("history", "worker@alpha", "--json", "-n", "200");
            assertEquals(0, history.exit());
            @SuppressWarnings("unchecked") List<Object> records = (List<Object>) Json.parse(history.out().trim());
            for (Object o : records) {
                Object s = ((Map<?, ?>) o).get("service");
                assertTrue(s == null || "worker@alpha".equals(s), "history NAME shows its own and warden's: " + o);
            }
            assertTrue(history.out().contains("\"event\":\"instance-created\""), history.out());
        }
    }

    @Test
    void the_early_start_installs_every_service_whose_intent_is_plainly_up() throws Exception {
        try (S6Sandbox box = sandbox()) {
            box.boot();
            assertEquals(0, box.cli("start", "worker@delta", "--timeout", "20").exit());
            assertEquals(0, box.cli("stop", "gateway", "--timeout", "20").exit());
            box.containerStop(false);

            box.startSupervisor();
            ProcessBuilder pb = new ProcessBuilder("sh", EarlyStartIT.SCRIPT.toString());
            pb.environment().putAll(box.environment());
            Process p = pb.redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
            assertTrue(Files.isDirectory(box.scandir().resolve("worker@delta")), "instance up: installed. " + out);
            assertEquals("delta\n", Files.readString(box.scandir().resolve("worker@delta/instance")));
            assertFalse(Files.exists(box.scandir().resolve("gateway")), "intent down: left to warden");
            assertFalse(Files.exists(box.scandir().resolve("dashboard")), "template holds down: left to warden");

            box.startWarden();
            Map<String, Object> worker = box.awaitObserved("worker@delta", "up");
            assertEquals(0, box.cli("check").exit());
            assertTrue(box.log().contains("worker@delta") && box.log().contains("adopted untouched"),
                    "warden adopted the early-started instance: " + worker);
        }
    }

    @Test
    void an_instance_is_removed_the_s6_way_and_forgotten() throws Exception {
        try (S6Sandbox box = sandbox()) {
            box.boot();
            assertEquals(0, box.cli("start", "worker@beta", "--timeout", "20").exit());
            long pid = (Long) box.awaitObserved("worker@beta", "up").get("pid");

            S6Sandbox.Cli removed = box.cli("remove", "worker@beta");
            assertEquals(0, removed.exit(), "remove: " + removed);
            assertFalse(Files.exists(box.scandir().resolve("worker@beta")), "the slot is out of the scandir");
            assertFalse(Files.exists(box.stateDir().resolve("worker@beta.json")), "the instance is forgotten");
            S6Sandbox.await("the instance's process ends", WAIT, () -> ProcessHandle.of(pid).isEmpty());
            assertFalse(box.list().containsKey("worker@beta"));
            assertEquals(2, box.cli("status", "worker@beta").exit(), "a removed instance is no longer known");
            assertEquals(0, box.cli("check").exit());
            assertTrue(box.cli("history", "--json").out().contains("\"event\":\"instance-removed\""));

            S6Sandbox.Cli plain = box.cli("remove", "gateway");
            assertEquals(2, plain.exit(), "plain services cannot be removed: " + plain);
            assertTrue(plain.err().contains("not an instance"), plain.err());

            box.containerStop(false);
            box.boot();
            assertFalse(box.list().containsKey("worker@beta"), "not re-installed at the next boot");
            assertFalse(Files.exists(box.scandir().resolve("worker@beta")));
        }
    }

    @Test
    void names_warden_does_not_know_are_usage_errors() throws Exception {
        try (S6Sandbox box = sandbox()) {
            box.boot();
            S6Sandbox.Cli unknown = box.cli("status", "nope");
            assertEquals(2, unknown.exit(), unknown.toString());
            assertTrue(unknown.err().contains("gateway") && unknown.err().contains("dashboard"),
                    "the known names are listed: " + unknown.err());
            assertEquals(2, box.cli("start", "nope@x").exit(), "no template nope@: nothing to make an instance of");
            assertEquals(2, box.cli("stop", "Bad_Name").exit(), "a name against the rule");
            assertEquals(2, box.cli("start", "gateway@one@two").exit());
            assertFalse(Files.exists(box.stateDir().resolve("nope@x.json")), "nothing written for a refused name");
        }
    }

    @Test
    void a_service_whose_template_is_gone_is_kept_and_reported_not_judged() throws Exception {
        try (S6Sandbox box = sandbox()) {
            box.boot();
            assertEquals(0, box.cli("start", "dashboard", "--timeout", "20").exit());
            box.containerStop(false);
            // an upgrade drops the dashboard from the image
            for (String f : List.of("run", "finish", "down")) Files.deleteIfExists(templates.resolve("dashboard/" + f));
            Files.delete(templates.resolve("dashboard"));
            box.boot();

            Map<String, Object> dash = box.list().get("dashboard");
            assertEquals("missing", dash.get("template"), "listed with its template missing: " + dash);
            assertEquals("up", intentOf(dash), "its recorded intent is kept");
            assertFalse(Files.exists(box.scandir().resolve("dashboard")), "never installed");
            assertTrue(Files.isRegularFile(box.stateDir().resolve("dashboard.json")), "never deleted");
            assertTrue(String.valueOf(dash.get("degraded")).contains("dashboard"), "named under degraded: " + dash);
            box.awaitObserved("gateway", "up");
            assertEquals(0, box.cli("check").exit(), "check with no name leaves it out");
            S6Sandbox.Cli start = box.cli("start", "dashboard", "--timeout", "5");
            assertNotEquals(0, start.exit(), "it cannot be started: " + start);
            assertTrue(start.err().contains("template"), start.err());
        }
    }

    @Test
    void check_without_a_name_fails_when_any_service_misses_its_intent() throws Exception {
        try (S6Sandbox box = sandbox()) {
            box.boot();
            assertEquals(0, box.cli("start", "worker@gamma", "--timeout", "20").exit());
            box.awaitObserved("gateway", "up");
            // behind warden's back: s6 is told to take the instance down
            S6Sandbox.run("s6-svc", "-d", box.scandir().resolve("worker@gamma").toString());
            box.awaitObserved("worker@gamma", "down");
            S6Sandbox.Cli check = box.cli("check");
            assertEquals(1, check.exit(), check.toString());
            assertTrue(check.err().contains("worker@gamma"), "the unhealthy service is named: " + check);
            assertEquals(0, box.cli("check", "gateway").exit(), "check NAME judges that one only");
        }
    }

    @Test
    void a_round_1_volume_boots_unchanged_in_the_templates_folder() throws Exception {
        try (S6Sandbox box = sandbox()) {
            Path state = box.stateDir();
            Files.writeString(state.resolve("gateway.json"), String.join("\n", "{",
                    "  \"format\": 1,",
                    "  \"service\": \"gateway\",",
                    "  \"intent\": {",
                    "    \"state\": \"down\",",
                    "    \"source\": \"user\",",
                    "    \"at\": \"2026-10-01T10:00:00Z\",",
                    "    \"uid\": 0,",
                    "    \"pid\": 42,",
                    "    \"reason\": \"maintenance\"",
                    "  },",
                    "  \"lastShutdown\": {",
                    "    \"cause\": \"user\",",
                    "    \"signal\": null,",
                    "    \"at\": \"2026-10-01T10:00:00Z\",",
                    "    \"exitCode\": null,",
                    "    \"detail\": \"warden stop by uid 0: maintenance\"",
                    "  }",
                    "}", ""), StandardCharsets.UTF_8);
            Files.writeString(state.resolve("run.json"), String.join("\n", "{",
                    "  \"format\": 1,",
                    "  \"wardenPid\": 77,",
                    "  \"startedAt\": \"2026-10-01T09:00:00Z\",",
                    "  \"endedAt\": \"2026-10-01T11:00:00Z\",",
                    "  \"endedBy\": \"SIGTERM\",",
                    "  \"gateway\": null",
                    "}", ""), StandardCharsets.UTF_8);
            Files.writeString(state.resolve("journal.jsonl"),
                    "{\"at\":\"2026-10-01T09:00:00Z\",\"event\":\"boot\",\"wardenPid\":77}\n"
                            + "{\"at\":\"2026-10-01T10:00:00Z\",\"event\":\"intent\",\"state\":\"down\",\"source\":\"user\","
                            + "\"at2\":null,\"op\":\"stop\",\"reason\":\"maintenance\"}\n", StandardCharsets.UTF_8);
            box.boot();
            Map<String, Object> gw = box.list().get("gateway");
            assertEquals("down", intentOf(gw), "the round-1 intent holds");
            assertEquals("maintenance", S6Sandbox.object(gw, "intent").get("reason"));
            assertEquals("user", S6Sandbox.object(gw, "lastShutdown").get("cause"));
            assertEquals("down", gw.get("observed"));
            assertEquals(List.of(), gw.get("degraded"), "nothing set aside as damaged");
            String history = box.cli("history", "gateway", "--json").out();
            assertTrue(history.contains("\"wardenPid\":77"), "the round-1 journal is still read: " + history);
            try (var files = Files.list(state)) {
                assertTrue(files.noneMatch(p -> p.getFileName().toString().contains(".corrupt-")), "nothing set aside");
            }
        }
    }

    @Test
    void a_template_with_a_reserved_or_bad_name_is_refused_at_start() throws Exception {
        template("run");
        try (S6Sandbox box = sandbox()) {
            box.startSupervisor();
            Process p = box.spawnWarden();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the daemon ends at once");
            assertEquals(2, p.exitValue(), "a template named like warden's own file is a configuration error");
            String log = box.log();
            assertTrue(log.contains("reserved") && log.contains("/run"), "one line names it: " + log);
            assertFalse(Files.exists(box.scandir().resolve("gateway")), "nothing was installed");
            assertFalse(Files.exists(box.stateDir().resolve("gateway.json")), "nothing was written");
        }
        Files.walk(templates.resolve("run")).sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        template("Bad");
        try (S6Sandbox box = sandbox("box2")) {
            box.startSupervisor();
            Process p = box.spawnWarden();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(2, p.exitValue(), "a template name against the rule");
            assertTrue(box.log().contains("Bad"), box.log());
        }
        S6Sandbox.Cli fatal = S6Sandbox.run("env", "WARDEN_SERVICE=run", "java", "-jar", S6Sandbox.JAR.toString(),
                "status");
        assertEquals(2, fatal.exit(), "WARDEN_SERVICE=run is refused: " + fatal);
        assertTrue(fatal.err().contains("reserved"), fatal.err());
    }
}
