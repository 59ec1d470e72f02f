package io.warden.daemon;

import io.warden.api.PeerIdentity;
import io.warden.cli.Client;
import io.warden.config.Setting;
import io.warden.config.Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole daemon in this JVM, on a temporary root: a real s6-svscan serves the root's {@code /run/service}, the
 * templates are the root's {@code /etc/warden/services}, the state volume its {@code /var/lib/warden}; the stop
 * signal and the stop witness are the test's own. What is checked is what a user sees through the socket and s6.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DaemonInProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path root;
    private Process svscan;
    private final List<Running> started = new ArrayList<>();

    /** The stop signals of one daemon: delivered by the test, as the JVM's handler would. */
    private static final class TestSignals implements SignalSource {
        private volatile Consumer<String> to;

        @Override
        public void install(Consumer<String> onShutdownSignal) {
            to = onShutdownSignal;
        }

        void send(String signal) {
            to.accept(signal);
        }
    }

    /** A stop witness that only notes what it was armed with. */
    private static final class NotingWitness implements Witness {
        private volatile Map<String, Long> armed;

        @Override
        public void arm(String at, Map<String, Long> runs) {
            armed = Map.copyOf(runs);
        }
    }

    /** One daemon running on its own thread. */
    private final class Running {
        final TestSignals signals = new TestSignals();
        final NotingWitness witness = new NotingWitness();
        final CompletableFuture<Integer> exit = new CompletableFuture<>();
        final Client client;

        Running() throws Exception {
            Settings settings = Settings.resolve(Map.of("WARDEN_S6RC", "off"), Map.of());
            FileSystemRoot files = new FileSystemRoot(root, settings);
            Outside outside = new Outside(files, Processes.system(), PeerIdentity.system(null),
                    (state, scandir, fifoDir) -> witness, signals, TimeSource.system(), null);
            Daemon daemon = new Daemon(settings, outside);
            Thread t = new Thread(() -> exit.complete(daemon.run()), "test-warden");
            t.setDaemon(true);
            t.start();
            client = new Client(files.path(Setting.SOCKET), 5_000);
            started.add(this);
            await("the socket answering", () -> {
                try {
                    return Boolean.TRUE.equals(client.call("status", Map.of()).get("ok"));
                } catch (IOException e) {
                    return false;
                }
            });
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> status(String service) throws IOException {
            Map<String, Object> a = client.call("status", Map.of("service", service));
            assertEquals(Boolean.TRUE, a.get("ok"), () -> "status " + service + ": " + a);
            return (Map<String, Object>) a.get("result");
        }

        Map<String, Object> awaitStatus(String service, Predicate<Map<String, Object>> wanted) throws Exception {
            Map<String, Object>[] last = new Map[1];
            await(service + " as wanted (last: " + service + ")", () -> {
                last[0] = status(service);
                return wanted.test(last[0]);
            });
            return last[0];
        }

        int stop(String signal) throws Exception {
            signals.send(signal);
            return exit.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void await(String what, Condition c) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!c.holds()) {
            if (System.nanoTime() - deadline > 0) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(50);
        }
    }

    /** A container boot: an empty /run, a new s6-svscan on its scandir. */
    private void bootContainer() throws Exception {
        Path scandir = Files.createDirectories(root.resolve("run/service"));
        svscan = new ProcessBuilder("s6-svscan", scandir.toString()).redirectErrorStream(true)
                .redirectOutput(root.resolve("svscan.log").toFile()).start();
        await("s6-svscan's control FIFO", () -> Files.exists(scandir.resolve(".s6-svscan/control")));
    }

    /** The end of the container: every process of the supervision tree killed, /run wiped. */
    private void endContainer() throws Exception {
        List<ProcessHandle> all = new ArrayList<>();
        all.add(svscan.toHandle());
        svscan.descendants().forEach(all::add);
        for (ProcessHandle h : all) h.destroyForcibly();
        for (ProcessHandle h : all) h.onExit().get(15, TimeUnit.SECONDS);
        ServiceDirectoryTree.delete(root.resolve("run"));
    }

    private void template(String name) throws IOException {
        Path dir = Files.createDirectories(root.resolve("etc/warden/services/" + name));
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("it/gateway-run")) {
            assertNotNull(in, "test resource it/gateway-run");
            Files.copy(in, dir.resolve("run"));
        }
        Files.setPosixFilePermissions(dir.resolve("run"), PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private boolean upInS6(String service) {
        return new io.warden.s6.ServiceDirectory(root.resolve("run/service/" + service)).up();
    }

    @AfterEach
    void stopEverything() throws Exception {
        for (Running r : started) {
            if (!r.exit.isDone()) r.stop("SIGTERM");
        }
        if (svscan != null && svscan.isAlive()) endContainer();
    }

    @Test
    void boot_stop_container_signal_and_restart_on_the_same_volume() throws Exception {
        template("gateway");
        template("worker");
        bootContainer();
        Running first = new Running();

        // boot: a service whose intent is up (the default) is up, in s6 and in status
        Map<String, Object> gw = first.awaitStatus("gateway", s -> "up".equals(s.get("observed")));
        assertEquals("up", gw.get("desired"));
        assertEquals("s6", gw.get("supervisor"));
        first.awaitStatus("worker", s -> "up".equals(s.get("observed")));
        assertTrue(upInS6("gateway"));

        // stop: the intent down is recorded and the service goes down
        Map<String, Object> stopped = first.client.call("stop", Map.of("service", "worker"));
        assertEquals(Boolean.TRUE, stopped.get("ok"), stopped::toString);
        Map<String, Object> worker = first.awaitStatus("worker", s -> "down".equals(s.get("observed")));
        assertEquals("down", worker.get("desired"));
        assertTrue(!upInS6("worker"), "s6 has worker down");

        // the container's signal: warden records cause signal for the running service and exits 0
        long gatewayPid = ((Number) gw.get("pid")).longValue();
        assertEquals(DaemonExit.CLEAN, first.stop("SIGTERM"));
        assertEquals(Map.of("gateway", gatewayPid), first.witness.armed, "the witness follows the run still up");
        endContainer();

        // a restart on the same volume brings back what was up, and keeps down what was stopped
        bootContainer();
        Running second = new Running();
        Map<String, Object> back = second.awaitStatus("gateway", s -> "up".equals(s.get("observed")));
        @SuppressWarnings("unchecked")
        Map<String, Object> last = (Map<String, Object>) back.get("lastShutdown");
        assertNotNull(last, "gateway's last shutdown is recorded");
        assertEquals("signal", last.get("cause"));
        Map<String, Object> still = second.status("worker");
        assertEquals("down", still.get("desired"));
        assertEquals("down", still.get("observed"));
        assertTrue(!upInS6("worker"), "worker stays down after the restart");
        assertEquals(DaemonExit.CLEAN, second.stop("SIGTERM"));
    }

    /** Deletes a folder tree (the test's /run wipe). */
    private static final class ServiceDirectoryTree {
        static void delete(Path p) throws IOException {
            if (!Files.exists(p)) return;
            try (java.util.stream.Stream<Path> walk = Files.walk(p)) {
                for (Path x : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
                    Files.deleteIfExists(x);
                }
            }
        }
    }
}
