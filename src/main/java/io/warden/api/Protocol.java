package io.warden.api;

import io.warden.json.Json;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Protocol version 1: newline-terminated JSON lines over a unix stream socket. Each request line gets exactly
 * one answer line, {@code {"v":1,"ok":true,"result":{...}}} or
 * {@code {"v":1,"ok":false,"error":{"code":"...","message":"..."}}}. Several requests may follow one another on
 * one connection.
 */
public final class Protocol {
    public static final int VERSION = 1;
    /** Longest request line accepted, newline included. */
    public static final int MAX_REQUEST_BYTES = 4096;
    public static final int MAX_REASON = 512;
    /** History records sent when a request gives no {@code n}. */
    public static final int DEFAULT_HISTORY = 50;
    /** The most history records one answer carries: a larger {@code n} gets this many (the newest). */
    public static final int MAX_HISTORY = 1000;

    private Protocol() {
    }

    public static Map<String, Object> ok(Object result) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("v", (long) VERSION);
        m.put("ok", true);
        m.put("result", result);
        return m;
    }

    public static Map<String, Object> error(ErrorCode code, String message) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("code", code.wire());
        e.put("message", message);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("v", (long) VERSION);
        m.put("ok", false);
        m.put("error", e);
        return m;
    }

    public static String line(Map<String, Object> response) {
        return Json.write(response) + "\n";
    }
}
