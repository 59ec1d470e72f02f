package io.warden.daemon;

import io.warden.api.ServerCounters;
import io.warden.event.Event;
import io.warden.event.EventSpine;
import io.warden.metrics.Exposition;
import io.warden.metrics.Exposition.Type;
import io.warden.state.Journal;
import io.warden.state.ShutdownCause;
import io.warden.state.Versions;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * {@code warden metrics}: what the counters of the event spine, the last published snapshots and the socket server
 * show, in Prometheus's text format. Counters follow the events (a cause is counted once decided, never while it
 * is pending); gauges are read from the snapshot of the moment. Events arrive on the decision loop, renders run on
 * a reader or HTTP thread.
 */
final class MetricsBook implements EventSpine.Subscriber {
    private final Versions versions;
    private final Journal journal;
    private final Map<String, Map<ShutdownCause, LongAdder>> ends = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> held = new ConcurrentHashMap<>();
    private volatile List<Snapshot> snapshots = List.of();
    private volatile ServerCounters server = new ServerCounters();
    private volatile IntSupplier openConnections = () -> 0;
    private volatile IntSupplier watchers = () -> 0;

    MetricsBook(Versions versions, Journal journal) {
        this.versions = versions;
        this.journal = journal;
    }

    /** The socket server's counts, once it is built. */
    void server(ServerCounters counters, IntSupplier open, IntSupplier watching) {
        this.server = counters;
        this.openConnections = open;
        this.watchers = watching;
    }

    void snapshots(List<Snapshot> all) {
        snapshots = List.copyOf(all);
    }

    @Override
    public void on(EventSpine.Stamped s) {
        Event e = s.event();
        if (e instanceof Event.ServiceEnd end && !end.pending()) {
            ends.computeIfAbsent(end.service(), k -> new ConcurrentHashMap<>())
                    .computeIfAbsent(end.cause().cause(), k -> new LongAdder()).increment();
        } else if (e instanceof Event.BackoffHeld b) {
            held.computeIfAbsent(b.service(), k -> new LongAdder()).increment();
        }
    }

    /** The exposition of this moment. */
    String render(Instant now) {
        List<Snapshot> all = snapshots;
        Exposition x = new Exposition();
        x.family("warden_service_intent_up", Type.GAUGE, "1 when the service's recorded intent is up, 0 when down.");
        for (Snapshot s : all) x.sample(s.desired() == io.warden.state.IntentState.UP ? 1 : 0, "service", s.service());
        x.family("warden_service_observed_up", Type.GAUGE, "1 when s6 reports the service up, 0 otherwise.");
        for (Snapshot s : all) x.sample(s.observed() == Observed.UP ? 1 : 0, "service", s.service());
        x.family("warden_service_uptime_seconds", Type.GAUGE,
                "Seconds since the service's current run began (services that are up only).");
        for (Snapshot s : all) {
            if (s.observed() != Observed.UP) continue;
            x.sample(Math.max(0, Duration.between(s.status().stamp(), now).toMillis()) / 1000.0, "service",
                    s.service());
        }
        x.family("warden_service_ends_total", Type.COUNTER,
                "Ends of the service's runs since warden started, by decided cause (a pending cause is not counted).");
        for (Snapshot s : all) {
            Map<ShutdownCause, LongAdder> byCause = ends.getOrDefault(s.service(), Map.of());
            for (ShutdownCause c : ShutdownCause.values()) {
                LongAdder n = byCause.get(c);
                x.sample(n == null ? 0 : n.sum(), "service", s.service(), "cause", c.wire());
            }
        }
        x.family("warden_service_restarts_held_total", Type.COUNTER,
                "Restarts of a crash-looping service held by warden's back-off since warden started.");
        for (Snapshot s : all) {
            LongAdder n = held.get(s.service());
            x.sample(n == null ? 0 : n.sum(), "service", s.service());
        }
        ServerCounters c = server;
        x.family("warden_requests_total", Type.COUNTER,
                "Socket requests answered, by operation and result (ok or the error code).");
        for (Map.Entry<ServerCounters.Outcome, Long> e : c.answered().entrySet()) {
            x.sample(e.getValue(), "op", e.getKey().op(), "result", e.getKey().result());
        }
        x.family("warden_requests_refused_total", Type.COUNTER,
                "Requests and connections refused before any operation, by error code.");
        for (Map.Entry<String, Long> e : c.refused().entrySet()) x.sample(e.getValue(), "reason", e.getKey());
        x.family("warden_connections_total", Type.COUNTER, "Socket connections admitted since warden started.");
        x.sample(c.connections());
        x.family("warden_connections", Type.GAUGE, "Socket connections open now.");
        x.sample(openConnections.getAsInt());
        x.family("warden_watchers", Type.GAUGE, "Live event subscriptions (warden watch) open now.");
        x.sample(watchers.getAsInt());
        x.family("warden_journal_bytes", Type.GAUGE, "Bytes of the journal on the state volume (both files).");
        x.sample(journal.bytes());
        x.family("warden_degraded_problems", Type.GAUGE, "Problems listed under degraded in status.");
        x.sample(all.isEmpty() ? 0 : all.get(0).problems().size());
        x.family("warden_info", Type.GAUGE, "warden's version and the image's (WARDEN_IMAGE_VERSION); always 1.");
        x.sample(1, "version", versions.warden(), "image_version", versions.image());
        return x.text();
    }
}
