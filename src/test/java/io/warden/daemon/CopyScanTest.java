package io.warden.daemon;

import io.warden.event.EventSpine;
import io.warden.s6.Scandir;
import io.warden.state.Journal;
import io.warden.state.StateStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What status shows of another keeper's copy changes when the copy does, not at every scan while it runs. */
class CopyScanTest {
    @TempDir
    Path root;

    @Test
    void a_copy_is_reported_once_and_published_only_when_it_changes() throws Exception {
        StateStore store = new StateStore(Files.createDirectories(root.resolve("state")), "gateway",
                Journal.DEFAULT_MAX_BYTES);
        List<EventSpine.Stamped> seen = new ArrayList<>();
        Ledger[] l = new Ledger[1];
        EventSpine spine = new EventSpine(java.time.Clock.systemUTC(), recs -> l[0].journalRecords(recs));
        spine.subscribe(seen::add);
        Ledger ledger = l[0] = new Ledger(store, () -> { }, spine::emit);
        Path scan = Files.createDirectories(root.resolve("scan"));
        CopyScan copies = new CopyScan(new Scandir(scan), ledger, spine, new FakeTime());
        copies.keep("gateway", null);

        assertFalse(copies.scan(), "no copy: nothing to publish");
        Path slot = Files.createDirectories(scan.resolve("gateway-default"));
        assertTrue(copies.scan(), "a copy appeared");
        assertEquals(1, seen.stream().filter(e -> e.event().name().equals("second-keeper")).count());
        assertTrue(ledger.problems().stream().anyMatch(p -> p.startsWith("second keeper: " + slot)));
        assertNull(copies.runningCopy("gateway"), "not running yet");
        assertFalse(copies.scan(), "unchanged");

        Files.createDirectories(slot.resolve("supervise"));
        Files.write(slot.resolve("supervise/status"), upStatus(4242));
        assertTrue(copies.scan(), "the copy runs now");
        assertEquals(slot.toString(), copies.runningCopy("gateway"));
        assertFalse(copies.scan(), "still running, nothing changed: nothing to publish");
        assertEquals(1, seen.stream().filter(e -> e.event().name().equals("second-keeper")).count(), "reported once");

        Files.delete(slot.resolve("supervise/status"));
        Files.delete(slot.resolve("supervise"));
        Files.delete(slot);
        assertTrue(copies.scan(), "the copy is gone");
        assertTrue(ledger.problems().isEmpty(), "its problem is over: " + ledger.problems());
        List<String> journaled = new ArrayList<>();
        for (var r : store.journal().read().records()) journaled.add((String) r.get("event"));
        assertEquals(List.of("second-keeper"), journaled);
    }

    /** {@code supervise/status} as s6 writes it for a run up with {@code pid}. */
    private static byte[] upStatus(long pid) {
        byte[] b = new byte[io.warden.s6.SupervisorStatus.LENGTH_STANDARD];
        b[0] = 0x40;
        b[12] = 0x40;
        for (int i = 0; i < 8; i++) b[24 + i] = (byte) (pid >>> (56 - 8 * i));
        return b;
    }
}
