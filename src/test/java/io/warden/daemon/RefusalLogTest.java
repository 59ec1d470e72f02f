package io.warden.daemon;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RefusalLogTest {
    private final FakeTime time = new FakeTime();
    private final List<String> lines = new ArrayList<>();
    private final RefusalLog log = new RefusalLog(time::nanos, lines::add);

    @Test
    void a_loop_of_refusals_logs_its_first_line_and_then_one_summary_per_window() {
        for (int i = 0; i < 100_000; i++) {
            log.refused(65534, "uid 65534 (nobody)", "uid 65534 (nobody) may not stop gateway");
            if (i % 1000 == 0) time.advance(Duration.ofMillis(100));
        }
        // 10 s of refusals: the first one only, so far
        assertEquals(List.of("refused: uid 65534 (nobody) may not stop gateway"), lines);
        time.advance(Duration.ofSeconds(60));
        log.refused(65534, "uid 65534 (nobody)", "uid 65534 (nobody) may not stop gateway");
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.get(1).startsWith("refused 99999 more requests within 60 s"), lines.get(1));
        assertTrue(lines.get(1).contains("uid 65534 (nobody): 99999"), lines.get(1));
        assertEquals("refused: uid 65534 (nobody) may not stop gateway", lines.get(2), "a new window logs in full");
    }

    @Test
    void each_user_gets_its_own_first_line_and_the_summary_names_each() {
        log.refused(1000, "uid 1000 (alice)", "alice may not stop");
        log.refused(1001, "uid 1001 (bob)", "bob may not start");
        log.refused(1000, "uid 1000 (alice)", "alice may not stop");
        log.refused(1001, "uid 1001 (bob)", "bob may not start");
        log.refused(1001, "uid 1001 (bob)", "bob may not start");
        assertEquals(List.of("refused: alice may not stop", "refused: bob may not start"), lines);
        log.flush();
        assertEquals(3, lines.size());
        assertTrue(lines.get(2).contains("refused 3 more requests"), lines.get(2));
        assertTrue(lines.get(2).contains("uid 1000 (alice): 1, uid 1001 (bob): 2"), lines.get(2));
        log.flush();
        assertEquals(3, lines.size(), "nothing more to say");
    }

    @Test
    void users_past_the_bound_are_summed_so_the_lines_per_window_stay_bounded() {
        int users = RefusalLog.MAX_USERS * 10;
        for (int round = 0; round < 3; round++) {
            for (int uid = 0; uid < users; uid++) log.refused(uid, "uid " + uid, "uid " + uid + " may not stop");
        }
        assertEquals(RefusalLog.MAX_USERS, lines.size(), "one line for each user tracked, no more");
        log.flush();
        String summary = lines.get(lines.size() - 1);
        long total = 3L * users - RefusalLog.MAX_USERS;
        assertTrue(summary.startsWith("refused " + total + " more requests"), summary);
        assertTrue(summary.contains("other users: " + (3L * users - 3L * RefusalLog.MAX_USERS)), summary);
    }
}
