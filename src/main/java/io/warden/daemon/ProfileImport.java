package io.warden.daemon;

import io.warden.event.Event;
import io.warden.event.EventSpine;
import io.warden.imports.HermesImport;
import io.warden.imports.HermesVolume;
import io.warden.imports.ImportRecord;
import io.warden.s6.TemplateCatalog;
import io.warden.state.ServiceName;
import org.tinylog.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code WARDEN_IMPORT} at boot: the Hermes volume first intents are taken from, the instances made for its named
 * profiles, and the record of the profiles dealt with ({@link ImportRecord}), so that each is imported once.
 */
final class ProfileImport {
    private final Path home;
    private final Path stateDir;
    private final String defaultService;
    private final Ledger ledger;
    private final EventSpine events;
    private final Instant startedAt;
    /** The profiles dealt with; null when there is no import or the record is damaged. */
    private ImportRecord record;

    /** @param home the Hermes home ({@code WARDEN_IMPORT}), or null when there is no import */
    ProfileImport(Path home, Path stateDir, String defaultService, Ledger ledger, EventSpine events,
                  Instant startedAt) {
        this.home = home;
        this.stateDir = stateDir;
        this.defaultService = defaultService;
        this.ledger = ledger;
        this.events = events;
        this.startedAt = startedAt;
    }

    /**
     * The Hermes volume to take first intents from, or null. {@code recorded}: the services with state on the
     * volume (a profile whose instance is among them is recorded as dealt with, never read).
     */
    HermesImport read(List<String> recorded) {
        if (home == null) return null;
        if (!ledger.writable()) {
            Logger.warn("hermes import from {} skipped: the state directory is not writable", home);
            return null;
        }
        try {
            record = ImportRecord.load(stateDir);
        } catch (IOException e) {
            record = null;
            ledger.problem("hermes import: " + Ledger.describe(e) + ": no named profile is imported while it is so;"
                    + " fix it, or delete it to import again every profile that has no instance");
        }
        HermesImport imports = HermesImport.read(home, defaultService, record, Set.copyOf(recorded),
                HermesImport.DEADLINE);
        for (String p : imports.problems()) ledger.problem(p);
        return imports;
    }

    /**
     * A named Hermes profile whose file gives an intent becomes the instance {@code <WARDEN_SERVICE>@P} at its
     * first boot, when that instance template exists; otherwise one log line names the profile and it is skipped.
     * {@code add} makes the instance's controller; {@code kept} says whether a service is kept already; {@code refusal}
     * why one more cannot be created (the service limit), or null.
     */
    void createInstances(HermesImport imports, TemplateCatalog catalog, Path templatesDir,
                         Function<String, Boolean> kept, Function<String, String> refusal,
                         java.util.function.BiConsumer<String, TemplateCatalog.Template> add) {
        for (Map.Entry<String, String> k : imports.keptInstances().entrySet()) {
            record.add(k.getKey(), k.getValue(), startedAt, ImportRecord.How.KEPT);
        }
        for (Map.Entry<String, HermesVolume.Reading> e : imports.profileInstances().entrySet()) {
            String name = e.getKey();
            if (kept.apply(name)) continue;
            HermesVolume.Reading r = e.getValue();
            if (!r.imports()) {
                Logger.info("hermes import: no instance {}: {}", name, r.why());
                continue;
            }
            TemplateCatalog.Template t = catalog.templateFor(name);
            if (t == null) {
                Logger.warn("hermes import: profile {} skipped: no instance template {} in {}", name,
                        ServiceName.templateOf(name), templatesDir);
                continue;
            }
            String full = refusal.apply(name);
            if (full != null) {
                Logger.warn("hermes import: profile {} skipped: {}", ServiceName.instancePart(name), full);
                continue;
            }
            add.accept(name, t);
            record.add(name, ServiceName.instancePart(name), startedAt, ImportRecord.How.IMPORTED);
            events.emit(new Event.InstanceImported(name, ServiceName.templateOf(name), r.origin().toJson()));
            Logger.info("hermes import: instance {} created for profile {}", name, ServiceName.instancePart(name));
        }
    }

    /** The profiles dealt with this boot join the record, so each is imported once (a removal sticks). */
    void save() {
        if (record == null) return;
        try {
            record.saveIfChanged();
        } catch (IOException e) {
            ledger.problem("hermes import: could not write " + record.path() + " (" + Ledger.describe(e)
                    + "): a profile whose instance is removed may be imported again at the next boot");
        }
    }
}
