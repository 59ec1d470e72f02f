package io.warden.state;

import io.warden.json.Fields;
import io.warden.json.Json;
import io.warden.json.JsonException;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The record of one warden run: written at boot with no end, completed when warden shuts down on a signal.
 * A record found at boot with no end means the previous run was killed (SIGKILL, OOM, power loss).
 * It also remembers the gateway run warden last saw up, to tell a warden-only kill from a whole-container one.
 */
public record RunRecord(long wardenPid, Instant startedAt, Instant endedAt, String endedBy, GatewayRun gateway) {
    public static final int FORMAT = FileFormat.VERSION;

    public boolean ended() {
        return endedAt != null;
    }

    public RunRecord withGateway(GatewayRun g) {
        return new RunRecord(wardenPid, startedAt, endedAt, endedBy, g);
    }

    public RunRecord endedBy(String why, Instant at) {
        return new RunRecord(wardenPid, startedAt, at, why, gateway);
    }

    public String toFileText() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", (long) FORMAT);
        m.put("wardenPid", wardenPid);
        m.put("startedAt", startedAt.toString());
        m.put("endedAt", endedAt == null ? null : endedAt.toString());
        m.put("endedBy", endedBy);
        if (gateway == null) {
            m.put("gateway", null);
        } else {
            Map<String, Object> g = new LinkedHashMap<>();
            g.put("pid", gateway.pid());
            g.put("upSince", gateway.upSince());
            m.put("gateway", g);
        }
        return Json.writePretty(m);
    }

    public static RunRecord fromFileText(String text) throws JsonException {
        Fields f = FileFormat.open(text, "run");
        try {
            Fields g = f.optObject("gateway");
            String ended = f.optString("endedAt");
            return new RunRecord(f.number("wardenPid"), Instant.parse(f.string("startedAt")),
                    ended == null ? null : Instant.parse(ended), f.optString("endedBy"),
                    g == null ? null : new GatewayRun(g.number("pid"), g.string("upSince")));
        } catch (java.time.DateTimeException e) {
            throw new JsonException("run: " + e.getMessage());
        }
    }
}
