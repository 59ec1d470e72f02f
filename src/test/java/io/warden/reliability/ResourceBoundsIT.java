package io.warden.reliability;

import io.warden.it.RawClient;
import io.warden.it.S6Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A bound for every resource a local user (a remote one, for the metrics listener bound to all addresses) can make
 * the daemon hold, against the real daemon under the image's launcher ({@code -Xmx32m}, exit on out of memory):
 * unread {@code metrics} answers with a few hundred services, the listener's connections and a silent client on
 * it, a loop of refused requests against the log, and watcher slots against root's own {@code watch}. Attackers
 * run as uids with no privilege ({@code setpriv}), from {@code src/test/resources/it/flood.pl}.
 *
 * <p>Reproduce: {@code mvn -B -o verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=ResourceBoundsIT}.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ResourceBoundsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Unprivileged uids without a user database entry: each a local user of its own. */
    private static final int FIRST_UID = 60_001;

    @TempDir
    Path tmp;
    S6Sandbox box;
    private final List<Process> attackers = new ArrayList<>();

    @BeforeEach
    void reachable() throws IOException {
        // the attackers are other uids: they must be able to reach the socket and the script
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Process p : attackers) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
        }
        if (box != null) box.close();
    }

    // ---- metrics over the socket ------------------------------------------------------------------------------

    private static final int SERVICES = 300;
    private static final int METRICS_UIDS = 4;

    /**
     * 300 services and four users with 64 connections each asking {@code metrics} and never reading (asking again
     * when closed): the daemon must live within its 32 MiB heap, and root's {@code check}, {@code metrics} and
     * {@code stop} must be answered during the flood.
     */
    @Test
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void unreadMetricsAnswersWithManyServicesStayWithinTheHeap() throws Exception {
        Path templates = Files.createDirectories(tmp.resolve("templates"));
        template(templates.resolve("gateway"), false);
        for (int i = 0; i < SERVICES; i++) {
            template(templates.resolve(String.format("service-%03d-of-a-fleet-with-names-of-a-realistic-length", i)),
                    true);
        }
        box = new S6Sandbox(Files.createDirectories(tmp.resolve("box"))).env("WARDEN_TEMPLATE", "")
                .env("WARDEN_TEMPLATES", templates.toString()).readyWithin(Duration.ofSeconds(120)).boot();
        RawClient.awaitObserved(box.socket(), "up", WAIT);
        // s6-svscan starts 301 supervisors at its own pace: the flood begins once every service is settled
        S6Sandbox.await("every service settled (check exits 0)", Duration.ofSeconds(180), () -> {
            try {
                return box.cli("check").exit() == 0;
            } catch (IOException | InterruptedException e) {
                return false;
            }
        });
        long pid = box.warden().pid();
        String bootRss = peakRss(pid);
        int renderingBytes = metrics().length();

        for (int u = 0; u < METRICS_UIDS; u++) attacker(FIRST_UID + u, "metrics", 64);
        // every attacking connection answered twice over (a condition of the daemon's own counters), or a dead daemon
        S6Sandbox.await("the metrics flood answered twice over", WAIT,
                () -> !box.warden().isAlive() || metricsAnswers() >= 2L * METRICS_UIDS * 64);
        assertTrue(box.warden().isAlive(), "the daemon survived the flood: " + tail(box.log()));
        S6Sandbox.Cli check = box.cli("check");
        assertEquals(0, check.exit(), "root's check during the flood: " + check);
        String during = metrics();
        assertTrue(during.contains("service-299-of-a-fleet"), "root's metrics during the flood is whole");
        S6Sandbox.Cli stop = box.cli("stop", "--timeout", "30");
        assertEquals(0, stop.exit(), "root's stop during the flood: " + stop);
        String hwm = peakRss(pid);
        S6Sandbox.signal(pid, "TERM");
        assertTrue(box.warden().waitFor(30, TimeUnit.SECONDS), "the daemon ended");
        assertEquals(0, box.warden().exitValue(), "a clean stop, not an OutOfMemoryError: " + tail(box.log()));
        Figures.print("hostile users: metrics flood (round 3)",
                SERVICES + 1 + " services (rendering " + renderingBytes / 1024 + " KiB); " + METRICS_UIDS
                        + " uids x 64 connections asking metrics, never reading; -Xmx32m, exit on OOM",
                "daemon alive; root's check, metrics and stop exit 0 during the flood; peak RSS (VmHWM) " + hwm + " ("
                        + bootRss + " before the flood); SIGTERM: exit 0");
    }

    private String metrics() throws IOException, InterruptedException {
        S6Sandbox.Cli c = box.cli("metrics");
        assertEquals(0, c.exit(), "root's metrics: " + c);
        return c.out();
    }

    /** How many metrics requests the daemon has answered (any result), from its own counters. */
    private long metricsAnswers() {
        try {
            long n = 0;
            for (String line : box.cli("metrics").out().split("\n")) {
                if (line.startsWith("warden_requests_total{op=\"metrics\"")) {
                    n += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return n;
        } catch (IOException | InterruptedException | NumberFormatException e) {
            return 0;
        }
    }

    private static void template(Path dir, boolean down) throws IOException {
        Files.createDirectories(dir);
        for (String f : new String[] {"run", "finish"}) {
            try (InputStream in = ResourceBoundsIT.class.getClassLoader().getResourceAsStream("it/gateway-" + f)) {
                Files.copy(in, dir.resolve(f));
            }
            Files.setPosixFilePermissions(dir.resolve(f), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        if (down) Files.createFile(dir.resolve("down"));
    }

    // ---- the metrics listener ---------------------------------------------------------------------------------

    private int listen() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private static HttpResponse<String> scrape(int port, Duration timeout) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).build();
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(timeout)
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A client that sends one byte and waits: every other scrape is answered, and warden closes it in time. */
    @Test
    void aSilentClientOnTheMetricsListenerHoldsUpNoScrape() throws Exception {
        int port = listen();
        box = new S6Sandbox(tmp).env("WARDEN_METRICS_LISTEN", "127.0.0.1:" + port).boot();
        box.awaitGatewayUp();
        try (Socket silent = new Socket("127.0.0.1", port)) {
            silent.getOutputStream().write('G');
            silent.getOutputStream().flush();
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = scrape(port, Duration.ofSeconds(4));
                assertEquals(200, r.statusCode());
                assertTrue(r.body().contains("warden_service_observed_up{service=\"gateway\"} 1"), r.body());
            }
            // warden ends the silent client's connection at its deadline instead of holding it for ever
            silent.setSoTimeout(30_000);
            assertEquals(-1, silent.getInputStream().read(), "closed by warden without an answer");
        }
        Figures.print("metrics listener: one silent client (round 3)", "1 connection sending one byte, then nothing",
                "3 scrapes answered 200 meanwhile, each within 4 s; the silent connection closed by warden");
    }

    /**
     * 2,000 connections to the listener, held open, against a daemon allowed 512 descriptors: the daemon holds no
     * more than its bound of them, and root's {@code status}, {@code stop} and {@code start} go on working.
     */
    @Test
    void aConnectionFloodOnTheMetricsListenerCostsTheDaemonNoDescriptors() throws Exception {
        int port = listen();
        box = new S6Sandbox(tmp).env("WARDEN_METRICS_LISTEN", "127.0.0.1:" + port).boot();
        box.awaitGatewayUp();
        long pid = box.warden().pid();
        S6Sandbox.Cli limit = S6Sandbox.run("prlimit", "--pid", Long.toString(pid), "--nofile=512:512");
        assertEquals(0, limit.exit(), limit.toString());
        int before = descriptors(pid);
        List<Socket> flood = new ArrayList<>();
        int connected = 0;
        int most = before;
        try {
            for (int i = 0; i < 2000; i++) {
                Socket s = new Socket();
                flood.add(s);
                try {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                    connected++;
                } catch (IOException e) {
                    // a full accept queue: the kernel's, not warden's
                }
                if (i % 100 == 0) most = Math.max(most, descriptors(pid));
            }
            most = Math.max(most, descriptors(pid));
            S6Sandbox.Cli status = box.cli("status");
            assertEquals(0, status.exit(), "root's status during the flood: " + status);
            S6Sandbox.Cli stop = box.cli("stop", "--timeout", "20");
            assertEquals(0, stop.exit(), "root's stop during the flood: " + stop);
            S6Sandbox.Cli start = box.cli("start", "--timeout", "20");
            assertEquals(0, start.exit(), "root's start during the flood: " + start);
            most = Math.max(most, descriptors(pid));
            assertTrue(most <= before + 16 + 8, "the daemon held " + (most - before) + " more descriptors than before");
            // the flood's silent connections are closed at their deadline: scrapes get in again
            S6Sandbox.await("a scrape answered after the flood's deadline", WAIT, () -> {
                try {
                    return scrape(port, Duration.ofSeconds(2)).statusCode() == 200;
                } catch (IOException | InterruptedException e) {
                    return false;
                }
            });
        } finally {
            for (Socket s : flood) s.close();
        }
        Figures.print("metrics listener: connection flood (round 3)",
                "2,000 connections held open (" + connected + " connected), daemon limited to 512 descriptors",
                "daemon descriptors " + before + " before, at most " + most + " during; root's status, stop, start exit"
                        + " 0 during the flood; scrapes answered again once the held connections' deadline passed");
    }

    private static int descriptors(long pid) throws IOException {
        try (var s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return (int) s.count();
        }
    }

    // ---- refusals in the log ----------------------------------------------------------------------------------

    /** One user sends 2,000 refused stops: the log gets one line for them (and a summary at the stop). */
    @Test
    void aLoopOfRefusedRequestsWritesABoundedLog() throws Exception {
        box = new S6Sandbox(tmp).boot();
        box.awaitGatewayUp();
        String ready = attacker(FIRST_UID, "refused", 2000);
        assertEquals("opened 1 refused 2000", ready);
        long lines = box.log().lines().filter(l -> l.contains("refused")).count();
        assertEquals(1, lines, "one log line for 2,000 refusals of one user:\n" + tail(box.log()));
        String m = box.cli("metrics").out();
        assertTrue(m.contains("warden_requests_total{op=\"stop\",result=\"forbidden\"} 2000"),
                "every refusal counted:\n" + m);
        long logBytes = Files.size(box.logFile());
        box.containerStop(false);
        assertTrue(box.log().contains("refused 1999 more requests"), "the count at the stop:\n" + tail(box.log()));
        Figures.print("log: refused requests (round 3)", "2,000 stop requests of one unprivileged uid, back to back",
                "1 log line during the loop (log " + logBytes + " bytes in all), a summary of 1999 more at the stop;"
                        + " warden_requests_total{op=\"stop\",result=\"forbidden\"} 2000");
    }

    // ---- watchers ---------------------------------------------------------------------------------------------

    /** 32 users with 8 watchers each (the per-uid cap): root's own watch still gets a slot. */
    @Test
    void unprivilegedWatchersLeaveRootsWatchASlot() throws Exception {
        box = new S6Sandbox(tmp).boot();
        box.awaitGatewayUp();
        int held = 0;
        for (int u = 0; u < 32; u++) {
            String ready = attacker(FIRST_UID + u, "watch", 8);
            held += Integer.parseInt(ready.split(" ")[1]);
        }
        try (RawClient root = new RawClient(box.socket())) {
            Map<String, Object> a = root.send("{\"op\":\"watch\"}\n").answer();
            assertEquals(true, a.get("ok"), "root's watch with every unprivileged slot taken: " + a);
        }
        assertTrue(held <= 256 - 32, "unprivileged users hold " + held + " watchers");
        Figures.print("watchers: slots for root (round 3)", "32 unprivileged uids asking 8 watchers each",
                held + " watchers held by them (the rest busy); root's watch accepted");
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    /** {@code flood.pl MODE} as uid {@code uid} (no privilege, no groups); returns its "opened X refused Y" line. */
    private String attacker(int uid, String mode, int n) throws Exception {
        Path script = tmp.resolve("flood.pl");
        if (!Files.exists(script)) {
            try (InputStream in = getClass().getClassLoader().getResourceAsStream("it/flood.pl")) {
                Files.copy(in, script);
            }
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Process p = new ProcessBuilder("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "sh", "-c",
                "ulimit -n " + (n + 64) + " && exec perl \"$0\" \"$1\" \"$2\" \"$3\"",
                script.toString(), box.socket().toString(), Integer.toString(n), mode)
                .redirectErrorStream(true).start();
        attackers.add(p);
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8)).readLine();
            } catch (IOException e) {
                return e.toString();
            }
        });
        String l = line.get(60, TimeUnit.SECONDS);
        assertTrue(l != null && l.startsWith("opened "), "the attacker started: " + l);
        return l;
    }

    private static String peakRss(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmHWM:")) return line.substring(6).trim();
        }
        return "unknown";
    }

    private static String tail(String log) {
        return log.length() <= 4000 ? log : log.substring(log.length() - 4000);
    }
}
