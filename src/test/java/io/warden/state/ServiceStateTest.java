package io.warden.state;

import io.warden.json.Json;
import io.warden.json.JsonException;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServiceStateTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:15:30.123456Z");

    @Test
    void default_intent_without_last_shutdown_round_trips() throws Exception {
        ServiceState s = new ServiceState("gateway", Intent.byDefault(IntentState.UP, T0), null);
        ServiceState back = ServiceState.fromFileText(s.toFileText());
        assertEquals(s, back);
        assertEquals(IntentSource.DEFAULT, back.intent().source());
        assertNull(back.intent().uid());
        assertNull(back.lastShutdown());
    }

    @Test
    void user_intent_and_last_shutdown_round_trip() throws Exception {
        Intent i = Intent.byUser(IntentState.DOWN, T0, 1000, 4242L, "maintenance \"window\"\nline two é ✓");
        LastShutdown l = new LastShutdown(ShutdownCause.USER, null, T0.plusSeconds(2), 0, "stopped by uid 1000");
        ServiceState s = new ServiceState("gateway", i, l);
        assertEquals(s, ServiceState.fromFileText(s.toFileText()));

        LastShutdown crash = new LastShutdown(ShutdownCause.CRASH, "SIGKILL", T0, null, null);
        ServiceState s2 = s.withLastShutdown(crash).withIntent(Intent.byUser(IntentState.UP, T0, 0, null, null));
        assertEquals(s2, ServiceState.fromFileText(s2.toFileText()));
    }

    @Test
    void every_cause_round_trips() throws Exception {
        for (ShutdownCause c : ShutdownCause.values()) {
            LastShutdown l = new LastShutdown(c, c == ShutdownCause.SIGNAL ? "SIGTERM" : null, T0, 3, "d");
            ServiceState s = new ServiceState("gateway", Intent.byDefault(IntentState.DOWN, T0), l);
            assertEquals(s, ServiceState.fromFileText(s.toFileText()), c.name());
        }
    }

    @Test
    void file_text_is_versioned_readable_json_with_the_wire_words() throws Exception {
        ServiceState s = new ServiceState("gateway", Intent.byUser(IntentState.DOWN, T0, 1000, null, "r"),
                new LastShutdown(ShutdownCause.SIGNAL, "SIGTERM", T0, null, null));
        String text = s.toFileText();
        assertTrue(text.endsWith("\n"));
        assertTrue(text.split("\n").length > 5, "indented over several lines for cat");
        Map<String, Object> m = Json.parseObject(text);
        assertEquals(1L, m.get("format"));
        assertEquals("gateway", m.get("service"));
        @SuppressWarnings("unchecked") Map<String, Object> intent = (Map<String, Object>) m.get("intent");
        assertEquals("down", intent.get("state"));
        assertEquals("user", intent.get("source"));
        assertEquals("2026-03-01T10:15:30.123456Z", intent.get("at"));
        assertEquals(1000L, intent.get("uid"));
        @SuppressWarnings("unchecked") Map<String, Object> last = (Map<String, Object>) m.get("lastShutdown");
        assertEquals("signal", last.get("cause"));
        assertEquals("SIGTERM", last.get("signal"));
    }

    @Test
    void bad_values_are_json_exceptions_naming_the_problem() {
        String good = new ServiceState("gateway", Intent.byDefault(IntentState.UP, T0), null).toFileText();
        JsonException e1 = assertThrows(JsonException.class,
                () -> ServiceState.fromFileText(good.replace("\"up\"", "\"sideways\"")));
        assertTrue(e1.getMessage().contains("sideways"), e1.getMessage());
        JsonException e2 = assertThrows(JsonException.class,
                () -> ServiceState.fromFileText(good.replace("\"format\": 1", "\"format\": 2")));
        assertTrue(e2.getMessage().contains("format version 2"), e2.getMessage());
        JsonException e3 = assertThrows(JsonException.class,
                () -> ServiceState.fromFileText(good.replace("2026-03-01T10:15:30.123456Z", "yesterday")));
        assertTrue(e3.getMessage().startsWith("intent:"), e3.getMessage());
        JsonException e4 = assertThrows(JsonException.class,
                () -> ServiceState.fromFileText("{\"format\":1,\"service\":\"gateway\"}"));
        assertTrue(e4.getMessage().contains("state.intent"), e4.getMessage());
    }

    @Test
    void run_record_round_trips_open_and_ended() throws Exception {
        RunRecord open = new RunRecord(77, T0, null, null, null);
        RunRecord back = RunRecord.fromFileText(open.toFileText());
        assertEquals(open, back);
        assertFalse(back.ended());

        RunRecord withGateway = open.withGateway(new GatewayRun(7325, "@400000006b09f7f20ec62266"));
        assertEquals(withGateway, RunRecord.fromFileText(withGateway.toFileText()));

        RunRecord ended = withGateway.endedBy("SIGTERM", T0.plusMillis(1500));
        RunRecord endedBack = RunRecord.fromFileText(ended.toFileText());
        assertEquals(ended, endedBack);
        assertTrue(endedBack.ended());
        assertEquals("SIGTERM", endedBack.endedBy());
        assertEquals(7325, endedBack.gateway().pid());
    }

    @Test
    void run_record_of_another_format_is_refused() {
        String text = new RunRecord(77, T0, null, null, null).toFileText().replace("\"format\": 1", "\"format\": 2");
        JsonException e = assertThrows(JsonException.class, () -> RunRecord.fromFileText(text));
        assertTrue(e.getMessage().contains("format version 2"), e.getMessage());
    }

    @Test
    void an_imported_intent_is_written_as_a_user_intent_an_older_warden_keeps_and_read_back_as_imported() throws Exception {
        ImportOrigin origin = new ImportOrigin("hermes", "/opt/data/gateway_state.json",
                new java.util.LinkedHashMap<>(Map.of("desired_state", "stopped")));
        Intent i = Intent.imported(IntentState.DOWN, T0, "imported from Hermes", origin);
        ServiceState s = new ServiceState("gateway", i, null);
        String text = s.toFileText();
        Map<String, Object> file = Json.parseObject(text);
        @SuppressWarnings("unchecked") Map<String, Object> intent = (Map<String, Object>) file.get("intent");
        assertEquals("user", intent.get("source"), "an older warden knows only default and user: " + text);
        assertTrue(text.contains("\"importedFrom\": {"), text);
        ServiceState back = ServiceState.fromFileText(text);
        assertEquals(s, back);
        assertEquals(IntentSource.IMPORTED, back.intent().source());
        assertEquals("imported", i.toJson().get("source"), "status and the journal say imported");

        // what an older warden reads: the members it knows, source user, intent down
        assertEquals("down", intent.get("state"));
        assertEquals(IntentSource.USER, IntentSource.fromWire((String) intent.get("source")));
    }
}
