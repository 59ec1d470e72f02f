package io.warden.it;

import io.warden.json.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.warden.state.LegacyLockReader;
import org.junit.jupiter.api.Timeout;

import static io.warden.it.S6Sandbox.object;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The core scenarios against real s6, the real daemon and the real command line, each as its own process. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HostScenariosIT {
    @TempDir
    Path tmp;
    S6Sandbox box;

    @AfterEach
    void tearDown() throws Exception {
        if (box != null) box.close();
    }

    private S6Sandbox sandbox() throws Exception {
        box = new S6Sandbox(tmp);
        box.env("WARDEN_SIGNAL_WINDOW", "1");
        return box;
    }

    @Test
    void freshStartBringsTheGatewayUp() throws Exception {
        sandbox().boot();
        long pid = box.awaitGatewayUp();
        Map<String, Object> s = box.status();
        assertEquals("gateway", s.get("service"));
        assertEquals("up", s.get("desired"));
        assertEquals(pid, s.get("pid"));
        assertEquals("default", object(s, "intent").get("source"));
        assertNull(s.get("lastShutdown"));
        assertEquals("s6", s.get("supervisor"));
        assertEquals(0, box.cli("status").exit());
        assertEquals(0, box.cli("check").exit());
    }

    @Test
    void containerStopThenFreshStartBringsTheGatewayBack() throws Exception {
        sandbox().boot();
        box.awaitGatewayUp();
        box.containerStop(true);
        assertEquals(0, box.warden().exitValue(), "warden exits 0 on SIGTERM");

        box.boot();
        box.awaitGatewayUp();
        Map<String, Object> s = box.status();
        assertEquals("up", s.get("desired"));
        assertEquals("signal", object(s, "lastShutdown").get("cause"));
        assertEquals("SIGTERM", object(s, "lastShutdown").get("signal"));
    }

    @Test
    void wardenFirstContainerStopIsAlsoSignal() throws Exception {
        sandbox().boot();
        box.awaitGatewayUp();
        box.containerStop(false);
        box.boot();
        box.awaitGatewayUp();
        assertEquals("signal", object(box.status(), "lastShutdown").get("cause"));
    }

    @Test
    void explicitStopSurvivesContainerRestartsUntilExplicitStart() throws Exception {
        sandbox().boot();
        box.awaitGatewayUp();
        S6Sandbox.Cli stop = box.cli("stop", "--reason", "maintenance");
        assertEquals(0, stop.exit(), stop.toString());
        assertEquals("down", box.status().get("observed"));

        for (int i = 0; i < 2; i++) {
            box.containerStop(i == 0);
            box.boot();
            // s6 has read ./down and settled: a wrong start would show as starting or up from here on
            Map<String, Object> s = box.awaitStatus("s6 settled", Duration.ofSeconds(15),
                    st -> !"unknown".equals(st.get("observed")));
            assertEquals("down", s.get("desired"));
            assertEquals("down", s.get("observed"), "gateway must stay down after restart " + (i + 1));
            assertEquals("user", object(s, "lastShutdown").get("cause"));
            assertEquals("maintenance", object(s, "intent").get("reason"));
            assertEquals(0, box.cli("check").exit(), "a deliberately stopped gateway is healthy");
            assertEquals(3, box.cli("status").exit(), "status exits 3 when the gateway is not up");
            assertTrue(Files.exists(box.serviceDir().resolve("down")));
            assertFalse(s.containsKey("lastExit"), "the gateway never ran in this boot: no last exit " + s);
            assertFalse(box.cli("status").out().contains("last exit"));
        }

        S6Sandbox.Cli start = box.cli("start");
        assertEquals(0, start.exit(), start.toString());
        assertEquals("up", box.status().get("observed"));
        assertEquals("user", object(box.status(), "intent").get("source"));
    }

    @Test
    void everythingKilledAfterAUserStopKeepsTheUserCause() throws Exception {
        sandbox().boot();
        box.awaitGatewayUp();
        assertEquals(0, box.cli("stop").exit());
        box.killEverything();
        box.boot();
        Map<String, Object> s = box.awaitStatus("s6 settled", Duration.ofSeconds(15),
                st -> !"unknown".equals(st.get("observed")));
        assertEquals("down", s.get("observed"));
        assertEquals("user", object(s, "lastShutdown").get("cause"),
                "the gateway warden last saw was already down: no run ended uncleanly");
    }

    @Test
    void restartWaitsForANewPid() throws Exception {
        sandbox().boot();
        long before = box.awaitGatewayUp();
        S6Sandbox.Cli r = box.cli("restart");
        assertEquals(0, r.exit(), r.toString());
        Map<String, Object> s = box.status();
        assertEquals("up", s.get("observed"));
        assertNotEquals(before, s.get("pid"));
        assertEquals("user", object(s, "lastShutdown").get("cause"));
        assertEquals("restart", object(s, "intent").get("reason"));
    }

    @Test
    void startRightAfterStopIsNoCrash() throws Exception {
        sandbox();
        Files.writeString(tmp.resolve("template/gateway/slow-stop"), "");
        box.boot();
        long pid = box.awaitGatewayUp();
        try (RawClient c = new RawClient(box.socket())) {
            assertEquals(true, c.send("{\"op\":\"stop\"}\n").answer().get("ok"));
            assertEquals(true, c.send("{\"op\":\"start\"}\n").answer().get("ok"));
        }
        box.awaitStatus("a new run", Duration.ofSeconds(15),
                st -> "up".equals(st.get("observed")) && !Long.valueOf(pid).equals(st.get("pid")));
        // the old run's end is in the journal, and no cause waits out the signal window any more
        S6Sandbox.await("the end of pid " + pid + " journaled", Duration.ofSeconds(10), () -> historyHas("gateway-exit", pid));
        Map<String, Object> s = box.awaitStatus("no cause pending", Duration.ofSeconds(10),
                st -> object(st, "lastShutdown") != null && Boolean.FALSE.equals(object(st, "lastShutdown").get("pending")));
        assertEquals("user", object(s, "lastShutdown").get("cause"), "the run warden stopped ended as asked");
        assertFalse(box.cli("history", "--json").out().contains("\"cause\":\"crash\""));
    }

    @Test
    void wardenKilledAloneDoesNotBounceTheGateway() throws Exception {
        sandbox().boot();
        long pid = box.awaitGatewayUp();
        box.warden().destroyForcibly().waitFor();
        box.startWarden();
        Map<String, Object> s = box.status();
        assertEquals("up", s.get("observed"));
        assertEquals(pid, s.get("pid"), "the gateway keeps its pid across a warden restart");
        assertNull(s.get("lastShutdown"), "a warden-only kill ends no gateway run");
        assertTrue(box.cli("history", "--json").out().contains("warden-unclean-end"));
    }

    @Test
    void everythingKilledIsRecordedAsUnclean() throws Exception {
        sandbox().boot();
        box.awaitGatewayUp();
        box.killEverything();
        box.boot();
        box.awaitGatewayUp();
        Map<String, Object> s = box.status();
        assertEquals("unclean", object(s, "lastShutdown").get("cause"));
        assertEquals("up", s.get("desired"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void repeatedSigtermDuringShutdownRecordsOneCause() throws Exception {
        sandbox().boot();
        box.awaitGatewayUp();
        long pid = box.warden().pid();
        for (int i = 0; i < 3; i++) {
            new ProcessBuilder("kill", "-TERM", Long.toString(pid)).start().waitFor();
        }
        S6Sandbox.waitGone(box.warden());
        assertEquals(0, box.warden().exitValue());
        List<Object> history = (List<Object>) Json.parse(box.cli("history", "--json", "-n", "1000").out().trim());
        long stops = history.stream().filter(r -> "warden-stop".equals(((Map<String, Object>) r).get("event"))).count();
        assertEquals(1, stops, "exactly one shutdown record");
        S6Sandbox.Cli offline = box.cli("status", "--json");
        assertEquals(4, offline.exit(), "status exits 4 when the daemon is not running");
        Map<String, Object> s = (Map<String, Object>) Json.parse(offline.out().trim());
        assertEquals("up", s.get("desired"));
        assertEquals("signal", object(s, "lastShutdown").get("cause"));
        assertEquals(false, object(s, "warden").get("running"));
    }

    @Test
    void gatewayCrashIsRecordedAndRestartedWithIntentUntouched() throws Exception {
        sandbox().boot();
        long pid = box.awaitGatewayUp();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        box.awaitStatus("crash recorded", Duration.ofSeconds(15), st -> S6Sandbox.lastShutdownIs(st, "crash"));
        long again = box.awaitGatewayUp();
        assertNotEquals(pid, again, "s6 restarted the gateway");
        Map<String, Object> s = box.status();
        assertEquals("SIGKILL", object(s, "lastShutdown").get("signal"));
        assertEquals("default", object(s, "intent").get("source"));
        assertEquals("up", s.get("desired"));
    }

    @Test
    void stopBehindWardensBackIsExternalAndUnhealthy() throws Exception {
        sandbox().boot();
        box.awaitGatewayUp();
        assertEquals(0, box.s6("s6-svc", "-d").exit());
        box.awaitStatus("external recorded", Duration.ofSeconds(15), st -> S6Sandbox.lastShutdownIs(st, "external"));
        Map<String, Object> s = box.status();
        assertEquals("up", s.get("desired"), "drift never changes intent");
        assertEquals("down", s.get("observed"));
        assertEquals(true, s.get("drift"));
        assertEquals(1, box.cli("check").exit(), "a gateway that should be up and is not is unhealthy");
    }

    @Test
    void fatalConfigurationIsFailedNotRestarted() throws Exception {
        sandbox();
        Files.writeString(tmp.resolve("template/gateway/exit-code"), "78\n");
        box.boot();
        box.awaitStatus("failed", Duration.ofSeconds(15), st -> "failed".equals(st.get("observed")));
        assertEquals("up", box.status().get("desired"));
        assertEquals(1, box.cli("check").exit());
        S6Sandbox.Cli start = box.cli("start", "--timeout", "5");
        assertEquals(1, start.exit(), start.toString());
        assertTrue(start.err().contains("fatal configuration"), start.err());
    }

    @Test
    void secondDaemonOnTheSameVolumeRefusesAndTheFirstIsUnharmed() throws Exception {
        sandbox().boot();
        long pid = box.awaitGatewayUp();
        Process first = box.warden();
        Process second = box.spawnWarden();
        S6Sandbox.waitGone(second);
        assertEquals(6, second.exitValue());
        assertTrue(box.log().contains("refusing to start"), box.log());
        assertTrue(box.log().contains("(pid " + first.pid() + ")"), "names the warden that holds it: " + box.log());
        assertTrue(first.isAlive());
        assertEquals(pid, box.status().get("pid"));
    }

    @SuppressWarnings("unchecked")
    private boolean historyHas(String event, long pid) {
        try {
            List<Object> h = (List<Object>) Json.parse(box.cli("history", "--json", "-n", "1000").out().trim());
            return h.stream().map(r -> (Map<String, Object>) r)
                    .anyMatch(r -> event.equals(r.get("event")) && Long.valueOf(pid).equals(r.get("pid")));
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void aLocalUserHoldingALockOnALegacyLockFileDoesNotKeepWardenOut() throws Exception {
        sandbox();
        Path lock = box.stateDir().resolve("lock");
        Files.writeString(lock, "1\n"); // an older warden's lock file: world-readable
        Files.setPosixFilePermissions(lock, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Process nobody = LegacyLockReader.start(lock);
        try {
            box.boot();
            box.awaitGatewayUp();
            assertTrue(nobody.isAlive(), "nobody still holds its shared lock");
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(lock)), "the lock file is closed to other users");
            assertFalse(box.log().contains("another warden"), box.log());
        } finally {
            nobody.destroyForcibly().waitFor();
        }
    }

    @Test
    void reservedAndOverlongServiceNamesAreUsageErrorsThatTouchNothing() throws Exception {
        sandbox();
        box.startSupervisor();
        for (String name : new String[] {"run", "journal", "lock", "g".repeat(250), ""}) {
            box.env("WARDEN_SERVICE", name);
            Process p = box.spawnWarden();
            S6Sandbox.waitGone(p);
            assertEquals(2, p.exitValue(), "WARDEN_SERVICE=" + name + ": " + box.log());
            assertEquals(1, box.log().strip().lines().count(), "one clear line: " + box.log());
            assertTrue(box.log().contains("WARDEN_SERVICE"), box.log());
        }
        try (Stream<Path> files = Files.list(box.stateDir())) {
            assertEquals(List.of(), files.toList(), "nothing written on the volume");
        }
    }

    @Test
    void aTemplateWithADanglingSymlinkFailsClearlyAndLeavesNoStagingDirectory() throws Exception {
        sandbox();
        Files.createSymbolicLink(tmp.resolve("template/gateway/config"), tmp.resolve("no-such-file"));
        box.startSupervisor();
        Process p = box.spawnWarden();
        S6Sandbox.waitGone(p);
        assertEquals(7, p.exitValue(), box.log());
        assertTrue(box.log().contains("dangling symlink"), box.log());
        try (Stream<Path> files = Files.list(box.scandir())) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().contains(".warden-")).toList());
        }
    }

    @Test
    void supervisorIsReportedAsNoneOnceS6SvscanHasDied() throws Exception {
        sandbox().boot();
        box.awaitGatewayUp();
        assertEquals("s6", box.status().get("supervisor"));
        // once s6-svscan is gone its supervisors are no longer its descendants: end them here
        List<ProcessHandle> left = box.supervisor().descendants().toList();
        try {
            box.supervisor().destroyForcibly().waitFor();
            Map<String, Object> s = box.awaitStatus("supervisor none", Duration.ofSeconds(15),
                    st -> "none".equals(st.get("supervisor")));
            assertTrue(s.get("degraded").toString().contains("no s6-svscan"), s.toString());
        } finally {
            left.forEach(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void aKilledSupervisorsOrphanIsReportedNotJournaledAsACrash() throws Exception {
        sandbox().boot();
        long first = box.awaitGatewayUp();
        ProcessHandle supervise = ProcessHandle.of(first).orElseThrow().parent().orElseThrow();
        assertTrue(supervise.info().command().orElse("").endsWith("s6-supervise"), supervise.info().toString());
        supervise.destroyForcibly();
        Map<String, Object> s = box.awaitStatus("orphan reported", Duration.ofSeconds(20),
                st -> st.get("degraded").toString().contains("pid " + first + " runs outside"));
        long second = box.awaitGatewayUp();
        assertNotEquals(first, second, "s6-svscan's new supervisor started a second gateway");
        assertTrue(ProcessHandle.of(first).map(ProcessHandle::isAlive).orElse(false), "the first one still runs");
        assertNull(object(box.status(), "lastShutdown"), "a process that never exited is no crash: " + s);
        assertFalse(box.cli("history", "--json", "-n", "1000").out().contains("\"cause\":\"crash\""));
        assertTrue(historyHas("gateway-orphaned", first));

        ProcessHandle.of(first).orElseThrow().destroyForcibly();
        box.awaitStatus("orphan gone", Duration.ofSeconds(20),
                st -> !st.get("degraded").toString().contains("pid " + first));
    }

    @Test
    void aReplacedServiceDirectoryIsWatchedAgain() throws Exception {
        sandbox().boot();
        long first = box.awaitGatewayUp();
        Path away = tmp.resolve("moved-away");
        Files.move(box.serviceDir(), away);
        assertEquals(0, S6Sandbox.run("s6-svscanctl", "-a", box.scandir().toString()).exit());
        box.awaitStatus("missing directory reported", Duration.ofSeconds(15),
                st -> st.get("degraded").toString().contains("is missing"));
        // someone reinstalls it (a copy of the template), outside warden
        assertEquals(0, S6Sandbox.run("cp", "-a", tmp.resolve("template/gateway").toString(),
                box.serviceDir().toString()).exit());
        assertEquals(0, S6Sandbox.run("s6-svscanctl", "-a", box.scandir().toString()).exit());
        Map<String, Object> s = box.awaitStatus("the new directory's gateway", Duration.ofSeconds(15),
                st -> "up".equals(st.get("observed")) && !Long.valueOf(first).equals(st.get("pid")));
        assertFalse(s.get("degraded").toString().contains("is missing"), s.toString());
        S6Sandbox.Cli stop = box.cli("stop", "--timeout", "10");
        assertEquals(0, stop.exit(), "warden sees s6's changes in the new directory: " + stop);
        assertEquals("down", box.status().get("observed"));
        S6Sandbox.run("s6-svc", "-dx", away.toString());
    }
}
