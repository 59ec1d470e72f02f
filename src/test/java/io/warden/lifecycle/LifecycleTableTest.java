package io.warden.lifecycle;

import io.warden.s6.SupervisorStatus;
import io.warden.state.GatewayRun;
import io.warden.state.IntentState;
import io.warden.state.LastShutdown;
import io.warden.state.ShutdownCause;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static io.warden.lifecycle.Statuses.exited;
import static io.warden.lifecycle.Statuses.killed;
import static io.warden.lifecycle.Statuses.status;
import static io.warden.lifecycle.Statuses.up;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The state table of a service's life, row by row: for every phase and every input, the phase that follows and the
 * effects asked for, as README's rules state them (a stop's end is no crash, an unasked end waits 5 s for warden's
 * signal, the third death in a row is held 1 s, a restart's u waits for the finish, ...). A last test checks that
 * no phase x input pair is missing from the table.
 */
class LifecycleTableTest {
    private static final Lifecycle MACHINE = new Lifecycle("gateway", Rules.of(Duration.ofSeconds(5).toNanos(), 60_000));
    private static final long T0 = 1_000_000_000_000L;
    /** Ten seconds after the stamp of every status of the table: an adopted run is 10 s old. */
    private static final Instant WALL = Statuses.STAMP.plusSeconds(10);
    private static final LastShutdown USER_STOP = new LastShutdown(ShutdownCause.USER, null, WALL, null, "warden stop by uid 0");
    /** An unasked end of pid 100 (exit code 3), seen at T0, decided at T0 + 5 s. */
    private static final PendingEnd PENDING_100 = PendingEnd.open(exited(3, true), 100, new Now(T0, WALL), Duration.ofSeconds(5).toNanos());

    private static GatewayRun run(long pid) {
        return Life.runOf(up(pid));
    }

    private static Phase.Up upPhase(long pid) {
        return new Phase.Up(run(pid));
    }

    private static Phase.Held heldFor(long millis) {
        return new Phase.Held(T0 + millis * 1_000_000L);
    }

    // ---- the table --------------------------------------------------------------------------------------------

    private static List<Row> rows() {
        List<Row> t = new ArrayList<>();
        // Down: nothing runs
        t.add(given(Phase.DOWN, exited(0, false)).on(seen(up(100))).expect("up 100", "up 100", "run 100"));
        t.add(given(Phase.DOWN, exited(0, false)).on(seen(exited(0, false))).expect("down"));
        t.add(given(Phase.DOWN, exited(0, false)).on(new Input.Tick()).expect("down"));
        t.add(given(Phase.DOWN, exited(0, false)).on(new Input.Settle()).expect("down"));
        t.add(given(Phase.DOWN, exited(0, false)).on(request(Input.Ask.START, exited(0, false))).expect("down", "send u"));
        t.add(given(Phase.DOWN, exited(0, false)).on(new Input.Request(Input.Ask.START, exited(0, false), true))
                .because("an s6-rc service that is down is brought up through s6-rc").expect("down"));
        t.add(given(Phase.DOWN, exited(0, false)).on(request(Input.Ask.RESTART, exited(0, false)))
                .because("nothing runs: a restart is a start").expect("down", "send u"));
        t.add(given(Phase.DOWN, exited(0, false)).on(request(Input.Ask.STOP, exited(0, false))).expect("down", "send d"));
        t.add(given(Phase.DOWN, exited(0, false)).on(signal(exited(0, false))).expect("shutting-down -"));
        t.add(given(Phase.DOWN, null).on(new Input.WardenEnd()).expect("shutting-down -"));
        t.add(given(Phase.DOWN, null).on(new Input.Found(killed(9, false))).expect("down")
                .also(l -> assertEquals(killed(9, false), l.facts().lastDeath(), "a wait status is a death")));
        t.add(given(Phase.DOWN, null).on(new Input.Found(exited(0, false))).expect("down")
                .also(l -> assertNull(l.facts().lastDeath(), "status 0 is also a supervisor that never ran it")));
        t.add(given(Phase.DOWN, up(100)).on(new Input.Adopt(null, true, true)).expect("up 100", "up 100 adopted")
                .also(l -> assertEquals(T0 - 10_000_000_000L, l.facts().backoff().runStartNanos(), "its age counts")));
        t.add(given(Phase.DOWN, up(100)).on(new Input.Adopt(run(100), true, true))
                .because("the previous warden saw this run: no second start in the journal").expect("up 100"));
        t.add(given(Phase.DOWN, up(100)).on(new Input.Adopt(null, false, false)).expect("up 100"));

        // Up: a run warden follows
        t.add(given(upPhase(100), up(100)).on(seen(exited(3, true))).because("unasked: the cause waits out the window")
                .expect("down", true, "exit 100 code 3", "end crash code 3 pending"));
        t.add(given(upPhase(100), up(100)).deaths(2).on(seen(exited(1, true))).because("the third death in a row")
                .expect("held until +1000 ms", true, "exit 100 code 1",
                        "send O else down then [held 1000 ms after 3 deaths]", "end crash code 1 pending"));
        t.add(given(upPhase(100), up(100)).deaths(2).on(seen(exited(78, false)))
                .because("a fatal configuration is never held").expect("down", true, "exit 100 code 78", "end crash code 78 pending"));
        t.add(given(upPhase(100), up(100)).deaths(5).on(seen(killed(15, false)))
                .because("want-up cleared behind warden's back: no restart to hold")
                .expect("down", true, "exit 100 SIGTERM", "end external SIGTERM pending"));
        t.add(given(upPhase(100), up(100)).intent(IntentState.DOWN).on(seen(exited(0, false)))
                .because("the intent wanted it down").expect("down", "exit 100 code 0", "run none"));
        t.add(given(upPhase(100), up(100)).on(seen(up(100))).expect("up 100"));
        // s6 keeps the death's wait status while the run it restarted is up
        t.add(given(upPhase(100), up(100)).on(seen(status(101, 3 << 8, false, true))).because("s6 restarted it between two reads")
                .expect("up 101", true, "exit 100", "end crash code 3 pending", "up 101", "run 101"));
        t.add(given(upPhase(100), up(100)).on(new Input.Seen(up(101), true)).because("its s6-supervise was killed")
                .expect("up 101", "orphan 100", "orphaned 100", "run none", "up 101", "run 101"));
        t.add(given(upPhase(100), up(100)).on(new Input.Tick()).expect("up 100"));
        t.add(given(upPhase(100), up(100)).on(new Input.Settle()).expect("up 100"));
        t.add(given(upPhase(100), up(100)).on(request(Input.Ask.START, up(100))).expect("up 100", "send u"));
        t.add(given(upPhase(100), up(100)).on(request(Input.Ask.STOP, up(100))).expect("stopping 100 (ends 100)", "send d else up 100"));
        t.add(given(upPhase(100), up(100)).on(request(Input.Ask.REMOVE, up(100))).expect("stopping 100 (ends 100)", "send dx else up 100"));
        t.add(given(upPhase(100), up(100)).on(request(Input.Ask.RESTART, up(100)))
                .because("down first, u once the finish is over").expect("restarting 100 (ends 100)", "send d else up 100"));
        t.add(given(upPhase(100), up(100)).on(signal(up(100))).expect("shutting-down 100", "cause signal SIGTERM kept"));
        t.add(given(upPhase(100), up(100)).on(signal(exited(0, true)))
                .because("its end is still queued for the loop: the signal's").expect("shutting-down 100", "cause signal SIGTERM kept"));
        t.add(given(upPhase(100), up(100)).unreadable().on(signal(exited(0, true)))
                .because("an intent not known is not judged").expect("shutting-down 100"));
        t.add(given(upPhase(100), up(100)).on(new Input.WardenEnd()).expect("shutting-down 100"));
        t.add(given(upPhase(100), up(100)).on(new Input.Found(up(100))).expect("up 100"));
        t.add(given(upPhase(100), up(100)).on(new Input.Adopt(run(100), true, true)).expect("up 100"));
        t.add(given(upPhase(100), exited(0, false)).on(new Input.Adopt(run(100), true, true)).expect("down"));

        // Stopping: warden asked s6 to end pid 100
        Phase stopping = new Phase.Stopping(run(100), 100);
        t.add(given(stopping, up(100)).intent(IntentState.DOWN).cause(USER_STOP).on(seen(killed(15, false)))
                .because("an asked-for end is no crash").expect("down", "exit 100 SIGTERM", "run none", "end user"));
        t.add(given(stopping, up(100)).intent(IntentState.DOWN).cause(USER_STOP).on(seen(killed(9, false)))
                .because("it ignored SIGTERM: the user cause says forced")
                .expect("down", "exit 100 SIGKILL", "cause user forced written", "end user forced journaled", "run none",
                        "end user forced"));
        t.add(given(stopping, up(100)).on(seen(status(100, 0, false, false))).expect("stopping 100 (ends 100)"));
        t.add(given(new Phase.Stopping(null, 100), up(100)).on(seen(up(100)))
                .because("asked before the loop saw it start").expect("stopping 100 (ends 100)", "up 100", "run 100"));
        t.add(given(new Phase.Stopping(null, 100), exited(0, false)).on(seen(exited(0, false))).expect("down"));
        t.add(given(stopping, up(100)).on(new Input.Tick()).expect("stopping 100 (ends 100)"));
        t.add(given(stopping, up(100)).on(new Input.Settle()).expect("stopping 100 (ends 100)"));
        t.add(given(stopping, up(100)).on(request(Input.Ask.START, up(100)))
                .because("the earlier stop's run still goes down").expect("stopping 100 (ends 100)", "send u"));
        t.add(given(stopping, up(100)).on(signal(up(100))).because("it is on its way down as asked").expect("shutting-down 100"));
        t.add(given(stopping, up(100)).on(new Input.WardenEnd()).expect("shutting-down 100"));
        t.add(given(stopping, up(100)).on(new Input.Found(up(100))).expect("stopping 100 (ends 100)"));
        t.add(given(new Phase.Stopping(null, 100), up(100)).on(new Input.Adopt(null, true, false))
                .because("an s6-rc service stopped at boot").expect("stopping 100 (ends 100)", "up 100 adopted"));

        // Restarting: d went to pid 100, u follows once s6 shows it fully down
        Phase restarting = new Phase.Restarting(run(100), 100);
        Phase restartEnded = new Phase.Restarting(null, 100);
        t.add(given(restarting, up(100)).cause(USER_STOP).on(seen(status(101, 0, true, false)))
                .because("not while its finish runs: a 125 would clear the want-up again")
                .expect("restarting - (ends 100)", "exit 100 code 0", "run none", "end user"));
        t.add(given(restarting, up(100)).cause(USER_STOP).on(seen(exited(0, false)))
                .expect("down", "exit 100 code 0", "run none", "end user", "send u"));
        t.add(given(restartEnded, status(101, 0, true, false)).on(seen(exited(0, false))).expect("down", "send u"));
        t.add(given(restartEnded, status(101, 0, true, false)).intent(IntentState.DOWN).on(seen(exited(0, false)))
                .because("a stop came meanwhile").expect("down"));
        t.add(given(restartEnded, status(101, 0, true, false)).on(new Input.Tick()).expect("restarting - (ends 100)"));
        t.add(given(restarting, up(100)).on(new Input.Settle()).expect("restarting 100 (ends 100)"));
        t.add(given(restarting, up(100)).on(request(Input.Ask.STOP, up(100)))
                .because("the stop wins: no u follows").expect("stopping 100 (ends 100)", "send d"));
        t.add(given(restartEnded, status(101, 0, true, false)).on(request(Input.Ask.STOP, status(101, 0, true, false)))
                .expect("stopping - (ends 100)", "send d"));
        t.add(given(restarting, up(100)).on(signal(up(100))).expect("shutting-down 100"));
        t.add(given(restartEnded, exited(0, false)).on(new Input.WardenEnd()).because("nothing is restarted any more")
                .expect("shutting-down -"));
        t.add(given(restarting, up(100)).on(new Input.Found(up(100))).expect("restarting 100 (ends 100)"));
        t.add(given(restartEnded, exited(0, false)).on(new Input.Adopt(null, true, true)).expect("restarting - (ends 100)"));

        // Held: s6 was told not to restart it; warden sends u at +1000 ms
        t.add(given(heldFor(1000), exited(1, true)).on(seen(exited(1, true))).expect("held until +1000 ms")
                .also(l -> assertEquals(exited(1, true), l.facts().lastDeath())));
        t.add(given(heldFor(1000), exited(1, true)).on(seen(up(101))).because("someone started it: nothing left to hold")
                .expect("up 101", "up 101", "run 101"));
        t.add(given(heldFor(1000), exited(1, true)).on(new Input.Tick()).after(999).expect("held until +1000 ms"));
        t.add(given(heldFor(1000), exited(1, true)).on(new Input.Tick()).after(1000)
                .expect("down", "send u", "released, restarted"));
        t.add(given(heldFor(1000), exited(1, true)).intent(IntentState.DOWN).on(new Input.Tick()).after(1000)
                .expect("down", "released"));
        t.add(given(heldFor(1000), exited(1, true)).on(new Input.Settle()).expect("held until +1000 ms"));
        t.add(given(heldFor(1000), exited(1, true)).on(request(Input.Ask.START, exited(1, true)))
                .because("an explicit start ends the hold").expect("down", "send u")
                .also(l -> assertEquals(0, l.facts().backoff().consecutive(), "and wipes the count")));
        t.add(given(heldFor(1000), exited(1, true)).deaths(4).on(request(Input.Ask.STOP, exited(1, true))).expect("down", "send d")
                .also(l -> assertEquals(4, l.facts().backoff().consecutive(), "a stop keeps the count")));
        t.add(given(heldFor(1000), exited(1, true)).on(signal(exited(1, true))).expect("shutting-down -", "released"));
        t.add(given(heldFor(1000), exited(1, true)).on(new Input.WardenEnd()).expect("shutting-down -", "released"));
        t.add(given(heldFor(1000), null).on(new Input.Found(exited(1, true))).expect("held until +1000 ms"));
        t.add(given(heldFor(1000), exited(1, true)).on(new Input.Adopt(null, true, true)).expect("held until +1000 ms"));

        // ShuttingDown: runs are followed, nothing is judged a crash or restarted
        Phase shutting = new Phase.ShuttingDown(run(100));
        t.add(given(shutting, up(100)).on(seen(killed(15, true))).expect("shutting-down -", "exit 100 SIGTERM", "run none"));
        t.add(given(shutting, up(100)).on(new Input.Tick()).after(60_000).expect("shutting-down 100"));
        t.add(given(shutting, up(100)).on(new Input.Settle()).expect("shutting-down 100"));
        t.add(given(shutting, up(100)).on(request(Input.Ask.RESTART, up(100))).expect("shutting-down 100", "send d"));
        t.add(given(shutting, up(100)).on(signal(up(100))).expect("shutting-down 100", "cause signal SIGTERM kept"));
        t.add(given(shutting, up(100)).on(new Input.WardenEnd()).expect("shutting-down 100"));
        t.add(given(shutting, up(100)).on(new Input.Found(up(100))).expect("shutting-down 100"));
        t.add(given(new Phase.ShuttingDown(null), up(100)).on(new Input.Adopt(null, false, false)).expect("shutting-down 100"));

        // an end pending beside the phase
        t.add(given(Phase.DOWN, exited(3, true)).pending().on(new Input.Tick()).after(4999).expect("down", true));
        t.add(given(Phase.DOWN, exited(3, true)).pending().on(new Input.Tick()).after(5000)
                .expect("down", "cause crash code 3 written", "end crash code 3 journaled", "run none"));
        t.add(given(upPhase(101), up(101)).pending().on(new Input.Tick()).after(5000)
                .because("the run record keeps the run s6 restarted")
                .expect("up 101", "cause crash code 3 written", "end crash code 3 journaled"));
        t.add(given(Phase.DOWN, exited(3, false)).pending().on(new Input.Settle())
                .expect("down", "cause external code 3 written", "end external code 3 journaled", "run none"));
        t.add(given(upPhase(101), up(101)).pending().on(signal(up(101))).after(1200)
                .because("warden's signal inside the window").expect("shutting-down 101", "cause signal SIGTERM kept"));
        t.add(given(upPhase(101), up(101)).pending().on(seen(exited(4, true))).because("the earlier end is decided first")
                .expect("down", true, "exit 101 code 4", "cause crash code 3 written", "end crash code 3 journaled",
                        "end crash code 4 pending"));
        t.add(given(heldFor(1000), exited(3, true)).pending().on(new Input.Tick()).after(1000)
                .expect("down", true, "send u", "released, restarted"));
        return t;
    }

    // ---- running the table ------------------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicTest> every_row_of_the_table() {
        return rows().stream().map(r -> DynamicTest.dynamicTest(r.title(), () -> {
            Step s = MACHINE.step(r.given(), r.input(), new Now(T0 + r.afterMillis() * 1_000_000L, WALL));
            assertEquals(r.phase(), Described.phase(s.life().phase(), T0), "phase");
            assertEquals(r.effects(), Described.effects(s.effects(), T0), "effects");
            assertEquals(r.pending(), s.life().pending() != null, "an end pending");
            if (r.also() != null) r.also().accept(s.life());
        }));
    }

    @Test
    void the_table_covers_every_phase_with_every_input() {
        Set<String> missing = new TreeSet<>();
        for (Class<?> p : Phase.class.getPermittedSubclasses()) {
            for (Class<?> i : Input.class.getPermittedSubclasses()) missing.add(p.getSimpleName() + " x " + i.getSimpleName());
        }
        for (Row r : rows()) missing.remove(r.given().phase().getClass().getSimpleName() + " x " + r.input().getClass().getSimpleName());
        assertTrue(missing.isEmpty(), "pairs without a row: " + missing);
    }

    // ---- the table's words ------------------------------------------------------------------------------------

    private static Input.Seen seen(SupervisorStatus s) {
        return new Input.Seen(s, false);
    }

    private static Input.Request request(Input.Ask ask, SupervisorStatus fresh) {
        return new Input.Request(ask, fresh, false);
    }

    private static Input.Signal signal(SupervisorStatus fresh) {
        return new Input.Signal("SIGTERM", fresh);
    }

    private static Given given(Phase p, SupervisorStatus status) {
        return new Given(p, status);
    }

    record Row(String title, Life given, Input input, long afterMillis, String phase, boolean pending,
               List<String> effects, Consumer<Life> also) {
        Row also(Consumer<Life> check) {
            return new Row(title, given, input, afterMillis, phase, pending, effects, check);
        }
    }

    static final class Given {
        private final Phase phase;
        private final SupervisorStatus status;
        private IntentState intent = IntentState.UP;
        private LastShutdown cause;
        private PendingEnd pending;
        private int deaths;
        private boolean readable = true;
        private Input input;
        private long afterMillis;
        private String because = "";

        Given(Phase phase, SupervisorStatus status) {
            this.phase = phase;
            this.status = status;
        }

        Given intent(IntentState i) { intent = i; return this; }
        Given cause(LastShutdown ls) { cause = ls; return this; }
        Given pending() { pending = PENDING_100; return this; }
        Given deaths(int n) { deaths = n; return this; }
        Given unreadable() { readable = false; return this; }
        Given on(Input in) { input = in; return this; }
        Given after(long millis) { afterMillis = millis; return this; }
        Given because(String why) { because = ": " + why; return this; }

        Row expect(String next, String... effects) {
            return expect(next, false, effects);
        }

        Row expect(String next, boolean pendingAfter, String... effects) {
            CrashBackoff b = new CrashBackoff(deaths, false, 0);
            Life life = new Life(phase, pending, new Facts(status, null, b, intent, cause, readable));
            String title = Described.phase(phase, T0) + (pending != null ? " + pending" : "") + " x "
                    + input.getClass().getSimpleName() + (afterMillis != 0 ? " at +" + afterMillis + " ms" : "")
                    + " -> " + next + because;
            return new Row(title, life, input, afterMillis, next, pendingAfter, List.of(effects), null);
        }
    }
}
