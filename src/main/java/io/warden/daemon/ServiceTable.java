package io.warden.daemon;

import io.warden.s6.TemplateCatalog;
import io.warden.state.IntentState;
import org.tinylog.Logger;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The services warden keeps, one {@link ServiceController} each by name, with what they are defined from (the
 * templates, the s6-rc longruns) and the questions that span services: which services hold one down, and the
 * bring-up of an s6-rc service that should be up. Owned by the decision loop.
 */
final class ServiceTable {
    private final Map<String, ServiceController> services = new TreeMap<>();
    private final Ledger ledger;
    private final WardenRun run;
    private TemplateCatalog catalog;
    private S6RcKeeper s6rc;
    /** How many services may be kept, decided at boot; null before (nothing is created before it). */
    private ServiceLimit limit;

    ServiceTable(Ledger ledger, WardenRun run) {
        this.ledger = ledger;
        this.run = run;
    }

    /** What the services are defined from, read at boot. */
    void definitions(S6RcKeeper keeper, TemplateCatalog templates) {
        this.s6rc = keeper;
        this.catalog = templates;
    }

    /** The templates, or null before the boot read them. */
    TemplateCatalog catalog() {
        return catalog;
    }

    S6RcKeeper s6rc() {
        return s6rc;
    }

    void limit(ServiceLimit l) {
        limit = l;
    }

    /** Why {@code name} cannot be created now (the limit is reached), or null when it can. */
    String refusal(String name) {
        return limit == null ? null : limit.refusal(services.keySet(), name);
    }

    /** What the boot says of the limit (log, {@code degraded}): services past the setting or the supervisor. */
    List<String> limitProblems() {
        return limit == null ? List.of() : limit.bootProblems(services.keySet());
    }

    ServiceController get(String name) {
        return services.get(name);
    }

    boolean contains(String name) {
        return services.containsKey(name);
    }

    void put(ServiceController c) {
        services.put(c.name(), c);
    }

    void remove(String name) {
        services.remove(name);
    }

    /** Every controller, in name order. */
    Collection<ServiceController> all() {
        return services.values();
    }

    int size() {
        return services.size();
    }

    /** The kept s6-rc services whose intent holds {@code c} down (none for a service that is not one). */
    List<String> heldBy(ServiceController c) {
        return c.s6rc() ? s6rc.heldBy(c.name(), this::intentOf) : List.of();
    }

    /** A service's intent, or null while it cannot be read. */
    private IntentState intentOf(String name) {
        ServiceController c = services.get(name);
        return c == null || c.unreadable() != null ? null : c.desired();
    }

    /** An s6-rc service that should be up, is not held and is not running: up through s6-rc, with what it needs. */
    void bringUpIfWanted(ServiceController c) {
        if (!c.s6rc() || c.unreadable() != null || c.desired() != IntentState.UP || c.active()) return;
        if (!heldBy(c).isEmpty() || run.ending()) return;
        String name = c.name();
        s6rc.bringUp(name, failure -> {
            String prefix = "s6-rc could not bring " + name + " up";
            if (failure == null) {
                ledger.clear(Problem.of(Problem.Kind.S6RC_BRING_UP, name));
            } else {
                Logger.error("{}: {}", prefix, failure);
                ledger.problem(Problem.of(Problem.Kind.S6RC_BRING_UP, name), prefix + ": " + failure);
            }
        });
    }

    /** Every s6-rc service that should be up and is not, brought up. */
    void bringUpAllWanted() {
        for (ServiceController c : services.values()) bringUpIfWanted(c);
    }
}
