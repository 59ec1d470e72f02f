package io.warden.reliability;

import org.junit.jupiter.api.Timeout;
import io.warden.it.RawClient;

import io.warden.it.S6Sandbox;
import io.warden.state.IntentSource;
import io.warden.state.IntentState;
import io.warden.state.ServiceState;
import io.warden.state.ShutdownCause;
import io.warden.state.StateStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Signals at awkward moments, against the real daemon: repeated SIGTERMs, SIGTERM during boot, SIGTERM racing a
 * stop, SIGHUP and SIGQUIT. Invariant throughout: the intent changes only by a command, exactly one shutdown cause
 * is recorded per end, and the state file is never damaged.
 *
 * <p>Reproduce: {@code mvn -B -o verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=SignalsIT}
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class SignalsIT {
    @TempDir
    Path tmp;
    S6Sandbox box;

    @AfterEach
    void tearDown() throws Exception {
        if (box != null) box.close();
    }

    private static void figure(String kase, String runs, String outcome) {
        Figures.print(kase, runs, outcome);
    }

    private S6Sandbox sandbox() throws IOException {
        box = new S6Sandbox(tmp);
        box.env("WARDEN_SIGNAL_WINDOW", "1");
        return box;
    }

    private StateStore store() {
        return new StateStore(box.stateDir(), "gateway");
    }

    private ServiceState state() {
        StateStore.Loaded<ServiceState> l = store().peekService();
        assertFalse(l.damaged(), "state file damaged: " + l.problem());
        return l.value();
    }

    private List<Map<String, Object>> journal() throws IOException {
        return store().journal().read().records();
    }

    private static long count(List<Map<String, Object>> records, String event) {
        return records.stream().filter(r -> event.equals(r.get("event"))).count();
    }

    private static void waitExit(Process p, long seconds) throws InterruptedException {
        assertTrue(p.waitFor(seconds, TimeUnit.SECONDS), "daemon " + p.pid() + " did not exit within " + seconds + " s");
    }

    @ParameterizedTest(name = "{0} SIGTERMs")
    @ValueSource(ints = {2, 3})
    void repeatedSigtermsRecordOneStop(int n) throws Exception {
        sandbox().boot();
        RawClient.awaitObserved(box.socket(), "up", Duration.ofSeconds(20));
        ServiceState before = state();
        long t0 = System.nanoTime();
        // back to back from this JVM (Process.destroy is SIGTERM): a kill(1) process per signal can come after the
        // daemon has already exited
        for (int i = 0; i < n; i++) box.warden().destroy();
        waitExit(box.warden(), 10);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(0, box.warden().exitValue());
        assertEquals(1, count(journal(), "warden-stop"), "one warden-stop record");
        ServiceState after = state();
        assertEquals(before.intent(), after.intent(), "intent unchanged");
        assertEquals(ShutdownCause.SIGNAL, after.lastShutdown().cause());
        // README: the extra ones are ignored and not logged at the default level: the log says once what warden received
        long logged = box.log().lines().filter(l -> l.contains("SIGTERM")).count();
        assertEquals(1, box.log().lines().filter(l -> l.contains("SIGTERM received")).count(), box.log());
        assertEquals(0, box.log().lines().filter(l -> l.contains("during shutdown")).count(), box.log());
        figure("signals: " + n + " SIGTERMs in a row", "1", "exit 0 in " + ms + " ms, 1 warden-stop record, "
                + "intent unchanged, last shutdown signal; " + logged + " log line(s) name SIGTERM");
    }

    @Test
    void sigtermDuringBootExitsPromptlyAndTheNextBootIsCorrect() throws Exception {
        sandbox().startSupervisor();
        int[] delays = {0, 50, 100, 150, 200, 300, 400, 600, 800};
        List<String> outcomes = new ArrayList<>();
        int clean = 0;
        int jvmDefault = 0;
        for (int d : delays) {
            int stopsBefore = (int) count(journal(), "warden-stop");
            int bootsBefore = (int) count(journal(), "boot");
            Process p = box.spawnWarden();
            if (d > 0) LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(d));
            long t0 = System.nanoTime();
            S6Sandbox.signal(p.pid(), "TERM");
            waitExit(p, 10);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            List<Map<String, Object>> j = journal();
            int stops = (int) count(j, "warden-stop") - stopsBefore;
            int boots = (int) count(j, "boot") - bootsBefore;
            assertTrue(stops <= 1, "at most one record per run");
            if (p.exitValue() == 0) {
                clean++;
                assertEquals(1, stops, "a clean exit records its stop:\n" + box.log());
                assertTrue(box.log().contains("warden stopped"), box.log());
            } else {
                // before warden's handler is installed the JVM's own SIGTERM handling ends it: 128+15, no record
                assertEquals(143, p.exitValue(), "exit code at " + d + " ms:\n" + box.log());
                assertEquals(0, stops);
                assertEquals(0, boots, "the JVM's default only acts before warden booted:\n" + box.log());
                jvmDefault++;
            }
            assertTrue(ms < 5000, "exited " + ms + " ms after the signal");
            outcomes.add(d + "ms→" + p.exitValue() + "/" + ms + "ms");
        }
        box.startWarden();
        Map<String, Object> s = RawClient.awaitObserved(box.socket(), "up", Duration.ofSeconds(20));
        assertEquals("up", s.get("desired"));
        assertEquals(IntentSource.DEFAULT, state().intent().source());
        assertTrue(((List<?>) s.get("degraded")).isEmpty(), "no problem left behind: " + s.get("degraded"));
        figure("signals: SIGTERM during boot", delays.length + " boots (signal 0-800 ms after spawn)",
                clean + " exit 0 with one warden-stop record, " + jvmDefault + " exit 143 before warden's handler "
                        + "was installed (no record); all exited within 5 s; the next boot brought the gateway up "
                        + "[delay→exit/ms: " + String.join(", ", outcomes) + "]");
    }

    /**
     * A stop and a SIGTERM race. Whichever the loop takes first wins, and the outcome is one of two, never a mix:
     * the stop was recorded (intent down, cause user, then warden-stop "unchanged") or it was never recorded (intent
     * up as before, cause signal, the client told nothing was changed or lost the daemon before any answer).
     */
    @Test
    void sigtermWhileAStopIsInFlight() throws Exception {
        sandbox().boot();
        // raw-socket stops: negative = the SIGTERM goes first, by that many microseconds
        int[] rawDelaysMicros = {-2000, -500, -100, 0, 100, 500, 2000};
        int[] cliDelaysMillis = {150, 300, 450};
        List<String> cliErrors = new ArrayList<>();
        int stopsWon = 0;
        int signalsWon = 0;
        List<String> outcomes = new ArrayList<>();
        int trial = 0;
        for (int k = 0; k < rawDelaysMicros.length + cliDelaysMillis.length; k++) {
            trial++;
            boolean viaCli = k >= rawDelaysMicros.length;
            if (trial > 1) box.startWarden();
            ensureUp();
            ServiceState before = state();
            int recordsBefore = journal().size();
            Process daemon = box.warden();
            String reason = "race-" + trial;

            Process cli = null;
            RawClient raw = null;
            // Process.destroy() is kill(pid, SIGTERM) from this JVM: no fork between the two moves
            if (viaCli) {
                cli = box.cliAsync("stop", "--reason", reason, "--timeout", "5");
                Thread.sleep(cliDelaysMillis[k - rawDelaysMicros.length]);
                daemon.destroy();
            } else {
                raw = new RawClient(box.socket());
                String req = "{\"v\":1,\"op\":\"stop\",\"reason\":\"" + reason + "\"}\n";
                int us = rawDelaysMicros[k];
                if (us < 0) {
                    daemon.destroy();
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(-us));
                    try {
                        raw.send(req);
                    } catch (IOException closed) {
                        // the daemon was already gone: the request never reached it
                    }
                } else {
                    raw.send(req);
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(us));
                    daemon.destroy();
                }
            }
            waitExit(daemon, 10);
            assertEquals(0, daemon.exitValue(), box.log());

            String answer;
            if (raw != null) {
                String line;
                try {
                    line = raw.readLine();
                } catch (IOException reset) {
                    line = null;
                }
                raw.close();
                answer = line == null ? "closed" : RawClient.errorCode(RawClient.parseAnswer(line)) == null ? "ok"
                        : RawClient.errorCode(RawClient.parseAnswer(line));
            } else {
                assertTrue(cli.waitFor(30, TimeUnit.SECONDS));
                answer = "cli exit " + cli.exitValue();
                cliErrors.add(answer + ": " + String.join(" ", cliErr(box.root())));
            }

            ServiceState after = state();
            List<Map<String, Object>> j = journal();
            List<Map<String, Object>> since = j.subList(Math.min(recordsBefore, j.size()), j.size());
            assertEquals(1, count(since, "warden-stop"), "one warden-stop record: " + since);
            Map<String, Object> stop = since.stream().filter(r -> "warden-stop".equals(r.get("event"))).findFirst()
                    .orElseThrow();
            boolean stopWon = after.intent().state() == IntentState.DOWN;
            if (stopWon) {
                stopsWon++;
                assertEquals(IntentSource.USER, after.intent().source());
                assertEquals(reason, after.intent().reason());
                assertEquals(ShutdownCause.USER, after.lastShutdown().cause(), "the stop is the one cause");
                assertEquals("unchanged", stop.get("cause"), "the signal did not overwrite the user stop: " + stop);
                assertEquals(1, since.stream().filter(r -> "intent".equals(r.get("event"))).count());
                assertTrue(!answer.equals("shutting-down"), "a recorded stop was not answered as refused");
            } else {
                signalsWon++;
                assertEquals(before.intent(), after.intent(), "intent unchanged when the signal came first");
                assertEquals(ShutdownCause.SIGNAL, after.lastShutdown().cause());
                assertEquals("signal", stop.get("cause"));
                assertEquals(0, since.stream().filter(r -> "intent".equals(r.get("event"))).count(),
                        "no intent record: " + since);
                if (raw != null) {
                    assertTrue(answer.equals("shutting-down") || answer.equals("closed"), answer);
                } else {
                    // 9: the connection closed after the request was sent, so the command line cannot know
                    assertTrue(cli.exitValue() == 4 || cli.exitValue() == 5 || cli.exitValue() == 9,
                            "refused, unreachable or unknown: " + answer);
                }
            }
            outcomes.add((viaCli ? "cli+" + cliDelaysMillis[k - rawDelaysMicros.length] + "ms"
                    : "raw+" + rawDelaysMicros[k] + "us") + "→" + (stopWon ? "stop" : "signal") + "/" + answer);
        }
        System.out.println("CLI answers in the races: " + cliErrors);
        long unanswered = outcomes.stream().filter(o -> o.endsWith("/closed")).count();
        figure("signals: SIGTERM while a stop is in flight", trial + " races (" + rawDelaysMicros.length
                        + " raw-socket stops from 2 ms after to 2 ms before the signal, " + cliDelaysMillis.length
                        + " CLI stops)",
                stopsWon + " stop first (intent down, cause user, signal recorded as unchanged), " + signalsWon
                        + " signal first (intent unchanged, cause signal, no intent record; " + unanswered
                        + " raw requests closed without an answer); never both, state file always whole ["
                        + String.join(", ", outcomes) + "]");
    }

    /**
     * The gateway dies as warden gets its SIGTERM, one just before the other by up to 5 ms either way. Whichever
     * the loop sees first, warden's stop record is the journal's last, and the ended run record still names the run
     * that was up (the next boot's stop witness judges by it): an end seen after the signal decides nothing.
     */
    @Test
    void aRunEndingAsWardenStopsIsNothingAfterTheStopRecord() throws Exception {
        sandbox().boot();
        int[] killFirstMicros = {5000, 2000, 1000, 0, -1000, -2000, -5000};
        List<String> outcomes = new ArrayList<>();
        for (int k = 0; k < killFirstMicros.length; k++) {
            if (k > 0) box.startWarden();
            long gw = (Long) RawClient.awaitObserved(box.socket(), "up", Duration.ofSeconds(20)).get("pid");
            ProcessHandle gateway = ProcessHandle.of(gw).orElseThrow();
            Process daemon = box.warden();
            int us = killFirstMicros[k];
            if (us >= 0) {
                gateway.destroyForcibly();
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(us));
                daemon.destroy();
            } else {
                daemon.destroy();
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(-us));
                gateway.destroyForcibly();
            }
            waitExit(daemon, 10);
            assertEquals(0, daemon.exitValue(), box.log());
            List<Map<String, Object>> j = journal();
            assertEquals("warden-stop", j.get(j.size() - 1).get("event"), "the stop record is the last: " + j.subList(
                    Math.max(0, j.size() - 4), j.size()));
            io.warden.state.RunRecord run = store().loadRun().value();
            assertTrue(run.ended(), "the stop is committed");
            assertEquals(gw, run.seen("gateway", "gateway") == null ? -1 : run.seen("gateway", "gateway").pid(),
                    "the ended run record still names the run up at the signal: " + run);
            assertEquals(ShutdownCause.SIGNAL, state().lastShutdown().cause());
            outcomes.add((us >= 0 ? "kill " + us + "us before" : "kill " + -us + "us after") + " the SIGTERM");
        }
        figure("signals: the gateway dies as warden gets SIGTERM", killFirstMicros.length + " races (SIGKILL of the "
                        + "gateway from 5 ms before to 5 ms after warden's SIGTERM)",
                "warden-stop always the journal's last record, the ended run record always names the run up at the "
                        + "signal, cause signal [" + String.join(", ", outcomes) + "]");
    }

    /** The stderr of the most recent cliAsync run (files cli-<nanos>.err in the sandbox root). */
    private static List<String> cliErr(Path root) throws IOException {
        try (var files = Files.list(root)) {
            Path last = files.filter(f -> f.getFileName().toString().endsWith(".err")).max(Path::compareTo)
                    .orElse(null);
            return last == null ? List.of() : Files.readAllLines(last);
        }
    }

    private void ensureUp() throws Exception {
        Map<String, Object> s = RawClient.status(box.socket());
        if (!"up".equals(s.get("desired"))) {
            try (RawClient w = new RawClient(box.socket())) {
                Map<String, Object> a = w.send("{\"op\":\"start\",\"reason\":\"reset\"}\n").answer();
                assertEquals(Boolean.TRUE, a.get("ok"), a.toString());
            }
        }
        RawClient.awaitObserved(box.socket(), "up", Duration.ofSeconds(20));
    }

    @Test
    void hupAndQuitAreNotShutdowns() throws Exception {
        sandbox().boot();
        long gw = (Long) RawClient.awaitObserved(box.socket(), "up", Duration.ofSeconds(20)).get("pid");
        long pid = box.warden().pid();

        S6Sandbox.signal(pid, "HUP");
        try {
            S6Sandbox.await("SIGHUP logged", Duration.ofSeconds(5), () -> box.log().contains("SIGHUP received: ignored"));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; warden " + (box.warden().isAlive() ? "still runs"
                    : "exited " + box.warden().exitValue()) + "; its log:\n" + box.log(), e);
        }
        assertFalse(box.warden().waitFor(300, java.util.concurrent.TimeUnit.MILLISECONDS), "SIGHUP does not stop warden");
        assertEquals("up", RawClient.status(box.socket()).get("observed"));

        S6Sandbox.signal(pid, "QUIT");
        S6Sandbox.await("thread dump", Duration.ofSeconds(5), () -> box.log().contains("Full thread dump"));
        assertFalse(box.warden().waitFor(300, java.util.concurrent.TimeUnit.MILLISECONDS), "SIGQUIT does not stop warden");
        Map<String, Object> s = RawClient.status(box.socket());
        assertEquals("up", s.get("observed"));
        assertEquals(gw, s.get("pid"), "the gateway was not touched");
        S6Sandbox.Cli cli = box.cli("status");
        assertEquals(0, cli.exit(), cli.toString());
        assertEquals(0, count(journal(), "warden-stop"), "no stop recorded");
        assertTrue(Files.exists(box.stateDir().resolve("run.json")));
        assertNotEquals(null, state());
        figure("signals: SIGHUP, SIGQUIT", "1 each", "daemon kept running (HUP logged as ignored, QUIT printed "
                + "the JVM thread dump), status answered, gateway pid unchanged, no stop recorded");
    }
}
