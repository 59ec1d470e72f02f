package io.warden.cli;

import io.warden.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** start|stop|restart against a scripted daemon: what they ask, in which order, and what they conclude. */
@Timeout(30)
class ControlCommandTest {
    @TempDir
    Path dir;

    private String out;
    private String err;

    private int run(Path socket, String... argv) {
        List<String> a = new ArrayList<>(List.of(argv));
        a.addAll(List.of("--socket", socket.toString(), "--state-dir", dir.toString()));
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = Main.run(a.toArray(new String[0]), new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8));
        out = o.toString(StandardCharsets.UTF_8);
        err = e.toString(StandardCharsets.UTF_8);
        return code;
    }

    private static String ok(Map<String, Object> result) {
        return Json.write(io.warden.api.Protocol.ok(result));
    }

    private static Map<String, Object> status(String observed, Long pid) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("service", "gateway");
        m.put("observed", observed);
        m.put("pid", pid);
        m.put("drift", false);
        return m;
    }

    private static String event(String name, Long pid) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("at", "2026-03-01T10:15:30Z");
        m.put("event", name);
        m.put("service", "gateway");
        m.put("pid", pid);
        return Json.write(m);
    }

    private static Map<String, Object> applied(Long previousPid) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("intent", Map.of("state", "down"));
        r.put("previousPid", previousPid);
        r.put("applied", true);
        r.put("message", "ok");
        return r;
    }

    /**
     * Answers each connection's first line by its op: {@code watch} with {@code watchAnswer} (the connection is
     * kept as a watcher), {@code status} with the status given, any other op with {@code control}, after which the
     * watchers get {@code events}. Records the ops in the order they came.
     */
    private static final class ScriptedDaemon implements AutoCloseable {
        final Path socket;
        final ServerSocketChannel server;
        final List<String> ops = Collections.synchronizedList(new ArrayList<>());
        final List<SocketChannel> watchers = Collections.synchronizedList(new ArrayList<>());
        /** The status answers in turn; the last one stays. */
        final java.util.concurrent.LinkedBlockingDeque<Map<String, Object>> statuses =
                new java.util.concurrent.LinkedBlockingDeque<>();

        ScriptedDaemon(Path socket, String watchAnswer, String control, Map<String, Object> status,
                       Function<ScriptedDaemon, List<String>> events) throws IOException {
            this.socket = socket;
            this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            statuses.add(status);
            Thread t = new Thread(() -> {
                while (true) {
                    try {
                        SocketChannel c = server.accept();
                        String op = String.valueOf(Json.parseObject(readLine(c)).get("op"));
                        ops.add(op);
                        if (op.equals("watch")) {
                            write(c, watchAnswer);
                            watchers.add(c);
                            continue;
                        }
                        write(c, op.equals("status")
                                ? ok(statuses.size() > 1 ? statuses.poll() : statuses.peek()) : control);
                        c.close();
                        if (!op.equals("status")) {
                            for (String e : events.apply(this)) for (SocketChannel w : watchers) write(w, e);
                        }
                    } catch (IOException | io.warden.json.JsonException | RuntimeException e) {
                        return; // closed by the test
                    }
                }
            });
            t.setDaemon(true);
            t.start();
        }

        /** Ends every stream and goes away, socket file and all: a daemon that stopped. */
        void vanish() throws IOException {
            server.close();
            Files.deleteIfExists(socket);
            for (SocketChannel w : watchers) w.close();
        }

        private static String readLine(SocketChannel c) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(8192);
            while (c.read(b) > 0 && b.get(b.position() - 1) != '\n') {
                // the request line through
            }
            return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).trim();
        }

        private static void write(SocketChannel c, String line) throws IOException {
            c.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (SocketChannel w : watchers) w.close();
        }
    }

    private static final String WATCHING = ok(new LinkedHashMap<>(Map.of("watching", "all")));

    @Test
    void stop_subscribes_before_it_asks_and_ends_once_the_finish_script_is_over() throws IOException {
        try (ScriptedDaemon d = new ScriptedDaemon(dir.resolve("d.sock"), WATCHING, ok(applied(7L)),
                status("up", 7L), x -> List.of(event("intent", null), event("gateway-exit", 7L)))) {
            // the run's end, then s6 runs the finish script (stopping, no pid), then down: no event for the last
            d.statuses.add(status("stopping", null));
            d.statuses.add(status("down", null));
            long t0 = System.nanoTime();
            assertEquals(ExitCode.OK, run(d.socket, "stop", "--timeout", "10"), err);
            double took = (System.nanoTime() - t0) / 1e9;
            assertEquals("gateway is down; intent down recorded\n", out);
            assertEquals(List.of("watch", "stop", "status", "status", "status"), d.ops);
            assertTrue(took < 5, "no waiting past the event: " + took + " s");
        }
    }

    @Test
    void start_counts_a_run_once_it_has_lasted_a_second() throws IOException {
        try (ScriptedDaemon d = new ScriptedDaemon(dir.resolve("d.sock"), WATCHING, ok(applied(null)),
                status("starting", null), x -> List.of(event("gateway-up", 9L)))) {
            long t0 = System.nanoTime();
            assertEquals(ExitCode.OK, run(d.socket, "start", "--timeout", "10"), err);
            double took = (System.nanoTime() - t0) / 1e9;
            assertEquals("gateway is up (pid 9); intent up recorded\n", out);
            assertTrue(took >= 1.0, "the settle second: " + took + " s");
        }
    }

    @Test
    void a_refused_subscription_sends_nothing_and_says_why() throws IOException {
        String busy = Json.write(io.warden.api.Protocol.error(io.warden.api.ErrorCode.BUSY,
                "too many watchers (256, of which 32 are kept for root and the control group); try again"));
        try (ScriptedDaemon d = new ScriptedDaemon(dir.resolve("d.sock"), busy, ok(applied(7L)),
                status("up", 7L), x -> List.of())) {
            assertEquals(ExitCode.UNREACHABLE, run(d.socket, "stop", "--timeout", "10"));
            assertTrue(err.contains("too many watchers") && err.contains("nothing was changed"), err);
            assertEquals(List.of("watch"), d.ops, "the request was never sent");
        }
    }

    @Test
    void a_daemon_gone_while_waiting_is_a_lost_daemon_with_the_intent_recorded() throws IOException {
        try (ScriptedDaemon d = new ScriptedDaemon(dir.resolve("d.sock"), WATCHING, ok(applied(7L)),
                status("up", 7L), x -> {
                    try {
                        x.vanish();
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                    return List.of();
                })) {
            assertEquals(ExitCode.NOT_CONVERGED, run(d.socket, "stop", "--timeout", "10"), err);
            assertTrue(err.contains("lost the daemon while waiting") && err.contains("The intent down is recorded"),
                    err);
            assertFalse(out.contains("is down"), out);
        }
    }

    @Test
    void the_deadline_says_what_was_last_known() throws IOException {
        try (ScriptedDaemon d = new ScriptedDaemon(dir.resolve("d.sock"), WATCHING, ok(applied(7L)),
                status("up", 7L), x -> List.of(event("intent", null)))) {
            long t0 = System.nanoTime();
            assertEquals(ExitCode.NOT_CONVERGED, run(d.socket, "stop", "--timeout", "1"), err);
            double took = (System.nanoTime() - t0) / 1e9;
            assertTrue(err.contains("did not reach 'down' within 1 s (observed: up)") && err.contains("s6 is still at it"),
                    err);
            assertTrue(took < 2.5, "--timeout bounds the wait: " + took + " s");
        }
    }
}
