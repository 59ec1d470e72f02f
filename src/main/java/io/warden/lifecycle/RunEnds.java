package io.warden.lifecycle;

import io.warden.event.Event;
import io.warden.s6.ControlLetter;
import io.warden.s6.Signals;
import io.warden.s6.SupervisorStatus;
import io.warden.state.GatewayRun;
import io.warden.state.IntentState;
import io.warden.state.LastShutdown;
import io.warden.state.ShutdownCause;

import java.util.List;

/** The rules for the end of a run warden followed: asked or not, the signal window, the hold, the orphan. */
final class RunEnds {
    private final String service;
    private final Rules rules;

    RunEnds(String service, Rules rules) {
        this.service = service;
        this.rules = rules;
    }

    /** The life after an end. */
    record Outcome(Phase phase, PendingEnd pending, Facts facts) {
    }

    /** The run {@code r} ended; {@code endStatus} is s6's status at its death (null when s6 shows a newer run up). */
    Outcome ended(Life life, GatewayRun r, SupervisorStatus endStatus, Now now, List<Effect> fx) {
        Phase p = life.phase();
        Facts f = life.facts();
        String how = how(endStatus);
        fx.add(new Effect.Emit(new Event.ServiceExited(service, r.pid(), endStatus != null,
                endStatus != null && endStatus.exited() ? endStatus.exitCode() : null,
                endStatus != null && !endStatus.exited() ? Signals.name(endStatus.termSignal()) : null)));
        boolean asked = p.endPid() != 0 && r.pid() == p.endPid();
        if (p instanceof Phase.ShuttingDown) {
            fx.add(new Effect.Log(false, service + " pid " + r.pid() + " " + how + " during warden's shutdown"));
            fx.add(new Effect.RunSeen(null));
            return new Outcome(new Phase.ShuttingDown(null), life.pending(), f);
        }
        Phase after = p instanceof Phase.Restarting rs ? new Phase.Restarting(null, rs.endPid()) : Phase.DOWN;
        if (asked || f.desired() == IntentState.DOWN) {
            fx.add(new Effect.Log(false, service + " pid " + r.pid() + " " + how + " as asked"));
            if (asked && killedBySigkill(endStatus)) f = forcedStop(f, r.pid(), fx);
            fx.add(new Effect.RunSeen(null));
            // the cause (user) went to the volume with the intent: the stream still shows the end with it
            if (asked && f.lastShutdown() != null) {
                fx.add(new Effect.Emit(new Event.ServiceEnd(service, f.lastShutdown(), false, false)));
            }
            return new Outcome(after, life.pending(), f);
        }
        // the run record keeps this run until the cause is written: a warden killed meanwhile leaves the next
        // boot a run it last saw and that is gone, which it records as unclean instead of losing the end
        Life l = life.pending() != null ? decide(life, fx) : life;
        f = l.facts();
        PendingEnd pending = PendingEnd.open(endStatus, r.pid(), now, rules.signalWindowNanos());
        fx.add(new Effect.Log(true, service + " pid " + r.pid() + " " + how + " unasked; cause decided in "
                + rules.signalWindowNanos() / 1_000_000 + " ms unless warden's own signal follows"));
        boolean fatal = endStatus != null && endStatus.exited() && endStatus.exitCode() == PendingEnd.FATAL_CONFIG_EXIT;
        boolean wantedUp = endStatus == null || endStatus.wantUp();
        if (!fatal && wantedUp) {
            CrashBackoff.Death d = f.backoff().onDeath(now.nanos(), rules);
            f = f.withBackoff(d.next());
            if (d.holdMillis() > 0) {
                // s6 stops wanting it up (O kills nothing); ./down and the intent are untouched, so a warden that
                // dies meanwhile leaves the next boot to try again
                int n = d.next().consecutive();
                fx.add(new Effect.Control(List.of(ControlLetter.ONCE_AT_MOST), List.of(
                        new Effect.Emit(new Event.BackoffHeld(service, d.holdMillis(), n)),
                        new Effect.Log(true, service + " died " + n + " times in a row: holding its restart for "
                                + d.holdMillis() + " ms")), after));
                after = new Phase.Held(now.nanos() + d.holdMillis() * 1_000_000L);
            }
        }
        Life next = new Life(after, pending, f);
        fx.add(new Effect.Emit(new Event.ServiceEnd(service, next.provisionalCause(), true, false)));
        return new Outcome(after, pending, f);
    }

    /** Decides the pending end now: its cause is written, journaled and the run record forgets its run. */
    Life decide(Life life, List<Effect> fx) {
        PendingEnd pending = life.pending();
        LastShutdown ls = life.provisionalCause();
        Facts f = life.facts().withLastShutdown(ls);
        fx.add(new Effect.RecordCause(ls, true));
        fx.add(new Effect.Emit(new Event.ServiceEnd(service, ls, false, true)));
        // not when a newer run already replaced it (the cause is decided after the window, by which time s6 may
        // have started the next run)
        GatewayRun current = life.phase().run();
        if (current == null || current.pid() == pending.endedPid()) fx.add(new Effect.RunSeen(null));
        fx.add(new Effect.Log(true, service + ": last shutdown: " + ls.cause().wire() + " (" + ls.detail() + ")"));
        return new Life(life.phase(), null, f);
    }

    /**
     * s6-svscan replaced a killed s6-supervise, and the new one may have started a second run while the first runs
     * on, unsupervised. That run did not end: no crash, no back-off, the last shutdown stays as it was.
     */
    void orphaned(long pid, GatewayRun now, List<Effect> fx) {
        String problem = service + " pid " + pid + " runs outside s6's supervision (its s6-supervise was killed"
                + (now == null ? "" : "; s6 started pid " + now.pid() + " beside it")
                + "): kill " + pid + " once the supervised " + service + " serves";
        fx.add(new Effect.Orphan(pid, problem));
        fx.add(new Effect.Emit(new Event.Orphaned(service, pid)));
        fx.add(new Effect.RunSeen(null));
    }

    /**
     * A run warden asked to end ignored its SIGTERM and s6 killed it after the service's {@code timeout-kill}: the
     * user cause stays, and says it was forced.
     */
    private Facts forcedStop(Facts f, long pid, List<Effect> fx) {
        LastShutdown ls = f.lastShutdown();
        if (ls == null || ls.cause() != ShutdownCause.USER || ls.forcedKill()) return f;
        LastShutdown forced = ls.forced("pid " + pid + " ignored SIGTERM and was killed by SIGKILL after the service's "
                + "timeout-kill");
        fx.add(new Effect.RecordCause(forced, true));
        fx.add(new Effect.Emit(new Event.ServiceEnd(service, forced, false, true)));
        fx.add(new Effect.Log(true, service + ": pid " + pid + " ignored SIGTERM; s6 ended it with SIGKILL (timeout-kill)"));
        return f.withLastShutdown(forced);
    }

    private static boolean killedBySigkill(SupervisorStatus s) {
        return s != null && !s.exited() && s.termSignal() == Signals.SIGKILL;
    }

    private static String how(SupervisorStatus endStatus) {
        if (endStatus == null) return "ended";
        return endStatus.exited() ? "exited with code " + endStatus.exitCode()
                : "was killed by " + Signals.name(endStatus.termSignal());
    }
}
