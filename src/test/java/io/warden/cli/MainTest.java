package io.warden.cli;

import io.warden.json.Json;
import io.warden.state.Intent;
import io.warden.state.IntentState;
import io.warden.state.LastShutdown;
import io.warden.state.ServiceState;
import io.warden.state.ShutdownCause;
import io.warden.state.StateStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {
    @TempDir
    Path stateDir;

    private String out;
    private String err;

    private int run(String... argv) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = Main.run(argv, new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8));
        out = o.toString(StandardCharsets.UTF_8);
        err = e.toString(StandardCharsets.UTF_8);
        return code;
    }

    /** Flags that keep a command away from the real /run and /var/lib. */
    private String[] offline(String... argv) {
        List<String> a = new ArrayList<>(List.of(argv));
        a.addAll(List.of("--socket", stateDir.resolve("no-daemon.sock").toString(), "--state-dir", stateDir.toString()));
        return a.toArray(new String[0]);
    }

    private static final Instant T0 = Instant.parse("2026-03-01T10:15:30Z");

    private void saveState() throws IOException {
        new StateStore(stateDir, "gateway").saveService(new ServiceState("gateway",
                Intent.byUser(IntentState.DOWN, T0, 1000, 4242L, "maintenance"),
                new LastShutdown(ShutdownCause.USER, null, T0, 0, "stopped by uid 1000")));
    }

    @Test
    void no_command_is_a_usage_error() {
        assertEquals(2, run());
        assertTrue(err.contains("usage: warden"), err);
    }

    @Test
    void unknown_command() {
        assertEquals(2, run("reboot"));
        assertTrue(err.contains("unknown command 'reboot'"), err);
        assertTrue(err.contains("usage: warden"), err);
        assertEquals("", out);
    }

    @Test
    void unknown_option() {
        assertEquals(2, run("status", "--force"));
        assertTrue(err.contains("unknown option '--force'"), err);
        assertEquals(2, run("stop", "--json"));
    }

    @Test
    void bad_timeout() {
        assertEquals(2, run(offline("stop", "--timeout", "abc")));
        assertTrue(err.contains("--timeout") && err.contains("'abc'"), err);
        assertEquals(2, run(offline("restart", "--timeout", "-3")));
    }

    @Test
    void bad_count() {
        assertEquals(2, run(offline("history", "-n", "many")));
        assertTrue(err.contains("-n"), err);
    }

    @Test
    void bad_configuration_flag_is_a_usage_error_naming_it() {
        assertEquals(2, run(offline("status", "--default-intent", "sideways")));
        assertTrue(err.contains("WARDEN_DEFAULT_INTENT"), err);
    }

    @Test
    void help_prints_usage_on_stdout() {
        for (String h : new String[] {"help", "--help", "-h"}) {
            assertEquals(0, run(h), h);
            assertTrue(out.contains("usage: warden"), out);
            assertTrue(out.contains("status") && out.contains("history"), out);
            assertEquals("", err);
        }
    }

    @Test
    void status_without_daemon_and_without_state_says_so() {
        assertEquals(4, run(offline("status")));
        assertTrue(err.contains("warden daemon is not running"), err);
        assertTrue(out.contains("no recorded intent"), out);
    }

    @Test
    void status_without_daemon_shows_the_recorded_intent() throws IOException {
        saveState();
        assertEquals(4, run(offline("status")));
        assertTrue(err.contains("warden daemon is not running"), err);
        assertTrue(out.contains("unknown (desired down"), out);
        assertTrue(out.contains("intent: down, set by user uid 1000"), out);
        assertTrue(out.contains("last shutdown: user"), out);
    }

    @Test
    @SuppressWarnings("unchecked")
    void status_json_without_daemon_is_one_document_with_the_recorded_intent() throws Exception {
        saveState();
        assertEquals(4, run(offline("status", "--json")));
        Map<String, Object> j = Json.parseObject(out.trim());
        assertEquals("gateway", j.get("service"));
        assertEquals("down", j.get("desired"));
        assertEquals("unknown", j.get("observed"));
        assertTrue(j.containsKey("pid") && j.get("pid") == null);
        Map<String, Object> intent = (Map<String, Object>) j.get("intent");
        assertEquals("down", intent.get("state"));
        assertEquals("user", intent.get("source"));
        assertEquals(1000L, intent.get("uid"));
        assertEquals("maintenance", intent.get("reason"));
        assertEquals("user", ((Map<String, Object>) j.get("lastShutdown")).get("cause"));
    }

    @Test
    void status_without_daemon_never_changes_a_damaged_state_file() throws IOException {
        Path file = stateDir.resolve("gateway.json");
        Files.writeString(file, "{\"format\": 1, \"serv");
        assertEquals(4, run(offline("status")));
        assertTrue(out.contains("gateway.json"), out);
        assertEquals("{\"format\": 1, \"serv", Files.readString(file));
        try (Stream<Path> s = Files.list(stateDir)) {
            assertEquals(1, s.count(), "nothing kept aside or created by the command line");
        }
    }

    @Test
    void check_without_daemon_is_unreachable() {
        assertEquals(4, run(offline("check")));
        assertTrue(err.contains("unhealthy") && err.contains("not running"), err);
    }

    @Test
    void stop_without_daemon_changes_nothing() throws IOException {
        saveState();
        byte[] before = Files.readAllBytes(stateDir.resolve("gateway.json"));
        assertEquals(4, run(offline("start", "--reason", "try")));
        assertTrue(err.contains("nothing was changed"), err);
        assertEquals(new String(before, StandardCharsets.UTF_8), Files.readString(stateDir.resolve("gateway.json")));
    }

    @Test
    @SuppressWarnings("unchecked")
    void history_without_daemon_reads_the_journal_from_the_volume() throws Exception {
        StateStore store = new StateStore(stateDir, "gateway");
        for (int i = 0; i < 5; i++) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("at", "2026-03-01T10:15:3" + i + "Z");
            r.put("event", "event-" + i);
            store.appendJournal(r);
        }
        assertEquals(0, run(offline("history", "--json", "-n", "3")));
        List<Object> records = (List<Object>) Json.parse(out.trim());
        assertEquals(3, records.size());
        assertEquals("event-2", ((Map<String, Object>) records.get(0)).get("event"));
        assertEquals("event-4", ((Map<String, Object>) records.get(2)).get("event"));

        assertEquals(0, run(offline("history")));
        String[] lines = out.strip().split("\n");
        assertEquals(5, lines.length, out);
        assertTrue(lines[4].contains("event-4"), "newest last: " + out);
        assertFalse(lines[0].contains("event-4"));
    }
}
