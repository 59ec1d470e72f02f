package io.warden.imports;

import io.warden.api.PrintableText;
import io.warden.config.ServiceName;
import io.warden.state.Intent;
import org.tinylog.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code WARDEN_IMPORT=hermes:<HERMES_HOME>}: which service each Hermes profile is, and the first intent its
 * {@code gateway_state.json} gives. The root profile is the default service ({@code WARDEN_SERVICE}); a named
 * profile {@code P} is the instance {@code <WARDEN_SERVICE>@P}. Read once, at boot; the daemon applies a reading
 * only to a service with no warden state, so nothing is ever imported over an intent warden holds.
 */
public final class HermesImport {
    private final HermesVolume volume;
    private final String defaultService;
    /** Per service name, what its profile's file says (also the files that give nothing, for the log). */
    private final Map<String, HermesVolume.Reading> readings = new LinkedHashMap<>();

    private HermesImport(HermesVolume volume, String defaultService) {
        this.volume = volume;
        this.defaultService = defaultService;
    }

    /** Reads the root profile and every named profile of {@code home}; a profile that cannot be a name is logged and left out. */
    public static HermesImport read(Path home, String defaultService) {
        HermesImport imp = new HermesImport(new HermesVolume(home), defaultService);
        imp.readings.put(defaultService, imp.volume.read(imp.volume.rootFile()));
        java.util.List<String> profiles;
        try {
            profiles = imp.volume.profiles();
        } catch (IOException e) {
            Logger.warn("hermes import: cannot list {}/profiles ({}): named profiles are not imported", home,
                    e.getMessage());
            profiles = java.util.List.of();
        }
        for (String p : profiles) {
            String name = defaultService + "@" + p;
            String problem = ServiceName.problem(name);
            if (ServiceName.isInstance(defaultService) || problem != null) {
                Logger.warn("hermes import: profile '{}' skipped: {} cannot be a service name ({})",
                        PrintableText.escape(p), PrintableText.escape(name), problem == null
                                ? "WARDEN_SERVICE is itself an instance" : problem);
                continue;
            }
            imp.readings.put(name, imp.volume.read(imp.volume.profileFile(p)));
        }
        return imp;
    }

    /** The Hermes home read. */
    public Path home() {
        return volume.home();
    }

    /** What each named profile's file says, by the instance it stands for, in name order. */
    public Map<String, HermesVolume.Reading> profileInstances() {
        Map<String, HermesVolume.Reading> m = new LinkedHashMap<>(readings);
        m.remove(defaultService);
        return m;
    }

    /** What {@code service}'s profile says, or null when no profile maps to it. */
    public HermesVolume.Reading reading(String service) {
        return readings.get(service);
    }

    /**
     * The first intent of a service with no warden state, or null when its profile gives none (the reason is
     * logged: the service then starts as any new service does).
     */
    public Intent firstIntent(String service, Instant now) {
        HermesVolume.Reading r = readings.get(service);
        if (r == null) return null;
        if (!r.imports()) {
            Logger.info("hermes import: {}: nothing imported: {}", service, r.why());
            return null;
        }
        Intent i = Intent.imported(r.intent(), now, "imported from Hermes: " + r.origin().file() + ": " + r.why(),
                r.origin());
        Logger.info("hermes import: {}: first intent {} from {} ({})", service, r.intent().wire(),
                r.origin().file(), r.why());
        return i;
    }
}
