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
 */
public record LastShutdown(ShutdownCause cause, String signal, Instant at, Integer exitCode, String detail)
        implements JsonWritable {

    @Override
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cause", cause.wire());
        m.put("signal", signal);
        m.put("at", at.toString());
        m.put("exitCode", exitCode == null ? null : (long) exitCode);
        m.put("detail", detail);
        return m;
    }

    public static LastShutdown fromJson(Fields f) throws JsonException {
        try {
            Long code = f.optNumber("exitCode");
            return new LastShutdown(ShutdownCause.fromWire(f.string("cause")), f.optString("signal"),
                    Instant.parse(f.string("at")), code == null ? null : Math.toIntExact(code), f.optString("detail"));
        } catch (IllegalArgumentException | java.time.DateTimeException | ArithmeticException e) {
            throw new JsonException("lastShutdown: " + e.getMessage());
        }
    }
}
