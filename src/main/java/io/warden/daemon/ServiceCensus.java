package io.warden.daemon;

import io.warden.event.Event;
import io.warden.event.EventSpine;
import io.warden.imports.HermesImport;
import io.warden.s6.TemplateCatalog;
import io.warden.state.IntentState;
import io.warden.state.StateStore;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * The services of this boot, each with its controller and its recorded state loaded: every s6-rc longrun warden
 * keeps, every templated service, every instance on the volume (or imported from a Hermes volume), and every
 * recorded service whose template is gone.
 */
final class ServiceCensus {
    private final ServiceTable services;
    private final ServiceContext context;
    private final StateStore store;
    private final Ledger ledger;
    private final EventSpine events;
    private final CopyScan copies;

    ServiceCensus(ServiceTable services, ServiceContext context, StateStore store, Ledger ledger, EventSpine events,
                  CopyScan copies) {
        this.services = services;
        this.context = context;
        this.store = store;
        this.ledger = ledger;
        this.events = events;
        this.copies = copies;
    }

    void take(boolean oneServiceMode, IntentState defaultIntent, Instant startedAt, ProfileImport profiles,
              Path templatesDir) {
        TemplateCatalog catalog = services.catalog();
        for (TemplateCatalog.Template t : services.s6rc().kept().values()) add(t.name(), t);
        for (TemplateCatalog.Template t : catalog.services().values()) {
            if (services.contains(t.name())) {
                doubleDefinition(t);
                continue;
            }
            add(t.name(), t);
        }
        List<String> recorded = oneServiceMode ? List.of() : recordedServices();
        HermesImport imports = profiles.read(recorded);
        if (!oneServiceMode) {
            for (String name : recorded) {
                if (services.contains(name)) continue;
                TemplateCatalog.Template t = catalog.templateFor(name);
                if (t == null) {
                    ledger.problem("service " + name + " is recorded on the volume but its template is gone: kept, "
                            + "not installed (template missing)");
                }
                add(name, t);
            }
        }
        if (imports != null) profiles.createInstances(imports, catalog, templatesDir, services::contains, services::refusal, this::add);
        for (ServiceController c : services.all()) c.load(defaultIntent, startedAt, imports);
        for (ServiceController c : services.all()) copies.keep(c.name(), c.runFile());
        profiles.save();
    }

    /**
     * The services recorded on the volume. A state directory warden cannot list (mode 000, a root-squashing
     * share) lists none: availability first, the templates' services run on their default intent and the
     * problem is already under {@code degraded} (the volume is not writable either), as in one-service mode.
     */
    private List<String> recordedServices() {
        try {
            return store.recordedServices();
        } catch (IOException e) {
            ledger.problem("cannot list the state directory " + store.dir() + " (" + Ledger.describe(e)
                    + "): recorded instances and services whose template is gone are not known this boot");
            return List.of();
        }
    }

    /** A template named as an s6-rc longrun: the s6-rc definition wins and the template is not installed. */
    private void doubleDefinition(TemplateCatalog.Template t) {
        String p = t.name() + " is defined twice: as an s6-rc service and as the template " + t.dir()
                + "; the s6-rc definition is kept, the template is not installed (delete one of them)";
        // the problem is the log line (logged once, as every problem under degraded is)
        ledger.problem(p);
        events.emit(new Event.DefinedElsewhere(t.name(), List.of("an s6-rc service", "a template " + t.dir())));
    }

    private void add(String name, TemplateCatalog.Template t) {
        services.put(new ServiceController(name, t, context));
    }
}
