package io.warden.json;

import java.util.Map;

/** Typed, checked access to the members of a parsed JSON object, with errors that name the member. */
public final class Fields {
    private final Map<String, Object> map;
    private final String where;

    public Fields(Map<String, Object> map, String where) {
        this.map = map;
        this.where = where;
    }

    /** The member names, in the document's order. */
    public java.util.Set<String> keys() {
        return map.keySet();
    }

    public boolean has(String key) {
        return map.containsKey(key) && map.get(key) != null;
    }

    public String string(String key) throws JsonException {
        Object v = map.get(key);
        if (!(v instanceof String)) throw wrong(key, "a string", v);
        return (String) v;
    }

    public String optString(String key) throws JsonException {
        Object v = map.get(key);
        if (v == null) return null;
        if (!(v instanceof String)) throw wrong(key, "a string or null", v);
        return (String) v;
    }

    public long number(String key) throws JsonException {
        Object v = map.get(key);
        if (!(v instanceof Long)) throw wrong(key, "an integer", v);
        return (Long) v;
    }

    public Long optNumber(String key) throws JsonException {
        Object v = map.get(key);
        if (v == null) return null;
        if (!(v instanceof Long)) throw wrong(key, "an integer or null", v);
        return (Long) v;
    }

    /** A boolean member; absent or null reads as false. */
    public boolean optBoolean(String key) throws JsonException {
        Object v = map.get(key);
        if (v == null) return false;
        if (!(v instanceof Boolean)) throw wrong(key, "true, false or null", v);
        return (Boolean) v;
    }

    @SuppressWarnings("unchecked")
    public Fields object(String key) throws JsonException {
        Object v = map.get(key);
        if (!(v instanceof Map)) throw wrong(key, "an object", v);
        return new Fields((Map<String, Object>) v, where + "." + key);
    }

    public Fields optObject(String key) throws JsonException {
        return map.get(key) == null ? null : object(key);
    }

    private JsonException wrong(String key, String expected, Object found) {
        return new JsonException(where + "." + key + " must be " + expected + ", found " + Json.typeName(found));
    }
}
