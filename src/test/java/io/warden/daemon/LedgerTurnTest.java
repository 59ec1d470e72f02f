package io.warden.daemon;

import io.warden.state.CountingSync;
import io.warden.state.Journal;
import io.warden.state.RunRecord;
import io.warden.state.StateStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One turn of the decision loop writes together: the journal records of every task it ran appended with one fsync,
 * the run record written once as the turn left it; what other threads write goes to the volume at once; and a
 * container stop puts the turn's records on the volume before its own.
 */
class LedgerTurnTest {
    @TempDir
    Path dir;
    private final CountingSync sync = new CountingSync();
    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private StateStore store;
    private Ledger ledger;

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    private void open() throws IOException {
        store = new StateStore(dir.resolve("state"), "gateway", Journal.DEFAULT_MAX_BYTES, sync);
        Files.createDirectories(store.dir());
        ledger = new Ledger(store, () -> { });
    }

    private static RunRecord run(long pid) {
        return new RunRecord(pid, Instant.parse("2026-12-02T10:00:00Z"), null, null, null, new TreeMap<>(), null);
    }

    private List<String> journalEvents() throws IOException {
        Path f = store.dir().resolve("journal.jsonl");
        if (!Files.exists(f)) return List.of();
        return Files.readAllLines(f).stream().filter(l -> !l.isBlank())
                .map(l -> l.replaceAll(".*\"event\":\"([^\"]*)\".*", "$1")).toList();
    }

    @Test
    void a_turn_appends_its_records_with_one_fsync_and_writes_the_run_record_once() throws Exception {
        open();
        ledger.journal(Map.of("event", "boot"));
        int before = sync.files();
        ledger.openTurn();
        ledger.journal(Map.of("event", "gateway-up", "service", "a"));
        ledger.saveRun(run(1));
        ledger.journal(Map.of("event", "gateway-up", "service", "b"));
        ledger.saveRun(run(2));
        assertEquals(List.of("boot"), journalEvents(), "nothing of the turn is written before it ends");
        assertEquals(before, sync.files());
        ledger.closeTurn();
        assertEquals(List.of("boot", "gateway-up", "gateway-up"), journalEvents(), "in order, after the turn");
        assertEquals(2, store.loadRun().value().wardenPid(), "the run record as the turn left it");
        assertEquals(before + 2, sync.files(), "one fsync for the journal, one for the run record");
    }

    @Test
    void what_another_thread_writes_during_a_turn_is_written_at_once() throws Exception {
        open();
        ledger.openTurn();
        pool.submit(() -> ledger.journal(Map.of("event", "degraded"))).get();
        assertEquals(List.of("degraded"), journalEvents());
        ledger.closeTurn();
    }

    @Test
    void a_stop_puts_the_turn_s_records_on_the_volume_before_its_own() throws Exception {
        open();
        ledger.openTurn();
        ledger.journal(Map.of("event", "gateway-exit", "service", "a"));
        boolean committed = ledger.commitStop(run(3).endedBy("SIGTERM", Instant.parse("2026-12-02T10:01:00Z")),
                List.of(Map.of("event", "warden-stop")), pool);
        assertTrue(committed);
        assertEquals(List.of("gateway-exit", "warden-stop"), journalEvents());
        ledger.journal(Map.of("event", "gateway-up", "service", "a"));
        ledger.closeTurn();
        assertEquals(List.of("gateway-exit", "warden-stop"), journalEvents(), "nothing after warden's stop record");
    }
}
