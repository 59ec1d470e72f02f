package io.warden.state;

import io.warden.json.Fields;
import io.warden.json.JsonException;
import io.warden.json.JsonWritable;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The durable wish for one service. Only an explicit command (or the first boot's default) creates one;
 * signals, crashes and container stops never do.
 */
public record Intent(IntentState state, IntentSource source, Instant at, Integer uid, Long pid, String reason)
        implements JsonWritable {

    public static Intent byDefault(IntentState state, Instant at) {
        return new Intent(state, IntentSource.DEFAULT, at, null, null, "first boot: WARDEN_DEFAULT_INTENT");
    }

    public static Intent byUser(IntentState state, Instant at, int uid, Long pid, String reason) {
        return new Intent(state, IntentSource.USER, at, uid, pid, reason);
    }

    @Override
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("state", state.wire());
        m.put("source", source.wire());
        m.put("at", at.toString());
        m.put("uid", uid == null ? null : (long) uid);
        m.put("pid", pid);
        m.put("reason", reason);
        return m;
    }

    public static Intent fromJson(Fields f) throws JsonException {
        try {
            Long uid = f.optNumber("uid");
            return new Intent(IntentState.fromWire(f.string("state")), IntentSource.fromWire(f.string("source")),
                    Instant.parse(f.string("at")), uid == null ? null : Math.toIntExact(uid), f.optNumber("pid"),
                    f.optString("reason"));
        } catch (IllegalArgumentException | java.time.DateTimeException | ArithmeticException e) {
            throw new JsonException("intent: " + e.getMessage());
        }
    }
}
