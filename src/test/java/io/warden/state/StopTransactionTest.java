package io.warden.state;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The container stop's transaction on a real directory, its fsyncs counted through {@link FileSync} and, for the
 * faults, failed there (a disk reporting EIO): the stop costs the same fsyncs for 1, 50 and 500 services, and a stop
 * that could not be made durable leaves a run record with no end (which the next boot judges unclean).
 */
class StopTransactionTest {
    private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");
    private static final Instant STOP = T0.plusSeconds(3600);

    @TempDir
    Path tmp;
    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    private static String name(int i) {
        return String.format("svc%03d", i);
    }

    /** A volume as a running warden leaves it: n services' files, a run record naming each run up, a journal. */
    private RunRecord running(StateStore store, int n) throws IOException {
        Files.createDirectories(store.dir());
        Map<String, GatewayRun> runs = new TreeMap<>();
        for (int i = 1; i <= n; i++) {
            store.saveService(new ServiceState(name(i), Intent.byDefault(IntentState.UP, T0), null));
            runs.put(name(i), new GatewayRun(1000 + i, "@4000000069" + i));
        }
        RunRecord run = new RunRecord(4242, T0, null, null, null, runs, new Versions("3", null));
        store.saveRun(run);
        store.appendJournal(Map.of("event", "boot"));
        return run;
    }

    /** What warden's SIGTERM decides: every service's signal cause, its shutdown records, warden's stop last. */
    private static Stop stopOf(RunRecord run, int n) {
        Map<String, LastShutdown> causes = new TreeMap<>();
        List<Map<String, Object>> records = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            LastShutdown ls = new LastShutdown(ShutdownCause.SIGNAL, "SIGTERM", STOP, null,
                    "warden received SIGTERM while " + name(i) + " was up");
            causes.put(name(i), ls);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("event", "shutdown");
            r.put("service", name(i));
            records.add(r);
        }
        records.add(Map.of("event", "warden-stop"));
        return new Stop(run.endedBy("SIGTERM", STOP).withCauses(causes), records);
    }

    private record Stop(RunRecord ended, List<Map<String, Object>> records) {
    }

    @Test
    void a_stop_costs_the_same_fsyncs_for_1_50_and_500_services() throws Exception {
        Map<Integer, Integer> fsyncs = new LinkedHashMap<>();
        for (int n : new int[] {1, 50, 500}) {
            CountingSync sync = new CountingSync();
            StateStore store = new StateStore(tmp.resolve("v" + n), "svc001", Journal.DEFAULT_MAX_BYTES, sync);
            Stop stop = stopOf(running(store, n), n);
            sync.reset();
            StopTransaction.commit(store, stop.ended(), stop.records(), pool);
            fsyncs.put(n, sync.total());
            // every cause is on the volume, in the one file the commit replaced
            RunRecord after = store.loadRun().value();
            assertTrue(after.ended());
            assertEquals(n, after.causes().size());
            assertEquals(stop.ended().causes(), after.causes());
            assertEquals(n + 2, store.journal().read().records().size(), "boot, n shutdown records, warden-stop");
        }
        System.out.println("fsyncs of a container stop by number of services: " + fsyncs);
        // the journal's fdatasync, the run record's fsync, the directory's fsync
        assertEquals(Map.of(1, 3, 50, 3, 500, 3), fsyncs);
    }

    @Test
    void folding_the_causes_into_each_file_is_what_costs_one_fsync_per_service() throws Exception {
        // the step that now comes after the commit (round 2 made it the commit itself)
        CountingSync sync = new CountingSync();
        StateStore store = new StateStore(tmp.resolve("v"), "svc001", Journal.DEFAULT_MAX_BYTES, sync);
        running(store, 50);
        List<ServiceState> states = new ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            states.add(store.loadService(name(i)).value().withLastShutdown(
                    new LastShutdown(ShutdownCause.SIGNAL, "SIGTERM", STOP, null, null)));
        }
        sync.reset();
        Map<String, IOException> out = StopTransaction.fold(store, states, pool);
        assertEquals(51, sync.total(), "one per file and one for the directory");
        for (IOException e : out.values()) assertNull(e);
        assertEquals(ShutdownCause.SIGNAL, store.loadService(name(50)).value().lastShutdown().cause());
    }

    @Test
    void a_run_record_that_cannot_be_written_leaves_the_run_without_an_end() throws Exception {
        CountingSync sync = new CountingSync();
        StateStore store = new StateStore(tmp.resolve("v"), "svc001", Journal.DEFAULT_MAX_BYTES, sync);
        RunRecord before = running(store, 3);
        Stop stop = stopOf(before, 3);
        sync.failFilesStartingWith(DurableFile.TEMP_PREFIX + StateStore.RUN_FILE);
        StopTransaction.NotCommittedException e = assertThrows(StopTransaction.NotCommittedException.class,
                () -> StopTransaction.commit(store, stop.ended(), stop.records(), pool));
        assertTrue(e.getMessage().contains("run.json"), e.getMessage());
        assertEquals(before, store.loadRun().value(), "the run record before the stop, with no end");
        assertNoTemporaryFile(store.dir());
    }

    @Test
    void a_journal_that_cannot_be_written_leaves_the_run_without_an_end() throws Exception {
        CountingSync sync = new CountingSync();
        StateStore store = new StateStore(tmp.resolve("v"), "svc001", Journal.DEFAULT_MAX_BYTES, sync);
        RunRecord before = running(store, 3);
        Stop stop = stopOf(before, 3);
        sync.failFilesStartingWith(Journal.FILE);
        StopTransaction.NotCommittedException e = assertThrows(StopTransaction.NotCommittedException.class,
                () -> StopTransaction.commit(store, stop.ended(), stop.records(), pool));
        assertTrue(e.getMessage().contains("journal"), e.getMessage());
        assertFalse(store.loadRun().value().ended(), "not committed: the run record has no end");
        assertEquals(before, store.loadRun().value());
        assertNoTemporaryFile(store.dir());
    }

    @Test
    void a_directory_fsync_failing_after_the_rename_leaves_every_cause_or_none_never_some() throws Exception {
        CountingSync sync = new CountingSync();
        StateStore store = new StateStore(tmp.resolve("state"), "svc001", Journal.DEFAULT_MAX_BYTES, sync);
        Stop stop = stopOf(running(store, 3), 3);
        sync.failFilesStartingWith("state");
        assertThrows(DurableFile.NotDurableException.class,
                () -> StopTransaction.commit(store, stop.ended(), stop.records(), pool));
        // what a reader sees now is the whole stop; a power loss could only take back the whole rename
        assertEquals(stop.ended(), store.loadRun().value());
    }

    @Test
    void a_cause_is_folded_only_over_an_older_one() {
        LastShutdown crash = new LastShutdown(ShutdownCause.CRASH, null, T0, 1, null);
        LastShutdown signal = new LastShutdown(ShutdownCause.SIGNAL, "SIGTERM", STOP, null, null);
        RunRecord r = new RunRecord(1, T0, STOP, "SIGTERM", null, Map.of()).withCauses(Map.of("a", signal));
        assertEquals(signal, r.causeToFold("a", null), "a file with no cause gets it");
        assertEquals(signal, r.causeToFold("a", crash), "an older cause is replaced");
        assertNull(r.causeToFold("a", signal), "already folded");
        LastShutdown later = new LastShutdown(ShutdownCause.USER, null, STOP.plusSeconds(60), null, null);
        assertNull(r.causeToFold("a", later), "a file written since holds a later end: kept");
        assertNull(r.causeToFold("b", crash), "no cause for b");
    }

    @Test
    void run_records_of_rounds_1_and_2_read_with_no_causes_and_a_stop_s_record_reads_back_whole() throws Exception {
        String round1 = "{\"format\":1,\"wardenPid\":7,\"startedAt\":\"2026-11-28T10:00:00Z\","
                + "\"endedAt\":\"2026-11-28T11:00:00Z\",\"endedBy\":\"SIGTERM\",\"gateway\":{\"pid\":9,\"upSince\":\"@4\"}}";
        RunRecord r1 = RunRecord.fromFileText(round1);
        assertTrue(r1.ended());
        assertTrue(r1.causes().isEmpty());
        String round2 = "{\"format\":1,\"wardenPid\":7,\"startedAt\":\"2026-11-28T10:00:00Z\",\"endedAt\":null,"
                + "\"endedBy\":null,\"gateway\":null,\"services\":{\"a\":{\"pid\":9,\"upSince\":\"@4\"}},"
                + "\"wardenVersion\":\"2\",\"imageVersion\":null}";
        RunRecord r2 = RunRecord.fromFileText(round2);
        assertFalse(r2.ended());
        assertTrue(r2.causes().isEmpty());
        RunRecord stopped = stopOf(r2, 2).ended();
        String text = stopped.toFileText();
        assertTrue(text.contains("\"causes\""), text);
        assertTrue(text.contains("\"format\": 1"), "no new format: an older warden reads it, ignoring causes");
        assertEquals(stopped, RunRecord.fromFileText(text));
    }

    private static void assertNoTemporaryFile(Path dir) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, DurableFile.TEMP_PREFIX + "*")) {
            assertFalse(ds.iterator().hasNext(), "a temporary file was left behind");
        }
    }
}
