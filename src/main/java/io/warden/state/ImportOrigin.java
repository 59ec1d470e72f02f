package io.warden.state;

import io.warden.json.Fields;
import io.warden.json.JsonException;
import io.warden.json.JsonWritable;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where an imported intent came from: the file read and the keys the decision used, with their values as they
 * were in that file (JSON text), so a person can check the import against the file.
 */
public record ImportOrigin(String kind, String file, Map<String, String> keys) implements JsonWritable {

    @Override
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", kind);
        m.put("file", file);
        m.put("keys", new LinkedHashMap<String, Object>(keys));
        return m;
    }

    public static ImportOrigin fromJson(Fields f) throws JsonException {
        Fields k = f.object("keys");
        Map<String, String> keys = new LinkedHashMap<>();
        for (String name : k.keys()) keys.put(name, k.string(name));
        return new ImportOrigin(f.string("kind"), f.string("file"), keys);
    }
}
