package io.warden.cli;

import io.warden.json.Json;
import io.warden.state.Intent;
import io.warden.state.IntentState;
import io.warden.state.LastShutdown;
import io.warden.state.ServiceState;
import io.warden.state.ShutdownCause;
import io.warden.state.StateStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
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

    // ---- every command's --help (issue 9, item 12)

    @Test
    void every_command_prints_its_own_usage_on_help() {
        for (String cmd : new String[] {"daemon", "status", "check", "start", "stop", "restart", "history"}) {
            for (String h : new String[] {"--help", "-h"}) {
                assertEquals(0, run(cmd, h), cmd + " " + h + ": " + err);
                assertTrue(out.startsWith("usage: warden " + cmd), cmd + " " + h + ": " + out);
                assertEquals("", err, cmd + " " + h);
            }
        }
        assertEquals(0, run("status", "--json", "--help"));
        assertTrue(out.startsWith("usage: warden status"), out);
        assertEquals(0, run("start", "--help"));
        assertTrue(out.contains("--timeout") && out.contains("exit 9"), out);
    }

    @Test
    void a_help_flag_as_a_value_is_a_value() throws IOException {
        saveState();
        assertEquals(4, run(offline("stop", "--reason", "-h")), "a reason of '-h' is sent, not a help request");
        assertTrue(err.contains("nothing was changed"), err);
    }

    // ---- control characters in user text (issue 9, item 5)

    /** ESC sequences (title, clear screen), BEL, CR and LF (a forged line), NUL, a C1 CSI and DEL. */
    private static final String HOSTILE =
            "maint\u001b]0;owned\u0007\u001b[2J\rforged line\nuid 0 stopped it\u0000\u009b31m\u007f";

    private static void assertNoControlCharacter(String printed) {
        for (int i = 0; i < printed.length(); i++) {
            char c = printed.charAt(i);
            boolean control = c < 0x20 || (c >= 0x7f && c <= 0x9f);
            if (control && c != '\n') {
                throw new AssertionError(String.format("raw U+%04X at %d in: %s", (int) c, i,
                        io.warden.text.PrintableText.escape(printed)));
            }
        }
    }

    @Test
    void a_reason_with_a_control_character_is_a_usage_error_of_one_line_and_changes_nothing() throws IOException {
        saveState();
        byte[] before = Files.readAllBytes(stateDir.resolve("gateway.json"));
        for (char c : new char[] {0x1b, 0x07, '\r', '\n', 0, 0x1f, 0x7f, 0x85, 0x9b}) {
            for (String op : new String[] {"start", "stop", "restart"}) {
                String reason = "disk" + c + "full";
                assertEquals(2, run(offline(op, "--reason", reason)), op + String.format(" U+%04X: ", (int) c) + err);
                assertEquals(1, err.split("\n", -1).length - 1, "exactly one line: " + err);
                assertTrue(err.contains("--reason must be printable text") && err.contains(String.format("U+%04X", (int) c))
                        && err.contains("character 5"), err);
                assertNoControlCharacter(err);
                assertEquals("", out);
            }
        }
        assertEquals(new String(before, StandardCharsets.UTF_8), Files.readString(stateDir.resolve("gateway.json")));
        assertEquals(4, run(offline("stop", "--reason", "disk full: caf\u00e9, \u65e5\u672c, tabs no")),
                "printable text, accents and CJK included, is accepted (and then finds no daemon)");
    }

    private void saveHostileState() throws IOException {
        StateStore store = new StateStore(stateDir, "gateway");
        store.saveService(new ServiceState("gateway", Intent.byUser(IntentState.DOWN, T0, 1000, 4242L, HOSTILE),
                new LastShutdown(ShutdownCause.USER, null, T0, 0, HOSTILE)));
        for (int i = 0; i < 3; i++) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("at", "2026-03-01T10:15:3" + i + "Z");
            r.put("event", "intent");
            r.put("reason", HOSTILE);
            store.appendJournal(r);
        }
    }

    @Test
    void stored_control_characters_are_escaped_by_status_and_history_reading_the_volume() throws Exception {
        saveHostileState();
        assertEquals(4, run(offline("status")));
        assertNoControlCharacter(out);
        assertNoControlCharacter(err);
        assertTrue(out.contains("maint\\u001b]0;owned\\u0007\\u001b[2J\\u000dforged line\\u000auid 0"), out);
        assertTrue(out.contains("\\u0000\\u009b31m\\u007f"), out);
        assertEquals(3, out.split("\n").length, "no forged line: " + out);

        assertEquals(4, run(offline("status", "--json")));
        assertNoControlCharacter(out);
        Map<String, Object> j = Json.parseObject(out.trim());
        assertEquals(HOSTILE, ((Map<?, ?>) j.get("intent")).get("reason"), "the JSON still carries the exact text");

        assertEquals(0, run(offline("history")));
        assertNoControlCharacter(out);
        assertEquals(3, out.split("\n").length, "one line per record, none forged: " + out);
        assertTrue(out.contains("reason=maint\\u001b]0;owned"), out);

        assertEquals(0, run(offline("history", "--json")));
        assertNoControlCharacter(out);
        List<?> records = (List<?>) Json.parse(out.trim());
        assertEquals(HOSTILE, ((Map<?, ?>) records.get(2)).get("reason"));
    }

    @Test
    void stored_control_characters_are_escaped_by_status_through_the_daemon() throws Exception {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("service", "gateway");
        status.put("desired", "down");
        status.put("observed", "down");
        status.put("pid", null);
        status.put("intent", Intent.byUser(IntentState.DOWN, T0, 1000, 4242L, HOSTILE).toJson());
        status.put("lastShutdown", new LastShutdown(ShutdownCause.USER, null, T0, 0, HOSTILE).toJson());
        status.put("supervisor", "s6");
        status.put("healthy", true);
        status.put("degraded", List.of("problem " + HOSTILE));
        String answer = Json.write(io.warden.api.Protocol.ok(status));
        try (FakeDaemon d = FakeDaemon.answering(stateDir.resolve("d.sock"), answer)) {
            assertEquals(3, run("status", "--socket", d.socket.toString(), "--state-dir", stateDir.toString()));
            assertNoControlCharacter(out);
            assertEquals(5, out.split("\n").length, "no forged line: " + out);
            assertTrue(out.contains("(maint\\u001b]0;owned"), out);
            assertTrue(out.contains("DEGRADED: problem maint\\u001b"), out);
        }
    }

    // ---- --timeout bounds the whole command, and the words say what is known (issue 9, item 10)

    /**
     * A socket that is bound and listening but never accepts: what a SIGSTOPped daemon looks like to a client
     * (the kernel queues the connection and the request; nobody reads them).
     */
    static final class FakeDaemon implements AutoCloseable {
        final Path socket;
        final ServerSocketChannel server;
        final Thread thread;

        private FakeDaemon(Path socket, ServerSocketChannel server, Thread thread) {
            this.socket = socket;
            this.server = server;
            this.thread = thread;
        }

        static FakeDaemon silent(Path socket) throws IOException {
            return silent(socket, 64);
        }

        static FakeDaemon silent(Path socket, int backlog) throws IOException {
            ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            s.bind(UnixDomainSocketAddress.of(socket), backlog);
            return new FakeDaemon(socket, s, null);
        }

        /** Accepts connections and answers each first line with {@code answer}, or closes at once when null. */
        static FakeDaemon answering(Path socket, String answer) throws IOException {
            ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            s.bind(UnixDomainSocketAddress.of(socket));
            Thread t = new Thread(() -> {
                while (true) {
                    try (SocketChannel c = s.accept()) {
                        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8192);
                        while (c.read(b) > 0 && b.get(b.position() - 1) != '\n') {
                            // read the request line through
                        }
                        if (answer != null) c.write(java.nio.ByteBuffer.wrap((answer + "\n").getBytes(StandardCharsets.UTF_8)));
                    } catch (IOException e) {
                        return; // closed by the test
                    }
                }
            });
            t.setDaemon(true);
            t.start();
            return new FakeDaemon(socket, s, t);
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    private String[] at(Path socket, String... argv) {
        List<String> a = new ArrayList<>(List.of(argv));
        a.addAll(List.of("--socket", socket.toString(), "--state-dir", stateDir.toString()));
        return a.toArray(new String[0]);
    }

    @Test
    void a_request_sent_without_answer_is_an_unknown_outcome_within_the_timeout() throws IOException {
        try (FakeDaemon d = FakeDaemon.silent(stateDir.resolve("stopped.sock"))) {
            for (String op : new String[] {"start", "stop", "restart"}) {
                long t0 = System.nanoTime();
                int code = run(at(d.socket, op, "--timeout", "1", "--reason", "maintenance"));
                double took = (System.nanoTime() - t0) / 1e9;
                System.out.printf("CLI | %s --timeout 1 against a daemon that does not answer: %.2f s, exit %d%n",
                        op, took, code);
                assertEquals(ExitCode.OUTCOME_UNKNOWN, code, err);
                assertTrue(took < 2.5, "--timeout 1 bounds the whole command, took " + took + " s");
                assertTrue(err.contains("the request was sent but no answer came within 1 s")
                        && err.contains("it may still be carried out") && err.contains("warden status"), err);
                assertFalse(err.contains("nothing was changed"), err);
            }
        }
    }

    @Test
    void a_connection_closed_after_the_request_is_an_unknown_outcome() throws IOException {
        try (FakeDaemon d = FakeDaemon.answering(stateDir.resolve("dies.sock"), null)) {
            assertEquals(ExitCode.OUTCOME_UNKNOWN, run(at(d.socket, "stop", "--timeout", "5")), err);
            assertTrue(err.contains("closed the connection without an answer") && err.contains("may still be carried out"),
                    err);
            assertFalse(err.contains("nothing was changed"), err);
        }
    }

    @Test
    void a_full_accept_queue_means_nothing_was_sent_and_ends_at_the_timeout() throws IOException {
        try (FakeDaemon d = FakeDaemon.silent(stateDir.resolve("full.sock"), 1)) {
            List<SocketChannel> filling = new ArrayList<>();
            try {
                // fill the listen queue: a non-blocking connect fails (EAGAIN) once it is full
                IOException full = null;
                for (int i = 0; i < 1000 && full == null; i++) {
                    SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
                    filling.add(c);
                    c.configureBlocking(false);
                    try {
                        c.connect(UnixDomainSocketAddress.of(d.socket));
                    } catch (IOException e) {
                        full = e;
                    }
                }
                assertNotNull(full, "the listen queue never filled");
                long t0 = System.nanoTime();
                int code = run(at(d.socket, "stop", "--timeout", "1"));
                double took = (System.nanoTime() - t0) / 1e9;
                assertEquals(ExitCode.UNREACHABLE, code, err);
                assertTrue(took < 2.5, "a blocking connect would wait for room; took " + took + " s");
                assertTrue(err.contains("did not accept the connection within 1 s") && err.contains("nothing was changed"),
                        err);
            } finally {
                for (SocketChannel c : filling) c.close();
            }
        }
    }

    @Test
    void status_check_and_history_against_a_daemon_that_does_not_answer_end_at_their_timeout_and_say_so()
            throws Exception {
        saveState();
        try (FakeDaemon d = FakeDaemon.silent(stateDir.resolve("stopped.sock"))) {
            long t0 = System.nanoTime();
            assertEquals(ExitCode.UNREACHABLE, run(at(d.socket, "status", "--timeout", "1")));
            assertTrue((System.nanoTime() - t0) / 1e9 < 2.5);
            assertTrue(err.contains("warden daemon does not answer") && err.contains("no answer within 1 s"), err);
            assertFalse(err.contains("not running"), "it is running, it does not answer: " + err);
            assertTrue(out.contains("intent: down, set by user uid 1000"), "the recorded intent is shown: " + out);

            assertEquals(ExitCode.UNREACHABLE, run(at(d.socket, "status", "--json", "--timeout", "1")));
            Map<String, Object> j = Json.parseObject(out.trim());
            Map<?, ?> w = (Map<?, ?>) j.get("warden");
            assertTrue(w.containsKey("running") && w.get("running") == null, "running is unknown: " + out);

            t0 = System.nanoTime();
            assertEquals(ExitCode.UNREACHABLE, run(at(d.socket, "check", "--timeout", "1")));
            assertTrue((System.nanoTime() - t0) / 1e9 < 2.5);
            assertTrue(err.contains("unhealthy: warden daemon does not answer"), err);

            assertEquals(ExitCode.OK, run(at(d.socket, "history", "--timeout", "1")));
            assertTrue(err.contains("does not answer") && err.contains("reading the journal"), err);
        }
    }

    @Test
    void check_has_a_bounded_default_below_the_healthcheck_timeout() throws IOException {
        try (FakeDaemon d = FakeDaemon.silent(stateDir.resolve("stopped.sock"))) {
            long t0 = System.nanoTime();
            assertEquals(ExitCode.UNREACHABLE, run(at(d.socket, "check")));
            double took = (System.nanoTime() - t0) / 1e9;
            System.out.printf("CLI | check (default timeout) against a daemon that does not answer: %.2f s%n", took);
            assertTrue(took >= 2.5 && took < 4.5, "the image's HEALTHCHECK kills at 5 s; took " + took + " s");
            assertTrue(err.contains("no answer within 3 s"), err);
        }
    }

    @Test
    void a_refused_connection_is_certain_nothing_was_changed() throws IOException {
        Path stale = stateDir.resolve("stale.sock");
        FakeDaemon.silent(stale).close(); // a socket file nobody listens on: a killed daemon's leftover
        assertTrue(Files.exists(stale));
        assertEquals(ExitCode.UNREACHABLE, run(at(stale, "start", "--timeout", "5")));
        assertTrue(err.contains("not running") && err.contains("nothing was changed"), err);
    }
}
