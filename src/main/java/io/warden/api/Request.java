package io.warden.api;

import io.warden.text.PrintableText;
import io.warden.json.Json;
import io.warden.json.JsonException;

import java.util.Map;

/**
 * One request line: {@code {"v":1,"op":"status"}}, with optional {@code service}, {@code reason}, {@code n} and
 * {@code pid}.
 * {@code v} may be left out (it means 1).
 */
public record Request(Operation op, Map<String, Object> body) {

    public static Request parse(String line) throws ProtocolException {
        Map<String, Object> m;
        try {
            m = Json.parseObject(line);
        } catch (JsonException e) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "request is not a JSON object: " + e.getMessage());
        }
        Object v = m.get("v");
        if (v != null && !isVersion(v)) {
            throw new ProtocolException(ErrorCode.UNSUPPORTED_VERSION,
                    "protocol version " + Json.write(v) + " is not supported; this daemon speaks " + Protocol.VERSION);
        }
        Object op = m.get("op");
        if (!(op instanceof String)) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "request needs \"op\" as a string");
        }
        Operation operation = Operation.fromWire((String) op);
        if (operation == null) {
            throw new ProtocolException(ErrorCode.UNKNOWN_OP, "unknown op '" + op + "'; known: " + Operation.list());
        }
        Object reason = m.get("reason");
        if (reason != null && (!(reason instanceof String) || ((String) reason).length() > Protocol.MAX_REASON)) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST,
                    "\"reason\" must be a string of at most " + Protocol.MAX_REASON + " characters");
        }
        if (!PrintableText.isPrintable((String) reason)) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "\"reason\" must be printable text: control"
                    + " characters (U+0000-U+001F, U+007F-U+009F, such as a newline, tab or escape) are refused");
        }
        Object n = m.get("n");
        if (n != null && (!(n instanceof Long) || (Long) n < 0)) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "\"n\" must be a non-negative integer");
        }
        Object service = m.get("service");
        if (service != null) {
            if (!(service instanceof String)) {
                throw new ProtocolException(ErrorCode.BAD_REQUEST, "\"service\" must be a string");
            }
            String why = io.warden.state.ServiceName.problem((String) service);
            if (why != null) throw new ProtocolException(ErrorCode.BAD_REQUEST, why);
        }
        Object pid = m.get("pid");
        if (pid != null && !(pid instanceof Long)) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "\"pid\" must be an integer");
        }
        return new Request(operation, m);
    }

    /** The service the request names, or null for the default one (or, for check and history, every one). */
    public String service() {
        return (String) body.get("service");
    }

    /** {@code "v":1} and {@code "v":1.0} are the same number; {@code 1.5} or {@code "1"} are not version 1. */
    private static boolean isVersion(Object v) {
        if (v instanceof Long) return (Long) v == Protocol.VERSION;
        return v instanceof Double && (Double) v == Protocol.VERSION;
    }

    public String reason() {
        return (String) body.get("reason");
    }

    public Long claimedPid() {
        return (Long) body.get("pid");
    }

    /** How many history records to send: {@code n}, or {@link Protocol#DEFAULT_HISTORY}; never above the cap. */
    public int historyLimit() {
        Long n = (Long) body.get("n");
        return n == null ? Protocol.DEFAULT_HISTORY : (int) Math.min(n, Protocol.MAX_HISTORY);
    }
}
