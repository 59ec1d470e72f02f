package io.warden.daemon;

import io.warden.event.Event;
import io.warden.lifecycle.Life;
import io.warden.s6.Signals;
import io.warden.s6.SupervisorStatus;
import io.warden.s6.TemplateCatalog;
import io.warden.state.GatewayRun;
import io.warden.state.Intent;
import io.warden.state.IntentSource;
import io.warden.state.IntentState;
import io.warden.state.LastShutdown;
import io.warden.state.RunRecord;
import io.warden.state.ServiceState;
import io.warden.state.ShutdownCause;
import io.warden.state.StateStore;
import org.tinylog.Logger;

import java.time.Instant;

/**
 * What the volume holds of one service (its intent and last shutdown), how boot reads it, and the judgements boot
 * makes of the previous warden run's end. Runs on the decision loop, for its {@link ServiceController}.
 */
final class ServiceRecord {
    static final String DAMAGED_STATE = "state file damaged: ";

    private final String name;
    private final TemplateCatalog.Template template;
    private final ServiceContext ctx;
    private ServiceState state;
    /** Whether this boot's intent was read from the volume (false: a first intent, set and recorded at this boot). */
    private boolean intentWasRecorded;
    /** Why the recorded intent cannot be read (the volume or the file), or null when it was read or there is none. */
    private String unreadable;

    ServiceRecord(String name, TemplateCatalog.Template template, ServiceContext ctx) {
        this.name = name;
        this.template = template;
        this.ctx = ctx;
    }

    ServiceState state() {
        return state;
    }

    String unreadable() {
        return unreadable;
    }

    /** The state as it now stands in memory (the caller wrote it, or hands it to the daemon to write). */
    void set(ServiceState s) {
        state = s;
    }

    /** The user set an intent: whatever could not be read before no longer matters. */
    void readable() {
        unreadable = null;
    }

    /** Writes the state as it stands; false (and a problem) when the volume did not take it. */
    boolean save() {
        return ctx.ledger().save(state);
    }

    /** The recorded intent and cause as the service's life sees them. */
    Life into(Life life) {
        return life.withRecord(state.intent().state(), state.lastShutdown(), unreadable == null);
    }

    /**
     * Loads the recorded state, or records the first intent ({@code down} when the template holds s6's
     * {@code down}, else {@code dflt}); {@code imports}, when given, supplies the first intent of a service that
     * has no state file at all ({@code WARDEN_IMPORT}): never over a recorded intent, nor over a damaged file.
     */
    void load(IntentState dflt, Instant now, io.warden.imports.HermesImport imports) {
        StateStore.Loaded<ServiceState> loaded = ctx.store().loadService(name);
        IntentState first = template != null && template.downByDefault() ? IntentState.DOWN : dflt;
        if (loaded.unreadable()) {
            // never replaced by a guess: nothing of this service is started until the intent can be read
            unreadable = loaded.problem();
            state = new ServiceState(name, Intent.byDefault(IntentState.DOWN, now), null);
            // one log line: the ledger logs the problem as it lists it under degraded
            ctx.ledger().problem(Problem.of(Problem.Kind.UNREADABLE_INTENT, name), unreadableProblem() + "; read again every 5 s");
            return;
        }
        if (loaded.damaged()) {
            ctx.ledger().problem(Problem.of(Problem.Kind.DAMAGED_STATE, name), DAMAGED_STATE + loaded.problem() + "; using " + name + "'s first intent "
                    + first.wire() + " until a user sets an intent");
        }
        if (loaded.value() != null) {
            state = loaded.value();
            intentWasRecorded = true;
            return;
        }
        Intent imported = imports != null && !loaded.damaged() ? imports.firstIntent(name, now) : null;
        state = new ServiceState(name, imported != null ? imported : Intent.byDefault(first, now), null);
        if (loaded.damaged()) {
            state = state.withIntent(new Intent(first, IntentSource.DEFAULT, now, null, null,
                    "state file damaged, default applied: " + loaded.problem()));
        }
        if (ctx.ledger().save(state)) ctx.events().emit(new Event.IntentSet(name, state.intent(), null));
    }

    private String unreadableProblem() {
        return "intent of " + name + " cannot be read: " + unreadable + "; " + name + " is not started until it can be";
    }

    /**
     * Reads an intent that could not be read at boot again; true once it could (the recorded one, or the first
     * intent when there is no file at all), and the boot plan is to be applied again.
     */
    boolean retryUnreadable(IntentState dflt, Instant now) {
        if (unreadable == null) return false;
        StateStore.Loaded<ServiceState> loaded = ctx.store().loadService(name);
        if (loaded.unreadable()) return false;
        unreadable = null;
        ctx.ledger().clear(Problem.of(Problem.Kind.UNREADABLE_INTENT, name));
        load(dflt, now, null);
        Logger.info("{}: its intent can be read again: {} ({})", name, state.intent().state().wire(),
                state.intent().source().wire());
        return true;
    }

    /** Where the boot's intent came from, in words true for the log: recorded, imported now, or the default now. */
    String provenance() {
        Intent i = state.intent();
        if (intentWasRecorded) return "recorded on the volume, set by " + i.source().wire();
        if (i.source() == IntentSource.IMPORTED) return "nothing recorded: first intent imported from " + i.importedFrom().file();
        return "nothing recorded: first intent by default";
    }

    // ---- the previous warden run's end ----------------------------------------------------------------------

    /** The previous warden run left no record: a whole-container kill ended this service's run, a warden-only one did not. */
    void judgeUncleanEnd(RunRecord prev, GatewayRun seen, SupervisorStatus status, Instant now) {
        if (seen == null) return;
        if (seen.equals(Life.runOf(status))) {
            Logger.info("{}: kept running through warden's unclean end (pid {}), adopted", name, seen.pid());
            return;
        }
        LastShutdown ls = new LastShutdown(ShutdownCause.UNCLEAN, null, now, null,
                "previous warden run (pid " + prev.wardenPid() + ", started " + prev.startedAt()
                        + ") ended without a record; the " + name + " run it last saw (pid " + seen.pid() + ") is gone");
        state = state.withLastShutdown(ls);
        ctx.ledger().save(state);
        ctx.events().emit(new Event.ServiceEnd(name, ls, false, true));
        Logger.warn("{}: last shutdown was unclean: {}", name, ls.detail());
    }

    /**
     * The witness of the previous stop (a signal shutdown) saw how the run that was up then ended: one that ignored
     * its SIGTERM and was killed at the end of the stop's grace keeps its {@code signal} cause, marked forced. A run
     * that is still running (warden alone was stopped) is left alone.
     */
    void judgeWitnessedEnd(StopWitness.Outcome w, GatewayRun seen, SupervisorStatus status) {
        LastShutdown ls = state.lastShutdown();
        if (ls == null || ls.cause() != ShutdownCause.SIGNAL || ls.forcedKill() || !ls.at().toString().equals(w.at())) return;
        if (seen == null || seen.pid() != w.pid() || seen.equals(Life.runOf(status)) || !w.forced()) return;
        LastShutdown forced = ls.forced(w.killedBySigkill()
                ? "pid " + w.pid() + " ignored SIGTERM and s6 killed it with SIGKILL at the end of the stop's grace"
                : "pid " + w.pid() + " was still running when the container stop killed every process (SIGKILL at the"
                        + " end of S6_KILL_GRACETIME, or Docker's own kill): it ignored its SIGTERM");
        state = state.withLastShutdown(forced);
        ctx.ledger().save(state);
        ctx.events().emit(new Event.ServiceEnd(name, forced, false, true));
        Logger.warn("{}: last shutdown was forced: {}", name, forced.detail());
    }

    /**
     * The previous warden stopped cleanly with no run of this service up, and s6 shows an end after that stop: a
     * run started and ended while no warden ran. It is journaled, so the history does not skip it.
     */
    void judgeEndWhileDown(RunRecord prev, GatewayRun seen, SupervisorStatus status, SupervisorStatus lastDeath) {
        if (template == null || prev == null || !prev.ended() || seen != null) return;
        // lastDeath: s6 shows a real end (a wait status other than 0), not a supervisor that never started a run
        if (lastDeath == null || lastDeath != status || !status.stamp().isAfter(prev.endedAt())) return;
        Integer code = status.exited() ? status.exitCode() : null;
        String signal = status.exited() ? null : Signals.name(status.termSignal());
        ctx.events().emit(new Event.EndedWhileDown(name, status.stamp(), code, signal));
        Logger.info("{}: a run ended at {} ({}) while warden was not running", name, status.stamp(),
                code != null ? "exit code " + code : "killed by " + signal);
    }
}
