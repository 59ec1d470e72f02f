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
 */
public record RunRecord(long wardenPid, Instant startedAt, Instant endedAt, String endedBy, GatewayRun gateway,
                        Map<String, GatewayRun> services, Versions versions) {
    public static final int FORMAT = FileFormat.VERSION;

    /** A record with no versions (an older warden's shape). */
    public RunRecord(long wardenPid, Instant startedAt, Instant endedAt, String endedBy, GatewayRun gateway,
                     Map<String, GatewayRun> services) {
        this(wardenPid, startedAt, endedAt, endedBy, gateway, services, null);
    }

    /** A record that names only the default service's run (round 1's shape). */
    public RunRecord(long wardenPid, Instant startedAt, Instant endedAt, String endedBy, GatewayRun gateway) {
        this(wardenPid, startedAt, endedAt, endedBy, gateway, null, null);
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
        Map<String, GatewayRun> m = new TreeMap<>();
        if (services != null) m.putAll(services);
        else if (gateway != null) m.put(defaultService, gateway);
        if (g == null) m.remove(service);
        else m.put(service, g);
        return new RunRecord(wardenPid, startedAt, endedAt, endedBy,
                service.equals(defaultService) ? g : gateway, m, versions);
    }

    public RunRecord withGateway(GatewayRun g) {
        return new RunRecord(wardenPid, startedAt, endedAt, endedBy, g, services, versions);
    }

    public RunRecord endedBy(String why, Instant at) {
        return new RunRecord(wardenPid, startedAt, at, why, gateway, services, versions);
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
            return new RunRecord(f.number("wardenPid"), Instant.parse(f.string("startedAt")),
                    ended == null ? null : Instant.parse(ended), f.optString("endedBy"),
                    g == null ? null : new GatewayRun(g.number("pid"), g.string("upSince")), services, versions);
        } catch (java.time.DateTimeException e) {
            throw new JsonException("run: " + e.getMessage());
        }
    }
}
