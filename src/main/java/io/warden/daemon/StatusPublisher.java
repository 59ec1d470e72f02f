package io.warden.daemon;

import io.warden.state.Versions;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Publishes what the services are after each change: one {@link Snapshot} per service, to the answers of
 * {@link Requests} and to the metrics. Called on the loop.
 */
final class StatusPublisher {
    private final ServiceTable services;
    private final SupervisorWatch supervisor;
    private final CopyScan copies;
    private final Ledger ledger;
    private final Versions versions;
    private final Requests requests;
    private final MetricsBook metrics;
    private final long wardenPid;
    private final Instant startedAt;

    StatusPublisher(ServiceTable services, SupervisorWatch supervisor, CopyScan copies, Ledger ledger,
                    Versions versions, Requests requests, MetricsBook metrics, long wardenPid, Instant startedAt) {
        this.services = services;
        this.supervisor = supervisor;
        this.copies = copies;
        this.ledger = ledger;
        this.versions = versions;
        this.requests = requests;
        this.metrics = metrics;
        this.wardenPid = wardenPid;
        this.startedAt = startedAt;
    }

    void publish() {
        List<Snapshot> all = new ArrayList<>();
        List<String> problems = ledger.problems();
        for (ServiceController c : services.all()) {
            all.add(c.snapshot(supervisor.kind(), wardenPid, startedAt, problems, versions, services.heldBy(c),
                    copies.runningCopy(c.name())));
        }
        requests.publish(all, services.catalog() == null ? List.of() : services.catalog().instanceTemplateNames());
        metrics.snapshots(all);
    }

    /** A new problem changes what status reports; before the first publish there is nothing to update. */
    void republish() {
        if (requests.published()) publish();
    }
}
