package io.warden.api;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Who gets what of the server's bounded slots: a connection (in all, per unprivileged uid, with a reserve for
 * root and the control group, a privileged newcomer taking the oldest unprivileged connection's slot when the
 * table is full), a watcher slot (the same rule, second table), a streamed answer's slot (history, metrics), and
 * how many accepted connections may wait to be identified. Every count but the two gauges is the selector
 * thread's alone.
 */
final class Admission {
    /** Connections accepted whose peer is still being identified; beyond this, accepting waits. */
    static final int MAX_UNIDENTIFIED = 64;

    private final ApiServer.Limits limits;
    private final ServerCounters counters;
    private final ConnectionQuota connections;
    /** Watcher slots, judged as connection slots are: a share per uid and a reserve for privileged peers. */
    private final ConnectionQuota watchers;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger watching = new AtomicInteger();
    private int unidentified;
    private int streams;
    private int unprivilegedStreams;

    Admission(ApiServer.Limits limits, ServerCounters counters) {
        this.limits = limits;
        this.counters = counters;
        this.connections = new ConnectionQuota(limits.maxConnections(), limits.perUidConnections(),
                limits.privilegedReserve());
        this.watchers = new ConnectionQuota(limits.maxWatchers(), limits.perUidWatchers(),
                limits.privilegedWatchers());
    }

    /** Whether another accepted connection may wait for its peer to be identified. */
    boolean mayIdentifyMore() {
        return unidentified < MAX_UNIDENTIFIED;
    }

    void identifying() {
        unidentified++;
    }

    void identified() {
        unidentified--;
    }

    /**
     * A connection slot for {@code peer}, evicting the oldest unprivileged connection of {@code byAge} when a
     * privileged peer finds the table full. Returns null when a slot is free (taken by {@link #admitted}), or the
     * busy answer's message.
     */
    String refusal(Peer peer, Iterable<Connection> byAge) {
        ConnectionQuota.Verdict v = connections.judge(peer);
        if (v == ConnectionQuota.Verdict.EVICT_OLDEST_UNPRIVILEGED) {
            for (Connection c : byAge) {
                if (!c.peer().mayControl()) {
                    c.evict();
                    break;
                }
            }
            v = connections.judge(peer);
        }
        if (v != ConnectionQuota.Verdict.ADMIT) {
            counters.refused(ErrorCode.BUSY.wire());
            return v == ConnectionQuota.Verdict.REFUSE_UID_FULL
                    ? "user " + peer.user() + " already has " + connections.perUid()
                    + " connections open; close one and try again"
                    : "too many connections (" + connections.max() + "); try again";
        }
        return null;
    }

    /** The connection holds its slot. */
    void admitted(Peer peer) {
        connections.added(peer);
        open.incrementAndGet();
        counters.admitted();
    }

    /** An admitted connection closed. */
    void released(Peer peer) {
        connections.removed(peer);
        open.decrementAndGet();
    }

    /**
     * A watcher slot: no more than {@code maxWatchers} in all, {@code perUidWatchers} per unprivileged uid, and
     * unprivileged peers together leave {@code privilegedWatchers} to root and the control group. A privileged
     * watcher evicts no one: its reserve is its own. Returns null when subscribed (counted), or why not.
     */
    String watch(Peer peer) {
        ConnectionQuota.Verdict v = watchers.judge(peer);
        if (v != ConnectionQuota.Verdict.ADMIT) {
            return v == ConnectionQuota.Verdict.REFUSE_UID_FULL
                    ? "user " + peer.user() + " already has " + limits.perUidWatchers()
                    + " watchers; end one and try again"
                    : "too many watchers (" + limits.maxWatchers() + ", of which " + limits.privilegedWatchers()
                    + " are kept for root and the control group); try again";
        }
        watchers.added(peer);
        watching.incrementAndGet();
        return null;
    }

    void watchEnded(Peer peer) {
        watching.decrementAndGet();
        watchers.removed(peer);
    }

    /** A slot for a streamed answer (history, metrics); false when none is left for this peer. */
    boolean stream(Peer peer) {
        if (streams >= limits.maxStreams() || (!peer.mayControl() && unprivilegedStreams >= limits.unprivilegedStreams())) {
            return false;
        }
        streams++;
        if (!peer.mayControl()) unprivilegedStreams++;
        return true;
    }

    void streamEnded(Peer peer) {
        streams--;
        if (!peer.mayControl()) unprivilegedStreams--;
    }

    /** Connections admitted and open (any thread). */
    int connectionCount() {
        return open.get();
    }

    /** Watchers subscribed now (any thread). */
    int watcherCount() {
        return watching.get();
    }
}
