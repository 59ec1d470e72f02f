package io.warden.daemon;

import io.warden.event.Event;
import io.warden.event.EventSpine;
import io.warden.s6.OtherDefinitions;
import io.warden.s6.SupervisorKind;
import io.warden.state.GatewayRun;
import io.warden.state.LastShutdown;
import io.warden.state.RunRecord;
import io.warden.state.ServiceState;
import io.warden.state.StateStore;
import io.warden.state.Versions;
import org.tinylog.Logger;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;

/**
 * The boot's reading of the previous run: its run record (an unclean end, a committed stop's causes to fold),
 * what the stop witness saw, and what each service's boot plan makes of them; then this run's own record and the
 * {@code boot} event.
 */
final class BootJudgement {
    private final ServiceTable services;
    private final WardenRun run;
    private final StateStore store;
    private final Ledger ledger;
    private final EventSpine events;
    private final Versions versions;
    private final ExecutorService writers;
    private final String defaultService;
    private final long wardenPid;
    private final Instant startedAt;

    BootJudgement(ServiceTable services, WardenRun run, StateStore store, Ledger ledger, EventSpine events,
                  Versions versions, ExecutorService writers, String defaultService, long wardenPid,
                  Instant startedAt) {
        this.services = services;
        this.run = run;
        this.store = store;
        this.ledger = ledger;
        this.events = events;
        this.versions = versions;
        this.writers = writers;
        this.defaultService = defaultService;
        this.wardenPid = wardenPid;
        this.startedAt = startedAt;
    }

    RunRecord previousRun() {
        StateStore.Loaded<RunRecord> previous = store.loadRun();
        if (previous.damaged()) {
            ledger.problem((previous.unreadable() ? "run record cannot be read: " : "run record damaged: ")
                    + previous.problem());
        }
        return previous.value();
    }

    /** Each service's boot plan from the previous run, the witness and s6's state; then this run's record. */
    void applyBootPlans(RunRecord previous, OtherDefinitions others) throws IOException {
        boolean unclean = previous != null && !previous.ended();
        if (unclean) {
            events.emit(new Event.UncleanEnd(previous.wardenPid(), previous.startedAt().toString()));
            Logger.warn("previous warden run (pid {}, started {}) ended without a record", previous.wardenPid(),
                    previous.startedAt());
        }
        // this run's record from here on: a controller that sees a run up while judging updates it (WardenRun.seen)
        run.record(new RunRecord(wardenPid, startedAt, null, null, null, new TreeMap<>(), versions)
                .withCauses(foldPreviousStop(previous)));
        Map<String, StopWitness.Outcome> witnessed = unclean || previous == null ? Map.of()
                : StopWitness.read(store.dir());
        Map<String, GatewayRun> up = new TreeMap<>();
        for (ServiceController c : services.all()) {
            if (!c.templateMissing() && !c.s6rc()) warnIfDefinedElsewhere(c, others);
            c.observe();
            GatewayRun seen = previous == null ? null : previous.seen(c.name(), defaultService);
            if (unclean) c.judgeUncleanEnd(previous, seen, startedAt);
            c.judgeEndWhileDown(previous, seen);
            StopWitness.Outcome w = witnessed.get(c.name());
            if (w != null) c.judgeWitnessedEnd(w, seen);
            c.applyBootPlan(startedAt, seen, services.heldBy(c));
            if (c.currentRun() != null) up.put(c.name(), c.currentRun());
        }
        if (!up.isEmpty()) run.record(run.record().withRuns(up, defaultService));
        services.bringUpAllWanted();
    }

    /** This run's record on the volume; the witness's file of the previous run is used up. */
    void saveRun() {
        ledger.saveRun(run.record());
        if (ledger.writable()) StopWitness.forget(store.dir());
    }

    /**
     * A committed stop's causes, kept in its run record, folded into each service's own file (README, "State on the
     * volume"). Returns the causes not written (and those of services this boot does not keep): this run's record
     * carries them on.
     */
    private Map<String, LastShutdown> foldPreviousStop(RunRecord previous) {
        if (previous == null || !previous.ended() || previous.causes().isEmpty()) return Map.of();
        Map<String, LastShutdown> left = new TreeMap<>(previous.causes());
        List<ServiceState> folded = new ArrayList<>();
        for (ServiceController c : services.all()) {
            if (c.unreadable() != null) continue;
            LastShutdown ls = previous.causeToFold(c.name(), c.state().lastShutdown());
            // only into an intent read from the service's own file, never a guessed one: else carried on
            if (ls != null && store.peekService(c.name()).value() == null) continue;
            if (ls != null) folded.add(c.foldCause(ls));
            left.remove(c.name());
        }
        for (String failed : ledger.fold(folded, writers)) left.put(failed, previous.causes().get(failed));
        return left;
    }

    /** A service also defined outside warden: one log line and a problem under {@code degraded} (README, "Adopting"). */
    private void warnIfDefinedElsewhere(ServiceController c, OtherDefinitions others) {
        List<String> found = others.of(c.name(), c.directory());
        if (found.isEmpty()) return;
        String p = c.name() + " is also defined outside warden: " + String.join("; ", found)
                + ". Two definitions fight: s6-rc and services.d start theirs at every boot whatever the intent, so a "
                + "warden stop does not last; delete the other definition (docs/ADOPTING.md)";
        // the problem is the log line (logged once, as every problem under degraded is)
        ledger.problem(p);
        events.emit(new Event.DefinedElsewhere(c.name(), found));
    }

    /** The {@code boot} event with every intent; {@code upgraded} when the warden or the image changed. */
    void recordBoot(RunRecord previous, SupervisorKind supervisor) {
        ServiceController d = services.get(defaultService);
        Map<String, String> intents = new LinkedHashMap<>();
        for (ServiceController c : services.all()) intents.put(c.name(), c.desired().wire());
        events.emit(new Event.Boot(wardenPid, supervisor.wire(), d == null ? null : d.desired().wire(), intents,
                versions));
        // a run record from before versions were recorded: the previous boot ran an older warden
        Versions before = previous == null ? null
                : previous.versions() != null ? previous.versions() : new Versions(null, null);
        if (before != null && !before.equals(versions)) {
            events.emit(new Event.Upgraded(before, versions));
            Logger.info("upgraded: {}", before.changeTo(versions));
        }
    }
}
