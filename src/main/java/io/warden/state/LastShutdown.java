package io.warden.state;

import io.warden.json.Fields;
import io.warden.json.JsonException;
import io.warden.json.JsonWritable;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The most recent end of the gateway's run. {@code signal} names the signal warden received (cause signal) or the
 * signal that killed the gateway (cause crash); {@code exitCode} is the gateway's exit code when it exited.
 * {@code forcedKill}: the run ignored its SIGTERM and was ended by SIGKILL (a stop's {@code timeout-kill}, or the
 * end of a container stop's grace); written only when true, so older files and readers are unchanged.
 */
public record LastShutdown(ShutdownCause cause, String signal, Instant at, Integer exitCode, String detail,
                           boolean forcedKill) implements JsonWritable {

    public LastShutdown(ShutdownCause cause, String signal, Instant at, Integer exitCode, String detail) {
        this(cause, signal, at, exitCode, detail, false);
    }

    /** The same end, known now to have been forced by SIGKILL after the SIGTERM was ignored; {@code how} says when. */
    public LastShutdown forced(String how) {
        return new LastShutdown(cause, signal, at, exitCode, detail == null ? how : detail + "; " + how, true);
    }

    @Override
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cause", cause.wire());
        m.put("signal", signal);
        m.put("at", at.toString());
        m.put("exitCode", exitCode == null ? null : (long) exitCode);
        m.put("detail", detail);
        if (forcedKill) m.put("forcedKill", true);
        return m;
    }

    public static LastShutdown fromJson(Fields f) throws JsonException {
        try {
            Long code = f.optNumber("exitCode");
            return new LastShutdown(ShutdownCause.fromWire(f.string("cause")), f.optString("signal"),
                    Instant.parse(f.string("at")), code == null ? null : Math.toIntExact(code), f.optString("detail"),
                    f.optBoolean("forcedKill"));
        } catch (IllegalArgumentException | java.time.DateTimeException | ArithmeticException e) {
            throw new JsonException("lastShutdown: " + e.getMessage());
        }
    }
}
