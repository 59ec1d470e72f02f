package io.warden.lifecycle;

import io.warden.event.Event;
import io.warden.s6.ControlLetter;
import io.warden.s6.SupervisorStatus;
import io.warden.state.GatewayRun;
import io.warden.state.IntentState;
import io.warden.state.LastShutdown;
import io.warden.state.ShutdownCause;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The transition function of one service's life: {@code (life, input, now) -> (life, effects)}, with no I/O and no
 * clock of its own. The table it implements (README "Causes", "Crash back-off", "Restart"):
 * <ul>
 * <li>a run's end warden asked for (stop, restart, remove) or that the intent wants is no crash; any other end waits
 * out the signal window ({@link PendingEnd}) and may get its restart held ({@link CrashBackoff}, {@code O});</li>
 * <li>warden's own signal makes an end within the window, or a run up, end by {@code signal};</li>
 * <li>a restart is {@code d}, then {@code u} once s6 shows the run and its finish over;</li>
 * <li>a run that s6 no longer shows and that still lives lost its supervisor: an orphan, not an end.</li>
 * </ul>
 */
public final class Lifecycle {
    private final String service;
    private final RunEnds ends;

    public Lifecycle(String service, Rules rules) {
        this.service = service;
        this.ends = new RunEnds(service, rules);
    }

    public Step step(Life life, Input input, Now now) {
        List<Effect> fx = new ArrayList<>();
        Life next;
        if (input instanceof Input.Seen s) next = seen(life, s, now, fx);
        else if (input instanceof Input.Tick) next = tick(life, now, fx);
        else if (input instanceof Input.Settle) next = settle(life, fx);
        else if (input instanceof Input.Request r) next = request(life, r, fx);
        else if (input instanceof Input.Signal s) next = signal(life, s, now, fx);
        else if (input instanceof Input.WardenEnd) next = shutDown(life, false, fx);
        else if (input instanceof Input.Found f) next = found(life, f.status());
        else if (input instanceof Input.Adopt a) next = adopt(life, a, now, fx);
        else throw new IllegalArgumentException("no rule for " + input);
        return new Step(next, fx);
    }

    // ---- what s6 shows --------------------------------------------------------------------------------------

    private Life seen(Life life, Input.Seen in, Now now, List<Effect> fx) {
        Phase p = life.phase();
        SupervisorStatus s = in.status();
        GatewayRun known = p.run();
        GatewayRun shown = Life.runOf(s);
        Facts f = life.facts().withStatus(s);
        PendingEnd pending = life.pending();
        boolean ended = known != null && !known.equals(shown);
        Phase next = p;
        if (ended && in.endedRunAlive()) {
            ends.orphaned(known.pid(), shown, fx);
            next = withoutRun(p);
        } else if (ended) {
            f = f.withLastDeath(s);
            RunEnds.Outcome o = ends.ended(new Life(p, pending, f), known, s != null && s.up() ? null : s, now, fx);
            next = o.phase();
            pending = o.pending();
            f = o.facts();
        } else if (s != null && s.pid() == 0 && (f.lastDeath() != null || s.wstat() != 0)) {
            f = f.withLastDeath(s);
        }
        if (shown != null && !shown.equals(known)) {
            fx.add(new Effect.Emit(new Event.ServiceUp(service, shown.pid(), false)));
            fx.add(new Effect.Log(false, service + " up, pid " + shown.pid()));
            fx.add(new Effect.RunSeen(shown));
            f = f.withBackoff(f.backoff().runStarted(now.nanos()));
            next = withRun(next, shown);
        }
        boolean fullyDown = s != null && s.pid() == 0 && !s.finishing();
        if (next instanceof Phase.Restarting && next.run() == null && fullyDown) {
            // the second half of a restart: the old run and its finish are over
            next = Phase.DOWN;
            if (f.desired() == IntentState.UP) {
                fx.add(new Effect.Log(false, service + ": restart: the run has ended, starting it"));
                fx.add(new Effect.Control(ControlLetter.UP));
            }
        } else if (next instanceof Phase.Stopping && next.run() == null && fullyDown) {
            next = Phase.DOWN;
        }
        return new Life(next, pending, f);
    }

    /** The phase once the run it followed is no longer s6's, without an end of its own (an orphan, a boot). */
    private static Phase withoutRun(Phase p) {
        if (p instanceof Phase.Restarting r) return new Phase.Restarting(null, r.endPid());
        if (p instanceof Phase.ShuttingDown) return new Phase.ShuttingDown(null);
        return Phase.DOWN;
    }

    /** The phase once s6 shows {@code run} up. */
    private static Phase withRun(Phase p, GatewayRun run) {
        if (p instanceof Phase.Stopping st) return new Phase.Stopping(run, st.endPid());
        if (p instanceof Phase.Restarting r) return new Phase.Restarting(run, r.endPid());
        if (p instanceof Phase.ShuttingDown) return new Phase.ShuttingDown(run);
        // a run s6 started while warden held the restart (someone sent u): the hold has nothing left to hold
        return new Phase.Up(run);
    }

    // ---- the clock ------------------------------------------------------------------------------------------

    private Life tick(Life life, Now now, List<Effect> fx) {
        Life l = life;
        if (l.pending() != null && l.pending().due(now.nanos())) l = ends.decide(l, fx);
        if (l.phase() instanceof Phase.Held h && now.nanos() - h.untilNanos() >= 0) {
            boolean restart = l.facts().desired() == IntentState.UP;
            if (restart) {
                fx.add(new Effect.Log(false, service + ": restart hold over: starting it"));
                fx.add(new Effect.Control(ControlLetter.UP));
            }
            fx.add(new Effect.Emit(new Event.BackoffReleased(service, restart)));
            l = l.withPhase(Phase.DOWN);
        }
        return l;
    }

    private Life settle(Life life, List<Effect> fx) {
        return life.pending() == null ? life : ends.decide(life, fx);
    }

    // ---- a user's request -----------------------------------------------------------------------------------

    private Life request(Life life, Input.Request r, List<Effect> fx) {
        Facts f = r.fresh() != null ? life.facts().withStatus(r.fresh()) : life.facts();
        if (r.ask() == Input.Ask.START || r.ask() == Input.Ask.RESTART) f = f.withBackoff(f.backoff().reset());
        boolean running = f.running();
        boolean ending = r.ask() == Input.Ask.STOP || r.ask() == Input.Ask.REMOVE;
        Phase p = life.phase();
        // an explicit request ends any hold; a stop also cancels a restart's pending u
        Phase base = p instanceof Phase.Held ? Phase.DOWN : p;
        if (ending && base instanceof Phase.Restarting rs) base = new Phase.Stopping(rs.run(), rs.endPid());
        List<ControlLetter> letters;
        Phase next = base;
        if (ending) {
            letters = r.ask() == Input.Ask.REMOVE ? List.of(ControlLetter.DOWN, ControlLetter.EXIT) : List.of(ControlLetter.DOWN);
            if (running && !(p instanceof Phase.ShuttingDown)) next = new Phase.Stopping(p.run(), f.status().pid());
        } else if (r.ask() == Input.Ask.RESTART && running) {
            // down first: a u now would be undone by a finish exiting 125 (s6's permanent failure)
            letters = List.of(ControlLetter.DOWN);
            if (!(p instanceof Phase.ShuttingDown)) next = new Phase.Restarting(p.run(), f.status().pid());
        } else {
            // a start leaves an earlier stop's expectation alone: that run still goes down
            letters = r.viaS6Rc() && !running ? List.of() : List.of(ControlLetter.UP);
        }
        if (!letters.isEmpty()) fx.add(new Effect.Control(letters, List.of(), next.equals(base) ? null : base));
        return new Life(next, life.pending(), f);
    }

    // ---- warden's own end -----------------------------------------------------------------------------------

    private Life signal(Life life, Input.Signal in, Now now, List<Effect> fx) {
        Facts f = in.fresh() != null ? life.facts().withStatus(in.fresh()) : life.facts();
        Phase p = life.phase();
        SupervisorStatus s = f.status();
        GatewayRun known = p.run();
        String sig = in.signal();
        LastShutdown ls = null;
        if (life.pending() != null) {
            ls = life.pending().asSignal(sig, now.nanos());
        } else if (s != null && s.up() && s.pid() != p.endPid()) {
            ls = new LastShutdown(ShutdownCause.SIGNAL, sig, now.wall(), null, "warden received " + sig
                    + " while " + service + " (pid " + s.pid() + ") was up");
        } else if (known != null && !known.equals(Life.runOf(s)) && known.pid() != p.endPid()
                && f.desired() == IntentState.UP && f.readable()) {
            // the run ended a moment ago and its end is still queued for the loop (the container stop takes every
            // service down at once): an end the signal follows within the window is the signal's
            ls = new LastShutdown(ShutdownCause.SIGNAL, sig, now.wall(), null, "warden received " + sig
                    + " just as " + service + " (pid " + known.pid() + ") ended");
        }
        if (ls != null) {
            f = f.withLastShutdown(ls);
            fx.add(new Effect.RecordCause(ls, false));
        }
        // a pending end is decided by the signal (ls is its cause)
        return shutDown(new Life(p, life.pending(), f), life.pending() != null, fx);
    }

    /** Into {@link Phase.ShuttingDown}; {@code decided}: the pending end was just decided, and is dropped. */
    private Life shutDown(Life life, boolean decided, List<Effect> fx) {
        Phase p = life.phase();
        // a hold ends with warden: nothing is restarted any more (the next boot starts what the intent says)
        if (p instanceof Phase.Held) fx.add(new Effect.Emit(new Event.BackoffReleased(service, false)));
        return new Life(new Phase.ShuttingDown(p.run()), decided ? null : life.pending(), life.facts());
    }

    // ---- boot -----------------------------------------------------------------------------------------------

    private static Life found(Life life, SupervisorStatus s) {
        Facts f = life.facts().withStatus(s);
        // a wait status other than 0 is a death; 0 is also what a supervisor that never started the run writes
        if (s != null && s.pid() == 0 && s.wstat() != 0) f = f.withLastDeath(s);
        return new Life(life.phase(), life.pending(), f);
    }

    private Life adopt(Life life, Input.Adopt a, Now now, List<Effect> fx) {
        Facts f = life.facts();
        GatewayRun run = Life.runOf(f.status());
        Phase p = life.phase();
        // the run s6 shows becomes the one followed; a hold stands (nothing runs while it holds)
        Phase next = run != null ? withRun(p, run) : p instanceof Phase.Held ? p : withoutRun(p);
        if (run != null && a.aged()) {
            long upMillis = Duration.between(f.status().stamp(), now.wall()).toMillis();
            f = f.withBackoff(f.backoff().runAdopted(now.nanos(), upMillis));
        }
        // started before warden (the early start, or s6 alone): the journal still gets its start
        if (run != null && a.announce() && !run.equals(a.seenBefore())) {
            fx.add(new Effect.Emit(new Event.ServiceUp(service, run.pid(), true)));
        }
        return new Life(next, life.pending(), f);
    }
}
