package io.warden.it;

import io.warden.json.Json;
import io.warden.json.JsonException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A container without the container: a real s6-svscan on a temporary scandir, the real warden daemon as its own
 * JVM, the real command line as separate processes, a real gateway process supervised by s6. "/run is wiped at
 * boot" becomes a fresh scandir; the state volume is a directory that outlives both.
 */
public final class S6Sandbox implements AutoCloseable {
    public static final Path JAR = Path.of(System.getProperty("warden.jar", "target/warden.jar")).toAbsolutePath();

    private final Path root;
    private final Path state;
    private final Path template;
    private final Path socket;
    private final Map<String, String> extraEnv = new HashMap<>();
    private Path scandir;
    private Process svscan;
    private Process warden;
    private Path wardenLog;
    private int boots;
    private Duration readyTimeout = Duration.ofSeconds(20);
    /** s6-svscan's options before the scandir (such as {@code -c 4}); none by default. */
    private List<String> supervisorOptions = List.of();

    public S6Sandbox(Path root) throws IOException {
        this.root = root;
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        this.state = Files.createDirectories(root.resolve("state"));
        this.template = Files.createDirectories(root.resolve("template/gateway"));
        this.socket = root.resolve("run/warden/warden.sock");
        copyResource("it/gateway-run", template.resolve("run"));
        copyResource("it/gateway-finish", template.resolve("finish"));
        if (!Files.isRegularFile(JAR)) throw new IllegalStateException("no " + JAR + ": run 'mvn package' first");
    }

    private static void copyResource(String name, Path to) throws IOException {
        try (InputStream in = S6Sandbox.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) throw new IOException("missing test resource " + name);
            Files.copy(in, to);
        }
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    public Path root() {
        return root;
    }

    public Path stateDir() {
        return state;
    }

    public Path socket() {
        return socket;
    }

    public Path scandir() {
        return scandir;
    }

    public Path serviceDir() {
        return scandir.resolve("gateway");
    }

    public S6Sandbox env(String key, String value) {
        extraEnv.put(key, value);
        return this;
    }

    /** A container boot: a new, empty scandir served by a new s6-svscan, then warden. */
    public S6Sandbox boot() throws IOException, InterruptedException {
        startSupervisor();
        startWarden();
        return this;
    }

    public void startSupervisor() throws IOException, InterruptedException {
        boots++;
        scandir = Files.createDirectories(root.resolve("run" + boots + "/service"));
        List<String> cmd = new ArrayList<>(List.of("s6-svscan"));
        cmd.addAll(supervisorOptions);
        cmd.add(scandir.toString());
        svscan = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(root.resolve("svscan" + boots + ".log").toFile())
                .start();
        await("s6-svscan control FIFO", Duration.ofSeconds(5),
                () -> Files.exists(scandir.resolve(".s6-svscan/control")));
    }

    /** The options the next s6-svscan gets before its scandir (such as {@code -c 4}). */
    public S6Sandbox supervisorOptions(String... options) {
        supervisorOptions = List.of(options);
        return this;
    }

    /** How long a boot may take to say it is ready (more for a sandbox of hundreds of services). */
    public S6Sandbox readyWithin(Duration d) {
        readyTimeout = d;
        return this;
    }

    /** Starts the daemon and waits until it says it is ready. */
    public Process startWarden() throws IOException, InterruptedException {
        Process p = spawnWarden();
        warden = p;
        await("warden ready", readyTimeout, () -> log().contains("ready:") || !p.isAlive());
        if (!p.isAlive()) throw new IllegalStateException("warden exited " + p.exitValue() + ":\n" + log());
        return p;
    }

    /** Starts one more daemon process without waiting (for the two-daemons case). */
    public Process spawnWarden() throws IOException {
        wardenLog = root.resolve("warden-" + System.nanoTime() + ".log");
        ProcessBuilder pb = new ProcessBuilder(javaCommand("daemon"))
                .redirectErrorStream(true)
                .redirectOutput(wardenLog.toFile());
        pb.environment().putAll(env());
        return pb.start();
    }

    public String log() {
        try {
            return wardenLog == null ? "" : Files.readString(wardenLog);
        } catch (IOException e) {
            return "";
        }
    }

    public Process warden() {
        return warden;
    }

    public Process supervisor() {
        return svscan;
    }

    private Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("WARDEN_STATE_DIR", state.toString());
        env.put("WARDEN_SOCKET", socket.toString());
        env.put("WARDEN_SCANDIR", scandir == null ? root.resolve("no-scandir").toString() : scandir.toString());
        env.put("WARDEN_TEMPLATE", template.toString());
        // the other places a service may be defined: inside the sandbox, never the host's own /etc
        env.put("WARDEN_S6_RC_SOURCE", root.resolve("etc/s6-overlay/s6-rc.d").toString());
        env.put("WARDEN_SERVICES_D", root.resolve("etc/services.d").toString());
        env.putAll(extraEnv);
        return env;
    }

    /** The image's own launcher, so daemon and CLI run with the production JVM flags (heap, stacks, GC). */
    public static final Path WRAPPER = Path.of(System.getProperty("warden.wrapper", "s6-rootfs/warden/usr/local/bin/warden"))
            .toAbsolutePath();

    private List<String> javaCommand(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("env");
        cmd.add("WARDEN_JAVA=" + Path.of(System.getProperty("java.home"), "bin", "java"));
        cmd.add("WARDEN_JAR=" + JAR);
        cmd.add("WARDEN_JSA=");
        cmd.add("sh");
        cmd.add(WRAPPER.toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs the real command line as a separate process. */
    public Cli cli(String... args) throws IOException, InterruptedException {
        return cliAs(null, args);
    }

    /** Runs the command line as another user ({@code runuser -u USER --}). */
    public Cli cliAs(String user, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (user != null) cmd.addAll(List.of("runuser", "-u", user, "--"));
        cmd.addAll(javaCommand(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env());
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("warden " + String.join(" ", args) + " hung");
        }
        return new Cli(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    /** {@code warden status --json}, parsed. */
    public Map<String, Object> status() throws IOException, InterruptedException {
        Cli c = cli("status", "--json");
        try {
            return Json.parseObject(c.out().trim());
        } catch (JsonException e) {
            throw new IllegalStateException("status --json printed no JSON (exit " + c.exit() + "): " + c, e);
        }
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> object(Map<String, Object> m, String key) {
        return (Map<String, Object>) m.get(key);
    }

    /** Waits until {@code warden status --json} satisfies {@code condition}; returns that status. */
    public Map<String, Object> awaitStatus(String what, Duration timeout,
                                           java.util.function.Predicate<Map<String, Object>> condition)
            throws InterruptedException {
        List<Map<String, Object>> seen = new ArrayList<>(List.of(Map.of()));
        await(what, timeout, () -> {
            try {
                Map<String, Object> s = status();
                seen.set(0, s);
                return condition.test(s);
            } catch (IOException | InterruptedException | IllegalStateException e) {
                return false;
            }
        });
        return seen.get(0);
    }

    /** {@code warden list --json}, by service name (sorted). */
    @SuppressWarnings("unchecked")
    public Map<String, Map<String, Object>> list() throws IOException, InterruptedException {
        Cli c = cli("list", "--json");
        if (c.exit() != 0) throw new IllegalStateException("warden list failed: " + c);
        Map<String, Map<String, Object>> byName = new java.util.TreeMap<>();
        try {
            for (Object o : (List<Object>) Json.parse(c.out().trim())) {
                Map<String, Object> s = (Map<String, Object>) o;
                byName.put((String) s.get("service"), s);
            }
        } catch (JsonException e) {
            throw new IllegalStateException("list --json printed no JSON: " + c, e);
        }
        return byName;
    }

    /** Waits (20 s at most) until {@code service} is listed with {@code observed}; returns its status document. */
    public Map<String, Object> awaitObserved(String service, String observed) throws InterruptedException {
        List<Map<String, Object>> seen = new ArrayList<>(java.util.Collections.singletonList(null));
        await(service + " " + observed, Duration.ofSeconds(20), () -> {
            try {
                seen.set(0, list().get(service));
                return seen.get(0) != null && observed.equals(seen.get(0).get("observed"));
            } catch (IOException | InterruptedException | IllegalStateException e) {
                return false;
            }
        });
        return seen.get(0);
    }

    /** Whether the status's last shutdown has the given cause. */
    public static boolean lastShutdownIs(Map<String, Object> status, String cause) {
        Map<String, Object> last = object(status, "lastShutdown");
        return last != null && cause.equals(last.get("cause"));
    }

    /** Waits until the gateway is observed up and returns its pid. */
    public long awaitGatewayUp() throws IOException, InterruptedException {
        return (Long) awaitStatus("gateway up", Duration.ofSeconds(20), st -> "up".equals(st.get("observed")))
                .get("pid");
    }

    /** What a container stop does here: the supervisor tears the services down, warden gets its SIGTERM. */
    public void containerStop(boolean supervisorFirst) throws InterruptedException {
        if (supervisorFirst) {
            svscan.destroy();
            Thread.sleep(30);
            warden.destroy();
        } else {
            warden.destroy();
            warden.waitFor(10, TimeUnit.SECONDS);
            svscan.destroy();
        }
        waitGone(warden);
        waitGone(svscan);
    }

    /** SIGKILL to everything: the supervisor, every supervised process, warden (OOM kill, power loss). */
    public void killEverything() throws InterruptedException {
        List<ProcessHandle> all = new ArrayList<>();
        // s6-svscan first: alive, it would start a new s6-supervise for each one killed, and that one would
        // outlive the test
        if (svscan != null) all.add(svscan.toHandle());
        if (svscan != null) svscan.descendants().forEach(all::add);
        if (warden != null) all.add(warden.toHandle());
        for (ProcessHandle h : all) h.destroyForcibly();
        for (ProcessHandle h : all) h.onExit().join();
    }

    public static void waitGone(Process p) throws InterruptedException {
        if (p != null && !p.waitFor(15, TimeUnit.SECONDS)) {
            throw new IllegalStateException("process " + p.pid() + " did not exit within 15 s");
        }
    }

    /** Runs an s6 tool (s6-svc, s6-svstat) against the gateway's service directory. */
    public Cli s6(String tool, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(tool);
        cmd.addAll(List.of(args));
        cmd.add(serviceDir().toString());
        Process p = new ProcessBuilder(cmd).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        p.waitFor(30, TimeUnit.SECONDS);
        return new Cli(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    /** Starts the command line without waiting for it (stdout and stderr go to files beside the logs). */
    public Process cliAsync(String... args) throws IOException {
        long id = System.nanoTime();
        ProcessBuilder pb = new ProcessBuilder(javaCommand(args))
                .redirectOutput(root.resolve("cli-" + id + ".out").toFile())
                .redirectError(root.resolve("cli-" + id + ".err").toFile());
        pb.environment().putAll(env());
        return pb.start();
    }

    /** Sends a signal by name ("TERM", "HUP", "QUIT", ...) to a process with kill(1). */
    public static void signal(long pid, String name) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("kill -" + name + " " + pid + " failed: " + new String(out, StandardCharsets.UTF_8));
        }
    }

    /** The environment the daemon and the command line get (state dir, socket, scandir, template, extras). */
    public Map<String, String> environment() {
        return env();
    }

    /** The daemon's log file of the latest start. */
    public Path logFile() {
        return wardenLog;
    }

    /** Runs a command, waits up to 60 s, returns its exit code and output (for mount, dd, ...). */
    public static Cli run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " hung");
        }
        return new Cli(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    public static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            Thread.sleep(50);
        }
    }

    @Override
    public void close() throws InterruptedException {
        killEverything();
        // the stop witness a SIGTERMed warden leaves writes into the state directory once the services end: it
        // must be gone before the test's temporary directory is deleted
        ProcessHandle.allProcesses()
                .filter(h -> h.info().arguments().map(a -> java.util.Arrays.asList(a)
                        .contains(state.resolve("stop-witness").toString())).orElse(false))
                .forEach(h -> {
                    h.destroyForcibly();
                    h.onExit().join();
                });
    }

    /** One command-line run: exit code and both streams. */
    public record Cli(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }
}
