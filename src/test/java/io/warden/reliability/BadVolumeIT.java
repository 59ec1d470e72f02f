package io.warden.reliability;

import org.junit.jupiter.api.Timeout;
import java.util.concurrent.TimeUnit;
import io.warden.it.RawClient;

import io.warden.it.S6Sandbox;
import io.warden.state.Intent;
import io.warden.state.IntentSource;
import io.warden.state.IntentState;
import io.warden.state.ServiceState;
import io.warden.state.StateStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

import static io.warden.it.S6Sandbox.object;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real daemon booting on a damaged, read-only or full state volume. Policy (README, "State on the volume"):
 * availability first: a damaged file is renamed aside as {@code <file>.corrupt-<time>}, one log line names it,
 * warden carries on with WARDEN_DEFAULT_INTENT (up) and lists the problem under {@code degraded}; a read-only or
 * full volume keeps the recorded intent and refuses start/stop/restart (exit 5, state-write-failed).
 *
 * <p>Reproduce: {@code mvn -B -o verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=BadVolumeIT}
 * (as root: the read-only and full cases mount a tmpfs).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class BadVolumeIT {
    private static final List<String> FIGURES = new ArrayList<>();

    @TempDir
    Path tmp;
    S6Sandbox box;
    Path mounted;

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (box != null) box.close();
        } finally {
            if (mounted != null) {
                S6Sandbox.Cli u = S6Sandbox.run("umount", mounted.toString());
                if (u.exit() != 0) S6Sandbox.run("umount", "-l", mounted.toString());
            }
        }
    }

    @AfterAll
    static void figure() {
        Figures.print("bad state volume (daemon boots on it)", FIGURES.size() + " volumes, 1 boot each",
                String.join("; ", FIGURES));
    }

    enum Damage {
        EMPTY("gateway.json", "empty"),
        TRUNCATED("gateway.json", "truncated"),
        BINARY_GARBAGE("gateway.json", "binary garbage"),
        WRONG_SHAPE("gateway.json", "valid JSON, wrong shape"),
        UNKNOWN_FORMAT("gateway.json", "\"format\": 99"),
        DIRECTORY("gateway.json", "a directory (unreadable)"),
        RUN_RECORD_GARBAGE("run.json", "run.json garbage");

        final String file;
        final String label;

        Damage(String file, String label) {
            this.file = file;
            this.label = label;
        }
    }

    static String validState(IntentState s, String reason) {
        return new ServiceState("gateway", Intent.byUser(s, Instant.parse("2026-01-01T00:00:00Z"), 0, 1L, reason), null)
                .toFileText();
    }

    /** Writes the damage and returns the bytes that must be found kept aside (null for the directory). */
    private byte[] damage(Damage d, Path stateDir) throws IOException {
        Path f = stateDir.resolve(d.file);
        byte[] bytes;
        switch (d) {
            case EMPTY:
                bytes = new byte[0];
                break;
            case TRUNCATED: {
                byte[] whole = validState(IntentState.DOWN, "truncated by the test").getBytes(StandardCharsets.UTF_8);
                bytes = Arrays.copyOf(whole, whole.length / 2);
                break;
            }
            case BINARY_GARBAGE:
            case RUN_RECORD_GARBAGE: {
                bytes = new byte[777];
                new Random(42).nextBytes(bytes);
                bytes[0] = (byte) 0xff; // never valid UTF-8
                break;
            }
            case WRONG_SHAPE:
                bytes = "{\"format\":1,\"service\":\"gateway\",\"intent\":\"down\",\"lastShutdown\":[1,2,3]}\n"
                        .getBytes(StandardCharsets.UTF_8);
                break;
            case UNKNOWN_FORMAT:
                bytes = validState(IntentState.DOWN, "from the future").replace("\"format\": 1", "\"format\": 99")
                        .replace("\"format\":1", "\"format\":99").getBytes(StandardCharsets.UTF_8);
                assertTrue(new String(bytes, StandardCharsets.UTF_8).contains("99"), "format rewritten");
                break;
            case DIRECTORY:
                Files.createDirectories(f);
                Files.writeString(f.resolve("marker"), "not a state file");
                return null;
            default:
                throw new IllegalArgumentException();
        }
        Files.write(f, bytes);
        return bytes;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Damage.class)
    void damagedFileIsKeptAsideAndTheGatewayRunsOnTheDefault(Damage d) throws Exception {
        try {
            damagedFile(d);
            figure(d.label + ": kept aside, default up, degraded, stop durable");
        } catch (AssertionError e) {
            figure(d.label + ": FAILED (" + firstLine(e.getMessage()) + ")");
            throw e;
        }
    }

    private static void figure(String f) {
        synchronized (FIGURES) {
            FIGURES.add(f);
        }
    }

    private void damagedFile(Damage d) throws Exception {
        box = new S6Sandbox(tmp);
        byte[] original = damage(d, box.stateDir());
        box.boot();

        // one clear log line names the file and the problem
        List<String> lines = box.log().lines().filter(l -> l.contains(d.file)).collect(Collectors.toList());
        assertEquals(1, lines.size(), "exactly one log line names " + d.file + ":\n" + box.log());
        String line = lines.get(0);
        assertTrue(line.contains("ERROR") || line.contains("WARN"), "logged as a problem: " + line);
        assertTrue(line.contains(StateStore.CORRUPT_SUFFIX), "the line says where the damaged file went: " + line);

        // the damaged bytes are kept aside, untouched
        Path aside = onlyAside(box.stateDir(), d.file);
        if (original == null) {
            assertTrue(Files.isDirectory(aside), aside + " is the directory that was in the way");
            assertEquals("not a state file", Files.readString(aside.resolve("marker")));
        } else {
            assertArrayEquals(original, Files.readAllBytes(aside), "kept-aside bytes equal the damaged ones");
        }

        // the gateway comes up on the default, and status says why
        RawClient.awaitObserved(box.socket(), "up", Duration.ofSeconds(20));
        Map<String, Object> s = box.status();
        assertEquals("up", s.get("desired"));
        assertEquals("up", s.get("observed"));
        if (d.file.equals("gateway.json")) assertEquals("default", object(s, "intent").get("source"));
        @SuppressWarnings("unchecked")
        List<Object> degraded = (List<Object>) s.get("degraded");
        assertNotNull(degraded);
        assertFalse(degraded.isEmpty(), "status lists the problem: " + s);
        assertTrue(degraded.toString().contains(d.file), "degraded names the file: " + degraded);

        // a later stop works and is durable
        S6Sandbox.Cli stop = box.cli("stop", "--reason", "after " + d.name(), "--timeout", "15");
        assertEquals(0, stop.exit(), stop.toString());
        StateStore.Loaded<ServiceState> after = new StateStore(box.stateDir(), "gateway").peekService();
        assertFalse(after.damaged(), String.valueOf(after.problem()));
        assertEquals(IntentState.DOWN, after.value().intent().state());
        assertEquals(IntentSource.USER, after.value().intent().source());
        assertEquals("after " + d.name(), after.value().intent().reason());
    }

    private static Path onlyAside(Path dir, String file) throws IOException {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, file + StateStore.CORRUPT_SUFFIX + "*")) {
            ds.forEach(found::add);
        }
        assertEquals(1, found.size(), "one " + file + StateStore.CORRUPT_SUFFIX + "* in " + dir + ": " + found);
        return found.get(0);
    }

    private Path mountTmpfs(Path dir, String size) throws Exception {
        S6Sandbox.Cli m = S6Sandbox.run("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0755", "tmpfs",
                dir.toString());
        assertEquals(0, m.exit(), "mount tmpfs (needs root): " + m);
        mounted = dir;
        return dir;
    }

    @Test
    void readOnlyVolumeKeepsTheRecordedIntentAndRefusesChanges() throws Exception {
        box = new S6Sandbox(tmp);
        Path dir = mountTmpfs(box.stateDir(), "64k");
        String recorded = validState(IntentState.DOWN, "maintenance");
        Files.writeString(dir.resolve("gateway.json"), recorded);
        S6Sandbox.Cli ro = S6Sandbox.run("mount", "-o", "remount,ro", dir.toString());
        assertEquals(0, ro.exit(), ro.toString());

        box.boot();
        // s6 has read ./down and settled: a wrong start would show as starting or up from here on
        Map<String, Object> s = box.awaitStatus("s6 settled", Duration.ofSeconds(15),
                st -> !"unknown".equals(st.get("observed")));
        assertEquals("down", s.get("desired"), "the recorded intent is honoured");
        assertEquals("down", s.get("observed"));
        assertEquals("maintenance", object(s, "intent").get("reason"));
        assertTrue(s.get("degraded").toString().contains("not writable"), "degraded says why: " + s.get("degraded"));

        S6Sandbox.Cli start = box.cli("start", "--timeout", "5");
        assertEquals(5, start.exit(), start.toString());
        assertTrue(start.err().contains("state-write-failed"), start.err());
        // the refusal is answered after anything warden would have sent to s6: nothing to wait for
        Map<String, Object> after = box.status();
        assertEquals("down", after.get("desired"));
        assertEquals("down", after.get("observed"), "nothing acted on a refused start");
        assertEquals(recorded, Files.readString(dir.resolve("gateway.json")));
        synchronized (FIGURES) {
            FIGURES.add("read-only volume: recorded intent down honoured, degraded 'not writable', start exit 5, "
                    + "nothing changed");
        }
    }

    @Test
    void fullVolumeRefusesAStopAndTheGatewayKeepsRunning() throws Exception {
        box = new S6Sandbox(tmp);
        Path dir = mountTmpfs(box.stateDir(), "64k");
        String recorded = validState(IntentState.UP, "deploy");
        Files.writeString(dir.resolve("gateway.json"), recorded);
        Files.writeString(dir.resolve("lock"), "1\n"); // a previous run's lock file, as on any used volume
        S6Sandbox.Cli dd = S6Sandbox.run("dd", "if=/dev/zero", "of=" + dir.resolve("filler"), "bs=4k");
        assertTrue(dd.err().contains("No space left"), "dd filled the volume: " + dd);

        box.boot();
        long pid = (Long) RawClient.awaitObserved(box.socket(), "up", Duration.ofSeconds(20)).get("pid");
        S6Sandbox.Cli stop = box.cli("stop", "--timeout", "5");
        assertEquals(5, stop.exit(), stop.toString());
        assertTrue(stop.err().contains("state-write-failed") && stop.err().contains("nothing was changed"),
                "a clear refusal: " + stop.err());
        // the refusal is answered after anything warden would have sent to s6: nothing to wait for
        Map<String, Object> s = box.status();
        assertEquals("up", s.get("desired"), "intent not changed");
        assertEquals("up", s.get("observed"), "nothing acted on");
        assertEquals(pid, s.get("pid"), "the gateway kept running, same pid");
        assertFalse(((List<?>) s.get("degraded")).isEmpty(), "status says the volume is in trouble");
        assertEquals(recorded, Files.readString(dir.resolve("gateway.json")));
        synchronized (FIGURES) {
            FIGURES.add("full volume: stop exit 5 (" + firstLine(stop.err()) + "), gateway kept running, "
                    + "intent unchanged");
        }
    }

    @Test
    void problemsOfAFullVolumeLeaveDegradedOnceTheVolumeHasRoomAndAStopIsDurable() throws Exception {
        box = new S6Sandbox(tmp);
        box.env("WARDEN_SIGNAL_WINDOW", "0.2");
        Path dir = mountTmpfs(box.stateDir(), "64k");
        Files.writeString(dir.resolve("gateway.json"), validState(IntentState.UP, "deploy"));
        box.boot();
        long pid = box.awaitGatewayUp();
        S6Sandbox.Cli dd = S6Sandbox.run("dd", "if=/dev/zero", "of=" + dir.resolve("filler"), "bs=4k");
        assertTrue(dd.err().contains("No space left"), "dd filled the volume: " + dd);
        ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // a crash whose cause cannot be written
        Map<String, Object> full = box.awaitStatus("the cause kept in memory", Duration.ofSeconds(20),
                st -> st.get("degraded").toString().contains("kept in memory only"));
        assertEquals("crash", object(full, "lastShutdown").get("cause"));

        Files.delete(dir.resolve("filler"));
        S6Sandbox.Cli stop = box.cli("stop", "--timeout", "10");
        assertEquals(0, stop.exit(), stop.toString());
        Map<String, Object> s;
        try {
            s = box.awaitStatus("degraded empty again", Duration.ofSeconds(10),
                    st -> ((List<?>) st.get("degraded")).isEmpty());
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last status " + box.status() + "\n" + box.log(), e);
        }
        assertEquals("down", s.get("desired"));
        assertTrue(Files.readString(dir.resolve("gateway.json")).contains("\"down\""), "the stop is on the volume");
        synchronized (FIGURES) {
            FIGURES.add("full volume recovered: 'kept in memory only' gone from degraded after a durable stop");
        }
    }

    private static String firstLine(String s) {
        String l = s == null ? "" : s.lines().findFirst().orElse("");
        return l.length() > 120 ? l.substring(0, 120) + "..." : l;
    }
}
