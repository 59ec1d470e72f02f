package io.warden.api;

import java.util.HashMap;
import java.util.Map;

/**
 * Who gets a connection slot. Unprivileged peers (everyone but root and the control group) share the table less a
 * reserve, and no one uid among them holds more than its share; root and the control group may use every slot,
 * and when the table is full a privileged newcomer takes the oldest unprivileged connection's slot. So no local
 * user can keep root's {@code stop} or the health check's {@code check} out. The watcher slots are judged by a
 * second table of the same rule, so no set of local users can keep root's {@code watch} out either. Used by the
 * selector thread only.
 */
final class ConnectionQuota {
    /** What to do with a newcomer. */
    enum Verdict { ADMIT, EVICT_OLDEST_UNPRIVILEGED, REFUSE_UID_FULL, REFUSE_TABLE_FULL }

    private final int max;
    private final int perUid;
    private final int reserve;
    private final Map<Object, Integer> byUid = new HashMap<>();
    private int total;
    private int unprivileged;

    /**
     * @param max     connections at once, all peers together
     * @param perUid  connections one unprivileged uid may hold
     * @param reserve slots only privileged peers may use
     */
    ConnectionQuota(int max, int perUid, int reserve) {
        if (reserve < 1 || reserve >= max || perUid < 1) throw new IllegalArgumentException("bad connection limits");
        this.max = max;
        this.perUid = perUid;
        this.reserve = reserve;
    }

    Verdict judge(Peer peer) {
        if (peer.mayControl()) {
            if (total < max) return Verdict.ADMIT;
            return unprivileged > 0 ? Verdict.EVICT_OLDEST_UNPRIVILEGED : Verdict.REFUSE_TABLE_FULL;
        }
        if (byUid.getOrDefault(peer.account(), 0) >= perUid) return Verdict.REFUSE_UID_FULL;
        if (unprivileged >= max - reserve || total >= max) return Verdict.REFUSE_TABLE_FULL;
        return Verdict.ADMIT;
    }

    void added(Peer peer) {
        total++;
        if (!peer.mayControl()) {
            unprivileged++;
            byUid.merge(peer.account(), 1, Integer::sum);
        }
    }

    void removed(Peer peer) {
        total--;
        if (!peer.mayControl()) {
            unprivileged--;
            byUid.computeIfPresent(peer.account(), (k, v) -> v == 1 ? null : v - 1);
        }
    }

    int max() {
        return max;
    }

    int perUid() {
        return perUid;
    }

    int total() {
        return total;
    }
}
