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
        // the upgrade is on the record, and status shows both versions
        assertEquals(ImageFixture.NEXT_VERSION, warden(s).get("imageVersion"));
        assertEquals(jarVersion(images.jar), warden(s).get("version"), "the jar's Implementation-Version");
        assertEquals(List.of("image from unknown to " + ImageFixture.NEXT_VERSION), upgrades(nxt));

        // start on the new image -> downgrade -> still up
        assertEquals(0, nxt.exec("warden", "start").exit());
        nxt.awaitObserved("up");
        cur.compose("up", "-d").orThrow();
        id = assertRunsImage(cur, IMAGE, id);
        s = cur.awaitObserved("up");
        assertEquals("up", s.get("desired"), "intent up carried back onto " + IMAGE);
        assertEquals("user", intent(s).get("source"));
        assertEquals("signal", lastShutdown(s).get("cause"));
        assertEquals("unknown", warden(s).get("imageVersion"));
        assertEquals(List.of("image from unknown to " + ImageFixture.NEXT_VERSION,
                "image from " + ImageFixture.NEXT_VERSION + " to unknown"), upgrades(cur));

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
        assertEquals(1L, lastShutdown(s).get("exitCode"), "demo-gateway exits 1 on a crash: " + Json.write(s));
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


    // ---- 7 -------------------------------------------------------------------------------------------------

    /**
     * The image's HEALTHCHECK client (warden-check, no JVM) gives warden check's verdict in each case, and Docker's
     * health follows: healthy up, healthy stopped on purpose, unhealthy when s6 holds the gateway down against an up
     * intent (drift), unhealthy when warden is not running.
     */
    @Test
    @Order(7)
    void healthCheckGivesWardenChecksVerdictInEveryCase() {
        ComposeProject p = project("health").withOverride(ImageFixture.Images.override("e2e/health-fast.yaml"));
        project = p;
        p.up();
        p.awaitObserved("up");
        String id = p.containerId();
        assertEquals("[CMD warden-check]", ComposeProject.inspect(id, "{{.Config.Healthcheck.Test}}"),
                "the image's health check is the JVM-less client");

        assertVerdict(p, 0, "up as intended");
        awaitHealth(id, "healthy", "up as intended");

        assertEquals(0, p.exec("warden", "stop").exit());
        assertVerdict(p, 0, "stopped on purpose");
        long since = System.nanoTime();
        ComposeProject.sleep(3500); // more than retries x interval: a wrong verdict would have flipped it
        assertEquals("healthy", health(id), "stopped on purpose stays healthy");
        assertEquals(0, lastProbeExit(id), "the last probe after the stop said healthy");
        TIMINGS.add(String.format("health: stopped on purpose, still healthy %d ms later", (System.nanoTime() - since) / 1_000_000));

        assertEquals(0, p.exec("warden", "start").exit());
        p.awaitObserved("up");
        // behind warden's back: s6 holds the gateway down while the intent says up (drift)
        p.exec("s6-svc", "-d", "/run/service/gateway").orThrow();
        p.awaitStatus("drift", ComposeProject.CONVERGE, st -> Boolean.TRUE.equals(st.get("drift")));
        assertVerdict(p, 1, "should be up but is down");
        TIMINGS.add("health: drift -> unhealthy in " + awaitHealth(id, "unhealthy", "should be up but is down") + " ms");

        p.exec("s6-svc", "-u", "/run/service/gateway").orThrow();
        p.awaitObserved("up");
        awaitHealth(id, "healthy", "the gateway back up");
        // warden's own service taken down by s6: nothing answers on the socket
        p.exec("s6-svc", "-dwD", "-T", "10000", "/run/service/warden").orThrow();
        assertVerdict(p, 4, "warden not running");
        TIMINGS.add("health: warden down -> unhealthy in " + awaitHealth(id, "unhealthy", "warden not running") + " ms");
    }

    // ---- 8 -------------------------------------------------------------------------------------------------

    /**
     * When warden cannot start, the container keeps running, the gateway stays as the recorded intent says (early
     * start), each try logs the cause, Docker's health turns unhealthy, and the intent on the volume is untouched:
     * the next good boot honours it.
     */
    @Test
    @Order(8)
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void wardenThatCannotStartIsVisibleAndLosesNoIntent() {
        brokenBoot("runtime", "up", "warden: no Java runtime at /opt/warden/jre/bin/java");
        brokenBoot("jar", "down", "Error: Invalid or corrupt jarfile /opt/warden/warden.jar");
        brokenBoot("socket", "down", "cannot start: the socket folder /run/warden is not a directory (a regular file)");
        unreadableVolume();
    }

    /**
     * A state volume warden cannot read: warden runs (availability first, on the default intent) but the health
     * turns unhealthy and says why, the recorded intent stays on the volume, and the next good boot honours it.
     */
    private void unreadableVolume() {
        ComposeProject good = project("broken-volume").withOverride(ImageFixture.Images.override("e2e/health-fast.yaml"));
        project = good;
        good.up();
        good.awaitObserved("up");
        assertEquals(0, good.exec("warden", "stop", "--reason", "before volume").exit());
        good.awaitObserved("down");
        String recorded = good.exec("cat", "/var/lib/warden/gateway.json").orThrow().out();

        ComposeProject broken = good.withOverride(ImageFixture.Images.override("e2e/broken-volume.yaml"));
        long t0 = System.nanoTime();
        broken.compose("up", "-d").orThrow();
        String id = broken.containerId();
        awaitHealth(id, "unhealthy", "volume");
        TIMINGS.add(String.format("state volume unreadable (health-fast.yaml): up -d -> unhealthy in %d ms",
                (System.nanoTime() - t0) / 1_000_000));
        assertEquals("true", ComposeProject.inspect(id, "{{.State.Running}}"), "volume: the container keeps running");
        Cmd.Result check = broken.exec("warden-check");
        assertEquals(1, check.exit(), "volume: warden answers, and says unhealthy: " + check);
        Cmd.Result cli = broken.exec("warden", "check");
        assertEquals(1, cli.exit(), "volume: warden check agrees: " + cli);
        assertTrue(cli.err().contains("state volume"), "volume: the check says why: " + cli);
        assertTrue(broken.logs().contains("not writable"), "volume: the log names the cause");

        good.compose("up", "-d").orThrow();
        Map<String, Object> s = good.awaitObserved("down");
        assertEquals("down", s.get("desired"), "volume: the next good boot honours the recorded stop");
        assertEquals(recorded, good.exec("cat", "/var/lib/warden/gateway.json").orThrow().out(),
                "volume: the state file is untouched");
        awaitHealth(good.containerId(), "healthy", "volume, repaired");
        good.down();
        project = null;
    }

    private void brokenBoot(String what, String intent, String causeLine) {
        ComposeProject good = project("broken-" + what).withOverride(ImageFixture.Images.override("e2e/health-fast.yaml"));
        project = good;
        good.up();
        good.awaitObserved("up");
        if (intent.equals("down")) assertEquals(0, good.exec("warden", "stop", "--reason", "before " + what).exit());
        good.awaitObserved(intent);
        Map<String, Object> recordedIntent = intent(parse(good.exec("cat", "/var/lib/warden/gateway.json").orThrow().out()));

        ComposeProject broken = good.withOverride(ImageFixture.Images.override("e2e/broken-" + what + ".yaml"));
        long t0 = System.nanoTime();
        broken.compose("up", "-d").orThrow();
        String id = broken.containerId();
        // written by the good container's stop; nothing may write it while warden cannot start
        String recorded = broken.exec("cat", "/var/lib/warden/gateway.json").orThrow().out();
        assertEquals(recordedIntent, intent(parse(recorded)), what + ": the recorded intent");
        awaitHealth(id, "unhealthy", what);
        TIMINGS.add(String.format("warden cannot start (%s, health-fast.yaml): up -d -> unhealthy in %d ms", what,
                (System.nanoTime() - t0) / 1_000_000));
        assertEquals("true", ComposeProject.inspect(id, "{{.State.Running}}"), what + ": the container keeps running");
        assertEquals("0", ComposeProject.inspect(id, "{{.RestartCount}}"), what + ": no restart loop");
        String logs = broken.logs();
        assertTrue(logs.contains(causeLine), what + ": the log names the cause (" + causeLine + ")");
        assertTrue(logs.contains("warden: the daemon exited with code"), what + ": warden's finish line");
        assertEquals(4, broken.exec("warden-check").exit(), what + ": warden-check says warden is not answering");
        Cmd.Result gw = broken.exec("s6-svstat", "-o", "up", "/run/service/gateway");
        assertEquals(intent.equals("up") ? "true" : "", gw.ok() ? gw.out().strip().replace("false", "") : "",
                what + ": the gateway runs iff the recorded intent is up (" + gw + ")");
        assertEquals(recorded, broken.exec("cat", "/var/lib/warden/gateway.json").orThrow().out(),
                what + ": the state file is untouched");

        good.compose("up", "-d").orThrow();
        Map<String, Object> s = good.awaitObserved(intent);
        assertEquals(intent, s.get("desired"), what + ": the next good boot honours the recorded intent");
        assertEquals(intent.equals("down") ? "user" : "default", intent(s).get("source"), what);
        awaitHealth(good.containerId(), "healthy", what + ", repaired");
        good.down();
        project = null;
    }

    // ---- 9 -------------------------------------------------------------------------------------------------

    /**
     * Stage 3 as in real s6-overlay: a container stop sleeps the whole S6_KILL_GRACETIME even when nothing is left,
     * and the gateway's own child, signalled directly by the final SIGTERM to every process, leaves no stray
     * "Terminated" in the log.
     */
    @Test
    @Order(9)
    void containerStopSleepsTheWholeGraceTime() {
        ComposeProject p = project("grace").withOverride(ImageFixture.Images.override("e2e/grace-2000.yaml"));
        project = p;
        p.up();
        p.awaitObserved("up");
        String id = p.containerId();
        Cmd.Result stop = Cmd.docker(Duration.ofSeconds(30), "stop", id).orThrow();
        TIMINGS.add("docker stop with S6_KILL_GRACETIME=2000: " + stop.millis() + " ms");
        assertEquals("0", ComposeProject.inspect(id, "{{.State.ExitCode}}"));
        assertTrue(stop.millis() >= 2000, "the stop took " + stop.millis() + " ms: less than S6_KILL_GRACETIME=2000");
        String logs = p.logs();
        assertTrue(logs.contains("received SIGTERM, shutting down"), "the gateway stopped on SIGTERM");
        assertFalse(logs.contains("Terminated"), "no stray 'Terminated' from the gateway's child:\n" + logs);
    }

    // ---- 10 ------------------------------------------------------------------------------------------------

    /**
     * Stage 2 as in real s6-overlay: a longrun of the user bundle that is not ready within
     * S6_CMD_WAIT_FOR_SERVICES_MAXTIME fails stage 2; S6_BEHAVIOUR_IF_STAGE2_FAILS=2 stops the container with exit
     * 1, 1 logs a warning and goes on.
     */
    @Test
    @Order(10)
    void stage2FailureFollowsTheS6OverlaySettings() {
        ComposeProject p = project("stage2").withOverride(ImageFixture.Images.override("e2e/stage2-never-ready.yaml"));
        project = p;
        long t0 = System.nanoTime();
        p.up();
        String id = p.containerId();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!"false".equals(ComposeProject.inspect(id, "{{.State.Running}}"))) {
            if (System.nanoTime() > deadline) throw new AssertionError("S6_BEHAVIOUR_IF_STAGE2_FAILS=2: still running after 30 s");
            ComposeProject.sleep(200);
        }
        TIMINGS.add(String.format("stage 2 failure (MAXTIME 2000, value 2): up -> stopped in %d ms", (System.nanoTime() - t0) / 1_000_000));
        assertEquals("1", ComposeProject.inspect(id, "{{.State.ExitCode}}"), "value 2 halts with exit 1");
        assertTrue(p.logs().contains("unable to start service never-ready"), "the log names the service");

        ComposeProject warn = p.withOverride(ImageFixture.Images.override("e2e/stage2-warn.yaml"));
        warn.compose("up", "-d", "--force-recreate").orThrow();
        String id2 = warn.containerId();
        deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!warn.logs().contains("S6_BEHAVIOUR_IF_STAGE2_FAILS=1, the container goes on")) {
            if (System.nanoTime() > deadline) throw new AssertionError("value 1: no warning within 30 s:\n" + warn.logs());
            ComposeProject.sleep(200);
        }
        ComposeProject.sleep(1500);
        assertEquals("true", ComposeProject.inspect(id2, "{{.State.Running}}"), "value 1: the container goes on");
        // never-ready is one of the image's s6-rc longruns, so warden keeps it too: the check as a whole reports
        // it; warden itself answers and the gateway is fine
        assertEquals(0, warn.exec("warden", "check", "gateway").exit(), "value 1: warden itself is fine");
        assertTrue(warn.exec("warden", "list").out().contains("never-ready"), "value 1: warden keeps never-ready");
    }

    // ---- 11 ------------------------------------------------------------------------------------------------

    /**
     * The demo image's several services: the dashboard starts down (its template holds ./down), a per-profile
     * gateway is an instance of gateway@, the relay is an s6-rc longrun of the image kept where it is, and each
     * keeps its own intent across recreates.
     */
    @Test
    @Order(11)
    void severalServicesKeepTheirOwnIntentsAcrossRecreates() {
        ComposeProject p = project("services");
        p.up();
        p.awaitObserved("up");
        Map<String, Map<String, Object>> all = list(p);
        assertEquals(List.of("dashboard", "gateway", "relay"), List.copyOf(all.keySet()), "the demo's services");
        assertEquals("down", all.get("dashboard").get("desired"), "a template holding ./down starts down");
        assertEquals("s6-rc", all.get("relay").get("definedBy"), "the relay is the image's s6-rc service");
        assertEquals("template", all.get("gateway").get("definedBy"));
        assertEquals(0, p.exec("warden", "check").exit(), "a service down on purpose is healthy");

        assertEquals(0, p.exec("warden", "start", "gateway@eu", "--timeout", "30").exit(), "an instance is created");
        assertEquals(0, p.exec("warden", "start", "dashboard", "--timeout", "30").exit());
        assertEquals(0, p.exec("warden", "stop", "--reason", "maintenance").exit(), "no name: the default service");
        assertEquals(0, p.exec("warden", "stop", "relay").exit(), "an s6-rc service stops like any other");
        assertTrue(p.logs().contains("gateway-eu["), "the instance runs with its name from ./instance");

        for (int i = 1; i <= 2; i++) {
            p.compose("up", "-d", "--force-recreate").orThrow();
            awaitList(p, "recreate " + i, m -> m.containsKey("gateway@eu") && "up".equals(m.get("gateway@eu").get("observed"))
                    && "up".equals(m.get("dashboard").get("observed")) && "down".equals(m.get("gateway").get("observed")));
            all = list(p);
            assertEquals("down", all.get("gateway").get("desired"), "recreate " + i + ": the user's stop holds");
            assertEquals("down", all.get("relay").get("observed"), "recreate " + i + ": the relay's stop holds too");
            assertEquals("signal", lastShutdown(all.get("dashboard")).get("cause"), "recreate " + i);
            assertEquals("signal", lastShutdown(all.get("gateway@eu")).get("cause"), "recreate " + i);
            assertEquals(0, p.exec("warden-check").exit(), "recreate " + i + ": every service matches its intent");
        }
        assertEquals(0, p.exec("warden", "remove", "gateway@eu").exit());
        p.compose("up", "-d", "--force-recreate").orThrow();
        Map<String, Map<String, Object>> after = awaitList(p, "after remove", m -> "up".equals(m.get("dashboard").get("observed")));
        assertFalse(after.containsKey("gateway@eu"), "a removed instance does not come back");
        assertEquals(0, p.exec("warden", "start", "relay", "--timeout", "30").exit(), "the relay starts again");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> list(ComposeProject p) {
        Cmd.Result r = p.exec("warden", "list", "--json").orThrow();
        Map<String, Map<String, Object>> byName = new java.util.TreeMap<>();
        try {
            for (Object o : (List<Object>) Json.parse(r.out().strip())) {
                byName.put((String) ((Map<String, Object>) o).get("service"), (Map<String, Object>) o);
            }
        } catch (io.warden.json.JsonException e) {
            throw new AssertionError("list --json is not JSON: " + r, e);
        }
        return byName;
    }

    private static Map<String, Map<String, Object>> awaitList(ComposeProject p, String what,
                                                              java.util.function.Predicate<Map<String, Map<String, Object>>> ok) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Map<String, Map<String, Object>> last = null;
        while (true) {
            try {
                last = list(p);
                if (ok.test(last)) return last;
            } catch (AssertionError | RuntimeException e) {
                // warden not answering yet during the boot
            }
            if (System.nanoTime() > deadline) throw new AssertionError(what + ": timed out; last list: " + last);
            ComposeProject.sleep(250);
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    /** warden-check (the HEALTHCHECK) and warden check give the same exit code, {@code expected}. */
    private static void assertVerdict(ComposeProject p, int expected, String when) {
        Cmd.Result fast = p.exec("warden-check");
        Cmd.Result jvm = p.exec("warden", "check");
        assertEquals(expected, jvm.exit(), when + ": warden check " + jvm);
        assertEquals(expected, fast.exit(), when + ": warden-check " + fast);
    }

    private static String health(String id) {
        return ComposeProject.inspect(id, "{{if .State.Health}}{{.State.Health.Status}}{{end}}");
    }

    private static int lastProbeExit(String id) {
        String codes = ComposeProject.inspect(id, "{{range .State.Health.Log}}{{.ExitCode}} {{end}}");
        String[] c = codes.split(" ");
        return Integer.parseInt(c[c.length - 1]);
    }

    /** Waits (bounded) until Docker reports {@code status}; returns the wait in ms. */
    private static long awaitHealth(String id, String status, String when) {
        long t0 = System.nanoTime();
        long deadline = t0 + Duration.ofSeconds(45).toNanos();
        String last;
        while (!status.equals(last = health(id))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(when + ": health still '" + last + "' after 45 s, not " + status + "; probes: "
                        + ComposeProject.inspect(id, "{{range .State.Health.Log}}[{{.ExitCode}} {{.Output}}] {{end}}"));
            }
            ComposeProject.sleep(200);
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

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

    @SuppressWarnings("unchecked")
    private static Map<String, Object> warden(Map<String, Object> s) {
        return (Map<String, Object>) Objects.requireNonNull(s.get("warden"), "status has no warden");
    }

    static String jarVersion(java.nio.file.Path jar) {
        try (java.util.jar.JarFile j = new java.util.jar.JarFile(jar.toFile())) {
            return j.getManifest().getMainAttributes().getValue("Implementation-Version");
        } catch (java.io.IOException e) {
            throw new AssertionError("cannot read " + jar, e);
        }
    }

    /** The details of the journal's {@code upgraded} records, oldest first. */
    private static List<Object> upgrades(ComposeProject p) {
        return p.history().stream().filter(r -> "upgraded".equals(r.get("event"))).map(r -> r.get("detail")).toList();
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
