package io.warden.state;

import io.warden.json.Fields;
import io.warden.json.JsonException;
import io.warden.json.JsonWritable;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The durable wish for one service. Only an explicit command (or the first boot's default, or an import at the
 * first boot) creates one; signals, crashes and container stops never do.
 *
 * @param importedFrom where an {@link IntentSource#IMPORTED} intent came from; null for every other source
 */
public record Intent(IntentState state, IntentSource source, Instant at, Integer uid, Long pid, String reason,
                     ImportOrigin importedFrom) implements JsonWritable {

    public Intent(IntentState state, IntentSource source, Instant at, Integer uid, Long pid, String reason) {
        this(state, source, at, uid, pid, reason, null);
    }

    public static Intent byDefault(IntentState state, Instant at) {
        return new Intent(state, IntentSource.DEFAULT, at, null, null, "first boot: WARDEN_DEFAULT_INTENT");
    }

    public static Intent byUser(IntentState state, Instant at, int uid, Long pid, String reason) {
        return new Intent(state, IntentSource.USER, at, uid, pid, reason);
    }

    public static Intent imported(IntentState state, Instant at, String reason, ImportOrigin origin) {
        return new Intent(state, IntentSource.IMPORTED, at, null, null, reason, origin);
    }

    /** As status, history and watch show it: {@code source} is {@code imported} for an import, with {@code importedFrom}. */
    @Override
    public Map<String, Object> toJson() {
        return toJson(source.wire());
    }

    /**
     * As the state file holds it. An imported intent is written with {@code "source": "user"} and its
     * {@code importedFrom}: a warden older than the import reads it as the deliberate stop or start it is (it
     * ignores the member it does not know) instead of setting the file aside as damaged over an unknown source
     * and starting a gateway the user had stopped. This warden reads {@code importedFrom} back as
     * {@link IntentSource#IMPORTED} (README, "State on the volume").
     */
    public Map<String, Object> toFileJson() {
        return toJson(source == IntentSource.IMPORTED ? IntentSource.USER.wire() : source.wire());
    }

    private Map<String, Object> toJson(String sourceWire) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("state", state.wire());
        m.put("source", sourceWire);
        m.put("at", at.toString());
        m.put("uid", uid == null ? null : (long) uid);
        m.put("pid", pid);
        m.put("reason", reason);
        if (importedFrom != null) m.put("importedFrom", importedFrom.toJson());
        return m;
    }

    public static Intent fromJson(Fields f) throws JsonException {
        try {
            Long uid = f.optNumber("uid");
            Fields from = f.optObject("importedFrom");
            ImportOrigin origin = from == null ? null : ImportOrigin.fromJson(from);
            IntentSource source = origin != null ? IntentSource.IMPORTED : IntentSource.fromWire(f.string("source"));
            return new Intent(IntentState.fromWire(f.string("state")), source,
                    Instant.parse(f.string("at")), uid == null ? null : Math.toIntExact(uid), f.optNumber("pid"),
                    f.optString("reason"), origin);
        } catch (IllegalArgumentException | java.time.DateTimeException | ArithmeticException e) {
            throw new JsonException("intent: " + e.getMessage());
        }
    }
}
