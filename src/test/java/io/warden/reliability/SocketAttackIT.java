package io.warden.reliability;

import io.warden.it.RawClient;

import io.warden.api.Protocol;
import io.warden.api.ProtocolException;
import io.warden.api.Request;
import io.warden.it.S6Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.warden.it.S6Sandbox.object;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The socket under attack, against the real daemon: a seeded fuzzer sends 100,000 generated request lines
 * (mutated valid requests, random bytes, unicode, out-of-range numbers, wrong types, deep nesting, lines at and
 * past the 4096-byte bound); every line must get exactly one well-formed answer with an "ok" boolean, and the
 * very answer the protocol's own parser predicts (ok, or the same error code); an oversized line gets too-large
 * and the connection is closed. Meanwhile a prober asks status on fresh connections and records latencies.
 * Then 1,000 concurrent connections, slow clients, half-closed clients, and a non-root stop.
 *
 * <p>Reproduce: {@code mvn -B -o verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=SocketAttackIT}
 * (-Dwarden.fuzz.requests=N, -Dwarden.fuzz.seed=S).
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class SocketAttackIT {
    private static final int REQUESTS = Integer.getInteger("warden.fuzz.requests", 100_000);
    private static final long SEED = Long.getLong("warden.fuzz.seed", System.nanoTime());
    private static final int BATCH = 32;
    private static final int MAX_LINE = Protocol.MAX_REQUEST_BYTES; // newline included

    @TempDir
    Path tmp;
    S6Sandbox box;

    @AfterEach
    void tearDown() throws Exception {
        if (box != null) box.close();
    }

    @Test
    void theDaemonSurvivesTheSocketUnderAttack() throws Exception {
        box = new S6Sandbox(tmp);
        box.env("WARDEN_SIGNAL_WINDOW", "1").boot();
        Path sock = box.socket();
        long gateway = (Long) RawClient.awaitObserved(sock, "up", Duration.ofSeconds(20)).get("pid");
        long daemonPid = box.warden().pid();
        Map<String, Object> intentBefore = object(RawClient.status(sock), "intent");

        // the prober: status on a fresh connection every 10 ms, throughout
        AtomicBoolean probing = new AtomicBoolean(true);
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        List<String> probeFailures = Collections.synchronizedList(new ArrayList<>());
        Thread prober = new Thread(() -> {
            while (probing.get()) {
                long t0 = System.nanoTime();
                try {
                    Map<String, Object> s = RawClient.status(sock);
                    if (!"up".equals(s.get("observed"))) probeFailures.add("observed " + s.get("observed"));
                    latencies.add(System.nanoTime() - t0);
                } catch (IOException | AssertionError e) {
                    probeFailures.add(e.toString());
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "prober");
        prober.start();

        long t0 = System.nanoTime();
        ExecutorService side = Executors.newFixedThreadPool(4);
        List<Future<String>> sideJobs = new ArrayList<>();
        try {
            // slow and half-closed clients run beside the fuzzer
            sideJobs.add(side.submit(() -> slowClients(sock, 8)));
            sideJobs.add(side.submit(() -> halfClosedClients(sock, 200)));

            Fuzz fuzz = new Fuzz(sock, new Random(SEED));
            fuzz.run(REQUESTS);
            double fuzzSecs = (System.nanoTime() - t0) / 1e9;

            String slow = sideJobs.get(0).get();
            String half = sideJobs.get(1).get();
            String crowd = thousandConcurrent(sock, 1000);

            probing.set(false);
            prober.join();
            assertTrue(probeFailures.isEmpty(), "status probes failed: " + probeFailures);
            long[] l = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            assertTrue(l.length > 50, "the prober ran");
            String p50 = ms(l[l.length / 2]);
            String p99 = ms(l[(int) Math.min(l.length - 1, Math.ceil(l.length * 0.99) - 1)]);
            String max = ms(l[l.length - 1]);

            // a non-root user may not stop the gateway
            S6Sandbox.Cli stop = box.cliAs("nobody", "stop");
            assertEquals(5, stop.exit(), stop.toString());

            // still alive, still answering, nothing changed
            assertTrue(box.warden().isAlive(), "the daemon survived");
            Map<String, Object> s = RawClient.status(sock);
            assertEquals("up", s.get("observed"));
            assertEquals(gateway, s.get("pid"), "the gateway was never touched");
            assertEquals(intentBefore, object(s, "intent"), "the intent was never changed");
            assertEquals(0, box.cli("status").exit());
            String hwm = peakRss(daemonPid);

            Figures.print("socket fuzz", fuzz.sent + " request lines on " + fuzz.connections + " connections, seed "
                            + SEED,
                    String.format("every line answered once with the predicted ok/error code (%d ok, %d errors: %s); "
                                    + "%d oversized lines got too-large and a close; %.1f s", fuzz.oks, fuzz.errors,
                            fuzz.codes, fuzz.tooLarge, fuzzSecs));
            Figures.print("socket: status latency during the attack", l.length + " probes on fresh connections",
                    "p50 " + p50 + " ms, p99 " + p99 + " ms, max " + max + " ms, 0 failures");
            Figures.print("socket: 1,000 concurrent connections", "1", crowd);
            Figures.print("socket: slow and half-closed clients", "8 slow (byte by byte, 50 ms gaps), 200 half-closed",
                    slow + "; " + half);
            Figures.print("socket: non-root stop", "1", "uid nobody refused, exit 5 (" + firstLine(stop.err())
                    + "); gateway pid and intent unchanged");
            Figures.print("socket: daemon memory", "1 daemon through the whole attack",
                    "peak RSS (VmHWM) " + hwm + "; alive and answering status at the end");
        } finally {
            probing.set(false);
            side.shutdownNow();
        }
    }

    // ---- hostile local users (round 2) ----------------------------------------------------------------------

    private static final int TABLE_FLOOD = Integer.getInteger("warden.flood.connections", 2250);
    private static final int HISTORY_FLOOD = Integer.getInteger("warden.flood.history", 100);

    /** A hostile user: {@code flood.pl} run as {@code nobody}, until {@link Process#destroy}. */
    private Process attacker(String mode, int connections) throws IOException, InterruptedException {
        Path script = tmp.resolve("flood.pl");
        if (!Files.exists(script)) {
            try (java.io.InputStream in = getClass().getClassLoader().getResourceAsStream("it/flood.pl")) {
                Files.copy(in, script);
            }
            Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Process p = new ProcessBuilder("runuser", "-u", "nobody", "--", "sh", "-c",
                "ulimit -n " + (connections + 64) + " && exec perl \"$0\" \"$1\" \"$2\" \"$3\"",
                script.toString(), box.socket().toString(), Integer.toString(connections), mode)
                .redirectErrorStream(true).start();
        return p;
    }

    /** The attacker's "opened X refused Y" line, within 60 s. */
    /** How many history requests the daemon has answered (any result), from {@code warden metrics}. */
    private static long historyAnswers(S6Sandbox box) {
        try {
            long n = 0;
            for (String line : box.cli("metrics").out().split("\n")) {
                if (line.startsWith("warden_requests_total{op=\"history\"")) {
                    n += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return n;
        } catch (IOException | InterruptedException | NumberFormatException e) {
            return 0;
        }
    }

    private static String attackerReady(Process p) throws Exception {
        java.util.concurrent.CompletableFuture<String> line = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine();
            } catch (IOException e) {
                return e.toString();
            }
        });
        String l = line.get(60, TimeUnit.SECONDS);
        assertTrue(l != null && l.startsWith("opened "), "the attacker started: " + l);
        return l;
    }

    private static void stopAttacker(Process p) throws InterruptedException {
        if (p == null) return;
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
    }

    private static long timed(java.util.concurrent.Callable<S6Sandbox.Cli> c, S6Sandbox.Cli[] out) throws Exception {
        long t0 = System.nanoTime();
        out[0] = c.call();
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /**
     * One uid opens more connections than the table holds (2,250 of 2,048), each kept alive with a line every
     * 3 s: root's {@code check} and {@code stop} must still be answered, during the attack.
     */
    @Test
    void oneUidCannotFillTheConnectionTable() throws Exception {
        box = new S6Sandbox(tmp).boot();
        box.awaitGatewayUp();
        long daemonPid = box.warden().pid();
        String bootRss = peakRss(daemonPid);
        Process flood = attacker("hold", TABLE_FLOOD);
        try {
            String opened = attackerReady(flood);
            S6Sandbox.Cli[] r = new S6Sandbox.Cli[1];
            long checkMs = timed(() -> box.cli("check"), r);
            assertEquals(0, r[0].exit(), "root's check during the attack: " + r[0]);
            long statusMs = timed(() -> box.cli("status"), r);
            assertEquals(0, r[0].exit(), "root's status during the attack: " + r[0]);
            S6Sandbox.Cli nobodyCheck = box.cliAs("nobody", "check");
            String beforeStop = peakRss(daemonPid);
            long stopMs = timed(() -> box.cli("stop", "--reason", "under attack"), r);
            assertEquals(0, r[0].exit(), "root's stop during the attack: " + r[0]);
            assertEquals("down", RawClient.status(box.socket()).get("desired"));
            assertTrue(flood.isAlive(), "the attack was still running");
            assertTrue(box.warden().isAlive(), "the daemon survived");
            Figures.print("hostile user: connection table flood (round 2)",
                    TABLE_FLOOD + " connections of uid nobody, a status line on each every 3 s",
                    "attacker: " + opened + "; root's check answered in " + checkMs + " ms, status " + statusMs
                            + " ms, stop " + stopMs + " ms, all exit 0 during the attack; nobody's own check: exit "
                            + nobodyCheck.exit() + "; peak RSS (VmHWM) " + peakRss(daemonPid) + " (" + bootRss
                            + " before the attack, " + beforeStop + " before root's stop)");
        } finally {
            stopAttacker(flood);
        }
    }

    /**
     * A grown journal (two files near their 256 KiB bound) and 100 connections of one user asking history with a
     * huge n or none, never reading: with the image's heap (-Xmx32m, exit on OOM) the daemon must live, root's
     * check and stop must answer, and SIGTERM must still reach a durable record promptly.
     */
    @Test
    void historyFloodNeitherExhaustsMemoryNorDelaysTheSignalPath() throws Exception {
        box = new S6Sandbox(tmp);
        growJournal(box.stateDir(), 250 * 1024);
        box.boot();
        box.awaitGatewayUp();
        long daemonPid = box.warden().pid();
        String bootRss = peakRss(daemonPid);
        long journalBytes = Files.size(box.stateDir().resolve("journal.jsonl"))
                + Files.size(box.stateDir().resolve("journal.1.jsonl"));
        Process flood = attacker("history", HISTORY_FLOOD);
        try {
            String opened = attackerReady(flood);
            // the flood runs until the daemon has answered every attacker twice (each closed connection is opened
            // again and asks again): a condition the daemon's own counters show, not a fixed time
            S6Sandbox.await("the history flood answered twice over", Duration.ofSeconds(60),
                    () -> historyAnswers(box) >= 2L * HISTORY_FLOOD);
            assertTrue(box.warden().isAlive(), "the daemon survived the flood: " + box.log());
            S6Sandbox.Cli[] r = new S6Sandbox.Cli[1];
            long checkMs = timed(() -> box.cli("check"), r);
            assertEquals(0, r[0].exit(), "root's check during the flood: " + r[0]);
            String beforeStop = peakRss(daemonPid);
            long histMs = timed(() -> box.cli("history", "-n", "5"), r);
            S6Sandbox.Cli rootHistory = r[0];
            long stopMs = timed(() -> box.cli("stop"), r);
            assertEquals(0, r[0].exit(), "root's stop during the flood: " + r[0]);
            String hwm = peakRss(daemonPid);

            // SIGTERM -> the warden-stop record on the volume, while the flood goes on
            Path journal = box.stateDir().resolve("journal.jsonl");
            long t0 = System.nanoTime();
            S6Sandbox.signal(daemonPid, "TERM");
            S6Sandbox.await("the warden-stop record", Duration.ofSeconds(20), () -> {
                try {
                    return Files.readString(journal, StandardCharsets.ISO_8859_1).contains("\"event\":\"warden-stop\"");
                } catch (IOException e) {
                    return false;
                }
            });
            long durableMs = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(box.warden().waitFor(20, TimeUnit.SECONDS), "the daemon ended");
            assertEquals(0, box.warden().exitValue(), "a clean stop, not an OutOfMemoryError: " + box.log());
            Figures.print("hostile user: history flood (round 2)",
                    HISTORY_FLOOD + " connections of uid nobody asking history (n huge or absent), never reading; "
                            + "journal " + journalBytes / 1024 + " KiB in two files; -Xmx32m, exit on OOM",
                    "attacker: " + opened + "; daemon alive, peak RSS (VmHWM) " + hwm + " (" + bootRss
                            + " before the attack, " + beforeStop + " before root's stop); root's check "
                            + checkMs + " ms, history -n 5 exit " + rootHistory.exit() + " in " + histMs
                            + " ms, stop " + stopMs + " ms; SIGTERM to durable warden-stop record " + durableMs
                            + " ms, exit 0");
        } finally {
            stopAttacker(flood);
        }
    }

    /** Two journal files of about {@code bytes} each, of records like the daemon's own. */
    private static void growJournal(Path state, int bytes) throws IOException {
        for (String name : new String[] {"journal.1.jsonl", "journal.jsonl"}) {
            StringBuilder sb = new StringBuilder();
            int i = 0;
            while (sb.length() < bytes) {
                sb.append("{\"at\":\"2026-01-01T00:00:00.").append(String.format("%06d", i++ % 1000000))
                        .append("Z\",\"event\":\"gateway-exit\",\"pid\":").append(1000 + i)
                        .append(",\"exitCode\":1,\"signal\":null,\"detail\":\"grown for the flood test, padding")
                        .append(" to a realistic record length of about two hundred bytes\"}\n");
            }
            Files.writeString(state.resolve(name), sb.toString());
        }
    }

    private static String ms(long nanos) {
        return String.format("%.2f", nanos / 1e6);
    }

    private static String firstLine(String s) {
        return s.lines().findFirst().orElse("");
    }

    private static String peakRss(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmHWM:")) return line.substring(6).trim();
        }
        return "unknown";
    }

    // ---- the fuzzer -------------------------------------------------------------------------------------------

    private static final String[] VALID = {
        "{\"v\":1,\"op\":\"status\"}",
        "{\"op\":\"status\"}",
        "{\"v\":1,\"op\":\"check\"}",
        "{\"v\":1,\"op\":\"history\",\"n\":3}",
        "{\"op\":\"history\",\"n\":0,\"pid\":12345}",
        "{\"v\":1,\"op\":\"status\",\"pid\":1,\"reason\":\"just looking\"}",
        "{\"v\":1,\"op\":\"stop\",\"reason\":\"maintenance\",\"pid\":4242}",
        "{\"v\":1,\"op\":\"restart\"}",
        "{\"op\":\"start\",\"reason\":\"\"}",
    };
    private static final String[] ODD_VALUES = {
        "1e400", "-1e400", "99999999999999999999999", "-0", "0.5", "1.5e3", "-1", "9223372036854775808",
        "-9223372036854775809", "null", "true", "false", "\"\"", "\"1\"", "[]", "{}", "[1,[2,[3]]]",
        "{\"op\":\"status\"}", "NaN", "Infinity", "0x10", "01", "1.", ".5", "\"\\u0000\"", "\"\\ud800\"",
        "\"\\uDBFF\\uDFFF\"", "\"\\x41\"", "\"" + "é".repeat(300) + "\"", "\"" + "x".repeat(600) + "\"",
        "\"\uD83D\uDE00\u202E\u0000\"",
    };
    private static final String STRUCTURAL = "{}[]\",:\\ 0-e.";
    private static final String[] KEYS = {"v", "op", "reason", "n", "pid", "", "OP", "op ", "\u00f6p", "result"};
    private static final String[] OPS = {"status", "check", "history", "stop", "start", "restart", "STATUS", "",
        "status ", "st\u0000atus", "sta\u0301tus", "daemon", "\uD83D\uDCA3"};

    private final class Fuzz {
        final Path sock;
        final Random rnd;
        int sent;
        int oks;
        int errors;
        int tooLarge;
        int connections;
        final java.util.TreeMap<String, Integer> codes = new java.util.TreeMap<>();
        RawClient conn;
        int onConn;

        Fuzz(Path sock, Random rnd) {
            this.sock = sock;
            this.rnd = rnd;
        }

        void run(int total) throws Exception {
            List<byte[]> batch = new ArrayList<>();
            while (sent + batch.size() < total) {
                byte[] line = generate();
                if (line.length + 1 > MAX_LINE) {
                    oversized(line);
                    sent++;
                    continue;
                }
                batch.add(line);
                if (batch.size() == BATCH) {
                    flush(batch);
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) flush(batch);
            if (conn != null) endConnection();
        }

        private void flush(List<byte[]> batch) throws Exception {
            if (conn == null) {
                conn = new RawClient(sock);
                connections++;
                onConn = 0;
            }
            int size = 0;
            for (byte[] b : batch) size += b.length + 1;
            byte[] all = new byte[size];
            int at = 0;
            for (byte[] b : batch) {
                System.arraycopy(b, 0, all, at, b.length);
                at += b.length;
                all[at++] = '\n';
            }
            conn.send(all);
            for (byte[] b : batch) {
                String line = conn.readLine();
                if (line == null) throw new AssertionError("connection closed before the answer to " + show(b));
                Map<String, Object> answer = RawClient.parseAnswer(line);
                check(b, answer, line);
                sent++;
            }
            onConn += batch.size();
            if (onConn >= 5000) endConnection();
        }

        /** Ends a connection by half-closing it: no answer may be left over. */
        private void endConnection() throws IOException {
            conn.halfClose();
            String extra = conn.readLine();
            conn.close();
            conn = null;
            assertNull(extra, "an extra answer, not asked for");
        }

        private void check(byte[] sentBytes, Map<String, Object> answer, String raw) {
            String text = protocolTrim(new String(sentBytes, StandardCharsets.UTF_8));
            String expected;
            try {
                Request.parse(text);
                expected = null;
            } catch (ProtocolException e) {
                expected = e.code().wire();
            }
            boolean ok = Boolean.TRUE.equals(answer.get("ok"));
            String code = RawClient.errorCode(answer);
            if (expected == null) {
                assertTrue(ok, "valid request refused: " + show(sentBytes) + " -> " + raw);
                assertTrue(answer.get("result") instanceof Map, "ok answer with a result object: " + raw);
                oks++;
            } else {
                assertEquals(expected, code, "answer to " + show(sentBytes) + " -> " + raw);
                assertTrue(object(answer, "error").get("message") instanceof String, raw);
                errors++;
                codes.merge(code, 1, Integer::sum);
            }
        }

        private void oversized(byte[] line) throws IOException {
            try (RawClient w = new RawClient(sock)) {
                connections++;
                byte[] withNl = Arrays.copyOf(line, line.length + 1);
                withNl[line.length] = '\n';
                w.send(withNl);
                String answer = w.readLine();
                assertTrue(answer != null, "an oversized line gets an answer before the close");
                assertEquals("too-large", RawClient.errorCode(RawClient.parseAnswer(answer)), answer);
                w.halfClose();
                assertNull(w.readLine(), "the connection is closed after too-large");
                tooLarge++;
                errors++;
                codes.merge("too-large", 1, Integer::sum);
            }
        }

        /** What the daemon strips around a request: spaces, tabs, CR; a NUL or a form feed is part of the line. */
        private String protocolTrim(String s) {
            int from = 0;
            int to = s.length();
            while (from < to && " \t\r".indexOf(s.charAt(from)) >= 0) from++;
            while (to > from && " \t\r".indexOf(s.charAt(to - 1)) >= 0) to--;
            return s.substring(from, to);
        }

        private String show(byte[] b) {
            String s = new String(b, StandardCharsets.UTF_8);
            return s.length() > 200 ? s.substring(0, 200) + "...(" + b.length + " bytes)" : s;
        }

        /** One request line, without its newline; never blank, never a control op a root peer would carry out. */
        byte[] generate() {
            byte[] b;
            int kind = rnd.nextInt(100);
            if (kind < 30) b = mutate(VALID[rnd.nextInt(VALID.length)].getBytes(StandardCharsets.UTF_8));
            else if (kind < 45) b = randomBytes(1 + rnd.nextInt(rnd.nextInt(10) == 0 ? 4000 : 120));
            else if (kind < 65) b = structured().getBytes(StandardCharsets.UTF_8);
            else if (kind < 72) b = nested();
            else if (kind < 80) b = unicode();
            else if (kind < 99) b = VALID[rnd.nextInt(4)].getBytes(StandardCharsets.UTF_8);
            else b = longLine();
            for (int i = 0; i < b.length; i++) if (b[i] == '\n') b[i] = ' ';
            String text = new String(b, StandardCharsets.UTF_8).trim();
            if (text.isEmpty()) return "x".getBytes(StandardCharsets.UTF_8);
            if (b.length + 1 <= MAX_LINE) {
                try {
                    if (Request.parse(text).op().changesIntent()) return generate();
                } catch (ProtocolException e) {
                    // an error answer is expected; fine
                }
            }
            return b;
        }

        private byte[] mutate(byte[] b) {
            byte[] out = b.clone();
            int n = 1 + rnd.nextInt(4);
            for (int i = 0; i < n && out.length > 0; i++) {
                int at = rnd.nextInt(out.length);
                switch (rnd.nextInt(6)) {
                    case 0: out[at] = (byte) rnd.nextInt(256); break;
                    case 1: out[at] ^= (byte) (1 << rnd.nextInt(8)); break;
                    case 2: { // delete
                        byte[] x = new byte[out.length - 1];
                        System.arraycopy(out, 0, x, 0, at);
                        System.arraycopy(out, at + 1, x, at, out.length - at - 1);
                        out = x;
                        break;
                    }
                    case 3: { // insert a structural byte
                        byte[] x = new byte[out.length + 1];
                        System.arraycopy(out, 0, x, 0, at);
                        x[at] = (byte) STRUCTURAL.charAt(rnd.nextInt(STRUCTURAL.length()));
                        System.arraycopy(out, at, x, at + 1, out.length - at);
                        out = x;
                        break;
                    }
                    case 4: out = Arrays.copyOf(out, at); break; // truncate
                    default: { // duplicate a slice
                        int len = Math.min(out.length - at, 1 + rnd.nextInt(12));
                        byte[] x = new byte[out.length + len];
                        System.arraycopy(out, 0, x, 0, at + len);
                        System.arraycopy(out, at, x, at + len, out.length - at);
                        out = x;
                    }
                }
            }
            return out;
        }

        private byte[] randomBytes(int n) {
            byte[] b = new byte[n];
            rnd.nextBytes(b);
            return b;
        }

        private String structured() {
            StringBuilder sb = new StringBuilder("{");
            int members = rnd.nextInt(6);
            for (int i = 0; i < members; i++) {
                if (i > 0) sb.append(',');
                String key = rnd.nextInt(3) == 0 ? KEYS[rnd.nextInt(KEYS.length)] : new String[] {"v", "op", "n", "pid",
                    "reason"}[rnd.nextInt(5)];
                sb.append('"').append(key).append("\":");
                if (key.equals("op") && rnd.nextBoolean()) sb.append('"').append(OPS[rnd.nextInt(OPS.length)]).append('"');
                else sb.append(ODD_VALUES[rnd.nextInt(ODD_VALUES.length)]);
            }
            sb.append('}');
            if (rnd.nextInt(10) == 0) sb.append(rnd.nextBoolean() ? "}" : " trailing");
            if (rnd.nextInt(15) == 0) return "[" + sb + "]";
            return sb.toString();
        }

        private byte[] nested() {
            int depth = 1 + rnd.nextInt(rnd.nextBoolean() ? 40 : 2000);
            StringBuilder sb = new StringBuilder("{\"op\":\"status\",\"x\":");
            for (int i = 0; i < depth; i++) sb.append(rnd.nextBoolean() ? "[" : "{\"a\":");
            if (rnd.nextInt(4) > 0) {
                sb.append("1");
                String opened = sb.toString();
                for (int i = opened.length() - 1; i >= 0; i--) {
                    char c = opened.charAt(i);
                    if (c == '[') sb.append(']');
                    else if (c == '{' && i > 0) sb.append('}');
                }
                sb.append('}');
            }
            return sb.toString().getBytes(StandardCharsets.UTF_8);
        }

        private byte[] unicode() {
            StringBuilder s = new StringBuilder();
            int n = 1 + rnd.nextInt(60);
            for (int i = 0; i < n; i++) {
                int cp;
                switch (rnd.nextInt(5)) {
                    case 0: cp = rnd.nextInt(0x80); break;
                    case 1: cp = 0x80 + rnd.nextInt(0x780); break;
                    case 2: cp = 0xD800 + rnd.nextInt(0x800); break; // lone surrogates
                    case 3: cp = 0x10000 + rnd.nextInt(0x100000); break;
                    default: cp = "\u202E\u200B\uFEFF\uFFFD\u0000\u2028".charAt(rnd.nextInt(6));
                }
                s.appendCodePoint(cp);
            }
            String v = s.toString();
            String json = rnd.nextBoolean() ? "{\"op\":\"status\",\"reason\":\"" + v.replace("\\", "").replace("\"", "")
                    + "\"}" : "{\"op\":\"" + v.replace("\\", "").replace("\"", "") + "\"}";
            return (rnd.nextInt(4) == 0 ? v : json).getBytes(StandardCharsets.UTF_8);
        }

        private byte[] longLine() {
            int len;
            switch (rnd.nextInt(4)) {
                case 0: len = MAX_LINE - 2 + rnd.nextInt(4); break; // 4094..4097 with the newline: both sides of the bound
                case 1: len = MAX_LINE + rnd.nextInt(MAX_LINE); break;
                case 2: len = 64 * 1024 + rnd.nextInt(64 * 1024); break;
                default: len = 1024 * 1024; break;
            }
            String head = "{\"op\":\"status\",\"reason\":\"";
            StringBuilder sb = new StringBuilder(len).append(head);
            while (sb.length() < len - 2) sb.append('a');
            sb.append("\"}");
            return sb.substring(0, len).getBytes(StandardCharsets.UTF_8);
        }
    }

    // ---- crowds, slow and half-closed clients -------------------------------------------------------------------

    private static String thousandConcurrent(Path sock, int n) throws Exception {
        List<RawClient> open = new ArrayList<>();
        long t0 = System.nanoTime();
        try {
            for (int i = 0; i < n; i++) open.add(new RawClient(sock));
            long opened = System.nanoTime();
            byte[] req = "{\"v\":1,\"op\":\"status\"}\n".getBytes(StandardCharsets.UTF_8);
            for (RawClient w : open) w.send(req);
            int ok = 0;
            for (RawClient w : open) {
                Map<String, Object> a = w.answer();
                assertEquals(Boolean.TRUE, a.get("ok"), a.toString());
                ok++;
            }
            long done = System.nanoTime();
            assertEquals(n, ok);
            return String.format("%d of %d connections open at once, all %d status requests answered ok "
                    + "(open %.0f ms, all answered %.0f ms later)", n, n, ok, (opened - t0) / 1e6, (done - opened) / 1e6);
        } finally {
            for (RawClient w : open) w.close();
        }
    }

    private static String slowClients(Path sock, int n) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Long>> f = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                f.add(pool.submit(() -> {
                    try (RawClient w = new RawClient(sock)) {
                        long t0 = System.nanoTime();
                        for (byte b : "{\"v\":1,\"op\":\"status\"}\n".getBytes(StandardCharsets.UTF_8)) {
                            w.send(new byte[] {b});
                            Thread.sleep(50);
                        }
                        Map<String, Object> a = w.answer();
                        assertEquals(Boolean.TRUE, a.get("ok"), a.toString());
                        return (System.nanoTime() - t0) / 1_000_000;
                    }
                }));
            }
            long worst = 0;
            for (Future<Long> x : f) worst = Math.max(worst, x.get());
            return n + " slow clients answered (worst " + worst + " ms for 22 bytes)";
        } finally {
            pool.shutdownNow();
        }
    }

    private static String halfClosedClients(Path sock, int n) throws Exception {
        int answered = 0;
        for (int i = 0; i < n; i++) {
            try (RawClient w = new RawClient(sock)) {
                String req = i % 2 == 0 ? "{\"v\":1,\"op\":\"status\"}" : "{\"op\":\"check\"}\n";
                w.send(req).halfClose();
                Map<String, Object> a = w.answer();
                assertEquals(Boolean.TRUE, a.get("ok"), a.toString());
                assertNull(w.readLine(), "closed after the answer");
                answered++;
            }
        }
        return answered + " half-closed clients answered and closed (half without a final newline)";
    }
}
