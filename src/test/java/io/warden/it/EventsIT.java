package io.warden.it;

import io.warden.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What happens, seen as it happens, with real s6: {@code warden watch} gets each event in order and the end of its
 * stream after warden's stop event; a watcher that stops reading is dropped with a last line saying why while the
 * others go on; {@code warden metrics} passes {@code promtool check metrics} and its counters move with a crash and
 * a stop; the same text is served over HTTP; a boot on another image version is journaled as an upgrade.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class EventsIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path root;

    private S6Sandbox sandbox() throws IOException {
        // a short signal window: a crash is decided in 1 s
        return new S6Sandbox(Files.createDirectories(root.resolve("box"))).env("WARDEN_SIGNAL_WINDOW", "1");
    }

    /** A watcher over the raw socket: its answer line first, then one event per line. */
    private static RawClient watch(S6Sandbox box, String extra) throws IOException {
        RawClient w = new RawClient(box.socket());
        Map<String, Object> a = w.send("{\"v\":1,\"op\":\"watch\"" + extra + "}\n").answer();
        assertEquals(true, a.get("ok"), "watch: " + a);
        return w;
    }

    private static Map<String, Object> next(RawClient w) throws IOException {
        String line = w.readLine(WAIT);
        assertNotNull(line, "the stream ended early");
        return event(line);
    }

    /** Reads events until one named {@code event} (of {@code service}, when not null) arrives; returns them all. */
    private static List<Map<String, Object>> until(RawClient w, String event, String service) throws IOException {
        List<Map<String, Object>> seen = new ArrayList<>();
        while (true) {
            Map<String, Object> e = next(w);
            seen.add(e);
            if (event.equals(e.get("event")) && (service == null || service.equals(e.get("service")))) return seen;
        }
    }

    private static List<Object> names(List<Map<String, Object>> events) {
        List<Object> n = new ArrayList<>();
        for (Map<String, Object> e : events) n.add(e.get("event"));
        return n;
    }

    @Test
    void events_arrive_in_order_and_warden_s_stop_ends_every_stream() throws Exception {
        try (S6Sandbox box = sandbox().boot()) {
            long pid = box.awaitGatewayUp();
            Process cli = box.cliAsync("watch", "--json");
            RawClient w = watch(box, "");
            RawClient named = watch(box, ",\"service\":\"gateway\"");
            S6Sandbox.await("both watchers subscribed", WAIT, () -> metric(box, "warden_watchers") == 3);

            assertEquals(0, box.cli("stop", "--reason", "watch me").exit());
            List<Map<String, Object>> stop = until(w, "gateway-exit", "gateway");
            assertEquals("intent", stop.get(0).get("event"));
            assertEquals("watch me", stop.get(0).get("reason"));
            assertEquals("stop", stop.get(0).get("op"));
            assertEquals(pid, stop.get(stop.size() - 1).get("pid"));
            Map<String, Object> cause = next(w);
            assertEquals("shutdown", cause.get("event"));
            assertEquals("user", cause.get("cause"));
            assertEquals(false, cause.get("pending"));

            assertEquals(0, box.cli("start").exit());
            List<Map<String, Object>> start = until(w, "gateway-up", "gateway");
            assertEquals(List.of("intent", "gateway-up"), names(start));
            long second = (Long) start.get(1).get("pid");

            // a crash: the end is sent at once with its cause pending, and again once the window has passed
            S6Sandbox.signal(second, "KILL");
            List<Map<String, Object>> crash = until(w, "shutdown", "gateway");
            assertEquals(List.of("gateway-exit", "shutdown"), names(crash));
            assertEquals("SIGKILL", crash.get(0).get("signal"));
            assertEquals(true, crash.get(1).get("pending"));
            // s6 restarts the service meanwhile: its gateway-up may come before the decision
            List<Map<String, Object>> toDecision = until(w, "shutdown", "gateway");
            Map<String, Object> decided = toDecision.get(toDecision.size() - 1);
            for (Map<String, Object> between : toDecision.subList(0, toDecision.size() - 1)) {
                assertEquals("gateway-up", between.get("event"), "only the restart may come between: " + toDecision);
            }
            assertEquals(false, decided.get("pending"));
            assertEquals("crash", decided.get("cause"));

            // the filtered watcher saw the same, in the same order
            List<Map<String, Object>> all = until(named, "shutdown", "gateway");
            all.addAll(until(named, "shutdown", "gateway"));
            all.addAll(until(named, "shutdown", "gateway"));
            List<Object> seen = names(all);
            // the restart after the crash may come before or after the decided cause: not part of the order checked
            int crashed = seen.lastIndexOf("gateway-exit");
            List<Object> ordered = new ArrayList<>(seen.subList(0, crashed + 1));
            for (Object e : seen.subList(crashed + 1, seen.size())) if (!"gateway-up".equals(e)) ordered.add(e);
            assertEquals(List.of("intent", "gateway-exit", "shutdown", "intent", "gateway-up", "gateway-exit",
                    "shutdown", "shutdown"), ordered, "all: " + seen);

            box.awaitGatewayUp();
            box.containerStop(false);
            List<Map<String, Object>> end = until(w, "warden-stop", null);
            assertEquals("SIGTERM", end.get(end.size() - 1).get("signal"));
            assertNull(w.readLine(WAIT), "end of stream after warden's stop event");
            until(named, "warden-stop", null);
            assertNull(named.readLine(WAIT));

            assertTrue(cli.waitFor(20, TimeUnit.SECONDS), "warden watch ended with the stream");
            assertEquals(0, cli.exitValue(), "watch exits 0 when warden stopped");
            String printed = Files.readString(only(root.resolve("box"), ".out"));
            List<String> lines = printed.lines().toList();
            assertTrue(lines.size() >= 10, printed);
            assertEquals("warden-stop", event(lines.get(lines.size() - 1)).get("event"));
            w.close();
            named.close();
        }
    }

    @Test
    void a_watcher_that_stops_reading_is_dropped_with_a_last_line_and_the_others_go_on() throws Exception {
        try (S6Sandbox box = sandbox().boot()) {
            box.awaitGatewayUp();
            RawClient slow = watch(box, "");
            RawClient reader = watch(box, "");
            List<Map<String, Object>> read = new ArrayList<>();
            Thread reading = new Thread(() -> {
                try {
                    String line;
                    while ((line = reader.readLine(Duration.ofSeconds(60))) != null) {
                        synchronized (read) {
                            read.add(event(line));
                        }
                    }
                } catch (IOException e) {
                    // the connection closed under the reader at the end of the test
                }
            });
            reading.start();
            S6Sandbox.await("two watchers", WAIT, () -> metric(box, "warden_watchers") == 2);
            // intents back and forth as fast as warden takes them, until the slow watcher has been dropped
            int changes = 0;
            try (RawClient control = new RawClient(box.socket())) {
                while (metric(box, "warden_watchers") == 2) {
                    for (int i = 0; i < 20; i++, changes++) {
                        String op = changes % 2 == 0 ? "stop" : "start";
                        Map<String, Object> a = control.send("{\"v\":1,\"op\":\"" + op + "\"}\n").answer();
                        assertEquals(true, a.get("ok"), op + ": " + a);
                    }
                    assertTrue(changes < 20_000, "the slow watcher was never dropped");
                }
            }
            assertEquals(1, metric(box, "warden_watchers"), "the reading watcher is still subscribed");
            // the slow one reads now: what was held, a last line saying why, then the end of its stream
            Map<String, Object> last = null;
            int lines = 0;
            String line;
            while ((line = slow.readLine(WAIT)) != null) {
                last = event(line);
                lines++;
            }
            assertNotNull(last);
            assertEquals("watch-dropped", last.get("event"), "last line " + last);
            assertTrue(String.valueOf(last.get("reason")).contains("unread"), String.valueOf(last.get("reason")));
            assertTrue(lines > 100, "it got what it held first: " + lines + " lines");
            // the reader goes on: the next change reaches it
            assertEquals(0, box.cli("restart", "--reason", "after the drop").exit());
            S6Sandbox.await("the reader sees the restart", WAIT, () -> {
                synchronized (read) {
                    return read.stream().anyMatch(e -> "after the drop".equals(e.get("reason")));
                }
            });
            synchronized (read) {
                assertTrue(read.stream().noneMatch(e -> "watch-dropped".equals(e.get("event"))));
            }
            reader.close();
            slow.close();
            reading.join(10_000);
        }
    }

    @Test
    void metrics_pass_promtool_and_move_with_a_crash_and_a_stop_also_over_http() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        try (S6Sandbox box = sandbox().env("WARDEN_METRICS_LISTEN", "127.0.0.1:" + port)
                .env("WARDEN_IMAGE_VERSION", "test-1").boot()) {
            long pid = box.awaitGatewayUp();
            String first = metrics(box);
            promtool(first);
            assertEquals(1, value(first, "warden_service_intent_up{service=\"gateway\"}"));
            assertEquals(1, value(first, "warden_service_observed_up{service=\"gateway\"}"));
            assertEquals(0, value(first, "warden_service_ends_total{service=\"gateway\",cause=\"crash\"}"));
            assertEquals(0, value(first, "warden_service_ends_total{service=\"gateway\",cause=\"user\"}"));
            assertTrue(value(first, "warden_requests_total{op=\"status\",result=\"ok\"}") >= 1, first);
            assertTrue(first.contains("warden_info{version=\"" + jarVersion() + "\",image_version=\"test-1\"} 1"), first);
            assertTrue(value(first, "warden_journal_bytes") > 0);
            assertTrue(value(first, "warden_service_uptime_seconds{service=\"gateway\"}") >= 0);

            S6Sandbox.signal(pid, "KILL");
            S6Sandbox.await("the crash counted once decided", WAIT, () -> value(metricsQuietly(box),
                    "warden_service_ends_total{service=\"gateway\",cause=\"crash\"}") == 1);
            box.awaitGatewayUp();
            assertEquals(0, box.cli("stop").exit());
            String stopped = metrics(box);
            promtool(stopped);
            assertEquals(1, value(stopped, "warden_service_ends_total{service=\"gateway\",cause=\"user\"}"));
            assertEquals(1, value(stopped, "warden_service_ends_total{service=\"gateway\",cause=\"crash\"}"));
            assertEquals(0, value(stopped, "warden_service_intent_up{service=\"gateway\"}"));
            assertEquals(0, value(stopped, "warden_service_observed_up{service=\"gateway\"}"));
            assertTrue(!stopped.contains("warden_service_uptime_seconds{"), "no run, no uptime");
            assertEquals(1, value(stopped, "warden_requests_total{op=\"stop\",result=\"ok\"}"));

            // a request that does not parse is counted as refused
            try (RawClient bad = new RawClient(box.socket())) {
                bad.send("not json\n").answer();
            }
            assertEquals(1, value(metrics(box), "warden_requests_refused_total{reason=\"bad-request\"}"));

            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
            promtool(r.body());
            assertEquals(1, value(r.body(), "warden_service_ends_total{service=\"gateway\",cause=\"user\"}"));
            HttpResponse<String> other = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, other.statusCode());
        }
    }

    @Test
    void a_boot_on_another_image_version_is_journaled_as_an_upgrade_and_status_shows_both_versions() throws Exception {
        try (S6Sandbox box = sandbox().env("WARDEN_IMAGE_VERSION", "1.0").boot()) {
            box.awaitGatewayUp();
            box.containerStop(false);
            box.env("WARDEN_IMAGE_VERSION", "1.0");
            box.boot();
            box.awaitGatewayUp();
            assertTrue(upgrades(box).isEmpty(), "same versions: no upgrade");
            box.containerStop(false);
            box.env("WARDEN_IMAGE_VERSION", "2.0");
            box.boot();
            Map<String, Object> st = box.awaitStatus("up", WAIT, s -> "up".equals(s.get("observed")));
            Map<String, Object> w = S6Sandbox.object(st, "warden");
            assertEquals(jarVersion(), w.get("version"));
            assertEquals("2.0", w.get("imageVersion"));
            List<Map<String, Object>> up = upgrades(box);
            assertEquals(1, up.size(), "one upgrade: " + up);
            assertEquals("image from 1.0 to 2.0", up.get(0).get("detail"));
            assertNull(up.get(0).get("service"));
            assertTrue(box.cli("status").out().contains("image 2.0"), "human status names the versions");
        }
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private static String jarVersion() throws IOException {
        try (java.util.jar.JarFile j = new java.util.jar.JarFile(S6Sandbox.JAR.toFile())) {
            return j.getManifest().getMainAttributes().getValue("Implementation-Version");
        }
    }

    private static Map<String, Object> event(String line) {
        try {
            return Json.parseObject(line);
        } catch (io.warden.json.JsonException e) {
            throw new AssertionError("an event line that is not one JSON object: " + line, e);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> upgrades(S6Sandbox box) throws Exception {
        S6Sandbox.Cli c = box.cli("history", "--json", "-n", "1000");
        assertEquals(0, c.exit(), c.toString());
        List<Map<String, Object>> up = new ArrayList<>();
        for (Object o : (List<Object>) Json.parse(c.out().trim())) {
            Map<String, Object> r = (Map<String, Object>) o;
            if ("upgraded".equals(r.get("event"))) up.add(r);
        }
        return up;
    }

    private static Path only(Path dir, String suffix) throws IOException {
        try (var s = Files.list(dir)) {
            List<Path> found = s.filter(p -> p.getFileName().toString().startsWith("cli-")
                    && p.getFileName().toString().endsWith(suffix)).toList();
            assertEquals(1, found.size(), "one watch output: " + found);
            return found.get(0);
        }
    }

    private static String metrics(S6Sandbox box) throws Exception {
        S6Sandbox.Cli c = box.cli("metrics");
        assertEquals(0, c.exit(), "metrics: " + c);
        return c.out();
    }

    private static String metricsQuietly(S6Sandbox box) {
        try {
            return metrics(box);
        } catch (Exception | AssertionError e) {
            return "";
        }
    }

    private static double metric(S6Sandbox box, String name) {
        return value(metricsQuietly(box), name);
    }

    /** The value of one sample (its name with labels as written), or -1 when it is absent. */
    private static double value(String text, String sample) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(sample) + " (\\S+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    /** {@code promtool check metrics}: the format and Prometheus's naming conventions, as a scrape would meet them. */
    static void promtool(String text) throws Exception {
        String tool = Promtool.path();
        Process p = new ProcessBuilder(tool, "check", "metrics").redirectErrorStream(true).start();
        p.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "promtool hung");
        assertEquals(0, p.exitValue(), "promtool check metrics:\n" + out + "\non:\n" + text);
    }
}
