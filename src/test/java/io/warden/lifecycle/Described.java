package io.warden.lifecycle;

import io.warden.event.Event;
import io.warden.state.LastShutdown;

import java.util.ArrayList;
import java.util.List;

/**
 * Phases and effects in a few words each, so the table's expectations read as a person would state them. Log
 * lines are left out (their wording is not a rule); everything else is described, nested effects included.
 */
final class Described {
    private Described() {
    }

    static String phase(Phase p, long t0) {
        if (p instanceof Phase.Down) return "down";
        if (p instanceof Phase.Up u) return "up " + u.run().pid();
        if (p instanceof Phase.Stopping s) return "stopping " + pid(s.run()) + " (ends " + s.endPid() + ")";
        if (p instanceof Phase.Restarting r) return "restarting " + pid(r.run()) + " (ends " + r.endPid() + ")";
        if (p instanceof Phase.Held h) return "held until +" + (h.untilNanos() - t0) / 1_000_000 + " ms";
        if (p instanceof Phase.ShuttingDown s) return "shutting-down " + pid(s.run());
        throw new AssertionError(p);
    }

    private static String pid(io.warden.state.GatewayRun r) {
        return r == null ? "-" : String.valueOf(r.pid());
    }

    static List<String> effects(List<Effect> effects, long t0) {
        List<String> out = new ArrayList<>();
        for (Effect e : effects) {
            if (e instanceof Effect.Log) continue;
            out.add(effect(e, t0));
        }
        return out;
    }

    private static String effect(Effect e, long t0) {
        if (e instanceof Effect.Control c) {
            StringBuilder sb = new StringBuilder("send ");
            for (io.warden.s6.ControlLetter l : c.letters()) sb.append(l.letter());
            if (c.ifNotSent() != null) sb.append(" else ").append(phase(c.ifNotSent(), t0));
            List<String> then = effects(c.onSent(), t0);
            if (!then.isEmpty()) sb.append(" then ").append(then);
            return sb.toString();
        }
        if (e instanceof Effect.Emit m) return event(m.event());
        if (e instanceof Effect.RecordCause rc) return "cause " + cause(rc.cause()) + (rc.write() ? " written" : " kept");
        if (e instanceof Effect.RunSeen rs) return "run " + pid(rs.run()).replace("-", "none");
        if (e instanceof Effect.Orphan o) return "orphan " + o.pid();
        throw new AssertionError(e);
    }

    private static String cause(LastShutdown ls) {
        return ls.cause().wire() + (ls.forcedKill() ? " forced" : "") + (ls.signal() != null ? " " + ls.signal() : "")
                + (ls.exitCode() != null ? " code " + ls.exitCode() : "");
    }

    private static String event(Event e) {
        if (e instanceof Event.ServiceUp u) return "up " + u.pid() + (u.adopted() ? " adopted" : "");
        if (e instanceof Event.ServiceExited x) {
            return "exit " + x.pid() + (x.exitCode() != null ? " code " + x.exitCode() : "")
                    + (x.signal() != null ? " " + x.signal() : "");
        }
        if (e instanceof Event.ServiceEnd s) {
            return "end " + cause(s.cause()) + (s.pending() ? " pending" : "") + (s.journaled() ? " journaled" : "");
        }
        if (e instanceof Event.BackoffHeld h) return "held " + h.holdMillis() + " ms after " + h.consecutiveDeaths() + " deaths";
        if (e instanceof Event.BackoffReleased r) return "released" + (r.restarted() ? ", restarted" : "");
        if (e instanceof Event.Orphaned o) return "orphaned " + o.pid();
        throw new AssertionError(e);
    }
}
