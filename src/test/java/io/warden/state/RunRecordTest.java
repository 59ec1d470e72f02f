package io.warden.state;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The run record's last-seen runs, replaced one at a time or many in one copy, the same either way. */
class RunRecordTest {
    private static final Instant T = Instant.parse("2026-12-02T10:00:00Z");
    private static final GatewayRun A = new GatewayRun(11, "@400000006");
    private static final GatewayRun B = new GatewayRun(12, "@400000007");

    @Test
    void many_runs_in_one_copy_are_the_same_record_as_one_at_a_time() {
        RunRecord start = new RunRecord(1, T, null, null, null, Map.of("old", B), null, null);
        Map<String, GatewayRun> runs = new TreeMap<>();
        runs.put("gateway", A);
        runs.put("worker@eu", B);
        runs.put("old", null);
        RunRecord once = start.withRuns(runs, "gateway");
        RunRecord each = start.withRun("gateway", "gateway", A).withRun("worker@eu", "gateway", B)
                .withRun("old", "gateway", null);
        assertEquals(each, once);
        assertEquals(A, once.gateway(), "the default service's run is round 1's gateway member too");
        assertEquals(B, once.seen("worker@eu", "gateway"));
        assertNull(once.seen("old", "gateway"), "a null run: none up");
    }

    @Test
    void a_round_1_record_keeps_its_gateway_among_the_services() {
        RunRecord round1 = new RunRecord(1, T, null, null, A);
        RunRecord r = round1.withRuns(Map.of("worker@eu", B), "gateway");
        assertEquals(A, r.seen("gateway", "gateway"));
        assertEquals(B, r.seen("worker@eu", "gateway"));
    }
}
