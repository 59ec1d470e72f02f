package io.warden.imports;

import io.warden.text.PrintableText;
import io.warden.state.ServiceName;
import io.warden.state.Intent;
import org.tinylog.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code WARDEN_IMPORT=hermes:<HERMES_HOME>}: which service each Hermes profile is, and the first intent its
 * {@code gateway_state.json} gives. The root profile is the default service ({@code WARDEN_SERVICE}); a named
 * profile {@code P} (a directory holding {@code SOUL.md}, as for Hermes) is the instance
 * {@code <WARDEN_SERVICE>@P}. A profile is imported at most once per volume ({@link ImportRecord}), at most
 * {@link #MAX_INSTANCES} instances are ever created by the import, and the home is read on its own thread with a
 * deadline, so a volume that blocks a read (a FIFO) never holds up the boot. The daemon applies a reading only to
 * a service with no warden state, so nothing is ever imported over an intent warden holds.
 */
public final class HermesImport {
    /**
     * Instances the import creates on one volume, at most. Each is a supervised gateway (a Python process of
     * 100 MB and more, with its platform connections): 64 is past any real Hermes container, and keeps a hostile
     * {@code HERMES_HOME} with thousands of profile folders from creating thousands of services (processes,
     * status files, state files, status answers that grow with them). The rest are refused, loudly.
     */
    public static final int MAX_INSTANCES = 64;
    /** How long the boot waits for the home to be read; a sound volume takes milliseconds. */
    public static final Duration DEADLINE = Duration.ofSeconds(10);
    private static final int PASSED_OVER_LOGGED = 20;

    private final Path home;
    private final String defaultService;
    /** Root reading under the default service's name, then the profiles read, by instance name, in name order. */
    private final Map<String, HermesVolume.Reading> readings = new LinkedHashMap<>();
    /** Instances that already have warden state, by name, to their profile: recorded as dealt with. */
    private final Map<String, String> kept = new LinkedHashMap<>();
    /** Problems for the log and {@code degraded}. */
    private final List<String> problems = new ArrayList<>();

    private HermesImport(Path home, String defaultService) {
        this.home = home;
        this.defaultService = defaultService;
    }

    /**
     * Reads the root profile and the named profiles not in {@code record} (none when it is null); {@code withState} are the services
     * warden already holds state for (never read, only recorded). Waits at most {@code deadline}: past it
     * nothing is imported this boot and a problem says why.
     */
    public static HermesImport read(Path home, String defaultService, ImportRecord record, Set<String> withState,
                                    Duration deadline) {
        CompletableFuture<HermesImport> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(readNow(home, defaultService, record, withState));
            } catch (RuntimeException | Error e) {
                f.completeExceptionally(e);
            }
        }, "warden-hermes-import");
        // a read blocked in the kernel cannot be interrupted: the thread is left behind, it holds nothing
        t.setDaemon(true);
        t.start();
        try {
            return f.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return failed(home, defaultService, "reading " + home + " did not finish within " + deadline.toSeconds()
                    + " s (a file that blocks its reader, a FIFO swapped in while it was read?): nothing imported"
                    + " this boot");
        } catch (ExecutionException e) {
            return failed(home, defaultService, "reading " + home + " failed (" + e.getCause() + "): nothing imported"
                    + " this boot");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(home, defaultService, "interrupted while reading " + home + ": nothing imported this boot");
        }
    }

    private static HermesImport failed(Path home, String defaultService, String problem) {
        HermesImport imp = new HermesImport(home, defaultService);
        imp.problems.add("hermes import: " + problem);
        return imp;
    }

    private static HermesImport readNow(Path home, String defaultService, ImportRecord record, Set<String> withState) {
        HermesImport imp = new HermesImport(home, defaultService);
        try (HermesVolume volume = HermesVolume.open(home)) {
            imp.readings.put(defaultService, volume.readRoot());
            // no record to say which profiles were dealt with (it is damaged): none is imported, a removal stays
            if (record == null) return imp;
            HermesVolume.Profiles profiles;
            try {
                profiles = volume.profiles();
            } catch (IOException e) {
                imp.problems.add("hermes import: cannot list " + home + "/profiles (" + e + "): named profiles are not"
                        + " imported");
                return imp;
            }
            // one line each, up to a bound: a volume of thousands of stray folders does not flood the log
            List<String> passed = profiles.passedOver();
            for (String p : passed.subList(0, Math.min(PASSED_OVER_LOGGED, passed.size()))) {
                Logger.info("hermes import: {}", p);
            }
            if (passed.size() > PASSED_OVER_LOGGED) {
                Logger.info("hermes import: {} more entries of {}/profiles passed over", passed.size() - PASSED_OVER_LOGGED,
                        home);
            }
            if (profiles.notLookedAt() > 0) {
                imp.problems.add("hermes import: " + home + "/profiles holds more than " + HermesVolume.MAX_ENTRIES
                        + " entries: " + profiles.notLookedAt() + " were not looked at");
            }
            imp.selectAndRead(volume, profiles.names(), record, withState);
        } catch (IOException e) {
            imp.problems.add("hermes import: cannot open " + home + " (" + e + "): nothing imported");
        }
        return imp;
    }

    private void selectAndRead(HermesVolume volume, List<String> profiles, ImportRecord record, Set<String> withState) {
        List<String> candidates = new ArrayList<>();
        for (String p : profiles) {
            String name = defaultService + "@" + p;
            String problem = ServiceName.problem(name);
            if (ServiceName.isInstance(defaultService) || problem != null) {
                Logger.warn("hermes import: profile '{}' skipped: {} cannot be a service name ({})",
                        PrintableText.escape(p), PrintableText.escape(name), problem == null
                                ? "WARDEN_SERVICE is itself an instance" : problem);
                continue;
            }
            if (record.contains(name)) continue;
            if (withState.contains(name)) {
                kept.put(name, p);
                continue;
            }
            candidates.add(name);
        }
        // the bound counts profiles that give an intent (each becomes an instance); one whose file gives nothing
        // creates none and takes no room, and the deadline bounds the time spent reading such files
        int room = Math.max(0, MAX_INSTANCES - record.importedCount());
        int next = 0;
        for (; next < candidates.size() && room > 0; next++) {
            String name = candidates.get(next);
            HermesVolume.Reading r = volume.readProfile(ServiceName.instancePart(name));
            readings.put(name, r);
            if (r.imports()) room--;
        }
        if (next < candidates.size()) {
            List<String> refused = candidates.subList(next, candidates.size());
            problems.add("hermes import: " + refused.size() + " profile(s) refused: at most " + MAX_INSTANCES
                    + " instances are imported per volume (" + record.importedCount() + " already were); refused: "
                    + String.join(", ", refused.subList(0, Math.min(5, refused.size())))
                    + (refused.size() > 5 ? " and " + (refused.size() - 5) + " more" : "")
                    + ". Start the ones wanted with warden start, or remove the others from " + home + "/profiles");
        }
    }

    /** The Hermes home read. */
    public Path home() {
        return home;
    }

    /** What went wrong reading the home (each a line for the log and {@code degraded}). */
    public List<String> problems() {
        return problems;
    }

    /** What each named profile read gives, by the instance it stands for, in name order. */
    public Map<String, HermesVolume.Reading> profileInstances() {
        Map<String, HermesVolume.Reading> m = new LinkedHashMap<>(readings);
        m.remove(defaultService);
        return m;
    }

    /** Profiles whose instance warden already holds state for (instance name to profile): recorded, not read. */
    public Map<String, String> keptInstances() {
        return kept;
    }

    /** What {@code service}'s profile says, or null when no profile was read for it. */
    public HermesVolume.Reading reading(String service) {
        return readings.get(service);
    }

    /**
     * The first intent of a service with no warden state, or null when its profile gives none (the reason is
     * logged: the service then gets its default first intent, as any new service does).
     */
    public Intent firstIntent(String service, Instant now) {
        HermesVolume.Reading r = readings.get(service);
        if (r == null) return null;
        if (!r.imports()) {
            Logger.info("hermes import: {}: nothing imported ({}): its first intent is the default", service, r.why());
            return null;
        }
        Intent i = Intent.imported(r.intent(), now, "imported from Hermes: " + r.origin().file() + ": " + r.why(),
                r.origin());
        Logger.info("hermes import: {}: first intent {} imported from {} ({})", service, r.intent().wire(),
                r.origin().file(), r.why());
        return i;
    }
}
