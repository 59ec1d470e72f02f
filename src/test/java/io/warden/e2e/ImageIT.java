package io.warden.e2e;

import io.warden.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.warden.e2e.ImageFixture.IMAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End to end, the real offline image under the real compose file (issue "The image"): intent and shutdown causes
 * across container recreates, image upgrades, SIGKILL, docker restart/stop and a gateway crash. Each scenario runs
 * in a compose project of its own ({@code warden-e2e-<scenario>}, own state volume), removed with {@code down -v}.
 * Containers run with {@code network_mode: none} (docker/compose.offline.yaml).
 */
@ExtendWith(ImageFixture.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ImageIT {
    private static final List<String> TIMINGS = Collections.synchronizedList(new ArrayList<>());
    private static long classStart;

    private ComposeProject project;

    /** On a failure: the container's log, before @AfterEach removes the project. */
    @RegisterExtension
    final TestExecutionExceptionHandler dumpLogsOnFailure = (ExtensionContext ctx, Throwable t) -> {
        if (project != null) {
            System.out.println("[e2e] " + ctx.getDisplayName() + " failed; logs of " + project.name + ":\n" + project.logs());
        }
        throw t;
    };

    @BeforeAll
    static void start() {
        classStart = System.nanoTime();
    }

    @AfterEach
    void removeProject() {
        if (project != null) project.down();
    }

    @AfterAll
    static void summary() {
        System.out.println("[e2e] ---- measured (wall time, not asserted) ----");
        TIMINGS.forEach(t -> System.out.println("[e2e] " + t));
        System.out.printf("[e2e] ImageIT total (after the image build): %.1f s%n", (System.nanoTime() - classStart) / 1e9);
    }

    private ComposeProject project(String scenario) {
        project = ImageFixture.images().project(scenario);
        return project;
    }

    // ---- 1 -------------------------------------------------------------------------------------------------

    /** The reported bug: every `up -d --force-recreate` must bring the gateway back up, never "remembered stopped". */
    @Test
    @Order(1)
    void forceRecreateFiveTimesKeepsTheGatewayUp() {
        ComposeProject p = project("recreate");
        p.up();
        Map<String, Object> s = p.awaitObserved("up");
        assertEquals("up", s.get("desired"));
        assertEquals("default", intent(s).get("source"));
        assertNull(s.get("lastShutdown"), "a fresh volume has no last shutdown");
        assertEquals("s6", s.get("supervisor"), "offline image: Debian's s6-svscan as PID 1");

        Set<String> ids = new HashSet<>();
        ids.add(p.containerId());
        for (int i = 1; i <= 5; i++) {
            long t0 = System.nanoTime();
            Cmd.Result r = p.compose("up", "-d", "--force-recreate").orThrow();
            String id = p.containerId();
            assertTrue(ids.add(id), "recreate " + i + " gave a new container, not " + id);
            s = p.awaitObserved("up");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            TIMINGS.add(String.format("recreate %d: up -d --force-recreate -> gateway observed up: %d ms (compose itself %d ms)",
                    i, ms, r.millis()));
            assertEquals("up", s.get("desired"), "recreate " + i);
            assertNotNull(s.get("pid"), "recreate " + i);
            assertEquals("default", intent(s).get("source"), "recreate " + i + ": nobody changed the intent");
            assertEquals("signal", lastShutdown(s).get("cause"), "recreate " + i + ": " + Json.write(s));
            assertEquals("SIGTERM", lastShutdown(s).get("signal"), "recreate " + i);
            assertEquals(0, p.exec("warden", "status").exit(), "recreate " + i + ": status exits 0 when up");
            assertEquals(0, p.exec("warden", "check").exit(), "recreate " + i + ": check");
        }
    }

    // ---- 2 -------------------------------------------------------------------------------------------------

    /** A stop through warden is kept across recreates until an explicit start. */
    @Test
    @Order(2)
    void userStopSurvivesRecreatesUntilStart() {
        ComposeProject p = project("userstop");
        p.up();
        p.awaitObserved("up");

        Cmd.Result stop = p.exec("warden", "stop", "--reason", "e2e maintenance");
        assertEquals(0, stop.exit(), stop.toString());
        Map<String, Object> s = p.status();
        assertEquals("down", s.get("observed"));
        assertEquals("down", s.get("desired"));
        assertEquals("user", intent(s).get("source"));
        assertEquals("user", lastShutdown(s).get("cause"));

        String id = p.containerId();
        for (int i = 1; i <= 3; i++) {
            p.compose("up", "-d", "--force-recreate").orThrow();
            String now = p.containerId();
            assertNotEquals(id, now, "recreate " + i + " gave a new container");
            id = now;
            s = p.awaitObserved("down");
            assertStaysDown(p, "recreate " + i);
            s = p.status();
            assertEquals("down", s.get("observed"), "recreate " + i);
            assertEquals("down", s.get("desired"), "recreate " + i);
            assertNull(s.get("pid"), "recreate " + i);
            assertEquals("user", intent(s).get("source"), "recreate " + i);
            assertEquals("e2e maintenance", intent(s).get("reason"), "recreate " + i);
            assertEquals("user", lastShutdown(s).get("cause"), "recreate " + i + ": a container stop with the gateway down leaves it");
            assertEquals(0, p.exec("warden", "check").exit(), "recreate " + i + ": down as intended is healthy");
            assertEquals(3, p.exec("warden", "status").exit(), "recreate " + i + ": status exits 3 when not up");
        }

        Cmd.Result start = p.exec("warden", "start");
        assertEquals(0, start.exit(), start.toString());
        s = p.awaitObserved("up");
        assertEquals("up", s.get("desired"));
        assertEquals("user", intent(s).get("source"));
        assertNotNull(s.get("pid"));
    }

    // ---- 3 -------------------------------------------------------------------------------------------------

    /** An image upgrade (and a downgrade) is a recreate onto another image: the intent on the volume carries over. */
    @Test
    @Order(3)
    void intentCarriesOverImageUpgradesBothWays() {
        ImageFixture.Images images = ImageFixture.images();
        String next = images.nextImage();
        ComposeProject cur = project("upgrade");
        ComposeProject nxt = cur.withOverride(images.nextOverride());
        cur.up();
        cur.awaitObserved("up");
        String id = assertRunsImage(cur, IMAGE, null);

        // down on the old image -> upgrade -> still down
        assertEquals(0, cur.exec("warden", "stop", "--reason", "before upgrade").exit());
        nxt.compose("up", "-d").orThrow();
        id = assertRunsImage(nxt, next, id);
        assertEquals("2", ComposeProject.inspect(id, "{{index .Config.Labels \"warden.test.generation\"}}"));
        Map<String, Object> s = nxt.awaitObserved("down");
        assertStaysDown(nxt, "after the upgrade");
        assertEquals("down", s.get("desired"), "intent down carried onto " + next);
        assertEquals("user", intent(s).get("source"));
        assertEquals("before upgrade", intent(s).get("reason"));
        assertEquals("user", lastShutdown(s).get("cause"));

        // start on the new image -> downgrade -> still up
        assertEquals(0, nxt.exec("warden", "start").exit());
        nxt.awaitObserved("up");
        cur.compose("up", "-d").orThrow();
        id = assertRunsImage(cur, IMAGE, id);
        s = cur.awaitObserved("up");
        assertEquals("up", s.get("desired"), "intent up carried back onto " + IMAGE);
        assertEquals("user", intent(s).get("source"));
        assertEquals("signal", lastShutdown(s).get("cause"));

        // up on the old image -> upgrade -> still up
        nxt.compose("up", "-d").orThrow();
        id = assertRunsImage(nxt, next, id);
        s = nxt.awaitObserved("up");
        assertEquals("up", s.get("desired"));
        assertEquals("signal", lastShutdown(s).get("cause"));

        // down on the new image -> downgrade -> still down
        assertEquals(0, nxt.exec("warden", "stop").exit());
        cur.compose("up", "-d").orThrow();
        assertRunsImage(cur, IMAGE, id);
        s = cur.awaitObserved("down");
        assertStaysDown(cur, "after the downgrade");
        assertEquals("down", s.get("desired"), "intent down carried back onto " + IMAGE);
        assertEquals("user", lastShutdown(s).get("cause"));
        assertEquals(0, cur.exec("warden", "check").exit());
    }

    // ---- 4 -------------------------------------------------------------------------------------------------

    /** SIGKILL to the whole container: no record is written, the next boot says so, and the gateway comes back. */
    @Test
    @Order(4)
    void sigkillOfTheContainerIsUnclean() {
        ComposeProject p = project("kill");
        p.up();
        p.awaitObserved("up");
        String id = p.containerId();

        Cmd.docker(Duration.ofSeconds(20), "kill", "-s", "KILL", id).orThrow();
        awaitNotRunning(id);
        assertEquals("137", ComposeProject.inspect(id, "{{.State.ExitCode}}"));

        p.up();
        Map<String, Object> s = p.awaitObserved("up");
        assertEquals("up", s.get("desired"));
        assertEquals("default", intent(s).get("source"));
        assertEquals("unclean", lastShutdown(s).get("cause"), Json.write(s));
        assertNull(lastShutdown(s).get("signal"));
        assertTrue(p.history().stream().anyMatch(r -> "warden-unclean-end".equals(r.get("event"))),
                "the journal notes the unclean end");
    }

    // ---- 5 -------------------------------------------------------------------------------------------------

    /** docker restart and docker stop are graceful (exit 0, no SIGKILL) and leave their record on the volume. */
    @Test
    @Order(5)
    void restartAndStopAreGracefulAndRecorded() {
        ComposeProject p = project("stop");
        p.up();
        p.awaitObserved("up");
        String id = p.containerId();
        String started = ComposeProject.inspect(id, "{{.State.StartedAt}}");

        Cmd.Result restart = Cmd.docker(Duration.ofSeconds(30), "restart", id).orThrow();
        TIMINGS.add("docker restart: " + restart.millis() + " ms");
        assertTrue(restart.millis() < 10_000, "docker restart took " + restart.millis() + " ms: SIGKILL after the grace?");
        assertNotEquals(started, ComposeProject.inspect(id, "{{.State.StartedAt}}"), "the container was restarted");
        Map<String, Object> s = p.awaitObserved("up");
        assertEquals(id, p.containerId(), "docker restart keeps the container");
        assertEquals("up", s.get("desired"));
        assertEquals("signal", lastShutdown(s).get("cause"));
        assertEquals("SIGTERM", lastShutdown(s).get("signal"));
        assertEquals(1, wardenStops(p.history()).size());

        Cmd.Result stop = Cmd.docker(Duration.ofSeconds(30), "stop", id).orThrow();
        TIMINGS.add("docker stop (graceful): " + stop.millis() + " ms");
        assertEquals("false", ComposeProject.inspect(id, "{{.State.Running}}"));
        assertEquals("0", ComposeProject.inspect(id, "{{.State.ExitCode}}"), "graceful stop exits 0 (137 = SIGKILL)");
        assertEquals("false", ComposeProject.inspect(id, "{{.State.OOMKilled}}"));
        assertTrue(stop.millis() < 10_000, "docker stop took " + stop.millis() + " ms: Docker's SIGKILL at 10 s?");

        // The record is on the volume while the container is down: read it with a throwaway container.
        String volume = ComposeProject.inspect(id,
                "{{range .Mounts}}{{if eq .Destination \"/var/lib/warden\"}}{{.Name}}{{end}}{{end}}");
        assertEquals(p.name + "_warden-state", volume);
        Cmd.Result journal = Cmd.docker(Duration.ofSeconds(30), "run", "--rm", "--network", "none",
                "--entrypoint", "cat", "-v", volume + ":/var/lib/warden:ro", IMAGE,
                "/var/lib/warden/journal.jsonl", "/var/lib/warden/gateway.json").orThrow();
        long stopsOnVolume = journal.out().lines().filter(l -> l.contains("\"event\":\"warden-stop\"")).count();
        assertEquals(2, stopsOnVolume, "the journal on the volume has the restart's and the stop's record:\n" + journal.out());

        p.up();
        assertEquals(id, p.containerId(), "up -d starts the stopped container again");
        s = p.awaitObserved("up");
        assertEquals("up", s.get("desired"));
        assertEquals("signal", lastShutdown(s).get("cause"));
        assertEquals("SIGTERM", lastShutdown(s).get("signal"));
        List<Map<String, Object>> stops = wardenStops(p.history());
        assertEquals(2, stops.size(), "history has a warden-stop record for the restart and for the stop");
        assertEquals("signal", stops.get(1).get("cause"));
    }

    // ---- 6 -------------------------------------------------------------------------------------------------

    /** The gateway dies on its own: s6 restarts it, warden records a crash and changes no intent. */
    @Test
    @Order(6)
    void gatewayCrashIsRestartedAndRecorded() {
        ComposeProject p = project("crash");
        p.up();
        Map<String, Object> before = p.awaitObserved("up");
        Object pid = before.get("pid");
        Map<String, Object> intentBefore = intent(before);
        String id = p.containerId();

        long t0 = System.nanoTime();
        Cmd.docker(Duration.ofSeconds(20), "exec", id, "touch", "/run/demo-gateway/crash").orThrow();
        Map<String, Object> s = p.awaitStatus("a new gateway pid and lastShutdown crash", Duration.ofSeconds(20),
                st -> "up".equals(st.get("observed")) && st.get("pid") != null && !st.get("pid").equals(pid)
                        && st.get("lastShutdown") != null && "crash".equals(lastShutdown(st).get("cause")));
        TIMINGS.add(String.format("crash: touch -> restarted, status shows crash: %d ms", (System.nanoTime() - t0) / 1_000_000));
        assertNotEquals(pid, s.get("pid"), "s6 restarted the gateway");
        assertEquals("up", s.get("desired"));
        assertEquals(intentBefore, intent(s), "a crash changes no intent");
        assertEquals("default", intent(s).get("source"));
        Object exitCode = lastShutdown(s).get("exitCode");
        if (lastShutdown(s).containsKey("exitCode")) assertEquals(1L, exitCode, "demo-gateway exits 1 on a crash");
        assertEquals(0, p.exec("warden", "check").exit());

        // status shows the cause at once; the durable record follows when the 5 s signal window has passed
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (p.history().stream().noneMatch(r -> "shutdown".equals(r.get("event")) && "crash".equals(r.get("cause")))) {
            if (System.nanoTime() > deadline) throw new AssertionError("no durable shutdown record with cause crash: " + p.history());
            ComposeProject.sleep(500);
        }
        TIMINGS.add(String.format("crash: touch -> durable crash record in the journal: %d ms", (System.nanoTime() - t0) / 1_000_000));
        Map<String, Object> onVolume = parse(p.exec("cat", "/var/lib/warden/gateway.json").orThrow().out());
        assertEquals("crash", lastShutdown(onVolume).get("cause"), "state file on the volume");
        assertEquals(intentBefore, intent(onVolume), "intent on the volume unchanged");
        s = p.status();
        assertEquals("up", s.get("observed"));
        assertEquals("up", s.get("desired"));
        assertEquals("crash", lastShutdown(s).get("cause"));
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private static Map<String, Object> parse(String json) {
        try {
            return Json.parseObject(json.strip());
        } catch (io.warden.json.JsonException e) {
            throw new AssertionError("not a JSON object: " + json, e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> intent(Map<String, Object> s) {
        return (Map<String, Object>) Objects.requireNonNull(s.get("intent"), "status has no intent");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> lastShutdown(Map<String, Object> s) {
        Object v = s.get("lastShutdown");
        if (v == null) throw new AssertionError("lastShutdown is null in " + Json.write(s));
        return (Map<String, Object>) v;
    }

    private static List<Map<String, Object>> wardenStops(List<Map<String, Object>> history) {
        return history.stream().filter(r -> "warden-stop".equals(r.get("event"))).toList();
    }

    /**
     * Down must be the settled state, not a moment before a wrong start: still down a little later, and the
     * journal shows no gateway-up since the last boot.
     */
    private static void assertStaysDown(ComposeProject p, String when) {
        ComposeProject.sleep(1500);
        assertEquals("down", p.status().get("observed"), when + ": still down 1.5 s later");
        List<Map<String, Object>> h = p.history();
        int boot = -1;
        for (int i = 0; i < h.size(); i++) if ("boot".equals(h.get(i).get("event"))) boot = i;
        assertTrue(boot >= 0, when + ": the journal has a boot record");
        for (Map<String, Object> r : h.subList(boot, h.size())) {
            assertNotEquals("gateway-up", r.get("event"), when + ": the gateway ran after the boot: " + Json.write(r));
        }
    }

    /** Checks the gateway's container runs {@code tag} and is not {@code previousId}; returns its id. */
    private static String assertRunsImage(ComposeProject p, String tag, String previousId) {
        String id = p.containerId();
        assertNotNull(id, "no gateway container");
        if (previousId != null) assertNotEquals(previousId, id, "switching images recreates the container");
        assertEquals(tag, ComposeProject.inspect(id, "{{.Config.Image}}"));
        assertEquals(ImageFixture.Images.imageId(tag), ComposeProject.inspect(id, "{{.Image}}"), "container runs " + tag);
        assertEquals("true", ComposeProject.inspect(id, "{{.State.Running}}"));
        return id;
    }

    private static void awaitNotRunning(String id) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!"false".equals(ComposeProject.inspect(id, "{{.State.Running}}"))) {
            if (System.nanoTime() > deadline) throw new AssertionError("container " + id + " still running 15 s after SIGKILL");
            ComposeProject.sleep(100);
        }
        assertFalse(Boolean.parseBoolean(ComposeProject.inspect(id, "{{.State.Restarting}}")));
    }
}
