package io.warden.it;

import io.warden.json.Json;
import io.warden.state.Intent;
import io.warden.state.IntentState;
import io.warden.state.LastShutdown;
import io.warden.state.ServiceState;
import io.warden.state.ShutdownCause;
import io.warden.state.StateStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.warden.it.S6Sandbox.object;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command line's words against the real daemon, real s6 and real signals (issue 9, items 5, 10 and the
 * history order): what it prints must be what is known, and what it prints must not drive a terminal.
 */
@Timeout(180)
class CliTruthIT {
    @TempDir
    Path tmp;
    S6Sandbox box;

    @AfterEach
    void tearDown() throws Exception {
        if (box != null) box.close();
    }

    private record Timed(S6Sandbox.Cli cli, double seconds) {
    }

    private Timed timed(String... args) throws Exception {
        long t0 = System.nanoTime();
        S6Sandbox.Cli c = box.cli(args);
        return new Timed(c, (System.nanoTime() - t0) / 1e9);
    }

    /** Margin for the command line's own JVM start on a shared 2-core machine; the defect was 10.7 s for 5. */
    private static final double JVM_START_MARGIN = 4.0;

    @Test
    void againstAStoppedDaemonTheTimeoutBoundsTheCommandAndTheOutcomeIsUnknown() throws Exception {
        box = new S6Sandbox(tmp).boot();
        long gateway = box.awaitGatewayUp();
        long daemon = box.warden().pid();
        S6Sandbox.signal(daemon, "STOP");
        Timed stop;
        Timed status;
        Timed check;
        try {
            stop = timed("stop", "--timeout", "2", "--reason", "maintenance");
            status = timed("status", "--timeout", "1");
            check = timed("check");
        } finally {
            S6Sandbox.signal(daemon, "CONT");
        }
        System.out.printf("CLI | against a SIGSTOPped daemon: stop --timeout 2 took %.2f s (exit %d), "
                        + "status --timeout 1 %.2f s (exit %d), check (default 3 s) %.2f s (exit %d)%n",
                stop.seconds, stop.cli.exit(), status.seconds, status.cli.exit(), check.seconds, check.cli.exit());

        assertEquals(9, stop.cli.exit(), stop.cli.toString());
        assertTrue(stop.seconds < 2 + JVM_START_MARGIN, "--timeout 2 bounds the whole command: " + stop.seconds + " s");
        assertTrue(stop.cli.err().contains("the request was sent but no answer came within 2 s")
                && stop.cli.err().contains("it may still be carried out"), stop.cli.toString());
        assertFalse(stop.cli.err().contains("nothing was changed"), "not certain, so not said: " + stop.cli);

        assertEquals(4, status.cli.exit(), status.cli.toString());
        assertTrue(status.seconds < 1 + JVM_START_MARGIN, "status --timeout 1 took " + status.seconds + " s");
        assertTrue(status.cli.err().contains("does not answer"), status.cli.toString());
        assertFalse(status.cli.err().contains("not running"), "the daemon runs; it does not answer: " + status.cli);

        assertEquals(4, check.cli.exit(), check.cli.toString());
        assertTrue(check.seconds < 3 + JVM_START_MARGIN, "check must end before the HEALTHCHECK's 5 s kill, took "
                + check.seconds + " s");
        assertTrue(check.cli.err().contains("unhealthy") && check.cli.err().contains("does not answer"), check.cli.toString());

        // The words were "it may still be carried out": after SIGCONT the daemon reads the queued request. What it
        // does with it is the daemon's business; the command line only promised not to claim either way. Shown,
        // not asserted: waiting up to 10 s for it to be carried out.
        long t0 = System.nanoTime();
        boolean carriedOut;
        try {
            box.awaitStatus("the queued stop carried out", Duration.ofSeconds(10), s -> "down".equals(s.get("desired")));
            carriedOut = true;
        } catch (AssertionError notWithin10s) {
            carriedOut = false;
        }
        System.out.printf("CLI | after SIGCONT the queued stop was %s (gateway pid %d before)%n",
                carriedOut ? String.format("carried out, %.1f s later", (System.nanoTime() - t0) / 1e9)
                        : "not carried out within 10 s", gateway);
    }

    @Test
    void aStaleSocketIsCertainNothingWasChanged() throws Exception {
        box = new S6Sandbox(tmp).boot();
        box.awaitGatewayUp();
        box.warden().destroyForcibly();
        S6Sandbox.waitGone(box.warden());
        assertTrue(Files.exists(box.socket()), "a SIGKILLed daemon leaves its socket file");
        byte[] before = Files.readAllBytes(box.stateDir().resolve("gateway.json"));
        S6Sandbox.Cli stop = box.cli("stop", "--timeout", "5");
        assertEquals(4, stop.exit(), stop.toString());
        assertTrue(stop.err().contains("not running") && stop.err().contains("nothing was changed"), stop.toString());
        assertEquals(new String(before), Files.readString(box.stateDir().resolve("gateway.json")));
    }

    /** ESC sequences (window title, clear screen), BEL, CR and LF (a forged line), NUL, a C1 CSI and DEL. */
    private static final String HOSTILE =
            "maint\u001b]0;owned\u0007\u001b[2J\rforged line\nuid 0 stopped it\u0000\u009b31m\u007f";

    private static void assertNoControlCharacter(String what, String printed) {
        for (int i = 0; i < printed.length(); i++) {
            char c = printed.charAt(i);
            if ((c < 0x20 && c != '\n') || (c >= 0x7f && c <= 0x9f)) {
                throw new AssertionError(String.format("%s printed a raw U+%04X at %d: %s", what, (int) c, i,
                        io.warden.text.PrintableText.escape(printed)));
            }
        }
    }

    @Test
    void controlCharactersStoredOnTheVolumeAreEscapedThroughTheDaemon() throws Exception {
        // what an older version may have stored: a reason with terminal escapes, line breaks and NUL
        Instant t0 = Instant.parse("2026-03-01T10:15:30Z");
        StateStore store = new StateStore(Files.createDirectories(tmp.resolve("state")), "gateway");
        store.saveService(new ServiceState("gateway", Intent.byUser(IntentState.DOWN, t0, 0, 42L, HOSTILE),
                new LastShutdown(ShutdownCause.USER, null, t0, 0, HOSTILE)));
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("at", t0.toString());
        r.put("event", "intent");
        r.put("state", "down");
        r.put("reason", HOSTILE);
        store.appendJournal(r);
        box = new S6Sandbox(tmp).boot();

        S6Sandbox.Cli status = box.cli("status");
        assertEquals(3, status.exit(), "answered by the daemon (the gateway is down as recorded): " + status);
        assertNoControlCharacter("status", status.out() + status.err());
        assertTrue(status.out().contains("(maint\\u001b]0;owned\\u0007\\u001b[2J\\u000dforged line\\u000auid 0"),
                status.out());

        S6Sandbox.Cli json = box.cli("status", "--json");
        assertNoControlCharacter("status --json", json.out() + json.err());
        assertEquals(HOSTILE, object(Json.parseObject(json.out().trim()), "intent").get("reason"),
                "the JSON still carries the exact text");

        S6Sandbox.Cli history = box.cli("history", "-n", "1000");
        assertEquals(0, history.exit(), history.toString());
        assertFalse(history.err().contains("reading the journal"), "answered by the daemon: " + history);
        assertNoControlCharacter("history", history.out() + history.err());
        @SuppressWarnings("unchecked")
        List<Object> records = (List<Object>) Json.parse(box.cli("history", "--json", "-n", "1000").out().trim());
        assertEquals(records.size(), history.out().split("\n").length, "one line per record, none forged: "
                + history.out());
        S6Sandbox.Cli historyJson = box.cli("history", "--json", "-n", "1000");
        assertNoControlCharacter("history --json", historyJson.out());

        // and new text with a control character never gets that far
        byte[] before = Files.readAllBytes(box.stateDir().resolve("gateway.json"));
        S6Sandbox.Cli start = box.cli("start", "--reason", "ok\u001b[31m");
        assertEquals(2, start.exit(), start.toString());
        assertEquals(1, start.err().split("\n").length, "one clear line: " + start.err());
        assertTrue(start.err().contains("--reason must be printable text") && start.err().contains("U+001B"),
                start.err());
        assertNoControlCharacter("refused start", start.err());
        assertEquals(new String(before), Files.readString(box.stateDir().resolve("gateway.json")));
    }

    @Test
    @SuppressWarnings("unchecked")
    void historyIsOldestFirstInOrderOfTimeAcrossARotation() throws Exception {
        // an old journal close to the rotation size, so the records below straddle journal.1.jsonl and journal.jsonl
        StateStore store = new StateStore(Files.createDirectories(tmp.resolve("state")), "gateway");
        for (int i = 0; i < 30; i++) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("at", Instant.parse("2026-01-01T00:00:00Z").plusSeconds(i).toString());
            r.put("event", "seed");
            r.put("pad", "x".repeat(60));
            store.appendJournal(r);
        }
        box = new S6Sandbox(tmp);
        box.env("WARDEN_JOURNAL_MAX_BYTES", "4096").boot();
        box.awaitGatewayUp();
        List<String> steps = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            for (String op : new String[] {"stop", "start"}) {
                String reason = "step-" + steps.size();
                S6Sandbox.Cli c = box.cli(op, "--reason", reason);
                assertEquals(0, c.exit(), c.toString());
                steps.add(reason);
            }
        }
        assertTrue(Files.exists(box.stateDir().resolve("journal.1.jsonl")), "the journal rotated");

        S6Sandbox.Cli json = box.cli("history", "--json", "-n", "1000");
        assertEquals(0, json.exit(), json.toString());
        List<Object> records = (List<Object>) Json.parse(json.out().trim());
        assertOldestFirst(records, steps);

        S6Sandbox.Cli text = box.cli("history", "-n", "1000");
        String[] lines = text.out().split("\n");
        assertEquals(records.size(), lines.length, text.out());
        for (int i = 0; i < lines.length; i++) {
            Map<String, Object> r = (Map<String, Object>) records.get(i);
            assertTrue(lines[i].startsWith(r.get("at") + "  " + r.get("event")),
                    "line " + i + " is record " + i + ", newest last: " + lines[i] + " vs " + r);
        }

        // the same order when the daemon is down and the command line reads the volume itself
        box.warden().destroyForcibly();
        S6Sandbox.waitGone(box.warden());
        S6Sandbox.Cli offline = box.cli("history", "--json", "-n", "1000");
        assertTrue(offline.err().contains("reading the journal"), offline.toString());
        assertEquals(records, Json.parse(offline.out().trim()), "the volume and the daemon tell the same history");
    }

    /** {@code at} never goes back, and the user's reasons appear in the order they were given. */
    @SuppressWarnings("unchecked")
    private static void assertOldestFirst(List<Object> records, List<String> steps) {
        Instant previous = Instant.MIN;
        List<String> reasons = new ArrayList<>();
        for (Object o : records) {
            Map<String, Object> r = (Map<String, Object>) o;
            Instant at = Instant.parse((String) r.get("at"));
            assertFalse(at.isBefore(previous), "oldest first: " + at + " after " + previous + " in " + records);
            previous = at;
            if ("intent".equals(r.get("event")) && "user".equals(r.get("source"))) reasons.add((String) r.get("reason"));
        }
        assertTrue(reasons.size() >= 3, "several intent records survived the rotation: " + reasons);
        assertEquals(steps.subList(steps.size() - reasons.size(), steps.size()), reasons,
                "the last " + reasons.size() + " intents, in the order given");
    }
}
