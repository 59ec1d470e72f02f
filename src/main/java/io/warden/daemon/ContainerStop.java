package io.warden.daemon;

import io.warden.event.Event;
import io.warden.event.EventSpine;
import io.warden.state.LastShutdown;
import io.warden.state.RunRecord;
import io.warden.state.ServiceState;
import org.tinylog.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;

/**
 * How warden's run ends, on the loop: its own SIGTERM/SIGINT (every service's cause made durable at once, as one
 * transaction, {@link io.warden.state.StopTransaction}), or an internal failure (the causes unchanged, s6 restarts
 * warden). After either, nothing more is decided.
 */
final class ContainerStop {
    private final WardenRun run;
    private final ServiceTable services;
    private final EventSpine events;
    private final Ledger ledger;
    private final Requests requests;
    private final ExecutorService writers;
    private final TimeSource time;
    private final String defaultService;
    private final Runnable publish;
    /** Started at boot, armed at the signal: sees whether the runs still up end or are SIGKILLed. */
    private Witness witness;

    ContainerStop(WardenRun run, ServiceTable services, EventSpine events, Ledger ledger, Requests requests,
                  ExecutorService writers, TimeSource time, String defaultService, Runnable publish) {
        this.run = run;
        this.services = services;
        this.events = events;
        this.ledger = ledger;
        this.requests = requests;
        this.writers = writers;
        this.time = time;
        this.defaultService = defaultService;
        this.publish = publish;
    }

    /** The witness started at boot (none when it could not start or the volume is not writable). */
    void witness(Witness w) {
        witness = w;
    }

    /** No socket, no status: end so that s6 restarts warden; the services and their records are left as they are. */
    void onServerFailure() {
        onInternalFailure("socket server failure", DaemonExit.SERVER_FAILED);
    }

    void onInternalFailure(String why, int code) {
        if (run.ending()) return;
        run.end(why, code);
        requests.stopping();
        for (ServiceController c : services.all()) c.onWardenEnd();
        RunRecord ended = run.record() == null ? null : run.record().endedBy(why, time.now());
        run.record(ended);
        events.emitAll(List.of(new Event.WardenStop(null, why, null, null)), records -> {
            if (ended != null) ledger.commitStop(ended, records, writers);
            else ledger.journalAll(records);
        });
    }

    /**
     * warden's own SIGTERM/SIGINT: every service's cause made durable at once, as one transaction (the ended run
     * record carries them); each service's own file gets its cause before warden exits. The {@code warden-stop}
     * record carries the default service's cause as round 1's did; every other service whose cause was recorded
     * gets its own {@code shutdown} record, before it.
     */
    void onSignal(String sig) {
        if (run.ending()) {
            // s6-overlay's stage 3 sends every process a SIGTERM after the supervisor's: expected, and it changes
            // nothing, so it does not make the log say twice that warden received one
            Logger.debug("{} during shutdown: ignored, the shutdown cause is already recorded", sig);
            return;
        }
        run.end(sig, DaemonExit.CLEAN);
        requests.stopping();
        Instant now = time.now();
        Map<String, String> causes = new LinkedHashMap<>();
        LastShutdown dflt = null;
        List<ServiceState> changed = new ArrayList<>();
        List<Event> stop = new ArrayList<>();
        Map<String, Long> stillUp = new LinkedHashMap<>();
        for (ServiceController c : services.all()) {
            LastShutdown ls = c.onSignal(sig, now);
            causes.put(c.name(), ls == null ? "unchanged" : ls.cause().wire());
            if (ls == null) continue;
            if (c.runningPid() != 0) stillUp.put(c.name(), c.runningPid());
            changed.add(c.state());
            boolean isDefault = c.name().equals(defaultService);
            if (isDefault) dflt = ls;
            // the default service's cause is journaled inside warden-stop, as round 1 recorded it
            stop.add(new Event.ServiceEnd(c.name(), ls, false, !isDefault));
        }
        Map<String, LastShutdown> decided = new TreeMap<>();
        for (ServiceState st : changed) decided.put(st.service(), st.lastShutdown());
        if (run.record() != null) run.record(run.record().endedBy(sig, now).withCauses(decided));
        stop.add(new Event.WardenStop(sig, null, dflt, causes));
        long t0 = time.nanos();
        int[] written = new int[1];
        boolean[] committed = new boolean[1];
        RunRecord ended = run.record();
        events.emitAll(stop, records -> {
            written[0] = records.size();
            committed[0] = ended != null && ledger.commitStop(ended, records, writers);
        });
        if (committed[0]) {
            // an intent that cannot be read is never written over (its placeholder is no intent): the run record
            // keeps that cause, and a boot that can read the file folds it
            run.foldLater(changed.stream().filter(st -> services.get(st.service()).unreadable() == null).toList());
            Logger.info("{} causes, the run record and {} journal records durable in {} ms", changed.size(),
                    written[0], String.format(java.util.Locale.ROOT, "%.2f", (time.nanos() - t0) / 1e6));
        }
        Logger.info("{} received: causes {}; intents stay as recorded", sig, causes);
        if (witness != null) witness.arm(now.toString(), stillUp);
        publish.run();
    }
}
