package io.warden.state;

import io.warden.json.Fields;
import io.warden.json.Json;
import io.warden.json.JsonException;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The record of one warden run: written at boot with no end, completed when warden shuts down on a signal.
 * A record found at boot with no end means the previous run was killed (SIGKILL, OOM, power loss).
 * It also remembers the run of each service warden last saw up, to tell a warden-only kill from a whole-container
 * one. {@code gateway} is the default service's run, as round 1 wrote it (an older warden reads only that);
 * {@code services} holds every service's, and is absent in a round-1 file. {@code versions} (members
 * {@code wardenVersion}, {@code imageVersion}) is what the run ran, so the next boot can tell an upgrade; null in a
 * file an older warden wrote (members it ignores, so it sets nothing aside).
 *
 * <p>{@code causes} (service to its last shutdown) is how a container stop is one transaction: the causes the stop
 * decided are written here, in the same atomic replace of this file that sets {@code endedAt}, so the run ends
 * with every cause or with none (and a record with no end is judged {@code unclean}). The next boot folds each into
 * its service's own file ({@link #causeToFold}); a cause it could not fold is carried in its own run's record.
 * Absent in a file an older warden wrote, and ignored by one.
 */
public record RunRecord(long wardenPid, Instant startedAt, Instant endedAt, String endedBy, GatewayRun gateway,
                        Map<String, GatewayRun> services, Versions versions, Map<String, LastShutdown> causes) {
    public static final int FORMAT = FileFormat.VERSION;

    public RunRecord {
        causes = causes == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(causes));
    }

    /** A record with no causes to fold. */
    public RunRecord(long wardenPid, Instant startedAt, Instant endedAt, String endedBy, GatewayRun gateway,
                     Map<String, GatewayRun> services, Versions versions) {
        this(wardenPid, startedAt, endedAt, endedBy, gateway, services, versions, null);
    }

    /** A record with no versions (an older warden's shape). */
    public RunRecord(long wardenPid, Instant startedAt, Instant endedAt, String endedBy, GatewayRun gateway,
                     Map<String, GatewayRun> services) {
        this(wardenPid, startedAt, endedAt, endedBy, gateway, services, null, null);
    }

    /** A record that names only the default service's run (round 1's shape). */
    public RunRecord(long wardenPid, Instant startedAt, Instant endedAt, String endedBy, GatewayRun gateway) {
        this(wardenPid, startedAt, endedAt, endedBy, gateway, null, null, null);
    }

    public boolean ended() {
        return endedAt != null;
    }

    /** The run of {@code service} this record last saw up, or null. */
    public GatewayRun seen(String service, String defaultService) {
        if (services != null) return services.get(service);
        return service.equals(defaultService) ? gateway : null;
    }

    /** This record with {@code service}'s last-seen run replaced ({@code null}: none up). */
    public RunRecord withRun(String service, String defaultService, GatewayRun g) {
        Map<String, GatewayRun> one = new TreeMap<>();
        one.put(service, g);
        return withRuns(one, defaultService);
    }

    /**
     * This record with the last-seen run of every service in {@code runs} replaced (a null value: none up), in one
     * copy: a boot that finds N services up builds the record once, not N times.
     */
    public RunRecord withRuns(Map<String, GatewayRun> runs, String defaultService) {
        Map<String, GatewayRun> m = new TreeMap<>();
        if (services != null) m.putAll(services);
        else if (gateway != null) m.put(defaultService, gateway);
        GatewayRun g = gateway;
        for (Map.Entry<String, GatewayRun> r : runs.entrySet()) {
            if (r.getValue() == null) m.remove(r.getKey());
            else m.put(r.getKey(), r.getValue());
            if (r.getKey().equals(defaultService)) g = r.getValue();
        }
        return new RunRecord(wardenPid, startedAt, endedAt, endedBy, g, m, versions, causes);
    }

    public RunRecord withGateway(GatewayRun g) {
        return new RunRecord(wardenPid, startedAt, endedAt, endedBy, g, services, versions, causes);
    }

    public RunRecord endedBy(String why, Instant at) {
        return new RunRecord(wardenPid, startedAt, at, why, gateway, services, versions, causes);
    }

    /** This record with {@code more} causes to fold added (a service named in both takes {@code more}'s). */
    public RunRecord withCauses(Map<String, LastShutdown> more) {
        Map<String, LastShutdown> m = new TreeMap<>(causes);
        m.putAll(more);
        return new RunRecord(wardenPid, startedAt, endedAt, endedBy, gateway, services, versions, m);
    }

    /**
     * The cause this record holds for {@code service} when its own file does not have it yet ({@code inFile}: the
     * file's last shutdown), else null. Only a later end replaces the file's: a cause the file already holds, or
     * one older than the file's (the file was written since, by a warden that ran after this record), is not
     * folded again.
     */
    public LastShutdown causeToFold(String service, LastShutdown inFile) {
        LastShutdown c = causes.get(service);
        if (c == null || c.equals(inFile)) return null;
        if (inFile != null && !c.at().isAfter(inFile.at())) return null;
        return c;
    }

    public String toFileText() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", (long) FORMAT);
        m.put("wardenPid", wardenPid);
        m.put("startedAt", startedAt.toString());
        m.put("endedAt", endedAt == null ? null : endedAt.toString());
        m.put("endedBy", endedBy);
        m.put("gateway", runJson(gateway));
        if (services != null) {
            Map<String, Object> all = new LinkedHashMap<>();
            for (Map.Entry<String, GatewayRun> e : new TreeMap<>(services).entrySet()) {
                all.put(e.getKey(), runJson(e.getValue()));
            }
            m.put("services", all);
        }
        if (versions != null) {
            m.put("wardenVersion", versions.warden());
            m.put("imageVersion", versions.image());
        }
        if (!causes.isEmpty()) {
            Map<String, Object> all = new LinkedHashMap<>();
            for (Map.Entry<String, LastShutdown> e : causes.entrySet()) all.put(e.getKey(), e.getValue().toJson());
            m.put("causes", all);
        }
        return Json.writePretty(m);
    }

    private static Map<String, Object> runJson(GatewayRun r) {
        if (r == null) return null;
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("pid", r.pid());
        g.put("upSince", r.upSince());
        return g;
    }

    public static RunRecord fromFileText(String text) throws JsonException {
        Fields f = FileFormat.open(text, "run");
        try {
            Fields g = f.optObject("gateway");
            String ended = f.optString("endedAt");
            Map<String, GatewayRun> services = null;
            Fields s = f.optObject("services");
            if (s != null) {
                services = new TreeMap<>();
                for (String name : s.keys()) {
                    Fields r = s.optObject(name);
                    if (r != null) services.put(name, new GatewayRun(r.number("pid"), r.string("upSince")));
                }
            }
            String wardenVersion = f.optString("wardenVersion");
            String imageVersion = f.optString("imageVersion");
            Versions versions = wardenVersion == null && imageVersion == null ? null
                    : new Versions(wardenVersion, imageVersion);
            Map<String, LastShutdown> causes = new TreeMap<>();
            Fields c = f.optObject("causes");
            if (c != null) {
                for (String name : c.keys()) causes.put(name, LastShutdown.fromJson(c.object(name)));
            }
            return new RunRecord(f.number("wardenPid"), Instant.parse(f.string("startedAt")),
                    ended == null ? null : Instant.parse(ended), f.optString("endedBy"),
                    g == null ? null : new GatewayRun(g.number("pid"), g.string("upSince")), services, versions,
                    causes);
        } catch (java.time.DateTimeException e) {
            throw new JsonException("run: " + e.getMessage());
        }
    }
}
