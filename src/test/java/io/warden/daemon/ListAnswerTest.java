package io.warden.daemon;

import io.warden.api.Protocol;
import io.warden.s6.SupervisorKind;
import io.warden.state.Intent;
import io.warden.state.IntentState;
import io.warden.state.ServiceState;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.warden.daemon.Statuses.status;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The streamed list is the very line the whole answer was, in blocks of any size, for 0, 1 and many services. */
class ListAnswerTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:15:30Z");

    private static List<Snapshot> services(int n) {
        List<Snapshot> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ServiceState st = new ServiceState("svc" + i, Intent.byUser(IntentState.UP, T0, 0, 1L, "why \"quoted\" é"),
                    null);
            all.add(new Snapshot(st, null, status(100 + i, 0, false, true), SupervisorKind.S6, 9, T0,
                    List.of("a problem"), false));
        }
        return all;
    }

    private static String whole(List<Snapshot> snapshots) {
        List<Object> docs = new ArrayList<>();
        for (Snapshot s : snapshots) docs.add(s.toJson());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("services", docs);
        return Protocol.line(Protocol.ok(m));
    }

    private static String streamed(List<Snapshot> snapshots, int block) {
        ListAnswer a = new ListAnswer(snapshots);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(block);
        boolean more = true;
        while (more) {
            buf.clear();
            more = a.fill(buf);
            out.write(buf.array(), 0, buf.position());
        }
        a.close();
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theSameLineAsTheWholeAnswer() {
        for (int n : new int[] {0, 1, 3, 200}) {
            for (int block : new int[] {1, 7, 16 * 1024}) {
                assertEquals(whole(services(n)), streamed(services(n), block), n + " services, blocks of " + block);
            }
        }
    }
}
