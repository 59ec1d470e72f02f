package io.warden.imports;

import io.warden.json.Fields;
import io.warden.json.Json;
import io.warden.json.JsonException;
import io.warden.state.DurableFile;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code hermes-import.record} on the state volume: the Hermes profiles the import has dealt with, so that each is
 * imported at most once per volume. A {@code warden remove gateway@P} then sticks across boots with
 * {@code WARDEN_IMPORT} still set: the instance's state file is gone, this record is not. It is JSON, but not
 * named {@code *.json}: every warden (older ones included) takes a {@code NAME.json} for a service's state.
 * Format (README, "State on the volume"):
 * <pre>{"format": 1, "services": {"gateway@work": {"profile": "work", "at": "...", "how": "imported"|"kept"}}}</pre>
 * {@code imported}: the import created the instance from the profile; {@code kept}: the instance already had
 * warden state when the profile was first seen (imported by an older warden, or started by hand).
 */
public final class ImportRecord {
    public static final String FILE = "hermes-import.record";
    private static final long FORMAT = 1;

    /** How a profile came to be in the record. */
    public enum How {
        IMPORTED, KEPT;

        String wire() {
            return name().toLowerCase();
        }
    }

    /** One profile dealt with. */
    public record Entry(String profile, Instant at, How how) {
    }

    private final DurableFile file;
    private final Map<String, Entry> services;
    private boolean changed;

    private ImportRecord(DurableFile file, Map<String, Entry> services) {
        this.file = file;
        this.services = services;
    }

    /** The record in {@code stateDir}: empty when there is none; a damaged one is an {@link IOException}. */
    public static ImportRecord load(Path stateDir) throws IOException {
        DurableFile f = new DurableFile(stateDir.resolve(FILE));
        String text = f.read();
        Map<String, Entry> m = new TreeMap<>();
        if (text != null) {
            try {
                Fields top = new Fields(Json.parseObject(text), FILE);
                if (top.number("format") != FORMAT) {
                    throw new JsonException("format " + top.number("format") + " is not supported (this warden reads 1)");
                }
                Fields s = top.object("services");
                for (String name : s.keys()) {
                    Fields e = s.object(name);
                    String how = e.string("how");
                    if (!how.equals("imported") && !how.equals("kept")) {
                        throw new JsonException(FILE + ".services." + name + ".how must be imported or kept");
                    }
                    m.put(name, new Entry(e.string("profile"), Instant.parse(e.string("at")),
                            how.equals("imported") ? How.IMPORTED : How.KEPT));
                }
            } catch (JsonException | java.time.DateTimeException e) {
                throw new IOException(f.path() + " is damaged (" + e.getMessage() + ")", e);
            }
        }
        return new ImportRecord(f, m);
    }

    public Path path() {
        return file.path();
    }

    /** Whether {@code service} was dealt with before: it is never imported again. */
    public boolean contains(String service) {
        return services.containsKey(service);
    }

    /** How many instances the import itself created on this volume (what the bound counts). */
    public int importedCount() {
        int n = 0;
        for (Entry e : services.values()) if (e.how() == How.IMPORTED) n++;
        return n;
    }

    public void add(String service, String profile, Instant at, How how) {
        if (services.putIfAbsent(service, new Entry(profile, at, how)) == null) changed = true;
    }

    /** Writes the record when something was added (temporary file, fsync, rename, directory fsync). */
    public void saveIfChanged() throws IOException {
        if (!changed) return;
        Map<String, Object> s = new LinkedHashMap<>();
        for (Map.Entry<String, Entry> e : services.entrySet()) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("profile", e.getValue().profile());
            v.put("at", e.getValue().at().toString());
            v.put("how", e.getValue().how().wire());
            s.put(e.getKey(), v);
        }
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("format", FORMAT);
        top.put("services", s);
        file.write(Json.writePretty(top));
        changed = false;
    }
}
