package io.warden.api;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestTest {

    private static ProtocolException refused(String line, ErrorCode code) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> Request.parse(line));
        assertEquals(code, e.code(), e.getMessage());
        return e;
    }

    @Test
    void valid_status() throws ProtocolException {
        Request r = Request.parse("{\"v\":1,\"op\":\"status\"}");
        assertEquals(Operation.STATUS, r.op());
        assertNull(r.reason());
        assertNull(r.claimedPid());
        assertEquals(Protocol.DEFAULT_HISTORY, r.historyLimit());
    }

    @Test
    void version_may_be_left_out() throws ProtocolException {
        assertEquals(Operation.CHECK, Request.parse("{\"op\":\"check\"}").op());
    }

    @Test
    void every_operation_and_the_optional_members() throws ProtocolException {
        for (Operation o : Operation.values()) {
            assertEquals(o, Request.parse("{\"v\":1,\"op\":\"" + o.wire() + "\"}").op());
        }
        Request r = Request.parse("{\"v\":1,\"op\":\"stop\",\"reason\":\"maintenance\",\"pid\":4242}");
        assertEquals("maintenance", r.reason());
        assertEquals(4242L, r.claimedPid());
        assertEquals(7, Request.parse("{\"op\":\"history\",\"n\":7}").historyLimit());
        assertEquals(0, Request.parse("{\"op\":\"history\",\"n\":0}").historyLimit());
        assertEquals("x".repeat(Protocol.MAX_REASON),
                Request.parse("{\"op\":\"stop\",\"reason\":\"" + "x".repeat(Protocol.MAX_REASON) + "\"}").reason());
    }

    @Test
    void missing_op() {
        ProtocolException e = refused("{\"v\":1}", ErrorCode.BAD_REQUEST);
        assertTrue(e.getMessage().contains("\"op\""), e.getMessage());
    }

    @Test
    void op_not_a_string() {
        refused("{\"v\":1,\"op\":3}", ErrorCode.BAD_REQUEST);
        refused("{\"v\":1,\"op\":null}", ErrorCode.BAD_REQUEST);
        refused("{\"v\":1,\"op\":[\"status\"]}", ErrorCode.BAD_REQUEST);
    }

    @Test
    void unknown_op_lists_the_known_ones() {
        ProtocolException e = refused("{\"v\":1,\"op\":\"reboot\"}", ErrorCode.UNKNOWN_OP);
        assertTrue(e.getMessage().contains("'reboot'"), e.getMessage());
        for (Operation o : Operation.values()) {
            assertTrue(e.getMessage().contains(o.wire()), e.getMessage());
        }
        refused("{\"op\":\"STATUS\"}", ErrorCode.UNKNOWN_OP);
    }

    @Test
    void wrong_version() {
        ProtocolException e = refused("{\"v\":2,\"op\":\"status\"}", ErrorCode.UNSUPPORTED_VERSION);
        assertTrue(e.getMessage().contains("2"), e.getMessage());
        refused("{\"v\":\"1\",\"op\":\"status\"}", ErrorCode.UNSUPPORTED_VERSION);
        refused("{\"v\":1.5,\"op\":\"status\"}", ErrorCode.UNSUPPORTED_VERSION);
    }

    @Test
    void reason_too_long_or_not_a_string() {
        ProtocolException e = refused("{\"op\":\"stop\",\"reason\":\"" + "x".repeat(Protocol.MAX_REASON + 1) + "\"}",
                ErrorCode.BAD_REQUEST);
        assertTrue(e.getMessage().contains("reason") && e.getMessage().contains("512"), e.getMessage());
        refused("{\"op\":\"stop\",\"reason\":5}", ErrorCode.BAD_REQUEST);
    }

    @Test
    void n_negative_or_not_an_integer() {
        ProtocolException e = refused("{\"op\":\"history\",\"n\":-1}", ErrorCode.BAD_REQUEST);
        assertTrue(e.getMessage().contains("\"n\""), e.getMessage());
        refused("{\"op\":\"history\",\"n\":1.5}", ErrorCode.BAD_REQUEST);
        refused("{\"op\":\"history\",\"n\":\"3\"}", ErrorCode.BAD_REQUEST);
    }

    @Test
    void pid_not_an_integer() {
        refused("{\"op\":\"stop\",\"pid\":\"self\"}", ErrorCode.BAD_REQUEST);
    }

    @Test
    void not_json_or_not_an_object() {
        ProtocolException e = refused("status please", ErrorCode.BAD_REQUEST);
        assertTrue(e.getMessage().contains("not a JSON object"), e.getMessage());
        refused("", ErrorCode.BAD_REQUEST);
        refused("[\"status\"]", ErrorCode.BAD_REQUEST);
        refused("{\"op\":\"status\"} {}", ErrorCode.BAD_REQUEST);
    }

    @Test
    void history_n_is_capped_and_has_a_default() throws ProtocolException {
        assertEquals(50, Protocol.DEFAULT_HISTORY);
        assertEquals(Protocol.DEFAULT_HISTORY, Request.parse("{\"op\":\"history\"}").historyLimit());
        assertEquals(Protocol.MAX_HISTORY, Request.parse("{\"op\":\"history\",\"n\":99999999999}").historyLimit());
        assertEquals(Protocol.MAX_HISTORY, Request.parse("{\"op\":\"history\",\"n\":1001}").historyLimit());
        assertEquals(1000, Request.parse("{\"op\":\"history\",\"n\":1000}").historyLimit());
    }

    @Test
    void duplicate_members_are_refused_not_last_one_wins() {
        ProtocolException e = refused("{\"op\":\"status\",\"op\":\"stop\"}", ErrorCode.BAD_REQUEST);
        assertTrue(e.getMessage().contains("duplicate") && e.getMessage().contains("\"op\""), e.getMessage());
        refused("{\"op\":\"stop\",\"reason\":\"a\",\"reason\":\"b\"}", ErrorCode.BAD_REQUEST);
        refused("{\"v\":1,\"op\":\"status\",\"v\":1}", ErrorCode.BAD_REQUEST);
    }

    @Test
    void version_one_point_zero_is_version_one() throws ProtocolException {
        assertEquals(Operation.STATUS, Request.parse("{\"v\":1.0,\"op\":\"status\"}").op());
        assertEquals(Operation.STATUS, Request.parse("{\"v\":1e0,\"op\":\"status\"}").op());
        refused("{\"v\":1.5,\"op\":\"status\"}", ErrorCode.UNSUPPORTED_VERSION);
        refused("{\"v\":1.0000001,\"op\":\"status\"}", ErrorCode.UNSUPPORTED_VERSION);
    }

    @Test
    void reason_with_control_characters_is_refused() throws ProtocolException {
        for (String bad : new String[] {"\\u001b[2J", "bell\\u0007", "line\\nforged", "cr\\r", "nul\\u0000",
            "del\\u007f", "c1\\u009b31m", "tab\\t"}) {
            ProtocolException e = refused("{\"op\":\"stop\",\"reason\":\"" + bad + "\"}", ErrorCode.BAD_REQUEST);
            assertTrue(e.getMessage().contains("printable") && e.getMessage().contains("control"), e.getMessage());
        }
        assertEquals("caf\u00e9 \u2014 ok \ud83d\ude00",
                Request.parse("{\"op\":\"stop\",\"reason\":\"caf\u00e9 \u2014 ok \ud83d\ude00\"}").reason());
    }

    @Provide
    Arbitrary<String> requestish() {
        Arbitrary<String> values = Arbitraries.of("1", "2", "-1", "1.5", "null", "true", "\"status\"", "\"stop\"",
                "\"x\"", "[]", "{}", "\"" + "r".repeat(600) + "\"", "99999999999999999999", "1e400");
        Arbitrary<String> keys = Arbitraries.of("v", "op", "reason", "n", "pid", "other");
        Arbitrary<String> member = net.jqwik.api.Combinators.combine(keys, values).as((k, v) -> "\"" + k + "\":" + v);
        return member.list().ofMaxSize(5).map(l -> "{" + String.join(",", l) + "}");
    }

    @Property(tries = 2000)
    void request_shaped_lines_only_ever_throw_protocol_exceptions(@ForAll("requestish") String line) {
        try {
            Request.parse(line);
        } catch (ProtocolException expected) {
            // the only failure allowed
        }
    }

    @Property(tries = 2000)
    void arbitrary_lines_only_ever_throw_protocol_exceptions(@ForAll String line) {
        try {
            Request.parse(line);
        } catch (ProtocolException expected) {
            // the only failure allowed
        }
    }
}
