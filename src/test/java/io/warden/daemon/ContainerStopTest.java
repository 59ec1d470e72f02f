package io.warden.daemon;

import io.warden.event.Event;
import io.warden.event.EventSpine;
import io.warden.s6.ProcessTable;
import io.warden.s6.Scandir;
import io.warden.s6.TemplateCatalog;
import io.warden.state.CountingSync;
import io.warden.state.DurableFile;
import io.warden.state.GatewayRun;
import io.warden.state.IntentState;
import io.warden.state.Journal;
import io.warden.state.LastShutdown;
import io.warden.state.RunRecord;
import io.warden.state.ServiceState;
import io.warden.state.ShutdownCause;
import io.warden.state.StateStore;
import io.warden.state.Versions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A container stop, then the next boot, as the daemon runs them (its {@code onSignal} and boot, step by step, on
 * the real controllers, ledger and a real state directory whose fsyncs a {@link CountingSync} can fail): a stop
 * whose records could not all be made durable is {@code unclean} at the next boot, never {@code signal}; a
 * committed one gives every service its {@code signal} cause, folded into its file after the commit or at the next
 * boot; nothing is journaled or rewritten after warden's stop record.
 */
class ContainerStopTest {
    private static final List<String> SERVICES = List.of("gateway", "worker@eu", "dashboard");

    @TempDir
    Path root;
    private final ExecutorService pool = Executors.newFixedThreadPool(4);
    private final FakeTime time = new FakeTime();
    private final CountingSync sync = new CountingSync();

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    /** One warden run: its store, ledger, controllers and run record, as the daemon composes them. */
    private final class Run {
        final StateStore store = new StateStore(root.resolve("state"), "gateway", Journal.DEFAULT_MAX_BYTES, sync);
        final List<EventSpine.Stamped> events = new ArrayList<>();
        final Ledger ledger;
        final Map<String, ServiceController> controllers = new TreeMap<>();
        final Map<String, GatewayRun> runs = new HashMap<>();
        RunRecord run;

        Run(long pid) throws Exception {
            Files.createDirectories(store.dir());
            Ledger[] l = new Ledger[1];
            EventSpine spine = new EventSpine(java.time.Clock.systemUTC(), recs -> l[0].journalRecords(recs));
            ledger = l[0] = new Ledger(store, () -> { }, spine::emit);
            spine.subscribe(events::add);
            Path proc = Files.createDirectories(root.resolve("proc"));
            ServiceContext ctx = new ServiceContext(store, ledger, spine,
                    new Scandir(Files.createDirectories(root.resolve("scan"))), new ProcessTable(proc), time,
                    5_000_000_000L, 60_000, runs::put, r -> { });
            for (String name : SERVICES) {
                Path tpl = Files.createDirectories(root.resolve("templates/" + name));
                Files.writeString(tpl.resolve("run"), "#!/bin/sh\nexec sleep 1000\n");
                Files.createDirectories(root.resolve("scan/" + name));
                ServiceController c = new ServiceController(name, new TemplateCatalog.Template(name, tpl), ctx);
                c.load(IntentState.UP, time.now());
                controllers.put(name, c);
            }
            run = new RunRecord(pid, time.now(), null, null, null, new TreeMap<>(), new Versions("3", null));
        }

        /** Every service comes up; the run record names each run, as the daemon's runSeen writes it. */
        void allUp() {
            long pid = 100;
            for (ServiceController c : controllers.values()) {
                c.onStatus(Statuses.up(pid++));
                run = run.withRun(c.name(), "gateway", runs.get(c.name()));
            }
            ledger.saveRun(run);
        }

        /** Daemon.onSignal: causes decided, one transaction; true when committed. Folds after it when asked. */
        boolean sigterm(boolean foldBeforeExit) {
            Instant now = time.now();
            List<ServiceState> changed = new ArrayList<>();
            Map<String, LastShutdown> decided = new TreeMap<>();
            List<Event> stop = new ArrayList<>();
            for (ServiceController c : controllers.values()) {
                LastShutdown ls = c.onSignal("SIGTERM", now);
                changed.add(c.state());
                decided.put(c.name(), ls);
                stop.add(new Event.ServiceEnd(c.name(), ls, false, true));
            }
            stop.add(new Event.WardenStop("SIGTERM", null, null, Map.of()));
            RunRecord ended = run.endedBy("SIGTERM", now).withCauses(decided);
            boolean[] committed = new boolean[1];
            new EventSpine(java.time.Clock.systemUTC(), r -> { }).emitAll(stop,
                    records -> committed[0] = ledger.commitStop(ended, records, pool));
            if (committed[0] && foldBeforeExit) assertTrue(ledger.fold(changed, pool).isEmpty());
            return committed[0];
        }

        /** Daemon.applyBootPlans' judgement of the previous run: unclean, or its stop's causes folded. */
        void bootAfter(RunRecord previous) {
            if (!previous.ended()) {
                for (ServiceController c : controllers.values()) {
                    c.judgeUncleanEnd(previous, previous.seen(c.name(), "gateway"), time.now());
                }
                return;
            }
            List<ServiceState> folded = new ArrayList<>();
            for (ServiceController c : controllers.values()) {
                LastShutdown ls = previous.causeToFold(c.name(), c.state().lastShutdown());
                if (ls != null) folded.add(c.foldCause(ls));
            }
            assertTrue(ledger.fold(folded, pool).isEmpty());
        }
    }

    private ShutdownCause durableCause(StateStore store, String name) {
        ServiceState s = store.peekService(name).value();
        assertNotNull(s, name + "'s file");
        return s.lastShutdown() == null ? null : s.lastShutdown().cause();
    }

    private void aStopThatCannotBeMadeDurableIsUncleanAtTheNextBoot(String failingFile) throws Exception {
        Run first = new Run(1);
        first.allUp();
        sync.failFilesStartingWith(failingFile);
        assertFalse(first.sigterm(true), "the stop is not committed");
        assertTrue(first.ledger.problems().stream().anyMatch(p -> p.contains("unclean")), first.ledger.problems().toString());
        for (String name : SERVICES) {
            assertEquals(null, durableCause(first.store, name), "no signal cause reached " + name + "'s file");
        }
        sync.healed();
        time.advance(java.time.Duration.ofSeconds(30));
        Run next = new Run(2);
        RunRecord previous = next.store.loadRun().value();
        assertFalse(previous.ended(), "the run record on the volume has no end");
        next.bootAfter(previous);
        for (String name : SERVICES) {
            assertEquals(ShutdownCause.UNCLEAN, durableCause(next.store, name), name + ": unclean, never signal");
        }
    }

    @Test
    void a_stop_whose_run_record_cannot_be_written_is_unclean_at_the_next_boot() throws Exception {
        aStopThatCannotBeMadeDurableIsUncleanAtTheNextBoot(DurableFile.TEMP_PREFIX + StateStore.RUN_FILE);
    }

    @Test
    void a_stop_whose_journal_cannot_be_written_is_unclean_at_the_next_boot() throws Exception {
        aStopThatCannotBeMadeDurableIsUncleanAtTheNextBoot(Journal.FILE);
    }

    @Test
    void a_committed_stop_is_in_every_service_s_file_before_exit() throws Exception {
        Run first = new Run(1);
        first.allUp();
        assertTrue(first.sigterm(true));
        for (String name : SERVICES) assertEquals(ShutdownCause.SIGNAL, durableCause(first.store, name), name);
        Run next = new Run(2);
        next.bootAfter(next.store.loadRun().value());
        for (String name : SERVICES) assertEquals(ShutdownCause.SIGNAL, durableCause(next.store, name), name);
    }

    @Test
    void a_warden_killed_between_the_commit_and_the_fold_loses_no_cause() throws Exception {
        Run first = new Run(1);
        first.allUp();
        assertTrue(first.sigterm(false), "committed; killed before the files got their causes");
        for (String name : SERVICES) assertEquals(null, durableCause(first.store, name), "not folded yet");
        Run next = new Run(2);
        RunRecord previous = next.store.loadRun().value();
        assertTrue(previous.ended());
        next.bootAfter(previous);
        for (String name : SERVICES) assertEquals(ShutdownCause.SIGNAL, durableCause(next.store, name), name);
    }

    @Test
    void nothing_is_journaled_and_the_run_record_is_not_rewritten_after_warden_s_stop_record() throws Exception {
        Run first = new Run(1);
        first.allUp();
        assertTrue(first.sigterm(true));
        RunRecord committed = first.store.loadRun().value();
        // what late work used to do: a run's end seen after the stop journaled and the run record rewritten
        first.ledger.journal(new java.util.LinkedHashMap<>(Map.of("at", Instant.now().toString(), "event", "gateway-exit",
                "service", "gateway")));
        first.ledger.saveRun(committed.withRun("gateway", "gateway", null));
        first.ledger.save(first.controllers.get("gateway").state().withLastShutdown(null));
        List<Map<String, Object>> journal = first.store.journal().read().records();
        assertEquals("warden-stop", journal.get(journal.size() - 1).get("event"), "warden's stop record is the last");
        assertEquals(committed, first.store.loadRun().value(), "the run record still names every run (the witness"
                + " judges by it)");
        assertEquals(ShutdownCause.SIGNAL, durableCause(first.store, "gateway"));
    }
}
