package io.warden.api;

import org.junit.jupiter.api.Test;

import static io.warden.api.ConnectionQuota.Verdict.ADMIT;
import static io.warden.api.ConnectionQuota.Verdict.EVICT_OLDEST_UNPRIVILEGED;
import static io.warden.api.ConnectionQuota.Verdict.REFUSE_TABLE_FULL;
import static io.warden.api.ConnectionQuota.Verdict.REFUSE_UID_FULL;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ConnectionQuotaTest {
    private static Peer user(int uid) {
        return new Peer(uid, "u" + uid, "g", null, false);
    }

    private static final Peer ROOT = new Peer(0, "root", "root", null, true);

    private static void fill(ConnectionQuota q, Peer p, int n) {
        for (int i = 0; i < n; i++) {
            assertEquals(ADMIT, q.judge(p));
            q.added(p);
        }
    }

    @Test
    void one_uid_holds_no_more_than_its_share() {
        ConnectionQuota q = new ConnectionQuota(100, 8, 10);
        fill(q, user(65534), 8);
        assertEquals(REFUSE_UID_FULL, q.judge(user(65534)));
        assertEquals(ADMIT, q.judge(user(1000)), "another uid still gets in");
        q.removed(user(65534));
        assertEquals(ADMIT, q.judge(user(65534)), "a closed connection frees the uid's slot");
    }

    @Test
    void many_uids_together_leave_the_reserve_to_root() {
        ConnectionQuota q = new ConnectionQuota(100, 8, 10);
        for (int uid = 1000; uid < 1020; uid++) {
            for (int i = 0; i < 8 && q.total() < 90; i++) {
                assertEquals(ADMIT, q.judge(user(uid)));
                q.added(user(uid));
            }
        }
        assertEquals(90, q.total());
        assertEquals(REFUSE_TABLE_FULL, q.judge(user(2000)), "unprivileged stop at max - reserve");
        fill(q, ROOT, 10);
        assertEquals(100, q.total());
        assertEquals(EVICT_OLDEST_UNPRIVILEGED, q.judge(ROOT), "a full table makes room for root");
        q.removed(user(1000));
        assertEquals(ADMIT, q.judge(ROOT));
    }

    @Test
    void a_table_full_of_privileged_peers_refuses_even_them() {
        ConnectionQuota q = new ConnectionQuota(10, 8, 2);
        fill(q, ROOT, 10);
        assertEquals(REFUSE_TABLE_FULL, q.judge(ROOT));
        assertEquals(REFUSE_TABLE_FULL, q.judge(user(1)));
    }
}
