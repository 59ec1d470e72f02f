package io.warden.daemon;

import io.warden.api.Operation;
import io.warden.api.Peer;
import io.warden.s6.ProcessTable;
import io.warden.s6.Scandir;
import io.warden.s6.SupervisorStatus;
import io.warden.s6.TemplateCatalog;
import io.warden.state.GatewayRun;
import io.warden.state.IntentState;
import io.warden.state.LastShutdown;
import io.warden.state.RunRecord;
import io.warden.state.ServiceState;
import io.warden.state.ShutdownCause;
import io.warden.state.StateStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rules at the edges, per service, on a fake clock: each service's controller is fed what s6 shows and
 * warden's signal, and the test reads what it made durable on a real state directory and what it sent to s6
 * through a real FIFO (opened read-write here, as a listening supervisor would hold it).
 */
class ServiceControllerTest {
    private static final long WINDOW_NANOS = Duration.ofSeconds(5).toNanos();
    private static final Peer ROOT = new Peer(0, "root", "root", 4242L, true);

    @TempDir
    Path root;
    FakeTime time;
    StateStore store;
    Ledger ledger;
    /** Every event the controllers emitted, in order (the spine's subscribers see the same). */
    List<io.warden.event.EventSpine.Stamped> events;
    ServiceContext ctx;
    Map<String, GatewayRun> runs;
    List<Runnable> handedBack;
    /** The supervisors' ends of the control FIFOs, held open for the whole test as s6-supervise holds them. */
    final Map<String, FileChannel> supervisors = new HashMap<>();
    /** A /proc of our own, where each listening supervisor is an s6-supervise whose working directory is its slot. */
    Path proc;

    @org.junit.jupiter.api.AfterEach
    void closeFifos() throws IOException {
        for (FileChannel ch : supervisors.values()) ch.close();
    }

    @BeforeEach
    void setUp() throws IOException {
        time = new FakeTime();
        store = new StateStore(Files.createDirectories(root.resolve("state")), "gateway");
        events = new ArrayList<>();
        io.warden.event.EventSpine spine = new io.warden.event.EventSpine(java.time.Clock.systemUTC(),
                recs -> ledger.journalRecords(recs));
        ledger = new Ledger(store, () -> { }, spine::emit);
        spine.subscribe(events::add);
        runs = new HashMap<>();
        handedBack = new ArrayList<>();
        proc = Files.createDirectories(root.resolve("proc"));
        ctx = new ServiceContext(store, ledger, spine, new Scandir(Files.createDirectories(root.resolve("scan"))),
                new ProcessTable(proc), time, WINDOW_NANOS, 60_000, runs::put, handedBack::add);
    }

    /** A controller for {@code name} whose supervisor listens: what warden sends it is read back with {@link #sent}. */
    private ServiceController controller(String name) throws Exception {
        Path tpl = Files.createDirectories(root.resolve("templates/" + name));
        Files.writeString(tpl.resolve("run"), "#!/bin/sh\nexec sleep 1000\n");
        Path sup = Files.createDirectories(root.resolve("scan/" + name + "/supervise"));
        Process mk = new ProcessBuilder("mkfifo", sup.resolve("control").toString()).start();
        assertEquals(0, mk.waitFor());
        // a FIFO opened read-write never blocks the open
        supervisors.put(name, FileChannel.open(sup.resolve("control"), StandardOpenOption.READ, StandardOpenOption.WRITE));
        // warden sends only to a directory an s6-supervise serves: what /proc shows for one
        Path pid = Files.createDirectories(proc.resolve(String.valueOf(1000 + supervisors.size())));
        Files.writeString(pid.resolve("comm"), "s6-supervise\n");
        Files.createSymbolicLink(pid.resolve("cwd"), sup.getParent().toRealPath());
        ServiceController c = new ServiceController(name, new TemplateCatalog.Template(name, tpl), ctx);
        c.load(IntentState.UP, time.now());
        return c;
    }

    /** What warden wrote to the service's control FIFO since the last call (s6-svc letters). */
    private String sent(String name) throws IOException {
        FileChannel ch = supervisors.get(name);
        // a marker byte after what warden wrote ends the read without blocking
        ch.write(ByteBuffer.wrap(new byte[] {'#'}));
        StringBuilder sb = new StringBuilder();
        ByteBuffer b = ByteBuffer.allocate(1);
        while (true) {
            b.clear();
            ch.read(b);
            char c = (char) b.get(0);
            if (c == '#') return sb.toString();
            sb.append(c);
        }
    }

    private LastShutdown durableLastShutdown(String name) {
        ServiceState s = store.peekService(name).value();
        return s == null ? null : s.lastShutdown();
    }

    private void pass(Duration d, ServiceController... cs) {
        time.advance(d);
        for (ServiceController c : cs) c.tick(time.nanos());
    }

    @Test
    void an_end_nobody_asked_for_is_a_crash_once_the_signal_window_passes() throws Exception {
        ServiceController c = controller("gateway");
        c.onStatus(Statuses.up(100));
        c.onStatus(Statuses.exited(3, true));
        assertNull(durableLastShutdown("gateway"), "nothing decided inside the window");
        assertTrue(c.snapshot(io.warden.s6.SupervisorKind.S6, 1, time.now(), List.of(), new io.warden.state.Versions(null, null)).lastShutdownPending());
        pass(Duration.ofMillis(4999), c);
        assertNull(durableLastShutdown("gateway"), "still inside the window");
        pass(Duration.ofMillis(2), c);
        LastShutdown ls = durableLastShutdown("gateway");
        assertEquals(ShutdownCause.CRASH, ls.cause());
        assertEquals(3, ls.exitCode());
    }

    @Test
    void warden_s_signal_inside_the_window_makes_the_end_a_signal_end() throws Exception {
        ServiceController c = controller("gateway");
        c.onStatus(Statuses.up(100));
        c.onStatus(Statuses.killed(15, true));
        pass(Duration.ofSeconds(4), c);
        LastShutdown ls = c.onSignal("SIGTERM", time.now());
        assertEquals(ShutdownCause.SIGNAL, ls.cause());
        assertEquals("SIGTERM", ls.signal());
        assertEquals(ShutdownCause.SIGNAL, c.state().lastShutdown().cause(), "handed to the daemon to write");
    }

    @Test
    void an_end_still_queued_when_warden_s_signal_arrives_is_a_signal_end() throws Exception {
        // a container stop takes every service down at once: s6 has written the end to the status file, the loop
        // has not seen it yet when warden's own SIGTERM is handled
        ServiceController c = controller("gateway");
        c.onStatus(Statuses.up(100));
        ByteBuffer status = ByteBuffer.allocate(io.warden.s6.SupervisorStatus.LENGTH_STANDARD);
        status.putLong(0x4000000000000000L + 37 + 1_780_000_000L).putInt(0);
        status.putLong(0x4000000000000000L + 37 + 1_780_000_000L).putInt(0);
        status.putLong(0).putShort((short) 15).put((byte) 0);
        Files.write(root.resolve("scan/gateway/supervise/status"), status.array());
        LastShutdown ls = c.onSignal("SIGTERM", time.now());
        assertEquals(ShutdownCause.SIGNAL, ls == null ? null : ls.cause(), "the end the signal follows is the signal's");
    }

    @Test
    void want_up_cleared_behind_warden_s_back_is_external() throws Exception {
        ServiceController c = controller("gateway");
        c.onStatus(Statuses.up(100));
        c.onStatus(Statuses.killed(15, false));
        pass(Duration.ofSeconds(6), c);
        assertEquals(ShutdownCause.EXTERNAL, durableLastShutdown("gateway").cause());
        assertEquals("", sent("gateway"), "drift is reported, not restored");
    }

    @Test
    void a_signal_while_up_is_signal_and_while_stopped_by_the_user_leaves_the_cause() throws Exception {
        ServiceController up = controller("gateway");
        ServiceController stopped = controller("dashboard");
        up.onStatus(Statuses.up(100));
        stopped.onStatus(Statuses.up(200));
        assertTrue((Boolean) stopped.control(Operation.STOP, ROOT, "maintenance", false).get("ok"));
        assertEquals("d", sent("dashboard"));
        assertEquals(ShutdownCause.USER, durableLastShutdown("dashboard").cause());
        stopped.onStatus(Statuses.exited(0, false));
        pass(Duration.ofSeconds(10), up, stopped);
        assertEquals(ShutdownCause.USER, durableLastShutdown("dashboard").cause(), "an asked-for end is no crash");

        assertEquals(ShutdownCause.SIGNAL, up.onSignal("SIGTERM", time.now()).cause());
        assertNull(stopped.onSignal("SIGTERM", time.now()), "a service already down keeps its last shutdown");
        assertEquals(IntentState.DOWN, stopped.desired());
        assertEquals(IntentState.UP, up.desired(), "signals never change an intent");
    }

    @Test
    void a_crash_loop_is_held_with_growing_holds_and_a_long_run_clears_the_count() throws Exception {
        ServiceController c = controller("gateway");
        long pid = 100;
        c.onStatus(Statuses.up(pid));
        for (int death = 1; death <= 2; death++) {
            c.onStatus(Statuses.exited(1, true));
            c.onStatus(Statuses.up(++pid));
        }
        assertEquals("", sent("gateway"), "two deaths are left to s6");
        c.onStatus(Statuses.exited(1, true));
        assertEquals("O", sent("gateway"), "the third death holds the restart (s6-svc -O)");
        assertTrue(c.snapshot(io.warden.s6.SupervisorKind.S6, 1, time.now(), List.of(), new io.warden.state.Versions(null, null)).backoff());
        pass(Duration.ofMillis(999), c);
        assertEquals("", sent("gateway"));
        pass(Duration.ofMillis(1), c);
        assertEquals("u", sent("gateway"), "the hold ends after 1 s");
        c.onStatus(Statuses.up(++pid));
        c.onStatus(Statuses.exited(1, true));
        assertEquals("O", sent("gateway"));
        pass(Duration.ofMillis(1999), c);
        assertEquals("", sent("gateway"), "the next hold is longer: 2 s");
        pass(Duration.ofMillis(1), c);
        assertEquals("u", sent("gateway"));

        c.onStatus(Statuses.up(++pid));
        pass(Duration.ofSeconds(31), c);
        c.onStatus(Statuses.exited(1, true));
        assertEquals("", sent("gateway"), "a run of 30 s cleared the count: this death is left to s6");
    }

    @Test
    void a_hold_whose_letter_did_not_reach_s6_is_no_hold() throws Exception {
        // no s6-supervise serves the slot: the O cannot be sent, so s6 restarts the service itself and warden
        // neither reports a hold nor sends a u later
        ServiceController c = new ServiceController("gateway", new TemplateCatalog.Template("gateway",
                Files.createDirectories(root.resolve("templates/gateway"))), ctx);
        c.load(IntentState.UP, time.now());
        events.clear();
        long pid = 100;
        for (int death = 1; death <= 3; death++) {
            c.onStatus(Statuses.up(++pid));
            c.onStatus(Statuses.exited(1, true));
        }
        assertFalse(c.snapshot(io.warden.s6.SupervisorKind.S6, 1, time.now(), List.of(), new io.warden.state.Versions(null, null)).backoff());
        assertFalse(eventNames().contains("backoff"), eventNames().toString());
        assertEquals(WINDOW_NANOS, c.nanosToNextDeadline(time.nanos()), "only the signal window is waited for, no hold");
        pass(Duration.ofSeconds(6), c);
        assertFalse(eventNames().contains("backoff-released"), eventNames().toString());
        assertEquals(ShutdownCause.CRASH, durableLastShutdown("gateway").cause());
    }

    @Test
    void a_fatal_configuration_exit_is_never_held() throws Exception {
        ServiceController c = controller("gateway");
        long pid = 100;
        for (int i = 0; i < 5; i++) {
            c.onStatus(Statuses.up(++pid));
            c.onStatus(Statuses.exited(Observed.FATAL_CONFIG_EXIT, false));
            pass(Duration.ofSeconds(6), c);
        }
        assertEquals("", sent("gateway"));
        assertEquals(ShutdownCause.CRASH, durableLastShutdown("gateway").cause());
        assertEquals(Observed.FATAL_CONFIG_EXIT, durableLastShutdown("gateway").exitCode());
    }

    @Test
    void each_service_has_its_own_window_back_off_and_cause() throws Exception {
        ServiceController a = controller("gateway");
        ServiceController b = controller("worker@eu");
        a.onStatus(Statuses.up(100));
        b.onStatus(Statuses.up(200));
        a.onStatus(Statuses.exited(2, true));
        pass(Duration.ofSeconds(3), a, b);
        b.onStatus(Statuses.exited(4, true));
        pass(Duration.ofSeconds(3), a, b);
        assertEquals(ShutdownCause.CRASH, durableLastShutdown("gateway").cause(), "a's window has passed");
        assertNull(durableLastShutdown("worker@eu"), "b's window has not");
        LastShutdown bs = b.onSignal("SIGTERM", time.now());
        assertEquals(ShutdownCause.SIGNAL, bs.cause(), "b's signal came inside its own window");
        assertNull(a.onSignal("SIGTERM", time.now()), "a was already down and decided");
        assertEquals(2, durableLastShutdown("gateway").exitCode());
    }

    @Test
    void an_unrecorded_end_of_warden_is_unclean_only_for_a_run_that_is_gone() throws Exception {
        ServiceController gone = controller("gateway");
        ServiceController alive = controller("dashboard");
        RunRecord prev = new RunRecord(77, time.now().minusSeconds(60), null, null, null,
                Map.of("gateway", new GatewayRun(100, "@a"), "dashboard", new GatewayRun(200, "@b")));
        gone.onStatus(null);
        alive.onStatus(new SupervisorStatus(Statuses.STAMP, "@b", Statuses.STAMP, 200, 0, 0, false, false, true, false));
        gone.judgeUncleanEnd(prev, prev.seen("gateway", "gateway"), time.now());
        alive.judgeUncleanEnd(prev, prev.seen("dashboard", "gateway"), time.now());
        assertEquals(ShutdownCause.UNCLEAN, durableLastShutdown("gateway").cause());
        assertNull(durableLastShutdown("dashboard"), "a run that survived warden's kill did not end");
    }

    @Test
    void the_journal_names_the_service_of_each_record() throws Exception {
        ServiceController c = controller("worker@eu");
        c.onStatus(Statuses.up(100));
        assertEquals(100, runs.get("worker@eu").pid(), "the run record names the instance's run");
        c.onStatus(Statuses.exited(1, true));
        assertEquals(100, runs.get("worker@eu").pid(), "kept until its cause is written");
        pass(Duration.ofSeconds(6), c);
        assertNull(runs.get("worker@eu"), "forgotten once the cause is durable");
        String journal = Files.readString(root.resolve("state/journal.jsonl"), StandardCharsets.UTF_8);
        assertFalse(journal.isEmpty());
        for (String line : journal.split("\n")) {
            assertTrue(line.contains("\"service\":\"worker@eu\""), line);
        }
    }

    @Test
    void a_restart_is_down_then_up_once_the_finish_is_over_so_a_125_finish_cannot_leave_it_down() throws Exception {
        ServiceController c = controller("gateway");
        c.onStatus(Statuses.up(100));
        assertTrue((Boolean) c.control(Operation.RESTART, ROOT, null, false).get("ok"));
        assertEquals("d", sent("gateway"), "down first: no u for a finish exiting 125 to cancel");
        // the run exited 0 and its finish runs (s6 shows the finish's pid, flag finishing, want-up cleared)
        c.onStatus(Statuses.status(101, 0, true, false));
        assertEquals("", sent("gateway"), "not while the finish runs: its 125 would clear the want-up again");
        c.onStatus(Statuses.exited(0, false));
        assertEquals("u", sent("gateway"), "up once the run and its finish are over");
        c.onStatus(Statuses.up(102));
        pass(Duration.ofSeconds(10), c);
        assertEquals(ShutdownCause.USER, durableLastShutdown("gateway").cause(), "the restart's end is no crash");
        assertEquals(IntentState.UP, c.desired());

        // a stop that comes while a restart waits for its run to end: no u follows
        assertTrue((Boolean) c.control(Operation.RESTART, ROOT, null, false).get("ok"));
        assertTrue((Boolean) c.control(Operation.STOP, ROOT, null, false).get("ok"));
        assertEquals("dd", sent("gateway"));
        c.onStatus(Statuses.exited(0, false));
        assertEquals("", sent("gateway"), "the stop wins");
    }

    // ---- the event spine ------------------------------------------------------------------------------------

    private List<String> eventNames() {
        List<String> names = new ArrayList<>();
        for (io.warden.event.EventSpine.Stamped e : events) names.add(e.event().name());
        return names;
    }

    @Test
    void an_unasked_end_is_streamed_pending_at_once_and_again_when_decided_but_journaled_once() throws Exception {
        ServiceController c = controller("gateway");
        events.clear();
        c.onStatus(Statuses.up(100));
        c.onStatus(Statuses.exited(3, true));
        assertEquals(List.of("gateway-up", "gateway-exit", "shutdown"), eventNames());
        Map<String, Object> first = events.get(2).streamed();
        assertEquals(true, first.get("pending"));
        assertEquals("crash", first.get("cause"));
        assertEquals("gateway", first.get("service"));
        assertFalse(events.get(2).event().journaled(), "a pending cause is not a fact yet");
        pass(Duration.ofSeconds(6), c);
        assertEquals(List.of("gateway-up", "gateway-exit", "shutdown", "shutdown"), eventNames());
        Map<String, Object> decided = events.get(3).streamed();
        assertEquals(false, decided.get("pending"));
        assertEquals(3L, decided.get("exitCode"));
        // the journal has the decided cause once, in the shape it always had (no stream-only member)
        List<Map<String, Object>> journal = store.journal().read().records();
        List<Object> journaled = new ArrayList<>();
        for (Map<String, Object> r : journal) journaled.add(r.get("event"));
        assertEquals(List.of("intent", "gateway-up", "gateway-exit", "shutdown"), journaled);
        Map<String, Object> shutdown = journal.get(3);
        assertEquals("crash", shutdown.get("cause"));
        assertFalse(shutdown.containsKey("pending"));
        assertEquals(events.get(3).record(), shutdown);
    }

    @Test
    void a_user_stop_streams_its_intent_the_exit_and_the_user_cause() throws Exception {
        ServiceController c = controller("gateway");
        c.onStatus(Statuses.up(100));
        events.clear();
        assertTrue((Boolean) c.control(Operation.STOP, ROOT, "maintenance", false).get("ok"));
        c.onStatus(Statuses.killed(15, false));
        assertEquals(List.of("intent", "gateway-exit", "shutdown"), eventNames());
        assertEquals("stop", events.get(0).streamed().get("op"));
        assertEquals("maintenance", events.get(0).streamed().get("reason"));
        Map<String, Object> end = events.get(2).streamed();
        assertEquals("user", end.get("cause"));
        assertEquals(false, end.get("pending"));
        assertFalse(events.get(2).event().journaled(), "the user cause went to the volume with the intent");
    }

    @Test
    void a_crash_loop_streams_the_hold_and_its_release() throws Exception {
        ServiceController c = controller("gateway");
        events.clear();
        for (int i = 0; i < 4; i++) {
            c.onStatus(Statuses.up(100 + i));
            c.onStatus(Statuses.exited(1, true));
            pass(Duration.ofSeconds(6), c);
        }
        assertTrue(eventNames().contains("backoff"), eventNames().toString());
        pass(Duration.ofSeconds(120), c);
        assertTrue(eventNames().contains("backoff-released"), eventNames().toString());
        assertTrue(eventNames().indexOf("backoff") < eventNames().indexOf("backoff-released"), "released after held");
    }

    @Test
    void a_problem_entering_and_leaving_degraded_is_an_event_of_warden_s_own() {
        Problem key = Problem.of(Problem.Kind.JOURNAL_WRITE, "journal");
        ledger.problem(key, "disk full: x");
        ledger.problem(key, "disk full: x");
        ledger.clear(Problem.of(Problem.Kind.JOURNAL_WRITE, "other"));
        assertEquals(List.of("degraded"), eventNames(), "the same problem once; another key ends nothing");
        ledger.clear(key);
        assertEquals(List.of("degraded", "recovered"), eventNames());
        assertNull(events.get(0).event().service());
        assertEquals("disk full: x", events.get(1).streamed().get("problem"));
    }

    @Test
    void a_crash_decided_after_the_next_run_started_leaves_that_run_in_the_run_record() throws Exception {
        ServiceController c = controller("gateway");
        c.onStatus(Statuses.up(100));
        c.onStatus(Statuses.exited(1, true));
        c.onStatus(Statuses.up(101));
        pass(Duration.ofSeconds(6), c);
        assertEquals(ShutdownCause.CRASH, durableLastShutdown("gateway").cause());
        assertEquals(101, runs.get("gateway").pid(), "the run still up is what an unclean end is judged by");
    }
}
